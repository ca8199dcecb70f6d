// `GET /v1/usage` (reporter and above): the organisation's monthly contacts this month (or a past
// one): allowance, used, remaining, when it renews, and the candidates who used them.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import type { AppEnv } from '../../env.js';
import { errorResponses } from '../../schemas/error.js';
import { BAD_CURSOR, cursorCodec } from '../../utils/cursor.js';
import { errorResponse, invalidRequest } from '../../utils/errors.js';
import { isUsageCursor, readUsage } from './read-usage.js';
import { usageQuerySchema, usageSchema } from './schema.js';

export const usageRoute = createRoute({
  method: 'get',
  path: '/v1/usage',
  summary: 'Monthly contacts: allowance, used, remaining, and who used them',
  description: [
    'A contact is used by a text to a candidate not messaged in the last 45 days; the allowance',
    '(`PUT /v1/settings/messaging`) renews at local midnight on the 1st of each month in the',
    'organisation’s time zone. When none remain, texts to candidates messaged in the last 45 days',
    'still go and others are refused (409 `contacts_exhausted`). `contacts` lists the month’s',
    'contacts newest first, paged with `limit` and `cursor`; `used` counts them all.',
  ].join(' '),
  tags: ['Messaging'],
  security: [{ apiKey: ['reporter'] }],
  middleware: [requireRole('reporter')] as const,
  request: { query: usageQuerySchema },
  responses: {
    200: {
      description: 'The month’s usage and a page of its contacts.',
      content: { 'application/json': { schema: usageSchema } },
    },
    ...errorResponses([400, 401, 403]),
  },
});

const getUsage: RouteHandler<typeof usageRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const cursors = cursorCodec(c.env.SECRETS_KEY, c.get('caller').orgId, 'usage');
  const cursor = query.cursor === undefined ? null : cursors.decode(query.cursor, isUsageCursor);
  if (query.cursor !== undefined && cursor === null) {
    return errorResponse(c, invalidRequest([BAD_CURSOR]));
  }
  const result = await readUsage(c.env.DB, {
    orgId: c.get('caller').orgId,
    period: query.period,
    cursor,
    cursors,
    limit: Number(query.limit ?? 100),
    now: Date.now(),
  });
  if (!result.ok) return errorResponse(c, invalidRequest([result.issue]));
  return c.json(result.usage, 200);
};

export function registerUsage(app: OpenAPIHono<AppEnv>): void {
  app.openapi(usageRoute, getUsage);
}
