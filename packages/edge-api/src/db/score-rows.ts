// Reads materialized score rows: one query shape for the writers (which need `version` for their
// guarded updates) and the read endpoints.
import { and, eq, inArray } from 'drizzle-orm';
import type { StoredScore } from '../ingest/scores.js';
import { type Db, inChunks } from './client.js';
import { scores } from './schema.js';

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
      .select({
        candidateId: scores.candidateId,
        state: scores.state,
        version: scores.version,
        tier: scores.tier,
        engagementCount: scores.engagementCount,
      })
      .from(scores)
      .where(and(eq(scores.orgId, orgId), inArray(scores.candidateId, part)));
    for (const row of rows) found.set(row.candidateId, row);
  }
  return found;
}
