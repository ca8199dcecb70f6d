// The texting queue's consumers (wrangler.jsonc `queues`): `cxm-messages` delivers each text job
// (`endpoints/messages/deliver.ts`) and writes each campaign run page job
// (`endpoints/campaigns/run-page.ts`): done jobs are acked, a provider out of reach or quiet hours
// retry the job later (the queue's own delay, at most 12 hours); after `max_retries` the queue
// moves the job to `cxm-messages-dlq`, whose consumer marks the message failed.

import { database } from '../db/client.js';
import { type CampaignPageJob, runPage } from '../endpoints/campaigns/run-page.js';
import { deliver, giveUp } from '../endpoints/messages/deliver.js';
import type { OutboundJob } from '../endpoints/messages/queue-message.js';
import type { Bindings } from '../env.js';
import { type MessagingProvider, providerFromEnv } from '../messaging/provider/index.js';

export const MESSAGE_QUEUE_NAME = 'cxm-messages';
export const MESSAGE_DLQ_NAME = 'cxm-messages-dlq';

/** What the texting queue carries: a text to deliver, or a page of a campaign run to write. */
export type TextingJob = OutboundJob | CampaignPageJob;

async function handle(
  job: TextingJob,
  env: Bindings,
  work: { db: ReturnType<typeof database>; provider: MessagingProvider; now: number },
) {
  if (job.kind === 'campaign-page') {
    await runPage(env, job, work.now);
    return { done: true as const };
  }
  return deliver(env.DB, work.db, work.provider, job, work.now);
}

export async function consumeMessageBatch(
  batch: MessageBatch<TextingJob>,
  env: Bindings,
  options: { now?: () => number; provider?: MessagingProvider } = {},
): Promise<void> {
  const db = database(env.DB);
  const provider = options.provider ?? providerFromEnv(env);
  const now = options.now ?? Date.now;
  if (!provider) {
    console.error('messages: no provider configured; retrying later');
    batch.retryAll({ delaySeconds: 300 });
    return;
  }
  // Each text is claimed on its own before it is sent, so a batch's texts go at once rather than
  // one provider call after another (the texting benchmark measured the queue consumer, not the
  // provider, as the bottleneck when it sent them in turn).
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const outcome = await handle(message.body, env, { db, provider, now: now() });
        if (outcome.done) message.ack();
        else message.retry({ delaySeconds: outcome.retryInSeconds });
      } catch (error) {
        console.error('messages: delivery failed, will retry', error);
        message.retry({ delaySeconds: Math.min(600, 30 * 2 ** message.attempts) });
      }
    }),
  );
}

export async function consumeDeadLetters(
  batch: MessageBatch<TextingJob>,
  env: Bindings,
  now: () => number = Date.now,
): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    // A run's page the queue gave up on is picked up again by the cron (campaigns/start-runs.ts).
    if (message.body.kind === 'campaign-page')
      console.error('campaigns: page job dead', message.body);
    else await giveUp(db, message.body, now());
    message.ack();
  }
}
