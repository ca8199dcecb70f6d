// Time-invariant ordering of candidates, so "everyone in tier X now" is an index range query.
//
// Every candidate's points decay by the same factor, so with
//   key = log2(points at t) + t / halfLife      (the same value for every t)
// "points at now >= threshold" is exactly "key >= log2(threshold) + now / halfLife".
// Store the key in an indexed column once per write; at read time compute the bounds.
import { compileModel } from './compiled-model.js';
import { DEFAULT_MODEL } from './model.js';
import { stateSortKey } from './state.js';
import { toEpochMs } from './time.js';
import type { ScoringModel, Tier, TimeInput } from './types.js';

export { stateSortKey as sortKey };

/** The smallest key whose points at `now` reach `threshold` (> 0). */
export function thresholdKey(
  threshold: number,
  now: TimeInput,
  model: ScoringModel = DEFAULT_MODEL,
): number {
  if (!(threshold > 0)) throw new RangeError(`threshold must be greater than 0; got ${threshold}`);
  return Math.log2(threshold) + toEpochMs(now, 'now') * compileModel(model).inverseHalfLifeMs;
}

export interface KeyRange {
  /** Inclusive lower bound; null: no lower bound, and candidates with a null key belong too. */
  min: number | null;
  /** Exclusive upper bound; null: no upper bound. */
  max: number | null;
}

/** Candidates in `tier` at `now` are exactly those with `min <= key < max` (see KeyRange). */
export function tierKeyRange(
  tier: Tier,
  now: TimeInput,
  model: ScoringModel = DEFAULT_MODEL,
): KeyRange {
  const engaged = thresholdKey(model.thresholds.engaged, now, model);
  const highly = thresholdKey(model.thresholds.highlyEngaged, now, model);
  if (tier === 'highly_engaged') return { min: highly, max: null };
  if (tier === 'engaged') return { min: engaged, max: highly };
  return { min: null, max: engaged };
}
