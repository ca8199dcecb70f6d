// Creating and changing users. Each write is one D1 batch (one transaction, run in order on one
// connection): the guarded insert or update, then the audit entry and (on a role change or
// deactivation) the end of the user's sessions, each written only if the statement before it
// changed a row (SQLite's `changes()`), so a write that lost a race logs and ends nothing. The
// guards repeat `rules.ts` inside the statement (last active admin, seats) and the rule that a
// sender number belongs to one organisation (`orgs/sender-numbers.ts`), and an update also
// requires the `updated_at` it read: a write that lost a race changes nothing and is decided
// again from fresh reads.
import { auditAfterChange } from '../../db/audit.js';
import type { Role } from '../../db/schema.js';
import type { ApiCaller, Bindings } from '../../env.js';
import { heldElsewhere, takenNumber, takenRefusal } from '../../orgs/sender-numbers.js';
import { isoOrNull } from '../../schemas/common.js';
import {
  type Change,
  type Counts,
  type Refusal,
  refusal,
  removesAdmin,
  takesSeat,
} from './rules.js';

const ATTEMPTS = 4;

export interface UserRow {
  id: string;
  org_id: string;
  email: string;
  display_name: string;
  role: Role;
  licence: number;
  sender_phone: string | null;
  auto_reply: string | null;
  created_at: number;
  updated_at: number;
  last_signed_in_at: number | null;
  deactivated_at: number | null;
}

export function userJson(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    licence: row.licence === 1,
    senderPhone: row.sender_phone,
    autoReply: row.auto_reply,
    active: row.deactivated_at === null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    lastSignedInAt: isoOrNull(row.last_signed_in_at),
    deactivatedAt: isoOrNull(row.deactivated_at),
  };
}

export type UserJson = ReturnType<typeof userJson>;
export type WriteResult = { ok: true; user: UserJson } | { ok: false; refusal: Refusal };

// ?1 is the organisation, ?2 the user the change is about (excluded from the counts).
const OTHER_ADMINS = `(SELECT count(*) FROM users WHERE org_id = ?1 AND role = 'admin' AND deactivated_at IS NULL AND id != ?2)`;
const OTHER_LICENSED = `(SELECT count(*) FROM users WHERE org_id = ?1 AND licence = 1 AND deactivated_at IS NULL AND id != ?2)`;
const SEATS = `(SELECT seats FROM organisations WHERE id = ?1)`;

async function counts(db: D1Database, orgId: string, userId: string): Promise<Counts> {
  const row = await db
    .prepare(
      `SELECT ${OTHER_ADMINS} AS otherAdmins, ${OTHER_LICENSED} AS otherLicensed, ${SEATS} AS seats`,
    )
    .bind(orgId, userId)
    .first<Counts>();
  return row ?? { otherAdmins: 0, otherLicensed: 0, seats: 0 };
}

function guards(target: UserRow | null, change: Change): string {
  const asTarget = target && rulesTarget(target);
  let out = '';
  if (removesAdmin(asTarget, change)) out += ` AND ${OTHER_ADMINS} >= 1`;
  if (takesSeat(asTarget, change)) out += ` AND ${OTHER_LICENSED} < ${SEATS}`;
  return out;
}

function rulesTarget(row: UserRow) {
  return {
    email: row.email,
    role: row.role,
    licence: row.licence === 1,
    active: row.deactivated_at === null,
  };
}

/** A person's own number may not be another organisation's sender (`orgs/sender-numbers.ts`). */
async function senderTaken(
  env: Bindings,
  orgId: string,
  phone: string | null | undefined,
): Promise<Refusal | null> {
  if (!phone) return null;
  return (await takenNumber(env, orgId, [phone])) ? takenRefusal(phone) : null;
}

/** The JSON list of numbers the write adds, for the guard inside its statement. */
function added(phone: string | null | undefined): string {
  return JSON.stringify(phone ? [phone] : []);
}

export async function readUser(db: D1Database, orgId: string, id: string): Promise<UserRow | null> {
  return db.prepare('SELECT * FROM users WHERE org_id = ?1 AND id = ?2').bind(orgId, id).first();
}

export interface NewUser {
  email: string;
  displayName: string;
  role: Role;
  licence: boolean;
  senderPhone?: string | null | undefined;
  autoReply?: string | null | undefined;
}

export async function createUser(
  env: Bindings,
  caller: ApiCaller,
  input: NewUser,
  now: number,
): Promise<WriteResult> {
  const db = env.DB;
  const id = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  const change: Change = { role: input.role, licence: input.licence, active: true };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const existing = await db
      .prepare('SELECT deactivated_at FROM users WHERE org_id = ?1 AND email = ?2')
      .bind(caller.orgId, input.email)
      .first<{ deactivated_at: number | null }>();
    if (existing) {
      const hint = existing.deactivated_at === null ? '' : ' (deactivated: reactivate it instead)';
      return {
        ok: false,
        refusal: {
          code: 'user_exists',
          message: `A user with email ${input.email} exists${hint}.`,
        },
      };
    }
    const refused =
      refusal(caller, null, change, await counts(db, caller.orgId, id)) ??
      (await senderTaken(env, caller.orgId, input.senderPhone));
    if (refused) return { ok: false, refusal: refused };
    const [inserted] = await db.batch<UserRow>([
      db
        .prepare(
          `INSERT INTO users (id, org_id, email, display_name, role, licence, sender_phone, auto_reply, created_at, updated_at)
           SELECT ?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9
           WHERE NOT ${heldElsewhere('?1', '?10')} ${guards(null, change)}
           ON CONFLICT (org_id, email) DO NOTHING RETURNING *`,
        )
        .bind(
          caller.orgId,
          id,
          input.email,
          input.displayName,
          input.role,
          input.licence ? 1 : 0,
          input.senderPhone ?? null,
          input.autoReply ?? null,
          now,
          added(input.senderPhone),
        ),
      auditAfterChange(db, {
        orgId: caller.orgId,
        actor: caller.actor,
        subject: id,
        at: now,
        action: 'user.created',
        details: { email: input.email, role: input.role, licence: input.licence },
      }),
    ]);
    const row = inserted?.results[0];
    if (row) return { ok: true, user: userJson(row) };
  }
  throw new Error('user creation kept losing races');
}

export interface UserPatch {
  displayName?: string | undefined;
  role?: Role | undefined;
  licence?: boolean | undefined;
  senderPhone?: string | null | undefined;
  autoReply?: string | null | undefined;
  active?: true | undefined;
  /** DELETE: deactivate (and give the seat back). */
  deactivate?: boolean;
}

/** The row after `patch`, as the columns to write. */
function after(row: UserRow, patch: UserPatch, now: number) {
  const wasActive = row.deactivated_at === null;
  const active = patch.deactivate ? false : patch.active === true || wasActive;
  // Reactivating starts without a licence unless this very change assigns one.
  const keptLicence = wasActive ? row.licence === 1 : false;
  return {
    display_name: patch.displayName ?? row.display_name,
    role: patch.role ?? row.role,
    licence: active && (patch.licence ?? keptLicence),
    sender_phone: patch.senderPhone === undefined ? row.sender_phone : patch.senderPhone,
    auto_reply: patch.autoReply === undefined ? row.auto_reply : patch.autoReply,
    deactivated_at: active ? null : (row.deactivated_at ?? now),
  };
}

/** What changed, `{ field: [from, to] }`, for the audit entry. */
function changes(row: UserRow, next: ReturnType<typeof after>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const before: Record<string, unknown> = { ...row, licence: row.licence === 1 };
  for (const [field, value] of Object.entries(next)) {
    if (before[field] !== value) out[field] = [before[field], value];
  }
  return out;
}

/** Why a change of `row` to `next` is refused (the role rules, a sender number taken), or null. */
async function updateRefusal(
  env: Bindings,
  caller: ApiCaller,
  { row, next, change }: { row: UserRow; next: Pick<UserRow, 'sender_phone'>; change: Change },
): Promise<Refusal | null> {
  return (
    refusal(caller, rulesTarget(row), change, await counts(env.DB, caller.orgId, row.id)) ??
    (next.sender_phone !== row.sender_phone
      ? await senderTaken(env, caller.orgId, next.sender_phone)
      : null)
  );
}

export async function updateUser(
  env: Bindings,
  caller: ApiCaller,
  id: string,
  patch: UserPatch,
  now: number,
): Promise<WriteResult | null> {
  const db = env.DB;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await readUser(db, caller.orgId, id);
    if (!row) return null;
    if (row.deactivated_at !== null && !patch.active && patch.licence) {
      return {
        ok: false,
        refusal: {
          code: 'invalid_request',
          message: `${row.email} is deactivated: reactivate them (active: true) to give a licence.`,
        },
      };
    }
    const next = after(row, patch, now);
    const change: Change = {
      role: next.role,
      licence: next.licence,
      active: next.deactivated_at === null,
    };
    const diff = changes(row, next);
    // Nothing changes (a repeated DELETE, a PATCH to the same values): nothing to write.
    if (Object.keys(diff).length === 0) return { ok: true, user: userJson(row) };
    const refused = await updateRefusal(env, caller, { row, next, change });
    if (refused) return { ok: false, refusal: refused };
    const stamp = Math.max(now, row.updated_at + 1);
    const endsSessions = next.role !== row.role || next.deactivated_at !== null;
    const statements = [
      db
        .prepare(
          `UPDATE users SET display_name = ?3, role = ?4, licence = ?5, sender_phone = ?6,
             auto_reply = ?7, deactivated_at = ?8, updated_at = ?9
           WHERE org_id = ?1 AND id = ?2 AND updated_at = ?10
             AND NOT ${heldElsewhere('?1', '?11')} ${guards(row, change)} RETURNING *`,
        )
        .bind(
          caller.orgId,
          id,
          next.display_name,
          next.role,
          next.licence ? 1 : 0,
          next.sender_phone,
          next.auto_reply,
          next.deactivated_at,
          stamp,
          row.updated_at,
          added(next.sender_phone === row.sender_phone ? null : next.sender_phone),
        ),
      auditAfterChange(db, {
        orgId: caller.orgId,
        actor: caller.actor,
        subject: id,
        at: stamp,
        action: patch.deactivate ? 'user.deactivated' : 'user.updated',
        details: { email: row.email, changes: diff },
      }),
    ];
    if (endsSessions) {
      statements.push(
        db
          // After the audit entry: it was written only if the update was.
          .prepare('DELETE FROM sessions WHERE user_id = ?1 AND changes() = 1')
          .bind(id),
      );
    }
    const [updated] = await db.batch<UserRow>(statements);
    const written = updated?.results[0];
    if (written) return { ok: true, user: userJson(written) };
  }
  throw new Error('user update kept losing races');
}

export async function listUsers(db: D1Database, orgId: string) {
  const [rows, seatRow] = await db.batch<UserRow | { seats: number; used: number }>([
    db.prepare('SELECT * FROM users WHERE org_id = ?1 ORDER BY created_at, id').bind(orgId),
    db
      .prepare(
        `SELECT ${SEATS} AS seats, (SELECT count(*) FROM users WHERE org_id = ?1 AND licence = 1 AND deactivated_at IS NULL) AS used`,
      )
      .bind(orgId),
  ]);
  const licences = (seatRow?.results[0] as { seats: number; used: number } | undefined) ?? {
    seats: 0,
    used: 0,
  };
  return { users: ((rows?.results ?? []) as UserRow[]).map(userJson), licences };
}
