// The one score pipeline every score write goes through: candidates' stored rows plus what a
// write gives them become their next rows, as statements (score upserts, tier-change events) for
// the writer's batch. Ingestion reaches it through the settle (`settle.ts`); links, rescoring
// and decay call it directly.
//
// Each new row carries its watermark (`scored_through`, the highest engagement rowid its state
// folded): a fold moves it up to the highest rowid folded, a rebuild sets it to the highest rowid
// of the history it read (and of the engagements the batch moves to the candidate, which the
// rebuild counted); a settle of tiers alone (decay) keeps it. The version guard makes sure the
// row it replaces is the one it read.
import type { ScoringModel } from '@cxm/scoring';
import { type Db, type Statement, upsertScores } from '../db/client.js';
import type { ScoreInsertRow } from '../db/schema.js';
import { candidateHistory } from '../db/score-rows.js';
import type { ScoredEngagement, StoredScore } from '../db/stored-score.js';
import { outboxStatements, type TierChangeReason, tierChanges } from '../webhooks/outbox.js';
import { foldAll, highestRowid, nextScoreRow, rebuild, startState } from './score-row.js';

/** One candidate's part of a write. */
export interface ScoreUpdate {
  candidateId: string;
  /** Its stored row as read (null: none yet); the new row's version guards against a race. */
  previous: StoredScore | null;
  /**
   * Engagements the write gives the candidate: not yet stored under its id (a link's moved
   * past), or, with `stored`, stored already past the row's watermark (a settle).
   */
  added: readonly ScoredEngagement[];
  /** `added` are stored under the candidate already, so a rebuild finds them in the history. */
  stored?: boolean;
  /**
   * Rebuild from the stored history instead of folding `added` in: they may be older than what
   * the stored state folded (a linked past), or the model changed. A refused fold rebuilds too.
   */
  rebuild?: boolean;
  /** The stored history if the caller has it (`[]` for a candidate its batch creates); else read. */
  history?: readonly ScoredEngagement[];
  /** When a tier change happened, for the webhook payload (default: `now`). */
  occurredAt?: number;
}

export interface ScoreContext {
  orgId: string;
  model: ScoringModel;
  now: number;
  /** Why the tiers that move, moved (the webhook payload's `reason`). */
  reason: TierChangeReason;
}

export interface ScoreStatements {
  /** The new rows, in the order of the updates. */
  rows: ScoreInsertRow[];
  /** Score upserts, then tier-change events; they join the writer's batch. */
  statements: Statement[];
}

export async function scoreStatements(
  db: Db,
  context: ScoreContext,
  updates: readonly ScoreUpdate[],
): Promise<ScoreStatements> {
  const rows: ScoreInsertRow[] = [];
  // One at a time: a history is read only for a rebuild, which is rare outside rescoring.
  for (const update of updates) rows.push(await nextRow(db, context, update));
  const byId = new Map(updates.map((update) => [update.candidateId, update]));
  const changes = tierChanges(rows, (id) => byId.get(id)?.previous?.tier, context).map(
    (change) => ({
      ...change,
      occurredAt: byId.get(change.candidateId)?.occurredAt ?? change.occurredAt,
    }),
  );
  return {
    rows,
    statements: [
      ...upsertScores(db, rows),
      ...outboxStatements(db, context.orgId, changes, context.now),
    ],
  };
}

/**
 * Folds `added` into the stored state when it can (counting stored + added), else rebuilds from
 * the stored history and `added` (counting what it rebuilt). With a stored count that matches the
 * engagements up to the watermark, which every guarded write keeps, both counts are the same.
 */
async function nextRow(
  db: Db,
  { orgId, model, now }: ScoreContext,
  update: ScoreUpdate,
): Promise<ScoreInsertRow> {
  const { candidateId, previous, added } = update;
  const start = startState(previous);
  const folded = update.rebuild ? null : foldAll(start, added, model);
  if (folded !== null) {
    return nextScoreRow({
      orgId,
      candidateId,
      previous,
      state: folded,
      engagementCount: (previous?.engagementCount ?? 0) + added.length,
      model,
      now,
      scoredThrough: Math.max(previous?.scoredThrough ?? 0, highestRowid(added)),
    });
  }
  const history = update.history ?? (await candidateHistory(db, orgId, candidateId));
  const all = update.stored ? history : [...history, ...added];
  return nextScoreRow({
    orgId,
    candidateId,
    previous,
    state: rebuild(all, start.tier, model),
    engagementCount: all.length,
    model,
    now,
    scoredThrough: highestRowid(all),
  });
}
