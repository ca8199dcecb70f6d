// `score_backlog`: the candidates that may have stored engagements their score row has not folded
// yet. The insert batch of every writer marks its candidates (when it left engagements past the
// watermark), in the same transaction as the engagements, so a stop between storing and settling
// loses nothing; a settle that leaves nothing pending clears the mark in its own batch.
import { and, asc, eq, gt, inArray, notExists, type SQL, sql } from 'drizzle-orm';
import { type Db, inChunks, type Statement } from './client.js';
import { engagements, scoreBacklog, scores } from './schema.js';
import { engagementRowid } from './score-rows.js';

/** Engagements of the backlog row's candidate past its score row's watermark. */
function pendingOfBacklogRow(db: Db) {
  return db
    .select({ one: sql`1` })
    .from(engagements)
    .innerJoin(scores, eq(scores.candidateId, engagements.candidateId))
    .where(
      and(
        eq(engagements.orgId, scoreBacklog.orgId),
        eq(engagements.candidateId, scoreBacklog.candidateId),
        sql`${engagementRowid} > ${scores.scoredThrough}`,
      ),
    );
}

/**
 * Marks the candidates `candidateIds` (a subquery, e.g. by external id or a visitor's link) that
 * have engagements past their watermark. Joins the insert batch, after the engagements.
 */
export function markBacklog(
  db: Db,
  input: { orgId: string; candidateIds: SQL; now: number },
): Statement {
  const pending = db
    .select({ one: sql`1` })
    .from(engagements)
    .where(
      and(
        eq(engagements.orgId, scores.orgId),
        eq(engagements.candidateId, scores.candidateId),
        sql`${engagementRowid} > ${scores.scoredThrough}`,
      ),
    );
  return db
    .insert(scoreBacklog)
    .select(
      db
        .select({
          candidateId: scores.candidateId,
          orgId: scores.orgId,
          since: sql`${input.now}`.as('since'),
        })
        .from(scores)
        .where(
          and(
            eq(scores.orgId, input.orgId),
            sql`${scores.candidateId} IN ${input.candidateIds}`,
            sql`EXISTS ${pending}`,
          ),
        ),
    )
    .onConflictDoNothing();
}

/** Removes the marks of the candidates that have nothing left past their watermark. */
export function clearSettledBacklog(
  db: Db,
  orgId: string,
  candidateIds: readonly string[],
): Statement[] {
  return inChunks(candidateIds).map((part) =>
    db
      .delete(scoreBacklog)
      .where(
        and(
          eq(scoreBacklog.orgId, orgId),
          inArray(scoreBacklog.candidateId, part),
          notExists(pendingOfBacklogRow(db)),
        ),
      ),
  );
}

/** A page of the backlog, by candidate id after `after`. */
export function backlogPage(
  db: Db,
  after: string,
  limit: number,
): Promise<{ candidateId: string; orgId: string }[]> {
  return db
    .select({ candidateId: scoreBacklog.candidateId, orgId: scoreBacklog.orgId })
    .from(scoreBacklog)
    .where(gt(scoreBacklog.candidateId, after))
    .orderBy(asc(scoreBacklog.candidateId))
    .limit(limit);
}
