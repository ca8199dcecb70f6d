// API keys: `Authorization: Bearer <secret>`. Only the SHA-256 of a secret is stored (keys are
// long random strings in production, so a fast hash is enough); a short prefix is kept for
// display. Roles are ordered, and a route asks for the least role it needs.
import { and, eq, isNull } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { database } from '../db/client.js';
import { apiKeys, ROLES, type Role } from '../db/schema.js';
import type { AppEnv } from '../env.js';
import { sha256Hex } from '../utils/encoding.js';
import { apiError, errorResponse } from '../utils/errors.js';

export function hashApiKey(secret: string): Promise<string> {
  return sha256Hex(secret);
}

/** The part of a key shown in lists: enough to tell keys apart, useless to an attacker. */
export function keyPrefix(secret: string): string {
  return secret.slice(0, 8);
}

export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** Middleware: 401 without a valid key, 403 when its role is below `least`. */
export function requireRole(least: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const secret = bearer(c.req.header('authorization'));
    if (secret === null || secret.length > 256) {
      return errorResponse(
        c,
        apiError('unauthorized', 'Send an API key as `Authorization: Bearer <key>`.'),
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    const rows = await database(c.env.DB)
      .select({ id: apiKeys.id, orgId: apiKeys.orgId, role: apiKeys.role })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, await hashApiKey(secret)), isNull(apiKeys.revokedAt)));
    const key = rows[0];
    if (!key) {
      return errorResponse(c, apiError('unauthorized', 'Unknown or revoked API key.'), {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (!roleAtLeast(key.role, least)) {
      return errorResponse(
        c,
        apiError(
          'forbidden',
          `This needs a key with role ${least} or above; this key is ${key.role}.`,
        ),
      );
    }
    c.set('caller', { keyId: key.id, orgId: key.orgId, role: key.role });
    await next();
  };
}
