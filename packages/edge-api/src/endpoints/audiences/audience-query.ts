// What `GET /v1/audiences` and its export share: the query (filters and sort), its checks, the
// filter it becomes, and reading a page of members with their tags.
import { type ScoringModel, scoreState, TIERS } from '@cxm/scoring';
import { z } from '@hono/zod-openapi';
import { and, eq, inArray } from 'drizzle-orm';
import { type Db, inChunks } from '../../db/client.js';
import { candidateTags } from '../../db/schema.js';
import { parseState } from '../../db/stored-score.js';
import {
  asList,
  cursorQuery,
  instantQuery,
  isoOrNull,
  limitQuery,
  parseInstant,
  repeatable,
  tierSchema,
} from '../../schemas/common.js';
import { BAD_CURSOR, type CursorCodec } from '../../utils/cursor.js';
import type { Issue } from '../../utils/errors.js';
import {
  type AudienceCursor,
  type AudienceFilter,
  audienceCountSql,
  audiencePageSql,
  type EngagedCursor,
  type ScoreCursor,
  tierKeyCounts,
  tierOfKey,
  tiersOnly,
} from './audience-sql.js';

/** The filters and the sort, without paging: what a view of the list is, and what is exported. */
export const audienceFilterQuery = z.object({
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
  sort: z
    .enum(['score', 'lastEngaged'])
    .optional()
    .openapi({
      description:
        '`score` (default): highest score first. `lastEngaged`: most recently engaged first, ' +
        'candidates who never engaged last.',
    }),
});

export const audienceQuery = audienceFilterQuery.extend({
  limit: limitQuery(500, 100),
  cursor: cursorQuery,
});

export type AudienceFilterQuery = z.infer<typeof audienceFilterQuery>;

function isScoreCursor(value: unknown): value is ScoreCursor {
  const v = value as ScoreCursor | null;
  return (typeof v?.k === 'number' || v?.k === null) && typeof v?.id === 'string';
}

function isEngagedCursor(value: unknown): value is EngagedCursor {
  const v = value as EngagedCursor | null;
  return (typeof v?.e === 'number' || v?.e === null) && Number.isSafeInteger(v?.r);
}

export function tagList(text: string | undefined): string[] {
  const tags = (text ?? '').split(',').map((tag) => tag.trim());
  return [...new Set(tags.filter(Boolean))];
}

/** A range whose start is not before its end selects nothing: surely a mistake, said so. */
function rangeIssue(name: string, after: string | undefined, before: string | undefined) {
  if (after === undefined || before === undefined) return [];
  if ((parseInstant(after) ?? 0) < (parseInstant(before) ?? 0)) return [];
  return [
    {
      path: `${name}After`,
      code: 'invalid',
      message: `must be before ${name}Before (${after} is not before ${before})`,
    },
  ];
}

/** What is wrong with the filters beyond each value's own type (checked before any read). */
export function filterIssues(query: AudienceFilterQuery, tags: string[]): Issue[] {
  const issues: Issue[] = [];
  if (tags.length > 20) {
    issues.push({
      path: 'tags',
      code: 'invalid',
      message: `at most 20 tags (${tags.length} given)`,
    });
  }
  if (
    query.neverContacted === 'true' &&
    (query.lastContactedBefore !== undefined || query.lastContactedAfter !== undefined)
  ) {
    issues.push({
      path: 'neverContacted',
      code: 'invalid',
      message: 'cannot be combined with lastContactedBefore or lastContactedAfter',
    });
  }
  issues.push(...rangeIssue('lastEngaged', query.lastEngagedAfter, query.lastEngagedBefore));
  issues.push(...rangeIssue('lastContacted', query.lastContactedAfter, query.lastContactedBefore));
  return issues;
}

/** The query's cursor for its sort, or null and an issue when it is not one this API made. */
export function cursorOf(
  query: { cursor?: string | undefined; sort?: string | undefined },
  cursors: CursorCodec,
): {
  cursor: AudienceCursor | null;
  issues: Issue[];
} {
  if (query.cursor === undefined) return { cursor: null, issues: [] };
  const cursor: AudienceCursor | null =
    query.sort === 'lastEngaged'
      ? cursors.decode(query.cursor, isEngagedCursor)
      : cursors.decode(query.cursor, isScoreCursor);
  if (cursor) return { cursor, issues: [] };
  return { cursor: null, issues: [{ ...BAD_CURSOR }] };
}

function instantOrNull(text: string | undefined): number | null {
  return text === undefined ? null : parseInstant(text);
}

/** The checked query as the SQL builder's filter. */
export function audienceFilter(
  query: AudienceFilterQuery,
  tags: string[],
  org: { orgId: string; model: ScoringModel; now: number },
): AudienceFilter {
  return {
    orgId: org.orgId,
    tiers: asList(query.tier),
    now: org.now,
    model: org.model,
    lastEngagedBefore: instantOrNull(query.lastEngagedBefore),
    lastEngagedAfter: instantOrNull(query.lastEngagedAfter),
    lastContactedBefore: instantOrNull(query.lastContactedBefore),
    lastContactedAfter: instantOrNull(query.lastContactedAfter),
    neverContacted: query.neverContacted === 'true',
    tags,
    tagMatch: query.tagMatch ?? 'all',
    sort: query.sort ?? 'score',
  };
}

interface AudienceRow {
  id: string;
  externalId: string;
  sortKey: number | null;
  state: string;
  lastEngagedAt: number | null;
  lastContactedAt: number | null;
  rowNumber: number;
}

/** A page of rows (up to `limit`), and the cursor after it when more follow. */
export async function audiencePage(
  d1: D1Database,
  filter: AudienceFilter,
  cursor: AudienceCursor | null,
  limit: number,
) {
  const page = audiencePageSql(filter, cursor, limit + 1);
  const rows = (
    await d1
      .prepare(page.sql)
      .bind(...page.params)
      .all<AudienceRow>()
  ).results;
  const members = rows.slice(0, limit);
  const last = members.at(-1);
  const next: AudienceCursor | null =
    rows.length > limit && last
      ? filter.sort === 'lastEngaged'
        ? { e: last.lastEngagedAt, r: last.rowNumber }
        : { k: last.sortKey, id: last.id }
      : null;
  return { members, next };
}

export async function audienceTotal(d1: D1Database, filter: AudienceFilter): Promise<number> {
  if (tiersOnly(filter)) {
    // A whole tier (the campaign-less audience most asked for): from the key buckets, not a
    // count of its members.
    const counts = await tierKeyCounts(d1, filter.orgId, filter.now, filter.model);
    const tiers = filter.tiers.length === 0 ? TIERS : filter.tiers;
    return [...new Set(tiers)].reduce((sum, tier) => sum + counts[tier], 0);
  }
  const count = audienceCountSql(filter);
  const row = await d1
    .prepare(count.sql)
    .bind(...count.params)
    .first<{ n: number }>();
  return row?.n ?? 0;
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

/** The rows as the API's members: tier and points at `now`, dates as ISO, tags. */
export async function membersOf(db: Db, filter: AudienceFilter, rows: AudienceRow[]) {
  const tagsOf = await tagsByCandidate(
    db,
    filter.orgId,
    rows.map((row) => row.id),
  );
  const at = { now: filter.now, model: filter.model };
  return rows.map((row) => ({
    candidateId: row.externalId,
    tier: tierOfKey(row.sortKey, filter.now, filter.model),
    points: scoreState(parseState(row.state), at).points,
    lastEngagedAt: isoOrNull(row.lastEngagedAt),
    lastContactedAt: isoOrNull(row.lastContactedAt),
    tags: tagsOf.get(row.id) ?? [],
  }));
}

export type AudienceMember = Awaited<ReturnType<typeof membersOf>>[number];
