// `POST /v1/engagements`: server-to-server ingestion (email service, events tool), up to 500
// per request, all or nothing: one bad item rejects the request and nothing is stored.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import { OPTIONS } from '../../config.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { orgSettings } from '../../orgs/sites.js';
import { clampToNow } from '../../schemas/dates.js';
import { errorResponses } from '../../schemas/error.js';
import { deliverAfterResponse } from '../../webhooks/after-response.js';
import { engagementsBodySchema, engagementsReplySchema } from './schema.js';
import { writeEngagements } from './write-engagements.js';

export const engagementsRoute = createRoute({
  method: 'post',
  path: '/v1/engagements',
  summary: 'Store engagements from another system',
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: OPTIONS.maxEngagementBytes, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: engagementsBodySchema } } },
  },
  responses: {
    202: {
      description: 'Stored: how many were new and how many had been seen before.',
      content: { 'application/json': { schema: engagementsReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export function registerEngagements(app: OpenAPIHono<AppEnv>): void {
  app.openapi(engagementsRoute, async (c) => {
    const { engagements } = c.req.valid('json');
    const { orgId } = c.get('caller');
    const db = database(c.env.DB);
    const receivedAt = Date.now();
    const { scoringModel } = await orgSettings(db, orgId);
    const outcome = await writeEngagements(db, {
      orgId,
      scoringModel,
      receivedAt,
      items: engagements.map((item) => ({
        id: item.id,
        candidateId: item.candidateId,
        type: item.type,
        detail: item.detail ?? null,
        occurredAt: clampToNow(Date.parse(item.occurredAt), receivedAt),
        machine: item.machine ?? false,
      })),
    });
    deliverAfterResponse(c, orgId);
    return c.json(outcome, 202);
  });
}
