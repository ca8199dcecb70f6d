// The cron triggers (wrangler.jsonc `triggers.crons`): daily, settle tiers that decay moved (in
// pages through the rescore queue, `decay-queue.ts`; their webhook events go out with the next
// run's deliveries); every 10 minutes, retry webhook deliveries that are due. Both first settle
// the scores left in `score_backlog` (a write's settle gave up under extreme contention, or the
// worker stopped between storing engagements and settling them), so such a score is at most ten
// minutes behind. Every run also deletes ended console sessions and abandoned sign-ins, and fails
// texts whose sending never finished (`messages/sweep.ts`), and starts the campaign runs that are
// due and resumes stalled ones (`campaigns/start-runs.ts`), so a run starts at most ten minutes
// after its send time, and queues again the page of a rescore that stalled (`rescore-queue.ts`). The daily run also deletes audit entries past their retention. The clock
// and `fetch` are injectable so tests drive a run at any `now`.

import { pruneIdentityCodes } from '../auth/click-identity.js';
import { SESSION_LIMITS, sweepExpired } from '../auth/sessions.js';
import { database } from '../db/client.js';
import { pruneAudit } from '../endpoints/audit/prune.js';
import { startCampaignRuns } from '../endpoints/campaigns/start-runs.js';
import { sweepStuckSending } from '../endpoints/messages/sweep.js';
import { measureShards } from '../endpoints/ops/place.js';
import type { Bindings } from '../env.js';
import { settleBacklog } from '../scoring/settle.js';
import { movingOrgs, sweepSessionHints } from '../shards/directory.js';
import { FIRST_SHARD, isSharded, shardEnv, shardNames, shardOf } from '../shards/shards.js';
import { sealingSecrets } from '../utils/sealed.js';
import { deliverDue } from '../webhooks/deliver.js';
import { startDecay } from './decay-queue.js';
import { resumeRescores } from './rescore-queue.js';

export const DAILY_CRON = '0 3 * * *';
export const RETRY_CRON = '*/10 * * * *';

export interface ScheduledRun {
  cron: string;
  now: number;
  fetch?: typeof fetch;
}

type ShardRun = Awaited<ReturnType<typeof runScheduled>>;

/**
 * The directory's own sweep (session hints past the longest session), then a cron run over every
 * shard in turn (src/shards), one shard's failure not stopping the others, and, daily, each
 * shard's size (where new organisations go). While an organisation moves, the shards' runs wait
 * for the next cron: their steps write across organisations (backlog, webhooks, campaign starts),
 * and the moving one's rows must not change on either shard until the move switches.
 */
export async function runCron(
  env: Bindings,
  run: ScheduledRun,
): Promise<{ shards: Record<string, ShardRun>; sessionHints: number; held?: string[] }> {
  const sessionHints = await sweepSessionHints(env, run.now - SESSION_LIMITS.absoluteMs);
  if (!isSharded(env))
    return { shards: { [FIRST_SHARD]: await runScheduled(env, run) }, sessionHints };
  const moving = await movingOrgs(env);
  if (moving.length > 0) {
    console.log(JSON.stringify({ cron: run.cron, held: 'organisations moving', moving }));
    return { shards: {}, sessionHints, held: moving };
  }
  const shards: Record<string, ShardRun> = {};
  const failed: string[] = [];
  for (const name of shardNames(env)) {
    try {
      shards[name] = await runScheduled(shardEnv(env, name), run);
    } catch (error) {
      console.error(`cron ${run.cron} on shard ${name} failed`, error);
      failed.push(name);
    }
  }
  const sizes = run.cron === RETRY_CRON ? null : await measureShards(env, run.now);
  console.log(JSON.stringify({ cron: run.cron, directory: { sessionHints, sizes } }));
  if (failed.length > 0) throw new Error(`cron ${run.cron} failed on ${failed.join(', ')}`);
  return { shards, sessionHints };
}

/** One shard's cron run (all of it when one database is configured). */
export async function runScheduled(env: Bindings, run: ScheduledRun) {
  const db = database(env.DB);
  const backlog = await settleBacklog(db, { now: run.now });
  const decay = run.cron === RETRY_CRON ? null : await startDecay(env, run.now);
  const deliveries = await deliverDue(db, {
    now: run.now,
    secrets: sealingSecrets(env),
    ...(run.fetch ? { fetch: run.fetch } : {}),
  });
  const expired = {
    ...(await sweepExpired(db, run.now)),
    identityCodes: await pruneIdentityCodes(db, run.now),
  };
  const stuckTexts = await sweepStuckSending(env.DB, run.now);
  const campaigns = await startCampaignRuns(env, run.now);
  const rescores = await resumeRescores(env, run.now);
  const auditPruned = run.cron === RETRY_CRON ? 0 : await pruneAudit(db, run.now);
  console.log(
    JSON.stringify({
      cron: run.cron,
      shard: shardOf(env),
      backlog,
      decay,
      deliveries,
      expired,
      stuckTexts,
      campaigns,
      rescores,
      auditPruned,
    }),
  );
  return { backlog, decay, deliveries, expired, stuckTexts, campaigns, rescores, auditPruned };
}
