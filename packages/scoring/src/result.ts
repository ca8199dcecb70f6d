// Reads a score result out of an accumulator: one shape for batch and incremental scoring.
import type { Accumulator } from './accumulator.js';
import { tierFor } from './tier.js';
import { ENGAGEMENT_TYPES, type ScoreResult } from './types.js';

export function resultAt(accumulator: Accumulator, now: number): ScoreResult {
  const model = accumulator.compiled.model;
  const points = accumulator.pointsAt(now);
  return {
    tier: tierFor(points, model),
    points,
    asOf: new Date(now).toISOString(),
    breakdown: ENGAGEMENT_TYPES.map((type, index) => ({
      type,
      points: accumulator.typePointsAt(index, now),
      count: accumulator.counts[index]!,
    })),
    lastEngagedAt: Number.isFinite(accumulator.lastEngagedAt)
      ? new Date(accumulator.lastEngagedAt).toISOString()
      : null,
  };
}
