// The typed database handle and the few statements and reads every writer shares. D1 binds at
// most 100 parameters per statement, so multi-row statements are cut into chunks below that.
import { and, eq, getTableColumns, inArray, is, SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { type DrizzleD1Database, drizzle } from 'drizzle-orm/d1';
import { SQLiteAsyncDialect, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { OPTIONS } from '../config.js';
import * as schema from './schema.js';

/** The drizzle handle, with the D1 binding under it (`$client`) for batches drizzle cannot bind. */
export type Db = DrizzleD1Database<typeof schema> & { $client: D1Database };
export type Statement = BatchItem<'sqlite'>;

export function database(d1: D1Database): Db {
  return drizzle(d1, { schema });
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows of `table` one INSERT can carry (every column may be a bound parameter). */
export function rowsPerInsert(table: SQLiteTable): number {
  return Math.max(
    1,
    Math.floor(OPTIONS.maxBoundParameters / Object.keys(getTableColumns(table)).length),
  );
}

/** `column IN (...)` split so each list stays under the parameter limit (with room to spare). */
export function inChunks<T extends string>(values: readonly T[]): T[][] {
  return chunks([...new Set(values)], OPTIONS.maxBoundParameters - 10);
}

/** Runs statements as one D1 batch (one transaction); nothing to do for an empty list. */
export async function runBatch(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  await db.batch(statements as [Statement, ...Statement[]]);
}

/**
 * Runs queries (reads too) as one D1 batch: one round trip and one snapshot. Each query's result,
 * in order, as drizzle maps it (rows for a select); the caller knows their shapes.
 */
export async function runQueries(db: Db, queries: readonly Statement[]): Promise<unknown[]> {
  if (queries.length === 0) return [];
  return db.batch(queries as [Statement, ...Statement[]]);
}

const dialect = new SQLiteAsyncDialect();

/**
 * Runs query-builder statements and raw SQL (`sql\`…\``, which drizzle's batch cannot bind) as
 * one D1 batch, and returns D1's own result of each: rows a RETURNING clause gave back, and
 * `meta.changes`. For writes whose outcome the writer must count exactly.
 */
export async function runBatchResults(
  db: Db,
  statements: readonly (Statement | SQL)[],
): Promise<D1Result<Record<string, unknown>>[]> {
  if (statements.length === 0) return [];
  const d1 = db.$client;
  const prepared = statements.map((statement) => {
    const query = is(statement, SQL)
      ? dialect.sqlToQuery(statement)
      : (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
    return d1.prepare(query.sql).bind(...query.params);
  });
  return d1.batch<Record<string, unknown>>(prepared);
}

export function insertRows<T extends SQLiteTable>(
  db: Db,
  table: T,
  rows: readonly T['$inferInsert'][],
): Statement[] {
  return chunks(rows, rowsPerInsert(table)).map((part) => db.insert(table).values(part));
}

/**
 * Upserts score rows. On conflict the row is replaced by the new one, whose `version` is the
 * version read + 1: if the row moved since, the guard trigger aborts the batch.
 */
export function upsertScores(db: Db, rows: readonly schema.ScoreInsertRow[]): Statement[] {
  const s = schema.scores;
  return chunks(rows, rowsPerInsert(s)).map((part) =>
    db
      .insert(s)
      .values(part)
      .onConflictDoUpdate({
        target: s.candidateId,
        set: {
          state: sql`excluded.state`,
          sortKey: sql`excluded.sort_key`,
          tier: sql`excluded.tier`,
          // Keep the old change time unless the tier changed in this write.
          tierChangedAt: sql`CASE WHEN ${s.tier} = excluded.tier THEN ${s.tierChangedAt} ELSE excluded.tier_changed_at END`,
          lastEngagedAt: sql`excluded.last_engaged_at`,
          engagementCount: sql`excluded.engagement_count`,
          updatedAt: sql`excluded.updated_at`,
          version: sql`excluded.version`,
          scoredThrough: sql`excluded.scored_through`,
        },
      }),
  );
}

/**
 * Which of `keys` are stored already, as queries (rows `{ key }`, one query per chunk of keys) to
 * run in the caller's batch of reads.
 */
export function storedKeyQueries(db: Db, orgId: string, keys: readonly string[]) {
  const t = schema.engagements;
  return inChunks(keys).map((part) =>
    db
      .select({ key: t.eventKey })
      .from(t)
      .where(and(eq(t.orgId, orgId), inArray(t.eventKey, part))),
  );
}

/**
 * Today's counters for a site, added to whatever is there. A count may be SQL, evaluated in the
 * batch (e.g. how many of a beacon's events its inserts really stored).
 */
export function bumpCollectStats(
  db: Db,
  row: {
    orgId: string;
    siteId: string;
    day: string;
    accepted: number | SQL;
    duplicates: number | SQL;
    droppedBots: number;
    ignoredTokens: number;
  },
): Statement {
  const t = schema.collectStats;
  return db
    .insert(t)
    .values(row)
    .onConflictDoUpdate({
      target: [t.siteId, t.day],
      set: {
        accepted: sql`${t.accepted} + excluded.accepted`,
        duplicates: sql`${t.duplicates} + excluded.duplicates`,
        droppedBots: sql`${t.droppedBots} + excluded.dropped_bots`,
        ignoredTokens: sql`${t.ignoredTokens} + excluded.ignored_tokens`,
      },
    });
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function newId(): string {
  return crypto.randomUUID();
}
