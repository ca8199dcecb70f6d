// `GET /v1/audiences` (talent-pool re-engagement) and `GET /v1/reports/tiers`: reporter role
// (`GET /v1/reports/tier-history` in tier-history.ts, the export in export.ts).
import type { EngagementType } from '@cxm/scoring';
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { callerOrg } from '../../orgs/context.js';
import { dateOnlyQuery } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { cursorCodec } from '../../utils/cursor.js';
import { errorResponse, invalidRequest } from '../../utils/errors.js';
import {
  audienceFilter,
  audiencePage,
  audienceQuery,
  audienceTotal,
  cursorOf,
  filterIssues,
  membersOf,
  tagList,
} from './audience-query.js';
import { engagementDaysSql, tierKeyCounts } from './audience-sql.js';
import { registerAudienceExport } from './export.js';
import { DAY_MS, MAX_REPORT_DAYS, reportRange } from './report-range.js';
import { audienceSchema, tierReportSchema } from './schema.js';
import { registerTierHistory } from './tier-history.js';

export const audiencesRoute = createRoute({
  method: 'get',
  path: '/v1/audiences',
  summary: 'Candidates by tier, last engagement, last contact and tags',
  description:
    'Tier membership is computed at the moment of the request from the indexed sort key. ' +
    '`tier` is repeatable (none: all tiers). `lastEngagedBefore` is exclusive, ' +
    '`lastEngagedAfter` inclusive; candidates who never engaged have no last engagement and ' +
    'are left out by either. `lastContactedBefore` (exclusive) and `lastContactedAfter` ' +
    '(inclusive) select on the last contact (a text sent, or a contact recorded with ' +
    '`POST /v1/contacts`); candidates never contacted are left out by either and are what ' +
    '`neverContacted=true` selects. `tags=a,b` keeps candidates with all of them ' +
    '(`tagMatch=any`: with any). All filters combine. Ordered by score, highest first, or ' +
    '(`sort=lastEngaged`) most recently engaged first. A range whose start is not before its ' +
    'end is a 400. `GET /v1/audiences/export` gives every match in one file.',
  tags: ['Audiences and reports'],
  security: [{ apiKey: ['reporter'] }],
  middleware: [requireRole('reporter')] as const,
  request: { query: audienceQuery },
  responses: {
    200: {
      description: 'A page of the audience and its total size.',
      content: { 'application/json': { schema: audienceSchema } },
    },
    ...errorResponses([400, 401, 403]),
  },
});

export const tierReportRoute = createRoute({
  method: 'get',
  path: '/v1/reports/tiers',
  summary: 'Candidates per tier now, and engagements per type per day',
  description: `\`from\` and \`to\` are UTC dates, both included (default: the last 30 days); at most ${MAX_REPORT_DAYS} days.`,
  tags: ['Audiences and reports'],
  security: [{ apiKey: ['reporter'] }],
  middleware: [requireRole('reporter')] as const,
  request: {
    query: z.object({ from: dateOnlyQuery.optional(), to: dateOnlyQuery.optional() }),
  },
  responses: {
    200: {
      description: 'The report.',
      content: { 'application/json': { schema: tierReportSchema } },
    },
    ...errorResponses([400, 401, 403]),
  },
});

const listAudience: RouteHandler<typeof audiencesRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const { orgId } = c.get('caller');
  const tags = tagList(query.tags);
  // Bound to the sort too: a cursor of one order is not a position in the other.
  const cursors = cursorCodec(c.env.SECRETS_KEY, orgId, `audience:${query.sort ?? 'score'}`);
  const { cursor, issues } = cursorOf(query, cursors);
  issues.push(...filterIssues(query, tags));
  if (issues.length > 0) return errorResponse(c, invalidRequest(issues));

  const db = database(c.env.DB);
  const org = await callerOrg(db, orgId);
  const filter = audienceFilter(query, tags, { orgId, model: org.model, now: Date.now() });
  const limit = Number(query.limit ?? 100);
  const [page, total] = await Promise.all([
    audiencePage(c.env.DB, filter, cursor, limit),
    audienceTotal(c.env.DB, filter),
  ]);
  return c.json(
    {
      candidates: await membersOf(db, filter, page.members),
      total,
      nextCursor: page.next ? cursors.encode(page.next) : null,
    },
    200,
  );
};

const getTierReport: RouteHandler<typeof tierReportRoute, AppEnv> = async (c) => {
  const { orgId } = c.get('caller');
  const now = Date.now();
  const { from, to, issues } = reportRange(c.req.valid('query'), now);
  if (issues.length > 0) return errorResponse(c, invalidRequest(issues));
  const db = database(c.env.DB);
  const org = await callerOrg(db, orgId);
  const perDay = engagementDaysSql(orgId, from, to + DAY_MS);
  const [tiers, days] = await Promise.all([
    tierKeyCounts(c.env.DB, orgId, now, org.model),
    c.env.DB.prepare(perDay.sql)
      .bind(...perDay.params)
      .all<{ date: string; type: EngagementType; count: number }>(),
  ]);
  return c.json(
    {
      asOf: new Date(now).toISOString(),
      from: new Date(from).toISOString().slice(0, 10),
      to: new Date(to).toISOString().slice(0, 10),
      tiers,
      engagementsPerDay: days.results,
    },
    200,
  );
};

export function registerAudiences(app: OpenAPIHono<AppEnv>): void {
  app.openapi(audiencesRoute, listAudience);
  app.openapi(tierReportRoute, getTierReport);
  registerTierHistory(app);
  registerAudienceExport(app);
}
