// Settling scores: folding a candidate's stored engagements that its score row has not counted
// yet (rowid past the row's watermark, `scores.scored_through`) into the row.
//
// Why: writers used to read the score row, fold their own engagements and write both in one
// batch guarded by the row's version, so of N concurrent writers for one candidate one won each
// round and the others retried, up to 12 times, then answered 503 (issue 14: a hot candidate).
// Now a writer stores its engagements first, in a batch that cannot lose a race (ON CONFLICT DO
// NOTHING on the event key, no guard), then settles the candidates it touched. A settle folds
// everything pending, whoever stored it, so concurrent settles coalesce instead of competing.
//
// How it stays exact: D1 runs one write at a time, so rowids grow in commit order, and a
// candidate's rows up to its watermark are exactly the ones its state folded. A settle reads the
// row (version, watermark) and the rows past the watermark, folds them (or rebuilds from the whole
// history when the fold refuses one as older than its window), and writes the row with the new
// watermark under the version guard, with the tier-change events, in one batch. If another write
// got there first the batch is refused and nothing of it is kept: it reads again, and is done as
// soon as the watermark covers what it set out to settle (the highest rowid pending at its first
// read, which includes its own rows). Against other settles that takes at most three reads per
// candidate: the settle that beat a second attempt read after the first attempt's read, so it
// folded those rows. (A settle of several candidates at once retries while any of them lost.)
//
// Bounded: after `OPTIONS.settleAttempts` lost races (only other kinds of writes, such as a
// decay run, can cause more than two) it gives up quietly. Nothing is lost: the insert batch left
// the candidate in `score_backlog`, so its next write or the cron (`src/jobs/cron.ts`) settles it.
import type { ScoringModel } from '@cxm/scoring';
import { eq } from 'drizzle-orm';
import { OPTIONS } from '../config.js';
import { backlogPage, clearSettledBacklog } from '../db/backlog.js';
import { type Db, runBatch } from '../db/client.js';
import { isRetryable } from '../db/retry.js';
import { organisations } from '../db/schema.js';
import { type Unsettled, unsettledScores } from '../db/score-rows.js';
import { type ScoreUpdate, scoreStatements } from './pipeline.js';
import { highestRowid, modelFrom } from './score-row.js';

export interface SettleInput {
  orgId: string;
  model: ScoringModel;
  /** Internal ids; candidates without a score row (purged meanwhile) are skipped. */
  candidateIds: readonly string[];
  /** The moment tiers are settled at (default: the clock, at each attempt). */
  now?: number;
}

export interface SettleOutcome {
  /** Candidates whose row this settle wrote (others may have been settled by someone else). */
  written: number;
  /** Candidates left for a later settle (their backlog entry stays); normally none. */
  deferred: string[];
  /** Guarded writes it tried: one more than the races it lost, 0 when all was settled already. */
  tried: number;
}

/** What is left to settle: each candidate's highest pending rowid at the first read. */
function targetsOf(read: ReadonlyMap<string, Unsettled>): Map<string, number> {
  const targets = new Map<string, number>();
  for (const [candidateId, { pending }] of read) {
    if (pending.length > 0) targets.set(candidateId, highestRowid(pending));
  }
  return targets;
}

/** Candidates whose watermark does not reach their target yet. */
function stillOpen(targets: ReadonlyMap<string, number>, read: ReadonlyMap<string, Unsettled>) {
  return [...targets].filter(([candidateId, target]) => {
    const row = read.get(candidateId);
    // No row: purged since the first read, nothing left to settle.
    return row !== undefined && row.previous.scoredThrough < target;
  });
}

/** A short random pause that grows with the attempts, so racing settles spread out. */
function pause(attempt: number): Promise<void> {
  const ms = Math.random() * 2 * 2 ** Math.min(attempt, 5);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Settles the candidates' scores: afterwards each row has folded every engagement of its
 * candidate that was stored when this started, unless a candidate is in `deferred`.
 */
export async function settleScores(
  db: Db,
  input: SettleInput,
  attempts: number = OPTIONS.settleAttempts,
): Promise<SettleOutcome> {
  const { orgId, model } = input;
  let targets: Map<string, number> | null = null;
  for (let attempt = 1; ; attempt++) {
    const read = await unsettledScores(db, orgId, input.candidateIds);
    targets ??= targetsOf(read);
    const open = stillOpen(targets, read);
    if (open.length === 0) return { written: 0, deferred: [], tried: attempt - 1 };
    const updates: ScoreUpdate[] = open.map(([candidateId]) => {
      const { previous, pending } = read.get(candidateId)!;
      return { candidateId, previous, added: pending, stored: true };
    });
    const score = await scoreStatements(
      db,
      { orgId, model, now: input.now ?? Date.now(), reason: 'engagement' },
      updates,
    );
    try {
      await runBatch(db, [
        ...score.statements,
        ...clearSettledBacklog(
          db,
          orgId,
          open.map(([candidateId]) => candidateId),
        ),
      ]);
      return { written: open.length, deferred: [], tried: attempt };
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= attempts) {
        return { written: 0, deferred: open.map(([id]) => id), tried: attempt };
      }
      await pause(attempt);
    }
  }
}

const BACKLOG_PAGE = 100;

export interface BacklogOutcome {
  /** Backlog entries looked at. */
  candidates: number;
  /** Of those, left for the next run (still contended). */
  deferred: number;
}

/** The organisation's scoring model (read once per run). */
async function modelOf(db: Db, orgId: string, cache: Map<string, ScoringModel>) {
  let model = cache.get(orgId);
  if (!model) {
    const rows = await db
      .select({ scoringModel: organisations.scoringModel })
      .from(organisations)
      .where(eq(organisations.id, orgId));
    model = modelFrom(rows[0]?.scoringModel ?? null);
    cache.set(orgId, model);
  }
  return model;
}

/**
 * The cron's sweep of `score_backlog`: settles every candidate in it, page by page, and removes
 * the entries of those left with nothing pending (settled now, or already by someone else).
 */
export async function settleBacklog(db: Db, input: { now: number }): Promise<BacklogOutcome> {
  const models = new Map<string, ScoringModel>();
  const outcome: BacklogOutcome = { candidates: 0, deferred: 0 };
  let after = '';
  for (;;) {
    const page = await backlogPage(db, after, BACKLOG_PAGE);
    if (page.length === 0) return outcome;
    const byOrg = new Map<string, string[]>();
    for (const { orgId, candidateId } of page) {
      byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), candidateId]);
    }
    for (const [orgId, candidateIds] of byOrg) {
      const model = await modelOf(db, orgId, models);
      const settled = await settleScores(db, { orgId, model, candidateIds, now: input.now });
      outcome.deferred += settled.deferred.length;
      await runBatch(db, clearSettledBacklog(db, orgId, candidateIds));
    }
    outcome.candidates += page.length;
    after = page.at(-1)!.candidateId;
  }
}
