// Candidates as the read API names them: by the organisation's own (external) id, always within
// one organisation, so another organisation's candidate is simply not found.
import { emptyState } from '@cxm/scoring';
import { and, eq, inArray } from 'drizzle-orm';
import { type Db, inChunks, type Statement } from './client.js';
import { candidates, scores } from './schema.js';

export interface CandidateRef {
  /** Internal id. */
  id: string;
  externalId: string;
}

/** The query reading a `CandidateRef` by external id (none or one row), alone or in a batch. */
export function candidateQuery(db: Db, orgId: string, externalId: string) {
  return db
    .select({ id: candidates.id, externalId: candidates.externalId })
    .from(candidates)
    .where(and(eq(candidates.orgId, orgId), eq(candidates.externalId, externalId)));
}

export async function findCandidate(
  db: Db,
  orgId: string,
  externalId: string,
): Promise<CandidateRef | null> {
  return (await candidateQuery(db, orgId, externalId))[0] ?? null;
}

/** Known candidates among `externalIds`, by external id. */
export async function findCandidates(
  db: Db,
  orgId: string,
  externalIds: readonly string[],
): Promise<Map<string, CandidateRef>> {
  const found = new Map<string, CandidateRef>();
  for (const part of inChunks(externalIds)) {
    const rows = await db
      .select({ id: candidates.id, externalId: candidates.externalId })
      .from(candidates)
      .where(and(eq(candidates.orgId, orgId), inArray(candidates.externalId, part)));
    for (const row of rows) found.set(row.externalId, row);
  }
  return found;
}

/**
 * Statements creating a candidate first seen outside ingestion (tags, tracked links), with an
 * empty score row: every candidate has one, so audiences of inactive candidates find them too.
 * If a concurrent request created the same candidate first, these insert nothing and whatever
 * the batch then adds for `id` fails its foreign key: the caller retries and finds that one.
 */
export function newCandidateStatements(
  db: Db,
  input: { orgId: string; id: string; externalId: string; now: number },
): Statement[] {
  return [
    db
      .insert(candidates)
      .values({ id: input.id, orgId: input.orgId, externalId: input.externalId })
      .onConflictDoNothing(),
    db
      .insert(scores)
      .values({
        candidateId: input.id,
        orgId: input.orgId,
        state: JSON.stringify(emptyState()),
        sortKey: null,
        tier: 'inactive',
        updatedAt: input.now,
      })
      .onConflictDoNothing(),
  ];
}
