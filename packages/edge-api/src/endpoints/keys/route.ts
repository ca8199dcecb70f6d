// API keys (manager role): list, create (the secret shown once), revoke; and `GET /v1/whoami`
// for any valid key. A key never sees or touches another organisation's keys, and nobody can
// create or revoke a key above their own role.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { and, asc, eq } from 'drizzle-orm';
import { hashApiKey, keyPrefix } from '../../auth/api-keys.js';
import { requireRole, roleAtLeast } from '../../auth/require-role.js';
import { type Db, database, newId, runBatch } from '../../db/client.js';
import { apiKeys, auditLog, users } from '../../db/schema.js';
import type { ApiCaller, AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { callerOrg } from '../../orgs/context.js';
import { isoOrNull } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { NO_STORE, noStoreHeaders } from '../../schemas/headers.js';
import { randomBase64url } from '../../utils/encoding.js';
import { apiError, errorResponse } from '../../utils/errors.js';
import {
  apiKeyListSchema,
  createdKeySchema,
  createKeyBodySchema,
  keyIdParams,
  revokedKeySchema,
  whoamiSchema,
} from './schema.js';

export const whoamiRoute = createRoute({
  method: 'get',
  path: '/v1/whoami',
  summary: 'Who is calling: the key or the signed-in person, with role and licence',
  tags: ['Keys'],
  security: [{ apiKey: ['user'] }],
  middleware: [requireRole('user')] as const,
  responses: {
    200: { description: 'The caller.', content: { 'application/json': { schema: whoamiSchema } } },
    ...errorResponses([401]),
  },
});

export const listKeysRoute = createRoute({
  method: 'get',
  path: '/v1/keys',
  summary: "The organisation's API keys",
  tags: ['Keys'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  responses: {
    200: {
      description: 'Keys, revoked ones included; never their secrets.',
      content: { 'application/json': { schema: apiKeyListSchema } },
    },
    ...errorResponses([401, 403]),
  },
});

export const createKeyRoute = createRoute({
  method: 'post',
  path: '/v1/keys',
  summary: 'Create an API key',
  description: 'The secret is in this reply only. The role may not be above the caller’s.',
  tags: ['Keys'],
  security: [{ apiKey: ['manager'] }],
  middleware: [
    requireRole('manager'),
    jsonBody({ maxBytes: 4096, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: createKeyBodySchema,
          example: { name: 'ATS integration', role: 'user' },
        },
      },
    },
  },
  responses: {
    201: {
      description: 'Created.',
      headers: noStoreHeaders,
      content: { 'application/json': { schema: createdKeySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/v1/keys/{id}',
  summary: 'Revoke an API key',
  description: 'Takes effect at once: the key gets 401 afterwards. Revoking twice is harmless.',
  tags: ['Keys'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  request: { params: keyIdParams },
  responses: {
    200: {
      description: 'Revoked.',
      content: { 'application/json': { schema: revokedKeySchema } },
    },
    // 400: an id the path schema refuses (over 100 characters).
    ...errorResponses([400, 401, 403, 404]),
  },
});

const whoami: RouteHandler<typeof whoamiRoute, AppEnv> = async (c) => {
  const caller = c.get('caller');
  const db = database(c.env.DB);
  const org = await callerOrg(db, caller.orgId);
  const base = {
    orgId: caller.orgId,
    orgName: org.name,
    kind: caller.kind,
    role: caller.role,
    licence: caller.licence,
  };
  if (caller.kind === 'key') return c.json({ ...base, keyId: caller.id }, 200);
  const [user] = await db
    .select({ email: users.email, displayName: users.displayName })
    .from(users)
    .where(eq(users.id, caller.id));
  return c.json({ ...base, userId: caller.id, ...user }, 200);
};

const listKeys: RouteHandler<typeof listKeysRoute, AppEnv> = async (c) => {
  const rows = await database(c.env.DB)
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.orgId, c.get('caller').orgId))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
  return c.json(
    {
      keys: rows.map((row) => ({
        id: row.id,
        name: row.name,
        role: row.role,
        prefix: row.prefix,
        createdAt: new Date(row.createdAt).toISOString(),
        revokedAt: isoOrNull(row.revokedAt),
      })),
    },
    200,
  );
};

/** The audit entry of a key change by `caller`, written in the same batch as the change. */
function auditEntry(
  db: Db,
  caller: ApiCaller,
  entry: { at: number; action: string; subject: string; details: string | null },
) {
  return db.insert(auditLog).values({
    id: newId(),
    orgId: caller.orgId,
    actor: caller.actor,
    ...entry,
  });
}

const createKey: RouteHandler<typeof createKeyRoute, AppEnv> = async (c) => {
  const { name, role } = c.req.valid('json');
  const caller = c.get('caller');
  if (!roleAtLeast(caller.role, role)) {
    return errorResponse(
      c,
      apiError('forbidden', `A ${caller.role} ${caller.kind} cannot create a ${role} key.`),
    );
  }
  const db = database(c.env.DB);
  const now = Date.now();
  const secret = `sk_${randomBase64url(32)}`;
  const id = `key_${newId()}`;
  const prefix = keyPrefix(secret);
  await runBatch(db, [
    db.insert(apiKeys).values({
      id,
      orgId: caller.orgId,
      name,
      prefix,
      keyHash: await hashApiKey(secret),
      role,
      createdAt: now,
    }),
    auditEntry(db, caller, {
      at: now,
      action: 'key.create',
      subject: id,
      details: JSON.stringify({ name, role }),
    }),
  ]);
  return c.json(
    { id, name, role, prefix, secret, createdAt: new Date(now).toISOString() },
    201,
    NO_STORE,
  );
};

const revokeKey: RouteHandler<typeof revokeKeyRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const caller = c.get('caller');
  const db = database(c.env.DB);
  const thisKey = and(eq(apiKeys.orgId, caller.orgId), eq(apiKeys.id, id));
  const rows = await db
    .select({ role: apiKeys.role, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(thisKey);
  const key = rows[0];
  if (!key) return errorResponse(c, apiError('not_found', `No key ${id} in this organisation.`));
  if (!roleAtLeast(caller.role, key.role)) {
    return errorResponse(
      c,
      apiError('forbidden', `A ${caller.role} ${caller.kind} cannot revoke a ${key.role} key.`),
    );
  }
  const now = Date.now();
  if (key.revokedAt === null) {
    await runBatch(db, [
      db.update(apiKeys).set({ revokedAt: now }).where(thisKey),
      auditEntry(db, caller, { at: now, action: 'key.revoke', subject: id, details: null }),
    ]);
  }
  return c.json(
    { id, revoked: true as const, revokedAt: new Date(key.revokedAt ?? now).toISOString() },
    200,
  );
};

export function registerKeys(app: OpenAPIHono<AppEnv>): void {
  app.openapi(whoamiRoute, whoami);
  app.openapi(listKeysRoute, listKeys);
  app.openapi(createKeyRoute, createKey);
  app.openapi(revokeKeyRoute, revokeKey);
}
