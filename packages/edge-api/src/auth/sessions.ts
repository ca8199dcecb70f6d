// Console sessions: a random opaque token in the browser's cookie, only its SHA-256 in D1. A
// session ends 30 minutes after it was last used or 12 hours after sign-in, whichever comes
// first, and at once when the person signs out, is deactivated or has their role changed (those
// delete the rows). `last_seen_at` is written at most once a minute, not on every request.
import { and, eq, isNull, lt, lte, or } from 'drizzle-orm';
import type { Db, Statement } from '../db/client.js';
import { type Role, sessions, signInAttempts, users } from '../db/schema.js';
import { randomBase64url, sha256Hex } from '../utils/encoding.js';

/** Session tokens start with this, so the API tells them from API keys at a glance. */
export const SESSION_TOKEN_PREFIX = 'cxs_';

export const SESSION_LIMITS = {
  idleMs: 30 * 60 * 1000,
  absoluteMs: 12 * 60 * 60 * 1000,
  /** How stale `last_seen_at` may get before a request writes it (far below the idle limit). */
  touchEveryMs: 60 * 1000,
} as const;

export interface SessionUser {
  userId: string;
  orgId: string;
  role: Role;
  licence: boolean;
}

export function isSessionToken(credential: string): boolean {
  return credential.startsWith(SESSION_TOKEN_PREFIX);
}

/** Starts a session for an active user; the token goes into the cookie and nowhere else. */
export async function createSession(
  db: Db,
  user: { id: string; orgId: string },
  now: number,
): Promise<string> {
  const token = `${SESSION_TOKEN_PREFIX}${randomBase64url(32)}`;
  await db.batch([
    db.insert(sessions).values({
      tokenHash: await sha256Hex(token),
      orgId: user.orgId,
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
    }),
    db.update(users).set({ lastSignedInAt: now }).where(eq(users.id, user.id)),
  ]);
  return token;
}

/** Whether a session begun at `createdAt` and last used at `lastSeenAt` is still alive at `now`. */
export function sessionAlive(
  session: { createdAt: number; lastSeenAt: number },
  now: number,
): boolean {
  return (
    now - session.lastSeenAt < SESSION_LIMITS.idleMs &&
    now - session.createdAt < SESSION_LIMITS.absoluteMs
  );
}

/**
 * The user behind a live session token, or null (unknown, expired, or its user deactivated). An
 * expired session's row is deleted on the way.
 */
export async function resolveSession(
  db: Db,
  token: string,
  now: number,
): Promise<SessionUser | null> {
  const tokenHash = await sha256Hex(token);
  const rows = await db
    .select({
      userId: users.id,
      orgId: users.orgId,
      role: users.role,
      licence: users.licence,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, and(eq(users.id, sessions.userId), isNull(users.deactivatedAt)))
    .where(eq(sessions.tokenHash, tokenHash));
  const row = rows[0];
  if (!row) return null;
  if (!sessionAlive(row, now)) {
    await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    return null;
  }
  if (now - row.lastSeenAt >= SESSION_LIMITS.touchEveryMs) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
  }
  return { userId: row.userId, orgId: row.orgId, role: row.role, licence: row.licence };
}

/** Ends one session (sign-out); unknown tokens are ignored. */
export async function endSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, await sha256Hex(token)));
}

/** Ends every session of a user, in the batch of the change that requires it. */
export function endUserSessions(db: Db, userId: string): Statement {
  return db.delete(sessions).where(eq(sessions.userId, userId));
}

/**
 * Deletes what can no longer be used: sessions past either limit and sign-ins never finished
 * (run by the cron; a request meeting an expired session deletes it too). Returns the counts.
 */
export async function sweepExpired(
  db: Db,
  now: number,
): Promise<{ sessions: number; signIns: number }> {
  const [ended, abandoned] = await db.batch([
    db
      .delete(sessions)
      .where(
        or(
          lte(sessions.lastSeenAt, now - SESSION_LIMITS.idleMs),
          lte(sessions.createdAt, now - SESSION_LIMITS.absoluteMs),
        ),
      ),
    db.delete(signInAttempts).where(lt(signInAttempts.expiresAt, now)),
  ]);
  return { sessions: ended.meta.changes, signIns: abandoned.meta.changes };
}
