// Test-only bindings declared in vitest.config.ts.
import type { D1Migration } from 'cloudflare:test';
import type { Bindings } from '../env.js';
import type { IngestMessage } from '../jobs/ingest-queue.js';

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      /** Statements of seed/dev.sql. */
      TEST_SEED: string[];
      TEST_INGEST_QUEUE: Queue<IngestMessage>;
    }
  }
}
