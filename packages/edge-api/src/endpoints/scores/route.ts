// Everything about scores: one candidate's score decayed to now and its daily history
// (`GET /v1/candidates/{candidateId}/score`, `/score-history`), and `POST /v1/scores` for up
// to 1,000 candidates at once. Unknown candidates are a 404 as for every candidate read.
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import { findCandidate, findCandidates } from '../../db/candidates.js';
import { type Db, database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { callerOrg } from '../../orgs/context.js';
import { candidateIdParams } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { candidateNotFound } from '../candidates/route.js';
import { scoreHistory, scoreReply, scoreRows } from './read-score.js';
import { scoreHistorySchema, scoreSchema, scoresBodySchema, scoresReplySchema } from './schema.js';

export const scoreRoute = createRoute({
  method: 'get',
  path: '/v1/candidates/{candidateId}/score',
  summary: "A candidate's score, decayed to now",
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [requireRole('user')] as const,
  request: { params: candidateIdParams },
  responses: {
    200: {
      description: "Scored with the organisation's model at the moment of the request.",
      content: { 'application/json': { schema: scoreSchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const scoreHistoryRoute = createRoute({
  method: 'get',
  path: '/v1/candidates/{candidateId}/score-history',
  summary: "A candidate's daily score over the last days",
  description: "One point per UTC day ending today: the score at each day's end, decay included.",
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [requireRole('user')] as const,
  request: {
    params: candidateIdParams,
    query: z.object({
      days: z
        .string()
        .regex(/^\d+$/, 'must be a whole number')
        .refine((text) => Number(text) >= 1 && Number(text) <= 366, 'must be from 1 to 366')
        .optional()
        .openapi({ description: 'Days, 1 to 366 (default 90).' }),
    }),
  },
  responses: {
    200: {
      description: 'The daily points and tiers.',
      content: { 'application/json': { schema: scoreHistorySchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const scoresRoute = createRoute({
  method: 'post',
  path: '/v1/scores',
  summary: 'Scores of up to 1,000 candidates',
  description: 'Unknown ids are listed in `notFound`; scores come in the order asked.',
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 256 * 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: scoresBodySchema } } },
  },
  responses: {
    200: {
      description: 'The scores found.',
      content: { 'application/json': { schema: scoresReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

/** The candidate named in the path (null: unknown here) and the caller's organisation. */
function candidateAndOrg(db: Db, orgId: string, candidateId: string) {
  return Promise.all([findCandidate(db, orgId, candidateId), callerOrg(db, orgId)]);
}

const getScore: RouteHandler<typeof scoreRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const { orgId } = c.get('caller');
  const db = database(c.env.DB);
  const now = Date.now();
  const [candidate, org] = await candidateAndOrg(db, orgId, candidateId);
  if (!candidate) return candidateNotFound(c, candidateId);
  const rows = await scoreRows(db, orgId, [candidate.id]);
  return c.json(scoreReply(candidateId, rows.get(candidate.id), org.model, now), 200);
};

const getScoreHistory: RouteHandler<typeof scoreHistoryRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const days = Number(c.req.valid('query').days ?? 90);
  const { orgId } = c.get('caller');
  const db = database(c.env.DB);
  const [candidate, org] = await candidateAndOrg(db, orgId, candidateId);
  if (!candidate) return candidateNotFound(c, candidateId);
  const points = await scoreHistory(db, {
    orgId,
    candidateId: candidate.id,
    days,
    now: Date.now(),
    model: org.model,
  });
  const { engaged, highlyEngaged } = org.model.thresholds;
  return c.json({ candidateId, thresholds: { engaged, highlyEngaged }, points }, 200);
};

const postScores: RouteHandler<typeof scoresRoute, AppEnv> = async (c) => {
  const ids = [...new Set(c.req.valid('json').candidateIds)];
  const { orgId } = c.get('caller');
  const db = database(c.env.DB);
  const now = Date.now();
  const [found, org] = await Promise.all([findCandidates(db, orgId, ids), callerOrg(db, orgId)]);
  const rows = await scoreRows(
    db,
    orgId,
    [...found.values()].map((candidate) => candidate.id),
  );
  const scores = [];
  const notFound: string[] = [];
  for (const id of ids) {
    const candidate = found.get(id);
    if (candidate) scores.push(scoreReply(id, rows.get(candidate.id), org.model, now));
    else notFound.push(id);
  }
  return c.json({ scores, notFound }, 200);
};

export function registerScores(app: OpenAPIHono<AppEnv>): void {
  app.openapi(scoreRoute, getScore);
  app.openapi(scoreHistoryRoute, getScoreHistory);
  app.openapi(scoresRoute, postScores);
}
