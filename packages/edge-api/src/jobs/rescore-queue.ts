// The rescore queue (wrangler.jsonc `queues`, `cxm-rescore`), which also carries the daily decay's
// pages (`decay-queue.ts`): after a scoring model change, each
// job rescores one page of the organisation's candidates (`scoring/rescore.ts`) and queues the
// next page, so no invocation does work proportional to the organisation. A page that throws is
// retried with backoff; one the queue gives up on is dropped, and the cron queues the run's page
// again once it has not moved for RESCORE_STALL_MS (`resumeRescores`), so no dead-letter queue.
import { database } from '../db/client.js';
import type { Bindings } from '../env.js';
import type { DecayJob } from '../scoring/decay.js';
import { type RescorePageJob, rescoreInline, rescorePage } from '../scoring/rescore.js';
import { runQueuedDecayJob } from './decay-queue.js';
import { eachInTurn } from './in-turn.js';

export const RESCORE_QUEUE_NAME = 'cxm-rescore';
export const RESCORE_STALL_MS = 15 * 60 * 1000;
/** Resumes before a run is failed (a page that cannot be written); a new save starts afresh. */
export const MAX_RESCORE_RESUMES = 5;

type RescoreEnv = Pick<Bindings, 'DB' | 'RESCORE_QUEUE'>;

/**
 * Rescores the job's page and queues the next one (or, unbound, runs the rest in turn); how many
 * candidates it rescored (0: the page was done already, or its run superseded).
 */
export async function runRescoreJob(
  env: RescoreEnv,
  job: RescorePageJob,
  now: number,
  pageSize?: number,
): Promise<number> {
  const db = database(env.DB);
  const options = pageSize === undefined ? { now } : { now, pageSize };
  if (!env.RESCORE_QUEUE) return rescoreInline(db, job, options);
  const outcome = await rescorePage(db, job, options);
  if (outcome.kind === 'written' && outcome.next) await env.RESCORE_QUEUE.send(outcome.next);
  return outcome.kind === 'written' ? outcome.rescored : 0;
}

/** What the rescore queue carries: score maintenance pages, a rescore's or the daily decay's. */
export type ScoringJob = RescorePageJob | DecayJob;

export function consumeRescorePages(
  batch: MessageBatch<ScoringJob>,
  env: Bindings,
  now: () => number = Date.now,
): Promise<void> {
  return eachInTurn(
    batch,
    (job) => job.kind,
    (job) =>
      job.kind === 'rescore-page' ? runRescoreJob(env, job, now()) : runQueuedDecayJob(env, job),
  );
}

/**
 * The cron's part: queues again the page of each run that has not moved for RESCORE_STALL_MS (its
 * job was lost, or the Worker stopped between a page and queueing the next); a run resumed more
 * than MAX_RESCORE_RESUMES times is failed. The bump of `version` makes a slow page still in
 * flight start over from fresh reads, so the two cannot both write.
 */
export async function resumeRescores(env: RescoreEnv, now: number) {
  const { results } = await env.DB.prepare(
    `UPDATE rescore_runs SET resumes = resumes + 1, updated_at = ?1, version = version + 1,
       state = CASE WHEN resumes + 1 > ?3 THEN 'failed' ELSE state END,
       finished_at = CASE WHEN resumes + 1 > ?3 THEN ?1 ELSE finished_at END
     WHERE state IN ('queued', 'running') AND updated_at < ?2
     RETURNING org_id, run_id, cursor, state`,
  )
    .bind(now, now - RESCORE_STALL_MS, MAX_RESCORE_RESUMES)
    .all<{ org_id: string; run_id: string; cursor: string; state: string }>();
  let resumed = 0;
  for (const run of results) {
    if (run.state === 'failed') continue;
    const job: RescorePageJob = {
      kind: 'rescore-page',
      orgId: run.org_id,
      runId: run.run_id,
      after: run.cursor,
    };
    if (env.RESCORE_QUEUE) await env.RESCORE_QUEUE.send(job);
    else await runRescoreJob(env, job, now);
    resumed += 1;
  }
  return { resumed, failed: results.length - resumed };
}
