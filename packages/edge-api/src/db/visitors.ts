// Visitor rows as more than one writer changes them.
import { type SQL, sql } from 'drizzle-orm';
import type { Db, Statement } from './client.js';
import { visitors } from './schema.js';

/**
 * Unlinks the visitors `where` selects, in place: no candidate, no link source or time, and the
 * version bumped, so a link that read one of them before fails its guard and reads again.
 */
export function unlinkVisitors(db: Db, where: SQL | undefined): Statement {
  return db
    .update(visitors)
    .set({
      candidateId: null,
      linkSource: null,
      linkedAt: null,
      version: sql`${visitors.version} + 1`,
    })
    .where(where);
}
