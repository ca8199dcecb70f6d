// Who is calling, and whether they may: `Authorization: Bearer <credential>` is either an API
// key (a backend) or a console session token (a person, sent by the console on their behalf;
// see `sessions.ts`). Roles are ordered, and a route asks for the least role it needs. Each
// credential has its own request limit, and each client one for refused credentials (a 429 then
// instead of the 401; see limits/rate-limit.ts).
import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { type Db, database } from '../db/client.js';
import { apiKeys, ROLES, type Role } from '../db/schema.js';
import type { ApiCaller, AppEnv } from '../env.js';
import { client, overLimit } from '../limits/rate-limit.js';
import { movingResponse, routeHint } from '../shards/route.js';
import { sha256Hex } from '../utils/encoding.js';
import { apiError, errorResponse } from '../utils/errors.js';
import { hashApiKey } from './api-keys.js';
import { isSessionToken, resolveSession } from './sessions.js';

export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

/** The credential of an `Authorization: Bearer <credential>` header, or null. */
export function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** A key's `lastUsedAt` moves at most once a minute: one write a minute, not one a request. */
const LAST_USED_EVERY_MS = 60_000;

/** Marks the key used now, unless it was within the minute; after the reply where it can be. */
function touchKey(c: Context<AppEnv>, db: Db, id: string, now: number): Promise<void> | null {
  const write = db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - LAST_USED_EVERY_MS)),
      ),
    )
    .then(() => undefined);
  try {
    c.executionCtx.waitUntil(write.catch((error: unknown) => console.error('lastUsedAt', error)));
    return null;
  } catch {
    // No execution context (`app.request` in tests): the write is awaited instead.
    return write;
  }
}

async function keyCaller(c: Context<AppEnv>, db: Db, keyHash: string): Promise<ApiCaller | null> {
  const now = Date.now();
  const rows = await db
    .select({
      id: apiKeys.id,
      orgId: apiKeys.orgId,
      role: apiKeys.role,
      messaging: apiKeys.messaging,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.keyHash, keyHash),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
      ),
    );
  const key = rows[0];
  if (!key) return null;
  if (key.lastUsedAt === null || key.lastUsedAt < now - LAST_USED_EVERY_MS) {
    await touchKey(c, db, key.id, now);
  }
  return {
    kind: 'key',
    id: key.id,
    orgId: key.orgId,
    role: key.role,
    licence: key.messaging,
    actor: `key:${key.id}`,
  };
}

async function sessionCaller(db: Db, tokenHash: string): Promise<ApiCaller | null> {
  const user = await resolveSession(db, tokenHash, Date.now());
  if (!user) return null;
  return {
    kind: 'user',
    id: user.userId,
    orgId: user.orgId,
    role: user.role,
    licence: user.licence,
    actor: `user:${user.userId}`,
  };
}

/**
 * Middleware: 401 without a valid key or session, 403 when its role is below `least`, 429 when the
 * credential is over its request limit or the client over its limit of refused credentials.
 */
export function requireRole(least: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = bearer(c.req.header('authorization'));
    if (credential === null || credential.length > 256) {
      return (
        (await overLimit(c, 'AUTH_FAILURE_LIMITER', client(c))) ??
        errorResponse(
          c,
          apiError('unauthorized', 'Send an API key as `Authorization: Bearer <key>`.'),
          { 'WWW-Authenticate': 'Bearer' },
        )
      );
    }
    const session = isSessionToken(credential);
    // The credential's organisation's shard (one directory read at most): from here on, c.env.DB
    // is that shard for the handlers too.
    const hash = session ? await sha256Hex(credential) : await hashApiKey(credential);
    const route = await routeHint(c.env, session ? 'session' : 'apiKey', hash);
    if (route.kind === 'moving') return movingResponse(c);
    c.env = route.env;
    const db = database(c.env.DB);
    const caller = session ? await sessionCaller(db, hash) : await keyCaller(c, db, hash);
    if (!caller) {
      const message = session
        ? 'The session has ended (signed out, expired or revoked); sign in again.'
        : 'Unknown, revoked or expired API key.';
      return (
        (await overLimit(c, 'AUTH_FAILURE_LIMITER', client(c))) ??
        errorResponse(c, apiError('unauthorized', message), { 'WWW-Authenticate': 'Bearer' })
      );
    }
    const limited = await overLimit(c, 'API_LIMITER', caller.actor);
    if (limited) return limited;
    if (!roleAtLeast(caller.role, least)) {
      const who = caller.kind === 'key' ? 'key' : 'user';
      return errorResponse(
        c,
        apiError(
          'forbidden',
          `This needs a ${who} with role ${least} or above; this ${who} is ${caller.role}.`,
        ),
      );
    }
    c.set('caller', caller);
    await next();
  };
}
