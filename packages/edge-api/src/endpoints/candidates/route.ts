// A candidate's Engagement tab, their tags (synced from the ATS) and the purge; their scores are
// in ../scores. Candidates are named by the organisation's own id; one unknown to the caller's
// organisation is a 404 whoever else may have it.
import type { EngagementType } from '@cxm/scoring';
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import { and, desc, eq, gte, inArray, lt, or } from 'drizzle-orm';
import type { Context } from 'hono';
import { requireRole } from '../../auth/require-role.js';
import { OPTIONS } from '../../config.js';
import { findCandidate, newCandidateStatements } from '../../db/candidates.js';
import { type Db, database, insertRows, newId, runBatch, type Statement } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import { candidateTags, engagements } from '../../db/schema.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import {
  asList,
  candidateIdParams,
  cursorQuery,
  engagementTypeSchema,
  instantQuery,
  limitQuery,
  parseInstant,
  repeatable,
} from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { BAD_CURSOR, cursorCodec } from '../../utils/cursor.js';
import { apiError, errorResponse, invalidRequest } from '../../utils/errors.js';
import { purgeCandidate } from './purge.js';
import {
  engagementPageSchema,
  purgeReplySchema,
  tagsBodySchema,
  tagsReplySchema,
} from './schema.js';
import { registerTagChanges } from './tag-changes.js';

export const engagementsListRoute = createRoute({
  method: 'get',
  path: '/v1/candidates/{candidateId}/engagements',
  summary: "A candidate's engagements (the Engagement tab)",
  description:
    'Newest first. Filter by `type` (repeatable) and by `from` (inclusive) / `to` (exclusive) ' +
    'times; page with `limit` and `cursor`. Each engagement says how it came to be the ' +
    "candidate's (`attribution`).",
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [requireRole('user')] as const,
  request: {
    params: candidateIdParams,
    query: z.object({
      type: repeatable(engagementTypeSchema).optional(),
      from: instantQuery.optional(),
      to: instantQuery.optional(),
      limit: limitQuery(200, 50),
      cursor: cursorQuery,
    }),
  },
  responses: {
    200: {
      description: 'A page of engagements.',
      content: { 'application/json': { schema: engagementPageSchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const tagsReadRoute = createRoute({
  method: 'get',
  path: '/v1/candidates/{candidateId}/tags',
  summary: "A candidate's tags",
  description:
    'The tags, alphabetical: what the profile shows and edits (listing them with the candidates ' +
    'needs the reporter role). A candidate the organisation does not have is a 404.',
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [requireRole('user')] as const,
  request: { params: candidateIdParams },
  responses: {
    200: {
      description: 'The tags now set.',
      content: { 'application/json': { schema: tagsReplySchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const tagsRoute = createRoute({
  method: 'put',
  path: '/v1/candidates/{candidateId}/tags',
  summary: "Set a candidate's tags",
  description:
    'Replaces the tags (trimmed, deduplicated). A candidate not seen yet is created, so tags ' +
    'synced from the ATS may arrive before any engagement.',
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 16 * 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    params: candidateIdParams,
    body: {
      required: true,
      content: {
        'application/json': { schema: tagsBodySchema, example: { tags: ['backend', 'lisbon'] } },
      },
    },
  },
  responses: {
    200: {
      description: 'The tags now set.',
      content: { 'application/json': { schema: tagsReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export const purgeRoute = createRoute({
  method: 'delete',
  path: '/v1/candidates/{candidateId}',
  summary: 'Purge a candidate and everything stored about them',
  description:
    "Removes the candidate's engagements, tracked links, tags, score, linked devices and " +
    'undelivered webhooks, and reports the counts. The audit log keeps who purged and when, ' +
    'with a hash of the id rather than the id.',
  tags: ['Candidates'],
  security: [{ apiKey: ['admin'] }],
  middleware: [requireRole('admin')] as const,
  request: { params: candidateIdParams },
  responses: {
    200: {
      description: 'Purged.',
      content: { 'application/json': { schema: purgeReplySchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

interface EngagementCursor {
  t: number;
  id: string;
}

function isEngagementCursor(value: unknown): value is EngagementCursor {
  const v = value as EngagementCursor | null;
  return typeof v?.t === 'number' && typeof v.id === 'string';
}

/** The 404 of every read or write naming a candidate the caller's organisation does not have. */
export function candidateNotFound(c: Context, id: string) {
  return errorResponse(c, apiError('not_found', `No candidate ${id} in this organisation.`));
}

interface EngagementFilter {
  orgId: string;
  /** Internal id. */
  candidateId: string;
  types: EngagementType[];
  from: number | null;
  to: number | null;
  cursor: EngagementCursor | undefined;
  limit: number;
}

/** A page of a candidate's engagements, newest first, and one row more to tell if more follow. */
function engagementRows(db: Db, filter: EngagementFilter) {
  const { types, from, to, cursor } = filter;
  const e = engagements;
  return db
    .select({
      id: e.id,
      type: e.type,
      detail: e.detail,
      occurredAt: e.occurredAt,
      receivedAt: e.receivedAt,
      source: e.source,
      machine: e.machine,
      attribution: e.attribution,
    })
    .from(e)
    .where(
      and(
        eq(e.orgId, filter.orgId),
        eq(e.candidateId, filter.candidateId),
        types.length > 0 ? inArray(e.type, types) : undefined,
        from === null ? undefined : gte(e.occurredAt, from),
        to === null ? undefined : lt(e.occurredAt, to),
        cursor === undefined
          ? undefined
          : or(lt(e.occurredAt, cursor.t), and(eq(e.occurredAt, cursor.t), lt(e.id, cursor.id))),
      ),
    )
    .orderBy(desc(e.occurredAt), desc(e.id))
    .limit(filter.limit + 1);
}

type EngagementRow = Awaited<ReturnType<typeof engagementRows>>[number];

function engagementReply(row: EngagementRow) {
  return {
    id: row.id,
    type: row.type as EngagementType,
    detail: row.detail,
    occurredAt: new Date(row.occurredAt).toISOString(),
    receivedAt: new Date(row.receivedAt).toISOString(),
    source: row.source,
    machine: row.machine,
    attribution: row.attribution,
  };
}

const listEngagements: RouteHandler<typeof engagementsListRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const query = c.req.valid('query');
  const { orgId } = c.get('caller');
  const db = database(c.env.DB);
  // Bound to the candidate too: a cursor of one candidate's engagements pages no other's.
  const cursors = cursorCodec(c.env.SECRETS_KEY, orgId, `engagements:${candidateId}`);
  const cursor =
    query.cursor === undefined ? undefined : cursors.decode(query.cursor, isEngagementCursor);
  if (cursor === null) {
    return errorResponse(c, invalidRequest([BAD_CURSOR]));
  }
  const candidate = await findCandidate(db, orgId, candidateId);
  if (!candidate) return candidateNotFound(c, candidateId);
  const limit = Number(query.limit ?? 50);
  const rows = await engagementRows(db, {
    orgId,
    candidateId: candidate.id,
    types: asList(query.type),
    from: query.from === undefined ? null : parseInstant(query.from),
    to: query.to === undefined ? null : parseInstant(query.to),
    cursor,
    limit,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json(
    {
      engagements: page.map(engagementReply),
      nextCursor:
        rows.length > limit && last ? cursors.encode({ t: last.occurredAt, id: last.id }) : null,
    },
    200,
  );
};

const getTags: RouteHandler<typeof tagsReadRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const { orgId } = c.get('caller');
  const db = database(c.env.DB);
  const candidate = await findCandidate(db, orgId, candidateId);
  if (!candidate) return candidateNotFound(c, candidateId);
  const rows = await db
    .select({ tag: candidateTags.tag })
    .from(candidateTags)
    .where(and(eq(candidateTags.orgId, orgId), eq(candidateTags.candidateId, candidate.id)))
    .orderBy(candidateTags.tag);
  return c.json({ candidateId, tags: rows.map((row) => row.tag) }, 200);
};

const putTags: RouteHandler<typeof tagsRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const tags = [...new Set(c.req.valid('json').tags)].sort();
  const { orgId } = c.get('caller');
  const db = database(c.env.DB);
  // A concurrent first sight of the same candidate may win the insert: the batch then fails
  // on a foreign key and the retry finds that candidate.
  await withRetries(() => setTags(db, orgId, candidateId, tags), OPTIONS.writeAttempts);
  return c.json({ candidateId, tags }, 200);
};

const deleteCandidate: RouteHandler<typeof purgeRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const caller = c.get('caller');
  const db = database(c.env.DB);
  const candidate = await findCandidate(db, caller.orgId, candidateId);
  if (!candidate) return candidateNotFound(c, candidateId);
  const removed = await purgeCandidate(db, {
    orgId: caller.orgId,
    auditKey: c.env.SECRETS_KEY,
    candidate,
    actor: caller.actor,
    now: Date.now(),
  });
  return c.json({ candidateId, purged: true as const, removed }, 200);
};

export function registerCandidates(app: OpenAPIHono<AppEnv>): void {
  app.openapi(engagementsListRoute, listEngagements);
  app.openapi(tagsReadRoute, getTags);
  app.openapi(tagsRoute, putTags);
  app.openapi(purgeRoute, deleteCandidate);
  registerTagChanges(app);
}

async function setTags(db: Db, orgId: string, externalId: string, tags: string[]) {
  const now = Date.now();
  const known = await findCandidate(db, orgId, externalId);
  const candidateId = known?.id ?? newId();
  const statements: Statement[] = [];
  if (!known)
    statements.push(...newCandidateStatements(db, { orgId, id: candidateId, externalId, now }));
  statements.push(
    db
      .delete(candidateTags)
      .where(and(eq(candidateTags.orgId, orgId), eq(candidateTags.candidateId, candidateId))),
  );
  // Chunked: one row binds 4 parameters and D1 allows 100 per statement.
  statements.push(
    ...insertRows(
      db,
      candidateTags,
      tags.map((tag) => ({ orgId, candidateId, tag, createdAt: now })),
    ),
  );
  await runBatch(db, statements);
}
