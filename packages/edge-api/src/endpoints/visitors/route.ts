// `POST /v1/visitors/{visitorId}/link`: ties a tracker visitor to a candidate, e.g. when the
// candidate's application form carried the visitor id in a hidden field.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { orgSettings } from '../../orgs/sites.js';
import { errorResponses } from '../../schemas/error.js';
import { deliverAfterResponse } from '../../webhooks/after-response.js';
import { linkVisitor } from './link-visitor.js';
import { linkBodySchema, linkReplySchema, visitorIdParams } from './schema.js';

export const linkRoute = createRoute({
  method: 'post',
  path: '/v1/visitors/{visitorId}/link',
  summary: 'Link a tracker visitor to a candidate',
  description:
    "The visitor's anonymous past moves to the candidate and its future visits follow. A visitor " +
    "already linked to another candidate switches: its visits from now on are this one's, the " +
    'other candidate keeps its past and its score (two people are never merged), and the audit ' +
    'log names both. Linking it to the candidate it already has changes nothing (`alreadyLinked`).',
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 4096, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    params: visitorIdParams,
    body: {
      required: true,
      content: { 'application/json': { schema: linkBodySchema } },
    },
  },
  responses: {
    200: {
      description: "Linked; the candidate's score includes the visitor's visits.",
      content: { 'application/json': { schema: linkReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export function registerVisitors(app: OpenAPIHono<AppEnv>): void {
  app.openapi(linkRoute, async (c) => {
    const { visitorId } = c.req.valid('param');
    const { candidateId } = c.req.valid('json');
    const caller = c.get('caller');
    const db = database(c.env.DB);
    const { scoringModel } = await orgSettings(db, caller.orgId);
    const outcome = await linkVisitor(db, {
      orgId: caller.orgId,
      scoringModel,
      deviceId: visitorId,
      candidateExternalId: candidateId,
      actor: caller.actor,
    });
    deliverAfterResponse(c, caller.orgId);
    return c.json(
      {
        visitorId,
        candidateId,
        linkedEngagements: outcome.linkedEngagements,
        alreadyLinked: outcome.alreadyLinked,
        tier: outcome.tier,
      },
      200,
    );
  });
}
