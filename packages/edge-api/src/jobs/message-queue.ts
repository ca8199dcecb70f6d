// The texting queue's consumers (wrangler.jsonc `queues`): `cxm-messages` delivers each text job
// (`endpoints/messages/deliver.ts`): done jobs are acked, a provider out of reach or quiet hours
// retry the job later (the queue's own delay, at most 12 hours); after `max_retries` the queue
// moves the job to `cxm-messages-dlq`, whose consumer marks the message failed.

import { database } from '../db/client.js';
import { deliver, giveUp } from '../endpoints/messages/deliver.js';
import type { OutboundJob } from '../endpoints/messages/queue-message.js';
import type { Bindings } from '../env.js';
import { type MessagingProvider, providerFromEnv } from '../messaging/provider/index.js';
import { retryDelaySeconds } from './in-turn.js';

export const MESSAGE_QUEUE_NAME = 'cxm-messages';
export const MESSAGE_DLQ_NAME = 'cxm-messages-dlq';

export async function consumeMessageBatch(
  batch: MessageBatch<OutboundJob>,
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
        const outcome = await deliver(env.DB, db, provider, message.body, now());
        if (outcome.done) message.ack();
        else message.retry({ delaySeconds: outcome.retryInSeconds });
      } catch (error) {
        console.error('messages: delivery failed, will retry', error);
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }),
  );
}

export async function consumeDeadLetters(
  batch: MessageBatch<OutboundJob>,
  env: Bindings,
  now: () => number = Date.now,
): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    await giveUp(db, message.body, now());
    message.ack();
  }
}
