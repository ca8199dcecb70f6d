// `POST /v1/scores`: many candidates' scores at once (up to 1,000), decayed to now.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../../auth/api-keys.js';
import { findCandidates } from '../../db/candidates.js';
import { database } from '../../db/client.js';
import { storedScores } from '../../db/score-rows.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { callerOrg } from '../../orgs/context.js';
import { errorResponses } from '../../schemas/error.js';
import { scoresBodySchema, scoresReplySchema } from '../candidates/schema.js';
import { scoreReply } from './read-score.js';

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

export function registerScores(app: OpenAPIHono<AppEnv>): void {
  app.openapi(scoresRoute, async (c) => {
    const ids = [...new Set(c.req.valid('json').candidateIds)];
    const { orgId } = c.get('caller');
    const db = database(c.env.DB);
    const now = Date.now();
    const [found, org] = await Promise.all([findCandidates(db, orgId, ids), callerOrg(db, orgId)]);
    const rows = await storedScores(
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
  });
}
