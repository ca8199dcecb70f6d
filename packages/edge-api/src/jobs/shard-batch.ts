// Queue deliveries by shard (src/shards): each message names its organisation (or, for the cron's
// shard-wide listings, its shard), and is handed to the consumer with the environment of that
// organisation's shard, a sub-batch per shard. A message of an organisation being moved is sent
// to the queue again, delayed MOVING_DELAY_SECONDS, and acked (sent anew, it does not use up the
// queue's retries, so a freeze never sends a job to the dead letters): nothing is written on
// either shard during a move, and the job runs on the new one afterwards. One database
// configured: the batch as it came.
import type { Bindings } from '../env.js';
import { movingOrgs, orgPlace } from '../shards/directory.js';
import { FIRST_SHARD, isSharded, shardEnv } from '../shards/shards.js';

/** Where a job belongs: its organisation's shard, or a shard it names. */
export interface JobHome {
  orgId?: string | undefined;
  shard?: string | undefined;
}

/** How long a job of a moving organisation waits before it is delivered again. */
export const MOVING_DELAY_SECONDS = 10;

function subBatch<T>(batch: MessageBatch<T>, messages: Message<T>[]): MessageBatch<T> {
  return {
    queue: batch.queue,
    metadata: batch.metadata,
    messages,
    retryAll: (options) => {
      for (const message of messages) message.retry(options);
    },
    ackAll: () => {
      for (const message of messages) message.ack();
    },
  };
}

/**
 * Hands `batch` to `consume` a shard at a time. `requeue` is the queue the batch came from (its
 * producer binding); without one, a moving organisation's message is retried instead.
 */
export async function consumeByShard<T>(
  batch: MessageBatch<T>,
  env: Bindings,
  route: { homeOf: (body: T) => JobHome; requeue: Queue | undefined },
  consume: (batch: MessageBatch<T>, env: Bindings) => Promise<void>,
): Promise<void> {
  if (!isSharded(env)) return consume(batch, env);
  const byShard = new Map<string, Message<T>[]>();
  const waiting: Message<T>[] = [];
  let moves: Promise<string[]> | undefined;
  for (const message of batch.messages) {
    const home = route.homeOf(message.body);
    let shard = home.shard ?? FIRST_SHARD;
    if (home.orgId === undefined) {
      // A shard-wide job (the cron's listings) writes across its organisations: it waits while
      // any organisation moves, as the cron does.
      moves ??= movingOrgs(env);
      if ((await moves).length > 0) {
        waiting.push(message);
        continue;
      }
    } else {
      const place = await orgPlace(env, home.orgId);
      if (place.moving) {
        waiting.push(message);
        continue;
      }
      shard = place.shard;
    }
    const list = byShard.get(shard) ?? [];
    list.push(message);
    byShard.set(shard, list);
  }
  if (waiting.length > 0) await wait(waiting, route.requeue);
  for (const [shard, messages] of byShard) {
    await consume(subBatch(batch, messages), shardEnv(env, shard));
  }
}

async function wait<T>(messages: Message<T>[], requeue: Queue | undefined): Promise<void> {
  if (!requeue) {
    for (const message of messages) message.retry({ delaySeconds: MOVING_DELAY_SECONDS });
    return;
  }
  await requeue.sendBatch(
    messages.map((message) => ({ body: message.body, delaySeconds: MOVING_DELAY_SECONDS })),
  );
  for (const message of messages) message.ack();
}
