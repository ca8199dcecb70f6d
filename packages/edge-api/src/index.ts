// The Worker: HTTP through the Hono app, the queue consumers (the optional ingest queue, the
// texting queue and its dead letters, the campaign pages), and the cron triggers (daily decay run, webhook retries).
import { createApp } from './app.js';
import type { CampaignPageJob } from './endpoints/campaigns/run-page.js';
import type { IngestMessage } from './endpoints/collect/write-beacon.js';
import type { OutboundJob } from './endpoints/messages/queue-message.js';
import type { Bindings } from './env.js';
import { CAMPAIGN_QUEUE_NAME, consumeCampaignPages } from './jobs/campaign-queue.js';
import { runScheduled } from './jobs/cron.js';
import { consumeIngestBatch } from './jobs/ingest-queue.js';
import {
  consumeDeadLetters,
  consumeMessageBatch,
  MESSAGE_DLQ_NAME,
  MESSAGE_QUEUE_NAME,
} from './jobs/message-queue.js';

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => {
    // Each queue's messages have their own shape; the queue's name says which.
    if (batch.queue === MESSAGE_QUEUE_NAME) {
      return consumeMessageBatch(batch as MessageBatch<OutboundJob>, env);
    }
    if (batch.queue === MESSAGE_DLQ_NAME) {
      return consumeDeadLetters(batch as MessageBatch<OutboundJob>, env);
    }
    if (batch.queue === CAMPAIGN_QUEUE_NAME) {
      return consumeCampaignPages(batch as MessageBatch<CampaignPageJob>, env);
    }
    return consumeIngestBatch(batch as MessageBatch<IngestMessage>, env);
  },
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(env, { cron: controller.cron, now: controller.scheduledTime }));
  },
} satisfies ExportedHandler<Bindings, unknown>;
