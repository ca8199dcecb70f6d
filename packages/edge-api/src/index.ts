// The Worker: HTTP through the Hono app, and the optional ingest queue's consumer.
import { createApp } from './app.js';
import type { Bindings } from './env.js';
import { consumeIngestBatch, type IngestMessage } from './ingest/queue.js';

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeIngestBatch(batch, env),
} satisfies ExportedHandler<Bindings, IngestMessage>;
