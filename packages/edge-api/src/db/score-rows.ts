// What scoring reads from D1: materialized score rows (with `version` for the writers' guarded
// updates) and the engagements a rebuild folds. One query shape for writers and reads.

import { and, eq, inArray } from 'drizzle-orm';
import { type Db, inChunks } from './client.js';
import { engagements, scores } from './schema.js';
import type { ScoredEngagement, StoredScore } from './stored-score.js';

/** The columns of a stored score row (`StoredScore`). */
export const storedScoreColumns = {
  candidateId: scores.candidateId,
  state: scores.state,
  version: scores.version,
  tier: scores.tier,
  engagementCount: scores.engagementCount,
};

/** The columns of an engagement that scoring folds (`ScoredEngagement`). */
export const scoredEngagementColumns = {
  type: engagements.type,
  detail: engagements.detail,
  occurredAt: engagements.occurredAt,
  machine: engagements.machine,
};

export async function storedScore(
  db: Db,
  orgId: string,
  candidateId: string,
): Promise<StoredScore | null> {
  const rows = await storedScores(db, orgId, [candidateId]);
  return rows.get(candidateId) ?? null;
}

export async function storedScores(
  db: Db,
  orgId: string,
  candidateIds: readonly string[],
): Promise<Map<string, StoredScore>> {
  const found = new Map<string, StoredScore>();
  for (const part of inChunks(candidateIds)) {
    const rows = await db
      .select(storedScoreColumns)
      .from(scores)
      .where(and(eq(scores.orgId, orgId), inArray(scores.candidateId, part)));
    for (const row of rows) found.set(row.candidateId, row);
  }
  return found;
}

/** Every stored engagement of a candidate, for a rebuild. */
export function candidateHistory(
  db: Db,
  orgId: string,
  candidateId: string,
): Promise<ScoredEngagement[]> {
  return db
    .select(scoredEngagementColumns)
    .from(engagements)
    .where(and(eq(engagements.orgId, orgId), eq(engagements.candidateId, candidateId)));
}
