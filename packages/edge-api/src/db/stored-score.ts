// The shapes scoring reads from D1 (a stored score row, an engagement as a rebuild folds it) and
// the parse of a stored state. No database code: the pure score-row logic and the benchmarks
// (through @cxm/edge-api/tools) use these without the Workers runtime's types.
import type { ScoreState } from '@cxm/scoring';

/** A score row as the writers read it. */
export interface StoredScore {
  candidateId: string;
  state: string;
  version: number;
  tier: string;
  engagementCount: number;
  /** The watermark: the highest engagement rowid of the candidate folded into `state`. */
  scoredThrough: number;
}

/** An engagement as stored, in the shape the scoring library reads. */
export interface ScoredEngagement {
  type: string;
  detail: string | null;
  occurredAt: number;
  machine: boolean;
  /**
   * Its rowid, when read from D1: a score row folding it moves its watermark up to it. Absent
   * for an engagement not stored yet (it then cannot move a watermark).
   */
  rowid?: number;
}

export function parseState(json: string): ScoreState {
  return JSON.parse(json) as ScoreState;
}
