// After a scoring model change every stored state is stale (a state belongs to the model that
// built it): each candidate is rebuilt from their stored engagements under the new model, page by
// page. A page is one job of the organisation's rescore run (`rescore_runs`, one row per
// organisation): it rebuilds the next `OPTIONS.rescorePageSize` candidates after the run's cursor
// and, in the same guarded batch as their scores, moves the cursor and the count on. Tier changes
// go to the webhook outbox with reason `model_change`, once per real change: the score rows'
// version guard and the run's make a page that lost a race (or ran twice) write nothing.
//
// Idempotent pages: a job names its run and the cursor it starts after. A job for a run that a
// newer model change replaced stops (superseded); one whose cursor the run has passed stops
// (done already). The model is read with the run in one statement, and every model change
// replaces the run in the batch that stores the model, so a page never writes scores of a model
// that is no longer the organisation's. A rebuilt row's watermark is the highest rowid of the
// history it read: engagements stored after that read stay past it, for their own settle.
//
// Pages go through the rescore queue (`jobs/rescore-queue.ts`), so no invocation does work
// proportional to the organisation; without the queue binding `rescoreInline` runs them in turn.
import type { ScoringModel } from '@cxm/scoring';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { OPTIONS } from '../config.js';
import { type Db, inChunks, runBatch, type Statement } from '../db/client.js';
import { withRetries } from '../db/retry.js';
import { candidates, engagements, organisations, rescoreRuns, scores } from '../db/schema.js';
import { scoredEngagementColumns, storedScores } from '../db/score-rows.js';
import type { ScoredEngagement } from '../db/stored-score.js';
import { isoOrNull } from '../schemas/common.js';
import { scoreStatements } from './pipeline.js';
import { modelFrom } from './score-row.js';

/** A queue job: rescore the page after `after` of run `runId` (the model change it belongs to). */
export interface RescorePageJob {
  kind: 'rescore-page';
  orgId: string;
  runId: string;
  /** The last candidate id of the page before ('' for the first page). */
  after: string;
}

export type RescorePageOutcome =
  | { kind: 'written'; rescored: number; next: RescorePageJob | null }
  | { kind: 'already' }
  | { kind: 'superseded' };

/** A run's progress as `GET /v1/settings/engagement` shows it. */
export interface RescoreProgress {
  state: (typeof rescoreRuns.$inferSelect)['state'];
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
}

/** One page of an organisation's scored candidates: their ids and stored histories. */
export interface CandidatePage {
  ids: string[];
  /** The page's last external id, the next page's `after` (none: an empty page). */
  last: string | undefined;
  history: Map<string, ScoredEngagement[]>;
}

/**
 * The next `size` candidates with a score row after external id `after`, with their
 * engagements: the one paging read of a rescore and of the preview's rebuild. Paged by external
 * id on `candidates_org_external (org_id, external_id)`, so a page reads `size` index entries at
 * any organisation size, and a candidate never moves across the cursor (an index on
 * `scores (org_id, candidate_id)` would do too, but SQLite then prefers it for the audiences'
 * `candidate_id` cursor over their tier ranges).
 */
export async function candidatePage(
  db: Db,
  orgId: string,
  after: string,
  size: number,
): Promise<CandidatePage> {
  const rows = await db
    .select({ id: candidates.id, externalId: candidates.externalId })
    .from(candidates)
    .innerJoin(scores, eq(scores.candidateId, candidates.id))
    .where(and(eq(candidates.orgId, orgId), gt(candidates.externalId, after)))
    .orderBy(asc(candidates.externalId))
    .limit(size);
  const ids = rows.map((row) => row.id);
  const history = new Map<string, ScoredEngagement[]>();
  // D1 binds at most 100 parameters: the page's ids in chunks below that.
  for (const part of inChunks(ids)) {
    const found = await db
      .select({ candidateId: engagements.candidateId, ...scoredEngagementColumns })
      .from(engagements)
      .where(and(eq(engagements.orgId, orgId), inArray(engagements.candidateId, part)));
    for (const row of found) {
      if (row.candidateId === null) continue;
      const list = history.get(row.candidateId) ?? [];
      list.push(row);
      history.set(row.candidateId, list);
    }
  }
  return { ids, last: rows.at(-1)?.externalId, history };
}

/**
 * The statement that starts a new run for the organisation's new model, replacing (and so
 * superseding) any run before it, for the batch that stores the model; and the first page's job.
 * `total` counts the score rows in the same transaction.
 */
export function startRescore(db: Db, orgId: string, now: number) {
  const runId = `rsc_${crypto.randomUUID().replaceAll('-', '')}`;
  const statement: Statement = db
    .insert(rescoreRuns)
    .values({
      orgId,
      runId,
      state: 'queued',
      cursor: '',
      done: 0,
      total: sql`(SELECT count(*) FROM ${scores} WHERE ${scores.orgId} = ${orgId})`,
      resumes: 0,
      startedAt: now,
      updatedAt: now,
      finishedAt: null,
    })
    .onConflictDoUpdate({
      target: rescoreRuns.orgId,
      set: {
        runId,
        state: 'queued',
        cursor: '',
        done: 0,
        total: sql`excluded.total`,
        resumes: 0,
        startedAt: now,
        updatedAt: now,
        finishedAt: null,
        // In place, so the version guard lets it through and fails the pages that read before.
        version: sql`${rescoreRuns.version} + 1`,
      },
    });
  const job: RescorePageJob = { kind: 'rescore-page', orgId, runId, after: '' };
  return { statement, job };
}

/** The run and the organisation's model, read in one statement (one snapshot). */
async function readRun(db: Db, orgId: string) {
  const [found] = await db
    .select({ run: rescoreRuns, model: organisations.scoringModel })
    .from(rescoreRuns)
    .innerJoin(organisations, eq(organisations.id, rescoreRuns.orgId))
    .where(eq(rescoreRuns.orgId, orgId));
  return found ?? null;
}

/** The page's score rows (and tier-change events) rebuilt under `model`. */
async function pageStatements(
  db: Db,
  input: { orgId: string; model: ScoringModel; now: number },
  page: CandidatePage,
): Promise<Statement[]> {
  const storedById = await storedScores(db, input.orgId, page.ids);
  // Every candidate with a stored row, rebuilt from its whole history under the new model.
  const updates = [...storedById.values()].map((previous) => ({
    candidateId: previous.candidateId,
    previous,
    added: [],
    rebuild: true,
    history: page.history.get(previous.candidateId) ?? [],
  }));
  const score = await scoreStatements(db, { ...input, reason: 'model_change' }, updates);
  return score.statements;
}

async function attemptPage(
  db: Db,
  job: RescorePageJob,
  options: { now: number; pageSize: number },
): Promise<RescorePageOutcome> {
  const found = await readRun(db, job.orgId);
  if (!found || found.run.runId !== job.runId) return { kind: 'superseded' };
  const { run } = found;
  if (run.state === 'done' || run.state === 'failed' || run.cursor !== job.after) {
    return { kind: 'already' };
  }
  const { now, pageSize } = options;
  const model = modelFrom(found.model);
  const page = await candidatePage(db, job.orgId, job.after, pageSize);
  const { last } = page;
  const finished = page.ids.length < pageSize;
  await runBatch(db, [
    // First, so a batch that read an older run (a page done meanwhile, a newer model) is
    // aborted by the guard before it writes a score.
    db
      .update(rescoreRuns)
      .set({
        cursor: last ?? run.cursor,
        done: sql`${rescoreRuns.done} + ${page.ids.length}`,
        state: finished ? 'done' : 'running',
        updatedAt: now,
        finishedAt: finished ? now : null,
        version: run.version + 1,
      })
      .where(eq(rescoreRuns.orgId, job.orgId)),
    ...(await pageStatements(db, { orgId: job.orgId, model, now }, page)),
  ]);
  const next = finished || last === undefined ? null : { ...job, after: last };
  return { kind: 'written', rescored: page.ids.length, next };
}

/** Rescores one page; a lost race is retried from fresh reads (then usually `already`). */
export function rescorePage(
  db: Db,
  job: RescorePageJob,
  options: { now: number; pageSize?: number },
): Promise<RescorePageOutcome> {
  const pageSize = options.pageSize ?? OPTIONS.rescorePageSize;
  return withRetries(
    () => attemptPage(db, job, { now: options.now, pageSize }),
    OPTIONS.writeAttempts,
  );
}

/** Every page of the run from `job` on, in turn (no queue bound); how many were rescored. */
export async function rescoreInline(
  db: Db,
  job: RescorePageJob,
  options: { now: number; pageSize?: number },
): Promise<number> {
  let rescored = 0;
  for (let next: RescorePageJob | null = job; next; ) {
    const outcome = await rescorePage(db, next, options);
    if (outcome.kind !== 'written') break;
    rescored += outcome.rescored;
    next = outcome.next;
  }
  return rescored;
}

/** The organisation's latest rescore, if its model ever changed since rescores were recorded. */
export async function rescoreProgress(db: Db, orgId: string): Promise<RescoreProgress | null> {
  const [run] = await db.select().from(rescoreRuns).where(eq(rescoreRuns.orgId, orgId));
  if (!run) return null;
  return {
    state: run.state,
    done: run.done,
    // An estimate taken at the start: candidates scored since may make it more.
    total: Math.max(run.total, run.done),
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: isoOrNull(run.finishedAt),
  };
}
