// `GET /v1/audiences/export` (reporter): every candidate matching the list's filters, in the
// list's order, as CSV or as the API's JSON, in one streamed response. It pages through with the
// same keyset cursor as `GET /v1/audiences` (500 rows a read), so memory stays one page however
// many match, and each read is the list's own index range.
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { callerOrg } from '../../orgs/context.js';
import { errorResponses } from '../../schemas/error.js';
import { errorResponse, type Issue, invalidRequest } from '../../utils/errors.js';
import {
  type AudienceMember,
  audienceFilter,
  audienceFilterQuery,
  audiencePage,
  audienceTotal,
  filterIssues,
  membersOf,
  tagList,
} from './audience-query.js';
import type { AudienceCursor, AudienceFilter } from './audience-sql.js';
import { csvLine } from './csv.js';

const PAGE = 500;
const MAX_IDS = 100;

/** The columns of the console's candidate list, in its order. */
export const CSV_COLUMNS = [
  'Candidate',
  'Tier',
  'Points',
  'Last engaged',
  'Last contacted',
  'Tags',
] as const;

const exportQuery = audienceFilterQuery.extend({
  format: z.enum(['csv', 'json']).optional().openapi({ description: '`csv` (default) or `json`.' }),
  ids: z
    .string()
    .max(MAX_IDS * 129)
    .optional()
    .openapi({
      description: `Comma-separated candidate ids, at most ${MAX_IDS}: only these (the rows a recruiter selected), still filtered.`,
      example: 'cand-1,cand-2',
    }),
});

export const audienceExportRoute = createRoute({
  method: 'get',
  path: '/v1/audiences/export',
  summary: 'Every candidate of an audience, as CSV or JSON, streamed',
  description:
    'The filters and `sort` of `GET /v1/audiences`; every match, not a page. CSV: a header row ' +
    `(${CSV_COLUMNS.join(', ')}), RFC 4180 quoting, CRLF line ends, and a cell that a ` +
    "spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) prefixed with '. " +
    'JSON: `{"candidates": [AudienceMember...], "total": n}` where `total` counts the rows ' +
    'written. Both are attachments; `X-Total-Count` is the count of matches when the export ' +
    'started. Rows are read page by page as the export runs, so a candidate whose score or ' +
    'last engagement changes meanwhile may move past the reading point (left out) or ahead of it ' +
    '(twice); the JSON `total` is exact for the file.',
  tags: ['Audiences and reports'],
  security: [{ apiKey: ['reporter'] }],
  middleware: [requireRole('reporter')] as const,
  request: { query: exportQuery },
  responses: {
    200: {
      description: 'The matches, as an attachment.',
      headers: z.object({
        'Content-Disposition': z.string().openapi({
          example: 'attachment; filename="candidates-2026-12-02.csv"',
        }),
        'X-Total-Count': z.string().openapi({ example: '1234' }),
      }),
      content: {
        'text/csv': { schema: z.string() },
        'application/json': {
          schema: z.object({ candidates: z.array(z.unknown()), total: z.number().int() }),
        },
      },
    },
    ...errorResponses([400, 401, 403]),
  },
});

function csvRow(member: AudienceMember): string {
  return csvLine([
    member.candidateId,
    member.tier,
    String(Math.round(member.points * 100) / 100),
    member.lastEngagedAt ?? '',
    member.lastContactedAt ?? '',
    member.tags.join(', '),
  ]);
}

/** The file as a stream: the opening, each page's rows, the closing; one read per pull. */
function exportStream(
  read: (
    cursor: AudienceCursor | null,
  ) => Promise<{ rows: AudienceMember[]; next: AudienceCursor | null }>,
  format: 'csv' | 'json',
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: AudienceCursor | null = null;
  let written = 0;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      const opening = format === 'csv' ? csvLine(CSV_COLUMNS) : '{"candidates":[';
      const page = await read(cursor);
      const text = page.rows
        .map((member, i) =>
          format === 'csv'
            ? csvRow(member)
            : `${written + i > 0 ? ',' : ''}${JSON.stringify(member)}`,
        )
        .join('');
      controller.enqueue(encoder.encode(`${started ? '' : opening}${text}`));
      started = true;
      written += page.rows.length;
      cursor = page.next;
      if (cursor === null) {
        if (format === 'json') controller.enqueue(encoder.encode(`],"total":${written}}`));
        controller.close();
      }
    },
  });
}

function idIssues(ids: string[]): Issue[] {
  if (ids.length <= MAX_IDS) return [];
  return [
    { path: 'ids', code: 'invalid', message: `at most ${MAX_IDS} ids (${ids.length} given)` },
  ];
}

const exportAudience: RouteHandler<typeof audienceExportRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const { orgId } = c.get('caller');
  const tags = tagList(query.tags);
  const ids = tagList(query.ids);
  const issues = [...filterIssues(query, tags), ...idIssues(ids)];
  if (issues.length > 0) return errorResponse(c, invalidRequest(issues));
  const db = database(c.env.DB);
  const org = await callerOrg(db, orgId);
  const now = Date.now();
  const filter: AudienceFilter = {
    ...audienceFilter(query, tags, { orgId, model: org.model, now }),
    ...(ids.length > 0 ? { ids } : {}),
  };
  const total = await audienceTotal(c.env.DB, filter);
  const format = query.format ?? 'csv';
  const stream = exportStream(async (cursor) => {
    const page = await audiencePage(c.env.DB, filter, cursor, PAGE);
    return { rows: await membersOf(db, filter, page.members), next: page.next };
  }, format);
  const day = new Date(now).toISOString().slice(0, 10);
  return c.body(stream, 200, {
    'Content-Type':
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'Content-Disposition': `attachment; filename="candidates-${day}.${format}"`,
    'X-Total-Count': String(total),
    'Cache-Control': 'no-store',
  }) as never;
};

export function registerAudienceExport(app: OpenAPIHono<AppEnv>): void {
  app.openapi(audienceExportRoute, exportAudience);
}
