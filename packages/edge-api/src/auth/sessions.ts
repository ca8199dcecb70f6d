// Console sessions: a random opaque token in the browser's cookie, only its SHA-256 in D1. A
// session ends 30 minutes after it was last used or 12 hours after sign-in, whichever comes
// first, and at once when the person signs out, is deactivated or has their role changed (those
// delete the rows). `last_seen_at` is written at most once a minute, not on every request.
import { and, eq, isNull, lt, lte, or } from 'drizzle-orm';
import { type Db, database, type Statement } from '../db/client.js';
import { type Role, sessions, signInAttempts, users } from '../db/schema.js';
import type { Bindings } from '../env.js';
import { dropSessionHint, writeHints } from '../shards/directory.js';
import { routeHint } from '../shards/route.js';
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

/**
 * Starts a session for an active user; the token goes into the cookie and nowhere else. With
 * `directory` (the sign-in's environment), the token's hash is first recorded in the directory,
 * so requests find the organisation's shard (src/shards).
 */
export async function createSession(
  db: Db,
  user: { id: string; orgId: string },
  now: number,
  directory?: Pick<Bindings, 'DB' | 'DIRECTORY'>,
): Promise<string> {
  const token = `${SESSION_TOKEN_PREFIX}${randomBase64url(32)}`;
  const tokenHash = await sha256Hex(token);
  if (directory) await writeHints(directory, 'session', user.orgId, [tokenHash], now);
  await db.batch([
    db.insert(sessions).values({
      tokenHash,
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
 * The user behind a live session, given its token's SHA-256 (the caller hashed it once to find
 * the shard), or null (unknown, expired, or its user deactivated). An expired session's row is
 * deleted on the way.
 */
export async function resolveSession(
  db: Db,
  tokenHash: string,
  now: number,
): Promise<SessionUser | null> {
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

/**
 * Ends one session (sign-out), and its directory hint; unknown tokens are ignored. False while
 * the organisation moves (its row is being copied): nothing is deleted, the caller asks again.
 */
export async function endSession(env: Bindings, token: string): Promise<boolean> {
  const tokenHash = await sha256Hex(token);
  const route = await routeHint(env, 'session', tokenHash);
  if (route.kind === 'moving') return false;
  await database(route.env.DB).delete(sessions).where(eq(sessions.tokenHash, tokenHash));
  await dropSessionHint(env, tokenHash);
  return true;
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
