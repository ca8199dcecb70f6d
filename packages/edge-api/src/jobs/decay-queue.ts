// The daily decay run through the rescore queue (`cxm-rescore`, which carries score maintenance
// pages: a rescore's and the decay's). The cron queues one `decay-orgs` job; each job does one
// page (`scoring/decay.ts`, `runDecayJob`) and queues what follows it in one `sendBatch`. A job
// that throws is retried by the queue. One it gives up on leaves what it would have reached for
// the next day's run (its page and the pages after it; for a lost listing, every organisation
// after it), which settles them from their state at that day's `now` (decay needs no history):
// nothing is lost, only a day late. Without the queue binding the cron settles every page itself
// (`settleDecay`).
import { database } from '../db/client.js';
import type { Bindings } from '../env.js';
import { type DecayJob, type DecayOutcome, runDecayJob, settleDecay } from '../scoring/decay.js';
import { shardOf } from '../shards/shards.js';

type DecayEnv = Pick<Bindings, 'DB' | 'RESCORE_QUEUE' | 'SHARD'>;

/** Queue's `sendBatch` limit. */
const SEND_BATCH = 100;

/** The cron's part: queue the run's first job, or (unbound) run it all. */
export async function startDecay(
  env: DecayEnv,
  now: number,
): Promise<DecayOutcome | { queued: true }> {
  if (!env.RESCORE_QUEUE) return settleDecay(database(env.DB), { now });
  const first: DecayJob = { kind: 'decay-orgs', now, after: '', shard: shardOf(env) };
  await env.RESCORE_QUEUE.send(first);
  return { queued: true };
}

/** One queued job: its page, then the jobs it leads to. How many tiers it changed. */
export async function runQueuedDecayJob(env: DecayEnv, job: DecayJob): Promise<number> {
  const { changed, next } = await runDecayJob(database(env.DB), job);
  const queue = env.RESCORE_QUEUE;
  if (!queue) throw new Error('decay: a queued job needs RESCORE_QUEUE to queue what follows');
  for (let i = 0; i < next.length; i += SEND_BATCH) {
    await queue.sendBatch(next.slice(i, i + SEND_BATCH).map((body) => ({ body })));
  }
  return changed;
}
