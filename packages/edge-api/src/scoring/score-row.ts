// The materialized score of a candidate: how a stored row plus new engagements becomes the
// next row, using `@cxm/scoring`'s incremental state. Pure; `pipeline.ts` does the I/O.
import {
  completeModel,
  DEFAULT_MODEL,
  type Engagement,
  type EngagementType,
  emptyState,
  foldEngagement,
  type ScoreState,
  type ScoringModel,
  settleTier,
  sortKey,
  stateFromEngagements,
  validateModel,
} from '@cxm/scoring';
import type { ScoreInsertRow } from '../db/schema.js';
import { parseState, type ScoredEngagement, type StoredScore } from '../db/stored-score.js';

export function toScoring(row: ScoredEngagement): Engagement {
  return {
    type: row.type as EngagementType,
    detail: row.detail ?? undefined,
    occurredAt: row.occurredAt,
    machine: row.machine,
  };
}

/** The organisation's model, or the default when none is set (or, defensively, it is invalid). */
export function modelFrom(json: string | null): ScoringModel {
  if (!json) return DEFAULT_MODEL;
  try {
    // Completed first: a model saved before a type existed takes that type at its default.
    const model = completeModel(JSON.parse(json));
    if (validateModel(model).ok) return model as ScoringModel;
  } catch {
    // Settings validate the model on write; a broken row must not stop ingestion.
  }
  return DEFAULT_MODEL;
}

/**
 * Folds `added` into `previous` in time order. Null when the library refuses one as out of
 * order: the caller then rebuilds from the candidate's stored engagements.
 */
export function foldAll(
  previous: ScoreState,
  added: readonly ScoredEngagement[],
  model: ScoringModel,
): ScoreState | null {
  let state = previous;
  const ordered = [...added].sort((a, b) => a.occurredAt - b.occurredAt);
  for (const engagement of ordered) {
    const result = foldEngagement(state, toScoring(engagement), model);
    if (!result.ok) return null;
    state = result.state;
  }
  return state;
}

/** A whole history, keeping the stored tier so that hysteresis carries over a rebuild. */
export function rebuild(
  history: readonly ScoredEngagement[],
  tier: ScoreState['tier'],
  model: ScoringModel,
): ScoreState {
  return { ...stateFromEngagements(history.map(toScoring), model), tier };
}

/**
 * Largest sum stored per type: six of them still add up to a finite total, so the sort key
 * (log2 of the total) stays finite. Validated models never come near it (see MODEL_BOUNDS in
 * `@cxm/scoring`); this is the writer's own guarantee that no row holds Infinity or NaN, which
 * JSON would store as `null` and SQLite would order wrongly.
 */
export const MAX_STORED_SUM = Number.MAX_VALUE / 8;

function finiteNumber(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(MAX_STORED_SUM, Math.max(-MAX_STORED_SUM, value));
}

/** The state with every sum and kept contribution a finite number. */
export function finiteState(state: ScoreState): ScoreState {
  return {
    ...state,
    sums: state.sums.map(finiteNumber),
    kept: state.kept.map(([type, hash, value]) => [type, hash, finiteNumber(value)]),
  };
}

/** A sort key as stored: NaN becomes null (no points), infinities the largest finite keys. */
export function finiteKey(key: number | null): number | null {
  if (key === null || Number.isNaN(key)) return null;
  return Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, key));
}

/**
 * The next row for a candidate. `version` is the stored one + 1 (or 1 for a new row): the
 * guard trigger refuses the write if the row moved since it was read. `scoredThrough` is the
 * highest engagement rowid `state` folded (default: the stored watermark, or 0).
 */
export function nextScoreRow(input: {
  orgId: string;
  candidateId: string;
  previous: StoredScore | null;
  state: ScoreState;
  engagementCount: number;
  model: ScoringModel;
  now: number;
  scoredThrough?: number;
}): ScoreInsertRow {
  const settled = finiteState(settleTier(input.state, input.now, input.model));
  return {
    candidateId: input.candidateId,
    orgId: input.orgId,
    state: JSON.stringify(settled),
    sortKey: finiteKey(sortKey(settled, input.model)),
    tier: settled.tier,
    tierChangedAt:
      input.previous === null || input.previous.tier !== settled.tier ? input.now : null,
    lastEngagedAt: settled.lastEngagedAt,
    engagementCount: input.engagementCount,
    updatedAt: input.now,
    version: (input.previous?.version ?? 0) + 1,
    scoredThrough: input.scoredThrough ?? input.previous?.scoredThrough ?? 0,
  };
}

/** The highest rowid among engagements read from D1 (those not stored yet have none), or 0. */
export function highestRowid(engagements: readonly ScoredEngagement[]): number {
  let highest = 0;
  for (const engagement of engagements) highest = Math.max(highest, engagement.rowid ?? 0);
  return highest;
}

/** The state a candidate starts from: its stored one, or empty. */
export function startState(previous: StoredScore | null): ScoreState {
  return previous ? parseState(previous.state) : emptyState();
}
