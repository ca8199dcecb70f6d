// Tiers from points: the plain rule for `score()`, and the hysteresis rule for stored tiers.
import { type ScoringModel, TIERS, type Tier } from './types.js';

/** The tier whose threshold `points` reaches. */
export function tierFor(points: number, model: ScoringModel): Tier {
  if (points >= model.thresholds.highlyEngaged) return 'highly_engaged';
  if (points >= model.thresholds.engaged) return 'engaged';
  return 'inactive';
}

/** The lower threshold of a tier (0 for inactive). */
export function tierThreshold(tier: Tier, model: ScoringModel): number {
  if (tier === 'highly_engaged') return model.thresholds.highlyEngaged;
  if (tier === 'engaged') return model.thresholds.engaged;
  return 0;
}

/**
 * Hysteresis: rising is immediate; falling out of a tier needs the points to drop
 * `model.hysteresis` (a share) below that tier's threshold, so a candidate hovering at a
 * threshold does not flap between tiers. It may fall more than one tier at once.
 */
export function tierWithHysteresis(points: number, previous: Tier, model: ScoringModel): Tier {
  const plain = tierFor(points, model);
  let rank = TIERS.indexOf(previous);
  const plainRank = TIERS.indexOf(plain);
  if (plainRank >= rank) return plain;
  while (rank > plainRank && points < tierThreshold(TIERS[rank]!, model) * (1 - model.hysteresis)) {
    rank -= 1;
  }
  return TIERS[rank]!;
}
