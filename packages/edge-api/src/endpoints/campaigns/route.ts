// Campaign definitions (user role and above, issue 17): create, list, read, edit, and enable,
// disable or archive, and the estimate of who a run would text now (its runs and a draft's
// estimate: runs-route.ts). Only re-engagement campaigns so far. Every effective change is audited
// (`campaign.*`); archiving is final.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import type { CampaignState } from '../../db/schema.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { errorResponses } from '../../schemas/error.js';
import { BAD_CURSOR, cursorCodec } from '../../utils/cursor.js';
import { apiError, errorResponse, invalidRequest } from '../../utils/errors.js';
import { estimateCampaign } from './estimate.js';
import type { Refusal } from './rules.js';
import { registerCampaignRuns } from './runs-route.js';
import {
  campaignEstimateSchema,
  campaignIdParams,
  campaignListQuerySchema,
  campaignPageSchema,
  campaignSchema,
  createCampaignBodySchema,
  updateCampaignBodySchema,
} from './schema.js';
import {
  campaignJson,
  createCampaign,
  isCampaignCursor,
  listCampaigns,
  readCampaign,
  setCampaignState,
  updateCampaign,
} from './write-campaigns.js';

const body = jsonBody({ maxBytes: 16384, mediaTypes: ['application/json'] });
const reply = { 'application/json': { schema: campaignSchema } };
const security = [{ apiKey: ['user'] }];
const tags = ['Campaigns'];

const RULES = [
  'Only re-engagement campaigns (`reengagement: true`) are supported so far; a standard one is a',
  '400. Each problem is a 400 issue at its field: an SMS campaign needs a `message`, a WhatsApp',
  'one a `templateId` (never a message: its texts are outside the 24-hour window); mail merge',
  'takes `{{firstName}}` and `{{url}}` only, and `{{url}}` needs a `url` on the organisation’s',
  'sites or link allowlist (`url_not_allowed`); `sendTime` must fall within the organisation’s',
  'send hours. From: `fromUserId` defaults to the calling person (an API key must give one);',
  'choosing someone else needs a manager or admin (403); the sender must be an active user of',
  'the organisation holding a messaging licence (else a 400 issue at `fromUserId`).',
].join(' ');

export const listCampaignsRoute = createRoute({
  method: 'get',
  path: '/v1/campaigns',
  summary: 'The organisation’s campaigns',
  description:
    'By name, paged with `limit` and `cursor`. Archived campaigns are left out unless `state=archived`; `name` and `code` match any part, ignoring case (ASCII letters).',
  tags,
  security,
  middleware: [requireRole('user')] as const,
  request: { query: campaignListQuerySchema },
  responses: {
    200: {
      description: 'A page of campaigns.',
      content: { 'application/json': { schema: campaignPageSchema } },
    },
    ...errorResponses([400, 401, 403]),
  },
});

export const createCampaignRoute = createRoute({
  method: 'post',
  path: '/v1/campaigns',
  summary: 'Create a re-engagement campaign',
  description: `${RULES} Writes one audit entry (\`campaign.create\`).`,
  tags,
  security,
  middleware: [requireRole('user'), body] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: createCampaignBodySchema } } },
  },
  responses: {
    201: { description: 'Created.', content: reply },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export const getCampaignRoute = createRoute({
  method: 'get',
  path: '/v1/campaigns/{id}',
  summary: 'One campaign',
  tags,
  security,
  middleware: [requireRole('user')] as const,
  request: { params: campaignIdParams },
  responses: {
    200: { description: 'The campaign.', content: reply },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const updateCampaignRoute = createRoute({
  method: 'patch',
  path: '/v1/campaigns/{id}',
  summary: 'Edit a campaign',
  description: `Only the fields given change; every field but \`reengagement\` may (a re-engagement campaign cannot become a standard one: 400). An archived campaign cannot be edited (409 \`campaign_archived\`). The url and send time are checked when they change; ${RULES} One audit entry (\`campaign.update\`) with each changed field before and after; a change to nothing writes nothing.`,
  tags,
  security,
  middleware: [requireRole('user'), body] as const,
  request: {
    params: campaignIdParams,
    body: { required: true, content: { 'application/json': { schema: updateCampaignBodySchema } } },
  },
  responses: {
    200: { description: 'The campaign as changed.', content: reply },
    ...errorResponses([400, 401, 403, 404, 409, 413, 415]),
  },
});

function stateRoute(action: 'enable' | 'disable' | 'archive', what: string) {
  return createRoute({
    method: 'post',
    path: `/v1/campaigns/{id}/${action}`,
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} a campaign`,
    description: `${what} Repeating it is harmless (200, nothing written); an archived campaign stays archived (409 \`campaign_archived\`). One audit entry (\`campaign.${action}\`) per change.`,
    tags,
    security,
    middleware: [requireRole('user')] as const,
    request: { params: campaignIdParams },
    responses: {
      200: { description: 'The campaign.', content: reply },
      ...errorResponses([400, 401, 403, 404, 409]),
    },
  });
}

export const enableCampaignRoute = stateRoute('enable', 'It runs every day at its send time.');
export const disableCampaignRoute = stateRoute('disable', 'No texts until it is enabled again.');
export const archiveCampaignRoute = stateRoute(
  'archive',
  'No texts, left out of the default list, and final: it can never be enabled, disabled or edited again.',
);

export const estimateCampaignRoute = createRoute({
  method: 'get',
  path: '/v1/campaigns/{id}/estimate',
  summary: 'How many a campaign would text now',
  description:
    'Its matched candidates (last-contacted timeframe and tags) now, how many a run now would text, and the rest skipped by the first reason that applies, in order: Inactive tier, opted out, no number or consent for the channel, already sent a campaign text today (the organisation’s clock), quiet hours on the candidate’s clock, no monthly contact left. `wouldText` + every skip = `matched`. Counted from index ranges, nothing written. An enabled or disabled campaign may be estimated; an archived one never runs again (409 `campaign_archived`).',
  tags,
  security,
  middleware: [requireRole('user')] as const,
  request: { params: campaignIdParams },
  responses: {
    200: {
      description: 'The estimate.',
      content: { 'application/json': { schema: campaignEstimateSchema } },
    },
    ...errorResponses([400, 401, 403, 404, 409]),
  },
});

function notFound(id: string) {
  return apiError('not_found', `No campaign ${id} in this organisation.`);
}

function refusalOf(refusal: Refusal) {
  return apiError(refusal.code, refusal.message, refusal.issues);
}

const list: RouteHandler<typeof listCampaignsRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const cursors = cursorCodec(c.env.SECRETS_KEY, c.get('caller').orgId, 'campaigns');
  const cursor = query.cursor === undefined ? null : cursors.decode(query.cursor, isCampaignCursor);
  if (query.cursor !== undefined && cursor === null) {
    return errorResponse(c, invalidRequest([BAD_CURSOR]));
  }
  const page = await listCampaigns(c.env.DB, c.get('caller').orgId, {
    type: query.type,
    name: query.name,
    code: query.code,
    state: query.state,
    limit: Number(query.limit ?? 50),
    cursor,
    cursors,
  });
  return c.json(page, 200);
};

const create: RouteHandler<typeof createCampaignRoute, AppEnv> = async (c) => {
  const result = await createCampaign(c.env.DB, c.get('caller'), c.req.valid('json'), Date.now());
  if (!result.ok) return errorResponse(c, refusalOf(result.refusal));
  return c.json(result.campaign, 201);
};

const getOne: RouteHandler<typeof getCampaignRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const row = await readCampaign(c.env.DB, c.get('caller').orgId, id);
  if (!row) return errorResponse(c, notFound(id));
  return c.json(campaignJson(row), 200);
};

const update: RouteHandler<typeof updateCampaignRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const result = await updateCampaign(
    c.env.DB,
    c.get('caller'),
    id,
    c.req.valid('json'),
    Date.now(),
  );
  if (!result) return errorResponse(c, notFound(id));
  if (!result.ok) return errorResponse(c, refusalOf(result.refusal));
  return c.json(result.campaign, 200);
};

function changeState(state: CampaignState): RouteHandler<typeof enableCampaignRoute, AppEnv> {
  return async (c) => {
    const { id } = c.req.valid('param');
    const result = await setCampaignState(c.env.DB, c.get('caller'), id, state, Date.now());
    if (!result) return errorResponse(c, notFound(id));
    if (!result.ok) return errorResponse(c, refusalOf(result.refusal));
    return c.json(result.campaign, 200);
  };
}

const estimate: RouteHandler<typeof estimateCampaignRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const row = await readCampaign(c.env.DB, c.get('caller').orgId, id);
  if (!row) return errorResponse(c, notFound(id));
  if (row.state === 'archived') {
    return errorResponse(
      c,
      apiError('campaign_archived', `Campaign ${id} is archived: it never runs again.`),
    );
  }
  return c.json(await estimateCampaign(c.env.DB, row, Date.now()), 200);
};

export function registerCampaigns(app: OpenAPIHono<AppEnv>): void {
  registerCampaignRuns(app);
  app.openapi(listCampaignsRoute, list);
  app.openapi(createCampaignRoute, create);
  app.openapi(getCampaignRoute, getOne);
  app.openapi(updateCampaignRoute, update);
  app.openapi(enableCampaignRoute, changeState('enabled'));
  app.openapi(disableCampaignRoute, changeState('disabled'));
  app.openapi(archiveCampaignRoute, changeState('archived'));
  app.openapi(estimateCampaignRoute, estimate);
}
