// The Worker: HTTP through the Hono app, the queue consumers (the optional ingest queue, the
// texting queue and its dead letters, the campaign pages, the rescore and decay pages), and the
// cron triggers (daily decay run, webhook retries).
// A misconfigured deployment (middleware/configuration.ts) serves a 503 and runs neither.
import { createApp } from './app.js';
import type { IngestMessage } from './endpoints/collect/write-beacon.js';
import type { OutboundJob } from './endpoints/messages/queue-message.js';
import type { Bindings } from './env.js';
import {
  CAMPAIGN_QUEUE_NAME,
  type CampaignJob,
  consumeCampaignPages,
} from './jobs/campaign-queue.js';
import { runCron } from './jobs/cron.js';
import { consumeIngestBatch } from './jobs/ingest-queue.js';
import {
  consumeDeadLetters,
  consumeMessageBatch,
  MESSAGE_DLQ_NAME,
  MESSAGE_QUEUE_NAME,
} from './jobs/message-queue.js';
import { consumeRescorePages, RESCORE_QUEUE_NAME, type ScoringJob } from './jobs/rescore-queue.js';
import { consumeByShard } from './jobs/shard-batch.js';
import { misconfiguredMessage, problemsOf } from './middleware/configuration.js';

const app = createApp();

/** A misconfigured deployment hands queue messages back for this long (its queues' retries count). */
const MISCONFIGURED_RETRY_SECONDS = 300;

export default {
  fetch: app.fetch,
  queue: (batch, env) => {
    // Misconfigured (a required secret missing, a development value or flag set): nothing is
    // sent or written; the messages come back later, and the fetch handler says what to fix.
    const problems = problemsOf(env);
    if (problems.length > 0) {
      console.error(`queue ${batch.queue}: ${misconfiguredMessage(problems)}`);
      batch.retryAll({ delaySeconds: MISCONFIGURED_RETRY_SECONDS });
      return;
    }
    // Each queue's messages have their own shape; the queue's name says which. Each message
    // names its organisation (or shard), and is consumed on that shard (jobs/shard-batch.ts).
    if (batch.queue === MESSAGE_QUEUE_NAME) {
      const route = { homeOf: (job: OutboundJob) => job, requeue: env.MESSAGE_QUEUE };
      return consumeByShard(batch as MessageBatch<OutboundJob>, env, route, consumeMessageBatch);
    }
    if (batch.queue === MESSAGE_DLQ_NAME) {
      const route = { homeOf: (job: OutboundJob) => job, requeue: undefined };
      return consumeByShard(batch as MessageBatch<OutboundJob>, env, route, consumeDeadLetters);
    }
    if (batch.queue === CAMPAIGN_QUEUE_NAME) {
      const route = { homeOf: (job: CampaignJob) => job, requeue: env.CAMPAIGN_QUEUE };
      return consumeByShard(batch as MessageBatch<CampaignJob>, env, route, consumeCampaignPages);
    }
    if (batch.queue === RESCORE_QUEUE_NAME) {
      const route = { homeOf: (job: ScoringJob) => job, requeue: env.RESCORE_QUEUE };
      return consumeByShard(batch as MessageBatch<ScoringJob>, env, route, consumeRescorePages);
    }
    const route = {
      homeOf: (message: IngestMessage) => ({ orgId: message.job.orgId }),
      requeue: env.INGEST_QUEUE,
    };
    return consumeByShard(batch as MessageBatch<IngestMessage>, env, route, consumeIngestBatch);
  },
  scheduled: (controller, env, ctx) => {
    const problems = problemsOf(env);
    if (problems.length > 0) {
      console.error(`cron ${controller.cron}: ${misconfiguredMessage(problems)}`);
      return;
    }
    ctx.waitUntil(runCron(env, { cron: controller.cron, now: controller.scheduledTime }));
  },
} satisfies ExportedHandler<Bindings, unknown>;
