// The operator's endpoints (`pnpm org:create`, `pnpm org:move`, `pnpm org:shards`; README
// "Scale"): create an organisation on the least full shard, move one to another shard, list the
// shards. Authorised by `Authorization: Bearer <OPERATOR_TOKEN>`, a secret of the deployment;
// without it set, every /ops route answers 404, as if it did not exist. Validated by the same zod
// schemas as the API, but left out of its OpenAPI document (`hide`): they are the service
// operator's, not a customer's; the README ("Scale") documents them.
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bearer } from '../../auth/require-role.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { errorResponses } from '../../schemas/error.js';
import { sha256Hex } from '../../utils/encoding.js';
import { apiError, errorResponse } from '../../utils/errors.js';
import { moveOrganisation } from './move.js';
import { createOrganisation, measureShards, ORG_ID } from './place.js';

function requireOperator(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const expected = c.env.OPERATOR_TOKEN;
    if (!expected) return errorResponse(c, apiError('not_found', 'No such route.'));
    const given = bearer(c.req.header('authorization')) ?? '';
    // Compared as hashes: equal length, so the comparison's time says nothing of the token.
    if ((await sha256Hex(given)) !== (await sha256Hex(expected))) {
      return errorResponse(c, apiError('unauthorized', 'Send the operator token as a Bearer.'), {
        'WWW-Authenticate': 'Bearer',
      });
    }
    await next();
  };
}

const shardSchema = z
  .object({
    name: z.string(),
    sizeBytes: z.number().int(),
    organisations: z.number().int(),
  })
  .openapi('Shard');

const newOrgSchema = z
  .object({
    id: z
      .string()
      .regex(ORG_ID, 'must be 2–40 lowercase letters, digits or hyphens, starting with one')
      .openapi({ example: 'acme' }),
    name: z.string().trim().min(1).max(200),
    timeZone: z.string().max(64).optional(),
  })
  .strict();

export const listShardsRoute = createRoute({
  method: 'get',
  path: '/ops/shards',
  summary: 'The shards, their sizes now and organisations (operator)',
  tags: ['Operations'],
  // Not in the API reference: the service's operator uses these, not a customer's backend.
  hide: true,
  middleware: [requireOperator()] as const,
  responses: {
    200: {
      description: 'Each shard of `SHARDS`, measured now.',
      content: { 'application/json': { schema: z.object({ shards: z.array(shardSchema) }) } },
    },
    ...errorResponses([401, 404]),
  },
});

export const createOrgRoute = createRoute({
  method: 'post',
  path: '/ops/organisations',
  summary: 'Create an organisation on the least full shard (operator)',
  description:
    'Also creates a manager API key for its backend, whose secret is in this reply only. 409 when the id is taken.',
  tags: ['Operations'],
  // Not in the API reference: the service's operator uses these, not a customer's backend.
  hide: true,
  middleware: [
    requireOperator(),
    jsonBody({ maxBytes: 4096, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: newOrgSchema } } },
  },
  responses: {
    201: {
      description: 'Created.',
      content: {
        'application/json': {
          schema: z.object({ id: z.string(), shard: z.string(), apiKey: z.string() }),
        },
      },
    },
    ...errorResponses([400, 401, 404, 409, 413, 415]),
  },
});

export const moveOrgRoute = createRoute({
  method: 'post',
  path: '/ops/organisations/{orgId}/move',
  summary: 'Move an organisation to another shard (operator)',
  description:
    'Freezes its writes (its requests answer 503 with Retry-After meanwhile), copies it in pages, verifies every table by count and checksum, switches the directory and deletes the old copy. Answers when done.',
  tags: ['Operations'],
  // Not in the API reference: the service's operator uses these, not a customer's backend.
  hide: true,
  middleware: [
    requireOperator(),
    jsonBody({ maxBytes: 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    params: z.object({ orgId: z.string().max(100) }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              to: z.string().min(1).max(64),
              settleMs: z.number().int().min(0).max(60_000).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Moved: each table with its rows and checksum.',
      content: {
        'application/json': {
          schema: z.object({
            orgId: z.string(),
            from: z.string(),
            to: z.string(),
            ms: z.number(),
            tables: z.array(
              z.object({ table: z.string(), rows: z.number().int(), checksum: z.string() }),
            ),
          }),
        },
      },
    },
    ...errorResponses([400, 401, 404, 409, 413, 415, 500]),
  },
});

const listShards: RouteHandler<typeof listShardsRoute, AppEnv> = async (c) =>
  c.json({ shards: await measureShards(c.env, Date.now()) }, 200);

const createOrg: RouteHandler<typeof createOrgRoute, AppEnv> = async (c) => {
  const created = await createOrganisation(c.env, c.req.valid('json'));
  if (!created.ok) {
    const { id } = c.req.valid('json');
    return errorResponse(c, apiError('org_exists', `An organisation ${id} exists already.`));
  }
  return c.json({ id: created.id, shard: created.shard, apiKey: created.apiKey }, 201);
};

const moveOrg: RouteHandler<typeof moveOrgRoute, AppEnv> = async (c) => {
  const { orgId } = c.req.valid('param');
  const { to, settleMs } = c.req.valid('json');
  const moved = await moveOrganisation(
    c.env,
    orgId,
    to,
    settleMs === undefined ? {} : { settleMs },
  );
  if (moved.ok) {
    const { ok: _, ...report } = moved;
    return c.json(report, 200);
  }
  const code =
    moved.reason === 'not_found'
      ? 'not_found'
      : moved.reason === 'unknown_shard'
        ? 'invalid_request'
        : moved.reason === 'already_there'
          ? 'already_on_shard'
          : 'internal';
  return errorResponse(c, apiError(code, moved.message));
};

export function registerOps(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listShardsRoute, listShards);
  app.openapi(createOrgRoute, createOrg);
  app.openapi(moveOrgRoute, moveOrg);
}
