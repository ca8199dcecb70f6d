// `GET /v1/audiences` (talent-pool re-engagement) and `GET /v1/reports/tiers`: reporter role.
import { type EngagementType, scoreState } from '@cxm/scoring';
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import { and, eq, inArray } from 'drizzle-orm';
import { requireRole } from '../../auth/require-role.js';
import { type Db, database, inChunks } from '../../db/client.js';
import { candidateTags } from '../../db/schema.js';
import { parseState } from '../../db/stored-score.js';
import type { AppEnv } from '../../env.js';
import { callerOrg } from '../../orgs/context.js';
import {
  asList,
  cursorQuery,
  dateOnlyQuery,
  instantQuery,
  isoOrNull,
  limitQuery,
  parseInstant,
  repeatable,
  tierSchema,
} from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { decodeCursor, encodeCursor } from '../../utils/cursor.js';
import { errorResponse, type Issue, invalidRequest } from '../../utils/errors.js';
import {
  type AudienceCursor,
  type AudienceFilter,
  audienceCountSql,
  audiencePageSql,
  engagementsPerDaySql,
  tierKeyCounts,
  tierOfKey,
} from './audience-sql.js';
import { audienceSchema, tierReportSchema } from './schema.js';

const audienceQuery = z.object({
  tier: repeatable(tierSchema).optional(),
  lastEngagedBefore: instantQuery.optional(),
  lastEngagedAfter: instantQuery.optional(),
  lastContactedBefore: instantQuery.optional(),
  lastContactedAfter: instantQuery.optional(),
  neverContacted: z
    .enum(['true', 'false'])
    .optional()
    .openapi({
      description:
        '`true`: only candidates never contacted. Not with `lastContactedBefore` or ' +
        '`lastContactedAfter` (a 400).',
      example: 'true',
    }),
  tags: z
    .string()
    .max(1000)
    .optional()
    .openapi({ description: 'Comma-separated tags, at most 20.', example: 'java,berlin' }),
  tagMatch: z.enum(['all', 'any']).optional(),
  limit: limitQuery(500, 100),
  cursor: cursorQuery,
});

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
    '(`tagMatch=any`: with any). All filters combine. Ordered by score, highest first.',
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

const MAX_REPORT_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

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

function isAudienceCursor(value: unknown): value is AudienceCursor {
  const v = value as AudienceCursor | null;
  return (typeof v?.k === 'number' || v?.k === null) && typeof v?.id === 'string';
}

/** The query's tags and cursor, or what is wrong with them (checked before any read). */
function audienceOptions(query: z.infer<typeof audienceQuery>) {
  const issues: Issue[] = [];
  const tags = [
    ...new Set(
      (query.tags ?? '')
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
  if (tags.length > 20) issues.push({ path: 'tags', code: 'invalid', message: 'at most 20 tags' });
  const neverContacted = query.neverContacted === 'true';
  if (
    neverContacted &&
    (query.lastContactedBefore !== undefined || query.lastContactedAfter !== undefined)
  ) {
    issues.push({
      path: 'neverContacted',
      code: 'invalid',
      message: 'cannot be combined with lastContactedBefore or lastContactedAfter',
    });
  }
  const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor, isAudienceCursor);
  if (query.cursor !== undefined && cursor === null) {
    issues.push({ path: 'cursor', code: 'invalid', message: 'is not a cursor this API made' });
  }
  return { tags, cursor, neverContacted, issues };
}

interface AudienceRow {
  id: string;
  externalId: string;
  sortKey: number | null;
  state: string;
  lastEngagedAt: number | null;
  lastContactedAt: number | null;
}

/** A page of the audience (one row more, to tell if more follow) and its size over all pages. */
async function audienceRows(
  d1: D1Database,
  filter: AudienceFilter,
  cursor: AudienceCursor | null,
  limit: number,
) {
  const page = audiencePageSql(filter, cursor, limit + 1);
  const count = audienceCountSql(filter);
  const [rows, total] = await Promise.all([
    d1
      .prepare(page.sql)
      .bind(...page.params)
      .all<AudienceRow>(),
    d1
      .prepare(count.sql)
      .bind(...count.params)
      .first<{ n: number }>(),
  ]);
  return { rows: rows.results, total: total?.n ?? 0 };
}

/** The tags of each candidate (internal ids), alphabetical. */
async function tagsByCandidate(db: Db, orgId: string, ids: string[]) {
  const tagsOf = new Map<string, string[]>();
  for (const part of inChunks(ids)) {
    const tagRows = await db
      .select({ candidateId: candidateTags.candidateId, tag: candidateTags.tag })
      .from(candidateTags)
      .where(and(eq(candidateTags.orgId, orgId), inArray(candidateTags.candidateId, part)))
      .orderBy(candidateTags.tag);
    for (const row of tagRows) {
      const list = tagsOf.get(row.candidateId) ?? [];
      list.push(row.tag);
      tagsOf.set(row.candidateId, list);
    }
  }
  return tagsOf;
}

const listAudience: RouteHandler<typeof audiencesRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const { orgId } = c.get('caller');
  const { tags, cursor, neverContacted, issues } = audienceOptions(query);
  if (issues.length > 0) return errorResponse(c, invalidRequest(issues));

  const db = database(c.env.DB);
  const org = await callerOrg(db, orgId);
  const now = Date.now();
  const filter: AudienceFilter = {
    orgId,
    tiers: asList(query.tier),
    now,
    model: org.model,
    lastEngagedBefore:
      query.lastEngagedBefore === undefined ? null : parseInstant(query.lastEngagedBefore),
    lastEngagedAfter:
      query.lastEngagedAfter === undefined ? null : parseInstant(query.lastEngagedAfter),
    lastContactedBefore:
      query.lastContactedBefore === undefined ? null : parseInstant(query.lastContactedBefore),
    lastContactedAfter:
      query.lastContactedAfter === undefined ? null : parseInstant(query.lastContactedAfter),
    neverContacted,
    tags,
    tagMatch: query.tagMatch ?? 'all',
  };
  const limit = Number(query.limit ?? 100);
  const { rows, total } = await audienceRows(c.env.DB, filter, cursor, limit);
  const members = rows.slice(0, limit);
  const tagsOf = await tagsByCandidate(
    db,
    orgId,
    members.map((row) => row.id),
  );
  const last = members.at(-1);
  return c.json(
    {
      candidates: members.map((row) => ({
        candidateId: row.externalId,
        tier: tierOfKey(row.sortKey, now, org.model),
        points: scoreState(parseState(row.state), { now, model: org.model }).points,
        lastEngagedAt: isoOrNull(row.lastEngagedAt),
        lastContactedAt: isoOrNull(row.lastContactedAt),
        tags: tagsOf.get(row.id) ?? [],
      })),
      total,
      nextCursor:
        rows.length > limit && last ? encodeCursor({ k: last.sortKey, id: last.id }) : null,
    },
    200,
  );
};

/** The report's first and last day (default: the last 30 days), or what is wrong with them. */
function reportRange(query: { from?: string; to?: string }, today: number) {
  const from = query.from ? Date.parse(`${query.from}T00:00:00Z`) : today - 29 * DAY_MS;
  const to = query.to ? Date.parse(`${query.to}T00:00:00Z`) : today;
  const issues: Issue[] = [];
  if (to < from) issues.push({ path: 'to', code: 'invalid', message: 'must not be before from' });
  else if ((to - from) / DAY_MS + 1 > MAX_REPORT_DAYS) {
    issues.push({
      path: 'to',
      code: 'invalid',
      message: `the range may cover at most ${MAX_REPORT_DAYS} days`,
    });
  }
  return { from, to, issues };
}

const getTierReport: RouteHandler<typeof tierReportRoute, AppEnv> = async (c) => {
  const { orgId } = c.get('caller');
  const now = Date.now();
  const { from, to, issues } = reportRange(c.req.valid('query'), Math.floor(now / DAY_MS) * DAY_MS);
  if (issues.length > 0) return errorResponse(c, invalidRequest(issues));
  const db = database(c.env.DB);
  const org = await callerOrg(db, orgId);
  const perDay = engagementsPerDaySql(orgId, from, to + DAY_MS);
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
}
