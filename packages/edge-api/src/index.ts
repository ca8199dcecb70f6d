// The Worker: HTTP through the Hono app, the optional ingest queue's consumer, and the cron
// triggers (daily decay run, webhook retries).
import { createApp } from './app.js';
import type { IngestMessage } from './endpoints/collect/write-beacon.js';
import type { Bindings } from './env.js';
import { runScheduled } from './jobs/cron.js';
import { consumeIngestBatch } from './jobs/ingest-queue.js';

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeIngestBatch(batch, env),
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(env, { cron: controller.cron, now: controller.scheduledTime }));
  },
} satisfies ExportedHandler<Bindings, IngestMessage>;
