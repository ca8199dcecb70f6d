// What scoring reads from D1: materialized score rows (with `version` for the writers' guarded
// updates and `scoredThrough`, the watermark), the engagements a rebuild folds, and the ones a
// settle folds (past the watermark). One query shape for writers and reads.

import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Db, inChunks, runQueries } from './client.js';
import { engagements, scores } from './schema.js';
import type { ScoredEngagement, StoredScore } from './stored-score.js';

/** The columns of a stored score row (`StoredScore`). */
export const storedScoreColumns = {
  candidateId: scores.candidateId,
  state: scores.state,
  version: scores.version,
  tier: scores.tier,
  engagementCount: scores.engagementCount,
  scoredThrough: scores.scoredThrough,
};

/** An engagement's rowid: the order D1 committed it in, what watermarks count. */
export const engagementRowid = sql<number>`${engagements}.rowid`.mapWith(Number);

/** The columns of an engagement that scoring folds (`ScoredEngagement`), with its rowid. */
export const scoredEngagementColumns = {
  type: engagements.type,
  detail: engagements.detail,
  occurredAt: engagements.occurredAt,
  machine: engagements.machine,
  rowid: engagementRowid,
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

/** A candidate's stored score row and its engagements past the row's watermark. */
export interface Unsettled {
  previous: StoredScore;
  /** In rowid (commit) order. */
  pending: ScoredEngagement[];
}

/**
 * The score rows of `candidateIds` (a candidate without one is left out: purged, or not written
 * yet) and each one's engagements past its watermark, read in one D1 batch (one round trip, one
 * snapshot). A settle that wrote in between would make the guarded write of a state built from
 * these rows fail, so nothing is folded twice.
 */
export async function unsettledScores(
  db: Db,
  orgId: string,
  candidateIds: readonly string[],
): Promise<Map<string, Unsettled>> {
  const parts = inChunks(candidateIds);
  if (parts.length === 0) return new Map();
  const rowQueries = parts.map((part) =>
    db
      .select(storedScoreColumns)
      .from(scores)
      .where(and(eq(scores.orgId, orgId), inArray(scores.candidateId, part))),
  );
  const pendingQueries = parts.map((part) =>
    db
      .select({ candidateId: scores.candidateId, ...scoredEngagementColumns })
      .from(engagements)
      .innerJoin(scores, eq(scores.candidateId, engagements.candidateId))
      .where(
        and(
          eq(engagements.orgId, orgId),
          inArray(engagements.candidateId, part),
          sql`${engagementRowid} > ${scores.scoredThrough}`,
        ),
      )
      .orderBy(engagementRowid),
  );
  const results = await runQueries(db, [...rowQueries, ...pendingQueries]);
  const found = new Map<string, Unsettled>();
  for (const rows of results.slice(0, parts.length) as StoredScore[][]) {
    for (const previous of rows) found.set(previous.candidateId, { previous, pending: [] });
  }
  type PendingRow = ScoredEngagement & { candidateId: string };
  for (const rows of results.slice(parts.length) as unknown as PendingRow[][]) {
    for (const { candidateId, ...engagement } of rows) {
      found.get(candidateId)?.pending.push(engagement);
    }
  }
  return found;
}
