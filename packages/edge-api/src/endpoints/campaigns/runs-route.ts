// What a campaign does and would do: `GET /v1/campaigns/{id}/runs` (each day's run and what came
// of it) and `POST /v1/campaign-estimates` (who a campaign not saved yet would text now, for the
// console's live estimate). User role and above, scoped to the caller's organisation.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { errorResponses } from '../../schemas/error.js';
import { BAD_CURSOR, cursorCodec } from '../../utils/cursor.js';
import { apiError, errorResponse, invalidRequest } from '../../utils/errors.js';
import { estimateCampaign } from './estimate.js';
import { isRunsCursor, listRuns } from './runs.js';
import {
  campaignEstimateSchema,
  campaignIdParams,
  campaignRunPageSchema,
  draftEstimateBodySchema,
  runListQuerySchema,
} from './schema.js';
import { readCampaign } from './write-campaigns.js';

const security = [{ apiKey: ['user'] }];
const tags = ['Campaigns'];

export const campaignRunsRoute = createRoute({
  method: 'get',
  path: '/v1/campaigns/{id}/runs',
  summary: 'A campaign’s daily runs and what came of them',
  description:
    'Newest first, one per local date it ran: matched, texts sent, delivered, failed, skipped by reason (the same reasons, in the same order, as the estimate), clicks on its link, replies and opt-outs. Paged with `limit` and `cursor`. Archived campaigns keep their runs.',
  tags,
  security,
  middleware: [requireRole('user')] as const,
  request: { params: campaignIdParams, query: runListQuerySchema },
  responses: {
    200: {
      description: 'A page of runs.',
      content: { 'application/json': { schema: campaignRunPageSchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const draftEstimateRoute = createRoute({
  method: 'post',
  path: '/v1/campaign-estimates',
  summary: 'How many a campaign not saved yet would text now',
  description:
    'The same count as `GET /v1/campaigns/{id}/estimate`, for a timeframe, tags, channel and sender not saved yet (`fromUserId` defaults to the calling person). Nothing is written. An unknown `fromUserId` is a 400 issue at that field.',
  tags,
  security,
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 16384, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: draftEstimateBodySchema } } },
  },
  responses: {
    200: {
      description: 'The estimate (`campaignId` null).',
      content: { 'application/json': { schema: campaignEstimateSchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

const runs: RouteHandler<typeof campaignRunsRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const query = c.req.valid('query');
  const cursors = cursorCodec(c.env.SECRETS_KEY, c.get('caller').orgId, `runs:${id}`);
  const cursor = query.cursor === undefined ? null : cursors.decode(query.cursor, isRunsCursor);
  if (query.cursor !== undefined && cursor === null) {
    return errorResponse(c, invalidRequest([BAD_CURSOR]));
  }
  const orgId = c.get('caller').orgId;
  if (!(await readCampaign(c.env.DB, orgId, id))) {
    return errorResponse(c, apiError('not_found', `No campaign ${id} in this organisation.`));
  }
  const limit = Number(query.limit ?? 30);
  return c.json(await listRuns(c.env.DB, orgId, id, { limit, cursor, cursors }), 200);
};

const draftEstimate: RouteHandler<typeof draftEstimateRoute, AppEnv> = async (c) => {
  const draft = c.req.valid('json');
  const caller = c.get('caller');
  const senderId = draft.fromUserId ?? (caller.kind === 'user' ? caller.id : null);
  if (draft.fromUserId !== undefined) {
    const known = await c.env.DB.prepare('SELECT 1 FROM users WHERE org_id = ?1 AND id = ?2')
      .bind(caller.orgId, draft.fromUserId)
      .first();
    if (!known) {
      return errorResponse(
        c,
        invalidRequest([
          {
            path: 'fromUserId',
            code: 'unknown_user',
            message: 'is not a user of this organisation',
          },
        ]),
      );
    }
  }
  const never = draft.timeframe.neverContacted === true;
  const estimate = await estimateCampaign(
    c.env.DB,
    {
      id: null,
      org_id: caller.orgId,
      sender_user_id: senderId,
      channel: draft.channel,
      timeframe_days: never ? null : (draft.timeframe.notContactedForDays ?? null),
      never_contacted: never,
      tags: JSON.stringify(draft.tags),
      tags_mode: draft.tagsMode,
    },
    Date.now(),
  );
  return c.json(estimate, 200);
};

/** Registered before `/v1/campaigns/{id}` routes are matched (a static path wins anyway). */
export function registerCampaignRuns(app: OpenAPIHono<AppEnv>): void {
  app.openapi(draftEstimateRoute, draftEstimate);
  app.openapi(campaignRunsRoute, runs);
}
