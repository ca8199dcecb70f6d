// The cron's part in campaigns: start the runs that are due and pick up runs that stalled.
//
// A run is due once per campaign and local date of its organisation, from its send time until
// that day ends (`schedule.ts`). Starting one is an insert that the unique (campaign, date) index
// lets happen once, however often or late the cron fires; only the insert that made the row
// queues its first page. The pages then go through the campaign queue, a job each
// (`run-page.ts`), so no invocation does more than a page. A run whose last page job was lost
// (the queue gave up on it, or the Worker died between writing a page and queueing the next) has
// not moved for STALL_MS: the cron queues its page again, and the page's own claim makes that
// harmless if the old job was only slow. After MAX_RESUMES the run is failed, not retried forever.
//
// The enabled campaigns are read a page of START_PAGE at a time, in id order: the cron does the
// first page and, when there are more, queues a `campaign-starts` job for the next on the
// campaign queue, which does its page and queues the one after; so no invocation's work grows
// with the number of campaigns in the fleet. The job carries the cron's `now`, so every page
// decides "due" for the same instant; a page done twice starts nothing twice (the unique index),
// and a job the queue gives up on costs ten minutes: a run is due until its local day ends, so the
// next cron run starts what that job would have.
import { shardOf } from '../../shards/shards.js';
import { queuePage, type RunEnv } from './run-page.js';
import { runDue } from './schedule.js';

export const STALL_MS = 15 * 60 * 1000;
export const MAX_RESUMES = 5;
/** Enabled campaigns one invocation reads and may start. */
export const START_PAGE = 100;

/** A queue job: start the due runs of the enabled campaigns after `after` (ids in order). */
export interface CampaignStartJob {
  kind: 'campaign-starts';
  now: number;
  after: string;
  /** The shard whose campaigns these are (the first when absent: jobs queued before shards). */
  shard?: string;
}

interface DueRow {
  id: string;
  org_id: string;
  send_time: string;
  time_zone: string;
  last_date: string | null;
}

export interface StartedRuns {
  started: number;
  resumed: number;
  failed: number;
}

/**
 * Starts the due runs of one page of enabled campaigns after `after`; how many it started, and
 * the last campaign id when a page may follow.
 */
export async function startDuePage(
  env: RunEnv,
  now: number,
  after: string,
  /** When the page really runs (a queued page may be late): the runs' created and updated time. */
  writtenAt = now,
): Promise<{ started: number; last: string | null }> {
  // Each with the date of its latest run (the unique index's range).
  const { results } = await env.DB.prepare(
    `SELECT c.id, c.org_id, c.send_time, o.time_zone,
       (SELECT max(r.local_date) FROM campaign_runs r WHERE r.campaign_id = c.id) AS last_date
     FROM campaigns c JOIN organisations o ON o.id = c.org_id
     WHERE c.state = 'enabled' AND c.reengagement = 1 AND c.id > ?1
     ORDER BY c.id LIMIT ?2`,
  )
    .bind(after, START_PAGE)
    .all<DueRow>();
  let started = 0;
  for (const row of results) {
    const due = runDue(now, row.time_zone, row.send_time, row.last_date);
    if (!due.due) continue;
    const id = `run_${crypto.randomUUID().replaceAll('-', '')}`;
    const inserted = await env.DB.prepare(
      `INSERT INTO campaign_runs (id, org_id, campaign_id, local_date, state, as_of, created_at,
         updated_at)
       SELECT ?1, ?2, ?3, ?4, 'running', ?5, ?6, ?6
       WHERE EXISTS (SELECT 1 FROM campaigns WHERE id = ?3 AND state = 'enabled')
       ON CONFLICT (campaign_id, local_date) DO NOTHING
       RETURNING id`,
    )
      .bind(id, row.org_id, row.id, due.date, now, writtenAt)
      .first<{ id: string }>();
    if (!inserted) continue;
    started += 1;
    await queuePage(env, { id, org_id: row.org_id }, 0);
  }
  const last = results.length === START_PAGE ? results.at(-1)!.id : null;
  return { started, last };
}

/** The cron's part: the first page now, the rest through the campaign queue (or in turn). */
async function startDue(env: RunEnv, now: number): Promise<number> {
  let page = await startDuePage(env, now, '');
  let started = page.started;
  while (page.last !== null) {
    if (env.CAMPAIGN_QUEUE) {
      const job: CampaignStartJob = {
        kind: 'campaign-starts',
        now,
        after: page.last,
        shard: shardOf(env),
      };
      await env.CAMPAIGN_QUEUE.send(job);
      break;
    }
    page = await startDuePage(env, now, page.last);
    started += page.started;
  }
  return started;
}

/**
 * A queued `campaign-starts` job: its page, then the next page's job when there may be one. Due
 * is decided at the cron's `now`; the runs it starts are dated `at`, when it runs, so a job the
 * queue delivered late does not make them look stalled to the next cron.
 */
export async function runStartJob(
  env: RunEnv,
  job: CampaignStartJob,
  at = Date.now(),
): Promise<number> {
  const page = await startDuePage(env, job.now, job.after, Math.max(at, job.now));
  if (page.last !== null && env.CAMPAIGN_QUEUE) {
    const next: CampaignStartJob = { ...job, after: page.last };
    await env.CAMPAIGN_QUEUE.send(next);
  }
  return page.started;
}

/** Queues again the page of each run that has not moved for STALL_MS; fails hopeless ones. */
async function resumeStalled(env: RunEnv, now: number) {
  const { results } = await env.DB.prepare(
    `UPDATE campaign_runs SET resumes = resumes + 1, updated_at = ?1,
       state = CASE WHEN resumes + 1 > ?3 THEN 'failed' ELSE state END,
       error = CASE WHEN resumes + 1 > ?3 THEN 'stalled: its pages could not be written'
                    ELSE error END,
       finished_at = CASE WHEN resumes + 1 > ?3 THEN ?1 ELSE finished_at END
     WHERE state = 'running' AND updated_at < ?2
     RETURNING id, org_id, page, state`,
  )
    .bind(now, now - STALL_MS, MAX_RESUMES)
    .all<{ id: string; org_id: string; page: number; state: string }>();
  let resumed = 0;
  for (const run of results) {
    if (run.state !== 'running') continue;
    // The page before, when there is one: its job queues what it wrote that may never have been
    // queued, then this page (run-page.ts).
    await queuePage(env, run, Math.max(0, run.page - 1));
    resumed += 1;
  }
  return { resumed, failed: results.length - resumed };
}

export async function startCampaignRuns(env: RunEnv, now: number): Promise<StartedRuns> {
  const resumed = await resumeStalled(env, now);
  const started = await startDue(env, now);
  return { started, ...resumed };
}
