// An audit entry that is written only if the statement just before it in the same D1 batch
// changed a row (`changes() = 1`): a guarded write that lost its race, or changed nothing, logs
// nothing. Raw D1, for the writers whose guards are raw SQL (users, campaigns, settings).

export interface AuditEntry {
  orgId: string;
  /** `user:<id>` or `key:<id>`. */
  actor: string;
  at: number;
  action: string;
  subject: string;
  details: unknown;
}

export function auditAfterChange(db: D1Database, entry: AuditEntry): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO audit_log (id, org_id, at, actor, action, subject, details)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE changes() = 1`,
    )
    .bind(
      crypto.randomUUID(),
      entry.orgId,
      entry.at,
      entry.actor,
      entry.action,
      entry.subject,
      JSON.stringify(entry.details),
    );
}
