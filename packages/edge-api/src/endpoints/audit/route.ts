// `GET /v1/audit` (manager): the organisation's audit log, newest first: keys created and revoked,
// users and roles changed, sign-ins and failed sign-ins, settings, identity provider, allowance,
// campaign states, visitor links and purges (the purged id only as a hash). Filtered by action
// (or a family, `key.`), actor and time; paged by cursor. Entries older than the retention
// (`AUDIT_RETENTION_DAYS`) are deleted by the daily cron (`prune.ts`).
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { and, desc, eq, gte, like, lt, or } from 'drizzle-orm';
import { requireRole } from '../../auth/require-role.js';
import { database } from '../../db/client.js';
import { auditLog } from '../../db/schema.js';
import type { AppEnv } from '../../env.js';
import { parseInstant } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { BAD_CURSOR, cursorCodec } from '../../utils/cursor.js';
import { errorResponse, invalidRequest } from '../../utils/errors.js';
import { AUDIT_RETENTION_DAYS } from './prune.js';
import { auditPageSchema, auditQuerySchema } from './schema.js';

export const auditRoute = createRoute({
  method: 'get',
  path: '/v1/audit',
  summary: 'The audit log: who changed what, newest first',
  description: [
    'Every security-relevant change of the organisation: API keys created and revoked, users',
    'created, provisioned and changed (role, licence, deactivation), sign-ins and failed',
    'sign-ins, engagement, messaging and sign-in settings, campaigns created, changed, enabled,',
    'disabled and archived, visitors linked, contact details changed, candidates purged (the id',
    'only as an HMAC). Never a secret. Filter by `action` (exact, or a family ending in a dot),',
    '`actor`, `from` (inclusive) and `to` (exclusive); page with `limit` and `cursor`.',
    `Entries are kept ${AUDIT_RETENTION_DAYS} days.`,
  ].join(' '),
  tags: ['Audit'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  request: { query: auditQuerySchema },
  responses: {
    200: {
      description: 'A page of entries.',
      content: { 'application/json': { schema: auditPageSchema } },
    },
    ...errorResponses([400, 401, 403]),
  },
});

interface AuditCursor {
  at: number;
  id: string;
}

function isAuditCursor(value: unknown): value is AuditCursor {
  const v = value as AuditCursor | null;
  return typeof v?.at === 'number' && typeof v.id === 'string';
}

function parsedDetails(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const readAudit: RouteHandler<typeof auditRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const cursors = cursorCodec(c.env.SECRETS_KEY, c.get('caller').orgId, 'audit');
  const cursor = query.cursor === undefined ? null : cursors.decode(query.cursor, isAuditCursor);
  if (query.cursor !== undefined && cursor === null) {
    return errorResponse(c, invalidRequest([BAD_CURSOR]));
  }
  const from = query.from === undefined ? null : parseInstant(query.from);
  const to = query.to === undefined ? null : parseInstant(query.to);
  if (from !== null && to !== null && from >= to) {
    return errorResponse(
      c,
      invalidRequest([
        { path: 'from', code: 'invalid', message: `must be before to (${query.to})` },
      ]),
    );
  }
  const limit = Number(query.limit ?? 50);
  const a = auditLog;
  const { action } = query;
  const rows = await database(c.env.DB)
    .select()
    .from(a)
    .where(
      and(
        eq(a.orgId, c.get('caller').orgId),
        action === undefined
          ? undefined
          : action.endsWith('.')
            ? like(a.action, `${action}%`)
            : eq(a.action, action),
        query.actor === undefined ? undefined : eq(a.actor, query.actor),
        from === null ? undefined : gte(a.at, from),
        to === null ? undefined : lt(a.at, to),
        cursor === null
          ? undefined
          : or(lt(a.at, cursor.at), and(eq(a.at, cursor.at), lt(a.id, cursor.id))),
      ),
    )
    .orderBy(desc(a.at), desc(a.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json(
    {
      entries: page.map((row) => ({
        id: row.id,
        at: new Date(row.at).toISOString(),
        actor: row.actor,
        action: row.action,
        subject: row.subject,
        details: parsedDetails(row.details),
      })),
      nextCursor: rows.length > limit && last ? cursors.encode({ at: last.at, id: last.id }) : null,
    },
    200,
  );
};

export function registerAudit(app: OpenAPIHono<AppEnv>): void {
  app.openapi(auditRoute, readAudit);
}
