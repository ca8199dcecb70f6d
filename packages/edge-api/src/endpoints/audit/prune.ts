// The audit log's retention: the daily cron deletes entries older than this, a bounded number a
// run so one run never holds the database long (a backlog clears over the following days).
import type { Db } from '../../db/client.js';

export const AUDIT_RETENTION_DAYS = 400;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries deleted per statement, and statements per run. */
const PER_STATEMENT = 5000;
const STATEMENTS = 10;

/** Deletes entries older than the retention; the number deleted. */
export async function pruneAudit(db: Db, now: number): Promise<number> {
  const before = now - AUDIT_RETENTION_DAYS * DAY_MS;
  let deleted = 0;
  for (let i = 0; i < STATEMENTS; i++) {
    const result = await db.$client
      .prepare(
        `DELETE FROM audit_log WHERE id IN
           (SELECT id FROM audit_log WHERE at < ?1 LIMIT ?2)`,
      )
      .bind(before, PER_STATEMENT)
      .run();
    const changes = result.meta.changes ?? 0;
    deleted += changes;
    if (changes < PER_STATEMENT) break;
  }
  return deleted;
}
