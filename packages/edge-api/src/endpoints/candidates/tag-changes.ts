// `POST /v1/tag-changes`: tags added to and removed from many candidates at once, the console's
// bulk action on the candidate list (and an ATS sync's). Unlike `PUT …/tags` it changes only the
// tags named, leaving each candidate's others, and it never creates a candidate: an id the
// organisation does not have is a 404 naming it, and then nothing is written.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { type SQL, sql } from 'drizzle-orm';
import { requireRole } from '../../auth/require-role.js';
import { findCandidates } from '../../db/candidates.js';
import { database, inChunks, runBatchResults } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { errorResponses } from '../../schemas/error.js';
import { apiError, errorResponse } from '../../utils/errors.js';
import { tagChangesBodySchema, tagChangesReplySchema } from './schema.js';

export const tagChangesRoute = createRoute({
  method: 'post',
  path: '/v1/tag-changes',
  summary: 'Add and remove tags on many candidates',
  description:
    'Sets each tag of `add` and takes off each of `remove` on every candidate named (at most ' +
    '500 ids, 20 tags each way), in one transaction; their other tags stay. Every id must be a ' +
    'candidate of the organisation: otherwise a 404 names the unknown ones and nothing changes. ' +
    'Counts only real changes, so repeating a request adds and removes nothing.',
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 128 * 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: tagChangesBodySchema,
          example: { candidateIds: ['cand-1042', 'cand-1043'], add: ['java'], remove: ['old'] },
        },
      },
    },
  },
  responses: {
    200: {
      description: 'What changed.',
      content: { 'application/json': { schema: tagChangesReplySchema } },
    },
    ...errorResponses([400, 401, 403, 404, 413, 415, 503]),
  },
});

/** Each change as set-based SQL over a chunk of ids: a few statements, not one per row. */
function changeStatements(
  orgId: string,
  ids: string[],
  add: string[],
  remove: string[],
  now: number,
) {
  const inserts: SQL[] = [];
  const deletes: SQL[] = [];
  for (const part of inChunks(ids)) {
    const idList = sql.join(
      part.map((id) => sql`${id}`),
      sql`, `,
    );
    for (const tag of add) {
      inserts.push(sql`INSERT OR IGNORE INTO candidate_tags (org_id, candidate_id, tag, created_at)
        SELECT org_id, id, ${tag}, ${now} FROM candidates
        WHERE org_id = ${orgId} AND external_id IN (${idList})`);
    }
    if (remove.length > 0) {
      const tagList = sql.join(
        remove.map((tag) => sql`${tag}`),
        sql`, `,
      );
      deletes.push(sql`DELETE FROM candidate_tags WHERE org_id = ${orgId} AND tag IN (${tagList})
        AND candidate_id IN (SELECT id FROM candidates WHERE org_id = ${orgId}
          AND external_id IN (${idList}))`);
    }
  }
  return { inserts, deletes };
}

const changeTags: RouteHandler<typeof tagChangesRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const ids = [...new Set(body.candidateIds)];
  const add = [...new Set(body.add ?? [])];
  const remove = [...new Set(body.remove ?? [])];
  const { orgId } = c.get('caller');
  const db = database(c.env.DB);
  const known = await findCandidates(db, orgId, ids);
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const named = unknown.slice(0, 10).join(', ');
    const more = unknown.length > 10 ? ` and ${unknown.length - 10} more` : '';
    return errorResponse(
      c,
      apiError(
        'not_found',
        `No candidate ${named}${more} in this organisation; nothing was changed.`,
      ),
    );
  }
  const { inserts, deletes } = changeStatements(orgId, ids, add, remove, Date.now());
  const results = await runBatchResults(db, [...inserts, ...deletes]);
  const changes = results.map((result) => result.meta.changes ?? 0);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return c.json(
    {
      candidates: ids.length,
      added: sum(changes.slice(0, inserts.length)),
      removed: sum(changes.slice(inserts.length)),
    },
    200,
  );
};

export function registerTagChanges(app: OpenAPIHono<AppEnv>): void {
  app.openapi(tagChangesRoute, changeTags);
}
