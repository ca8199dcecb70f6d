// A candidate's score as the API reports it: the stored incremental state decayed to the moment
// of the request with the organisation's model (plain tier, like `score()`), plus the stored
// tier with hysteresis that webhooks announce, and when the candidate was last contacted.
import {
  emptyState,
  foldEngagement,
  type ScoreState,
  type ScoringModel,
  scoreState,
  type Tier,
} from '@cxm/scoring';
import type { z } from '@hono/zod-openapi';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { type Db, inChunks } from '../../db/client.js';
import { engagements, scores } from '../../db/schema.js';
import { scoredEngagementColumns, storedScoreColumns } from '../../db/score-rows.js';
import { parseState, type StoredScore } from '../../db/stored-score.js';
import { isoOrNull } from '../../schemas/common.js';
import { toScoring } from '../../scoring/score-row.js';
import type { scoreSchema } from './schema.js';

export type ScoreReply = z.infer<typeof scoreSchema>;

/** A stored score row as the score replies read it: the writers' columns and last contacted. */
export interface ScoreRow extends StoredScore {
  lastContactedAt: number | null;
}

/** The score rows of `candidateIds` (internal ids), by candidate. */
export async function scoreRows(
  db: Db,
  orgId: string,
  candidateIds: readonly string[],
): Promise<Map<string, ScoreRow>> {
  const found = new Map<string, ScoreRow>();
  for (const part of inChunks(candidateIds)) {
    const rows = await db
      .select({ ...storedScoreColumns, lastContactedAt: scores.lastContactedAt })
      .from(scores)
      .where(and(eq(scores.orgId, orgId), inArray(scores.candidateId, part)));
    for (const row of rows) found.set(row.candidateId, row);
  }
  return found;
}

export function scoreReply(
  externalId: string,
  row: ScoreRow | undefined,
  model: ScoringModel,
  now: number,
): ScoreReply {
  const state = row ? parseState(row.state) : emptyState();
  const result = scoreState(state, { now, model });
  return {
    candidateId: externalId,
    tier: result.tier,
    points: result.points,
    asOf: result.asOf,
    breakdown: result.breakdown,
    lastEngagedAt: result.lastEngagedAt,
    storedTier: (row?.tier ?? 'inactive') as Tier,
    engagementCount: row?.engagementCount ?? 0,
    lastContactedAt: isoOrNull(row?.lastContactedAt ?? null),
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

export interface HistoryPoint {
  date: string;
  points: number;
  tier: Tier;
}

/**
 * One point per UTC day, the last one today: the score at each day's end (today: at `now`),
 * decay included. Equal to `score()` over the engagements up to that moment, computed in one
 * pass: engagements are folded in time order and the state is read at each day's end.
 */
export async function scoreHistory(
  db: Db,
  input: { orgId: string; candidateId: string; days: number; now: number; model: ScoringModel },
): Promise<HistoryPoint[]> {
  const { now, days, model } = input;
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const first = today - (days - 1) * DAY_MS;
  const history = await db
    .select(scoredEngagementColumns)
    .from(engagements)
    .where(and(eq(engagements.orgId, input.orgId), eq(engagements.candidateId, input.candidateId)))
    .orderBy(asc(engagements.occurredAt));
  let state: ScoreState = emptyState();
  let next = 0;
  const points: HistoryPoint[] = [];
  for (let day = first; day <= today; day += DAY_MS) {
    // The end of the day is the last millisecond in it; an engagement at midnight is the next day's.
    const end = Math.min(day + DAY_MS - 1, now);
    while (next < history.length && history[next]!.occurredAt <= end) {
      const folded = foldEngagement(state, toScoring(history[next]!), model);
      // Input is in time order, so nothing is out of order.
      if (folded.ok) state = folded.state;
      next += 1;
    }
    const result = scoreState(state, { now: end, model });
    points.push({
      date: new Date(day).toISOString().slice(0, 10),
      points: result.points,
      tier: result.tier,
    });
  }
  return points;
}
