// User management (manager role and above): list, invite, change role, licence, sender number
// and auto-reply, deactivate. A manager cannot make anyone admin or change an admin; the last
// active admin cannot be demoted or deactivated; licences never exceed the organisation's seats.
// Every change lands in the audit log with who made it; a role change or deactivation ends the
// user's console sessions at once.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { errorResponses } from '../../schemas/error.js';
import { apiError, errorResponse } from '../../utils/errors.js';
import {
  createUserBodySchema,
  updateUserBodySchema,
  userIdParams,
  userListSchema,
  userSchema,
} from './schema.js';
import {
  createUser,
  listUsers,
  readUser,
  type UserPatch,
  updateUser,
  userJson,
} from './write-users.js';

const body = jsonBody({ maxBytes: 8192, mediaTypes: ['application/json'] });
const userReply = { 'application/json': { schema: userSchema } };

export const listUsersRoute = createRoute({
  method: 'get',
  path: '/v1/users',
  summary: "The organisation's users and its messaging licences",
  tags: ['Users'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  responses: {
    200: {
      description: 'Every user, deactivated ones included, oldest first; seats and seats used.',
      content: { 'application/json': { schema: userListSchema } },
    },
    ...errorResponses([401, 403]),
  },
});

export const createUserRoute = createRoute({
  method: 'post',
  path: '/v1/users',
  summary: 'Invite a user',
  description:
    'The person signs in through the organisation’s identity provider with this email. Only an admin can create an admin; a licence needs a free seat (409 `seats_exhausted`).',
  tags: ['Users'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager'), body] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: createUserBodySchema } } },
  },
  responses: {
    201: { description: 'Created.', content: userReply },
    ...errorResponses([400, 401, 403, 409, 413, 415]),
  },
});

export const getUserRoute = createRoute({
  method: 'get',
  path: '/v1/users/{id}',
  summary: 'One user',
  tags: ['Users'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  request: { params: userIdParams },
  responses: {
    200: { description: 'The user.', content: userReply },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const updateUserRoute = createRoute({
  method: 'patch',
  path: '/v1/users/{id}',
  summary: 'Change a user’s name, role, licence, sender number or auto-reply; reactivate',
  description:
    'Only an admin can change an admin or make one; the last active admin keeps the role (409 `last_admin`); a licence needs a free seat (409 `seats_exhausted`). A role change ends the user’s sessions.',
  tags: ['Users'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager'), body] as const,
  request: {
    params: userIdParams,
    body: { required: true, content: { 'application/json': { schema: updateUserBodySchema } } },
  },
  responses: {
    200: { description: 'The user as changed.', content: userReply },
    ...errorResponses([400, 401, 403, 404, 409, 413, 415]),
  },
});

export const deactivateUserRoute = createRoute({
  method: 'delete',
  path: '/v1/users/{id}',
  summary: 'Deactivate a user',
  description:
    'The user can no longer sign in, their sessions end at once and their licence seat is freed; the row stays so history keeps the name. Deactivating twice is harmless. The last active admin cannot be deactivated (409 `last_admin`).',
  tags: ['Users'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  request: { params: userIdParams },
  responses: {
    200: { description: 'The user, deactivated.', content: userReply },
    ...errorResponses([400, 401, 403, 404, 409]),
  },
});

function notFound(id: string) {
  return apiError('not_found', `No user ${id} in this organisation.`);
}

const list: RouteHandler<typeof listUsersRoute, AppEnv> = async (c) =>
  c.json(await listUsers(c.env.DB, c.get('caller').orgId), 200);

const create: RouteHandler<typeof createUserRoute, AppEnv> = async (c) => {
  const result = await createUser(c.env, c.get('caller'), c.req.valid('json'), Date.now());
  if (!result.ok) return errorResponse(c, apiError(result.refusal.code, result.refusal.message));
  return c.json(result.user, 201);
};

const getOne: RouteHandler<typeof getUserRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const row = await readUser(c.env.DB, c.get('caller').orgId, id);
  if (!row) return errorResponse(c, notFound(id));
  return c.json(userJson(row), 200);
};

async function change(c: Parameters<typeof getOne>[0], id: string, patch: UserPatch) {
  const result = await updateUser(c.env, c.get('caller'), id, patch, Date.now());
  if (!result) return errorResponse(c, notFound(id));
  if (!result.ok) return errorResponse(c, apiError(result.refusal.code, result.refusal.message));
  return c.json(result.user, 200);
}

const update: RouteHandler<typeof updateUserRoute, AppEnv> = (c) =>
  change(c, c.req.valid('param').id, c.req.valid('json'));

const deactivate: RouteHandler<typeof deactivateUserRoute, AppEnv> = (c) =>
  change(c, c.req.valid('param').id, { deactivate: true });

export function registerUsers(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listUsersRoute, list);
  app.openapi(createUserRoute, create);
  app.openapi(getUserRoute, getOne);
  app.openapi(updateUserRoute, update);
  app.openapi(deactivateUserRoute, deactivate);
}
