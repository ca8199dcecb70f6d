// `engagement_days`: the tier report's engagements per organisation, UTC day and type, kept in
// the batch that stores or deletes the engagements, so the report reads the counts (a few hundred
// rows) instead of counting the engagements (issue 20). Writers insert with ON CONFLICT DO
// NOTHING and window checks, so what a batch stored is known only inside it: the count reads the
// rows back by their fresh ids, which exist only if this batch's inserts stored them.
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { type Db, inChunks, type Statement } from './client.js';
import { engagementDays, engagements } from './schema.js';

/** An engagement's day: whole days since 1970-01-01 UTC (the report's UTC dates). */
const engagementDay = sql<number>`${engagements.occurredAt} / 86400000`;

/** The engagements `where` selects, counted per organisation, day and type. */
function countsOf(db: Db, where: SQL | undefined) {
  return db
    .select({
      orgId: engagements.orgId,
      day: engagementDay.as('day'),
      type: engagements.type,
      count: sql<number>`COUNT(*)`.as('count'),
    })
    .from(engagements)
    .where(where)
    .groupBy(engagements.orgId, engagementDay, engagements.type);
}

/**
 * Counts the engagements with these ids, inserted earlier in the same batch; an id whose insert
 * stored nothing (a duplicate, a window repeat) has no row and counts nothing. After the inserts.
 */
export function countInserted(db: Db, orgId: string, ids: readonly string[]): Statement[] {
  return inChunks(ids).map((part) =>
    db
      .insert(engagementDays)
      .select(countsOf(db, and(eq(engagements.orgId, orgId), inArray(engagements.id, part))))
      .onConflictDoUpdate({
        target: [engagementDays.orgId, engagementDays.day, engagementDays.type],
        set: { count: sql`${engagementDays.count} + excluded.count` },
      }),
  );
}

/** Takes the engagements `where` selects off the counts. Before the statement deleting them. */
export function uncount(db: Db, where: SQL | undefined): Statement {
  const gone = countsOf(db, where).as('gone');
  // Both tables' columns written out in full: drizzle leaves the updated table's unqualified and
  // names `gone`'s computed ones by alias alone, which SQLite finds ambiguous.
  const column = (table: 'engagement_days' | 'gone', name: 'org_id' | 'day' | 'type' | 'count') =>
    sql`${sql.identifier(table)}.${sql.identifier(name)}`;
  const same = (name: 'org_id' | 'day' | 'type') =>
    sql`${column('engagement_days', name)} = ${column('gone', name)}`;
  return db
    .update(engagementDays)
    .set({ count: sql`${column('engagement_days', 'count')} - ${column('gone', 'count')}` })
    .from(gone)
    .where(and(same('org_id'), same('day'), same('type')));
}

/** Drops the organisation's days counted down to nothing, as a GROUP BY would not have them. */
export function dropEmptyDays(db: Db, orgId: string): Statement {
  return db
    .delete(engagementDays)
    .where(and(eq(engagementDays.orgId, orgId), eq(engagementDays.count, 0)));
}
