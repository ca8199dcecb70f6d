// API keys (manager role): list, create (the secret shown once), revoke; and `GET /v1/whoami`
// for any valid key. A key never sees or touches another organisation's keys, and nobody can
// create or revoke a key above their own role.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { and, asc, eq } from 'drizzle-orm';
import { hashApiKey, keyPrefix } from '../../auth/api-keys.js';
import { requireRole, roleAtLeast } from '../../auth/require-role.js';
import { auditInsert } from '../../db/audit.js';
import { database, newId, runBatch } from '../../db/client.js';
import { apiKeys, type Role, users } from '../../db/schema.js';
import type { ApiCaller, AppEnv, Bindings } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { callerOrg } from '../../orgs/context.js';
import { isoOrNull, parseInstant } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { NO_STORE, noStoreHeaders } from '../../schemas/headers.js';
import { writeHints } from '../../shards/directory.js';
import { randomBase64url } from '../../utils/encoding.js';
import { apiError, errorResponse, invalidRequest } from '../../utils/errors.js';
import {
  apiKeyListSchema,
  createdKeySchema,
  createKeyBodySchema,
  keyIdParams,
  MAX_KEY_LIFETIME_DAYS,
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
  description:
    'The secret is in this reply only. The role may not be above the caller’s. `expiresAt` ' +
    '(optional, within three years) is when it stops working. Its creator is recorded.',
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

export const rotateKeyRoute = createRoute({
  method: 'post',
  path: '/v1/keys/{id}/rotate',
  summary: 'Rotate an API key: a new key in its place, both valid until the old one is revoked',
  description:
    'Creates a key with the same name, role, messaging permission and expiry, and returns its ' +
    'secret once (`replaces` names the old key). The old key keeps working, so a backend can ' +
    'switch over without a gap; revoke it (`DELETE /v1/keys/{id}`) once nothing uses it ' +
    '(its `lastUsedAt` stops moving). A revoked or expired key cannot be rotated (409).',
  tags: ['Keys'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  request: { params: keyIdParams },
  responses: {
    201: {
      description: 'The new key.',
      headers: noStoreHeaders,
      content: { 'application/json': { schema: createdKeySchema } },
    },
    ...errorResponses([400, 401, 403, 404, 409]),
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
        createdBy: row.createdBy,
        lastUsedAt: isoOrNull(row.lastUsedAt),
        expiresAt: isoOrNull(row.expiresAt),
        revokedAt: isoOrNull(row.revokedAt),
      })),
    },
    200,
  );
};

interface NewKey {
  name: string;
  role: Role;
  messaging: boolean;
  expiresAt: number | null;
  /** Rotation: the key this one replaces. */
  replaces?: string;
}

interface MintedKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  secret: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  replaces?: string;
}

/** Inserts a key and its audit entry in one batch; the reply with the secret (shown once). */
async function mintKey(
  env: Bindings,
  caller: ApiCaller,
  key: NewKey,
  now: number,
): Promise<MintedKey> {
  const db = database(env.DB);
  const secret = `sk_${randomBase64url(32)}`;
  const id = `key_${newId()}`;
  const prefix = keyPrefix(secret);
  const keyHash = await hashApiKey(secret);
  // The directory first: a request with the key finds its organisation's shard (src/shards).
  await writeHints(env, 'apiKey', caller.orgId, [keyHash], now);
  await runBatch(db, [
    db.insert(apiKeys).values({
      id,
      orgId: caller.orgId,
      name: key.name,
      prefix,
      keyHash,
      role: key.role,
      messaging: key.messaging,
      createdAt: now,
      createdBy: caller.actor,
      expiresAt: key.expiresAt,
    }),
    auditInsert(db, {
      orgId: caller.orgId,
      actor: caller.actor,
      at: now,
      action: key.replaces ? 'key.rotate' : 'key.create',
      subject: id,
      details: {
        name: key.name,
        role: key.role,
        ...(key.expiresAt === null ? {} : { expiresAt: new Date(key.expiresAt).toISOString() }),
        ...(key.replaces ? { replaces: key.replaces } : {}),
      },
    }),
  ]);
  return {
    id,
    name: key.name,
    role: key.role,
    prefix,
    secret,
    createdAt: new Date(now).toISOString(),
    createdBy: caller.actor,
    expiresAt: isoOrNull(key.expiresAt),
    ...(key.replaces ? { replaces: key.replaces } : {}),
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

const createKey: RouteHandler<typeof createKeyRoute, AppEnv> = async (c) => {
  const { name, role, expiresAt } = c.req.valid('json');
  const caller = c.get('caller');
  if (!roleAtLeast(caller.role, role)) {
    return errorResponse(
      c,
      apiError('forbidden', `A ${caller.role} ${caller.kind} cannot create a ${role} key.`),
    );
  }
  const now = Date.now();
  const expiry = expiresAt === undefined ? null : parseInstant(expiresAt);
  if (expiry !== null && (expiry <= now || expiry > now + MAX_KEY_LIFETIME_DAYS * DAY_MS)) {
    const issue = {
      path: 'expiresAt',
      code: 'invalid',
      message: `must be in the future and within ${MAX_KEY_LIFETIME_DAYS} days (${expiresAt})`,
    };
    return errorResponse(c, invalidRequest([issue]));
  }
  const created = await mintKey(
    c.env,
    caller,
    { name, role, messaging: false, expiresAt: expiry },
    now,
  );
  return c.json(created, 201, NO_STORE);
};

const rotateKey: RouteHandler<typeof rotateKeyRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const caller = c.get('caller');
  const db = database(c.env.DB);
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, caller.orgId), eq(apiKeys.id, id)));
  if (!key) return errorResponse(c, apiError('not_found', `No key ${id} in this organisation.`));
  if (!roleAtLeast(caller.role, key.role)) {
    return errorResponse(
      c,
      apiError('forbidden', `A ${caller.role} ${caller.kind} cannot rotate a ${key.role} key.`),
    );
  }
  const now = Date.now();
  if (key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now)) {
    return errorResponse(
      c,
      apiError(
        'key_inactive',
        `Key ${id} is ${key.revokedAt !== null ? 'revoked' : 'expired'}: create a new key instead.`,
      ),
    );
  }
  const created = await mintKey(
    c.env,
    caller,
    {
      name: key.name,
      role: key.role,
      messaging: key.messaging,
      expiresAt: key.expiresAt,
      replaces: id,
    },
    now,
  );
  return c.json(created, 201, NO_STORE);
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
      auditInsert(db, {
        orgId: caller.orgId,
        actor: caller.actor,
        at: now,
        action: 'key.revoke',
        subject: id,
        details: null,
      }),
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
  app.openapi(rotateKeyRoute, rotateKey);
  app.openapi(revokeKeyRoute, revokeKey);
}
