// The one way an entry gets into the audit log. `auditInsert` is the entry as a drizzle insert,
// for the batch that makes the change it records. `auditAfterChange` is the same entry written
// only if the statement just before it in the same D1 batch changed a row (`changes() = 1`): a
// guarded write that lost its race, or changed nothing, logs nothing. That one is raw D1, for the
// writers whose guards are raw SQL (users, campaigns, messaging settings).
import { type Db, newId } from './client.js';
import { auditLog } from './schema.js';

export interface AuditEntry {
  orgId: string;
  /** `user:<id>`, `key:<id>`, `tracker:<site id>` or `system`. */
  actor: string;
  at: number;
  action: string;
  subject: string | null;
  /** What the action needs to be understood later (stored as JSON), never a secret; or null. */
  details: unknown;
}

/** The stored row of an entry: a new id, the details as JSON text (none stays NULL). */
function auditRow(entry: AuditEntry): typeof auditLog.$inferInsert {
  const details = entry.details === null ? null : JSON.stringify(entry.details);
  return { ...entry, id: newId(), details };
}

export function auditInsert(db: Db, entry: AuditEntry) {
  return db.insert(auditLog).values(auditRow(entry));
}

export function auditAfterChange(db: D1Database, entry: AuditEntry): D1PreparedStatement {
  const row = auditRow(entry);
  return db
    .prepare(
      `INSERT INTO audit_log (id, org_id, at, actor, action, subject, details)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE changes() = 1`,
    )
    .bind(row.id, row.orgId, row.at, row.actor, row.action, row.subject, row.details);
}
