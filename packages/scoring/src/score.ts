// Batch scoring: a pure function of the engagements and an explicit `now`.
import { Accumulator } from './accumulator.js';
import { compileModel } from './compiled-model.js';
import { prepareAll } from './input.js';
import { DEFAULT_MODEL } from './model.js';
import { resultAt } from './result.js';
import { toEpochMs } from './time.js';
import type { Engagement, ScoreResult, ScoringModel, TimeInput } from './types.js';

export interface ScoreOptions {
  /** The moment to score at. Required: there is no hidden clock. */
  now: TimeInput;
  model?: ScoringModel;
}

/**
 * Scores engagements in any order as of `now`. Engagements after `now` are left out, so the
 * result is what was known at that moment. Throws a TypeError/RangeError for an unknown type,
 * an invalid date or an invalid model.
 */
export function score(engagements: readonly Engagement[], options: ScoreOptions): ScoreResult {
  const now = toEpochMs(options.now, 'now');
  const accumulator = new Accumulator(compileModel(options.model ?? DEFAULT_MODEL));
  for (const engagement of prepareAll(engagements)) {
    if (engagement.at <= now) {
      accumulator.add(engagement.type, engagement.hash, engagement.at, engagement.machine);
    }
  }
  return resultAt(accumulator, now);
}
