// Test-only bindings declared in vitest.config.ts.
import type { D1Migration } from 'cloudflare:test';
import type { IngestMessage } from '../endpoints/collect/write-beacon.js';
import type { Bindings } from '../env.js';

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      /** Statements of seed/dev.sql. */
      TEST_SEED: string[];
      TEST_INGEST_QUEUE: Queue<IngestMessage>;
      /** Allows 2 requests per key a minute (vitest.config.ts): stands in for a real limiter. */
      TEST_TIGHT_LIMITER: RateLimit;
      /** The shard tests' two other databases (vitest.config.ts). */
      SHARD_2: D1Database;
      SHARD_3: D1Database;
    }
  }
}
