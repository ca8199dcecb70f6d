// The webhook delivery log (manager): `GET /v1/webhook-deliveries` reads the outbox newest first;
// `POST /v1/webhook-deliveries/test` posts a `webhook.test` event now; `POST …/{id}/redeliver`
// posts an event again now with the same id and body (receivers dedupe by `id`), its attempts
// reset so a failure is retried with the backoff from the start. Sending and redelivering are
// audited (`webhook.test_sent`, `webhook.redelivered`); the posting itself is src/webhooks/deliver.ts.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { requireRole } from '../../auth/require-role.js';
import { auditInsert } from '../../db/audit.js';
import { type Db, database, newId, runBatch } from '../../db/client.js';
import { organisations, webhookDeliveries } from '../../db/schema.js';
import type { ApiCaller, AppEnv } from '../../env.js';
import { isoOrNull } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { BAD_CURSOR, cursorCodec } from '../../utils/cursor.js';
import { apiError, errorResponse, invalidRequest } from '../../utils/errors.js';
import { sealingSecrets } from '../../utils/sealed.js';
import { claimForRedelivery, deliverClaimed } from '../../webhooks/deliver.js';
import { testEventRow } from '../../webhooks/test-event.js';
import {
  deliveriesQuerySchema,
  deliveryIdParams,
  deliveryPageSchema,
  deliverySchema,
} from './schema.js';

const TAGS = ['Webhooks'];
const SECURITY = [{ apiKey: ['manager'] }];

export const listDeliveriesRoute = createRoute({
  method: 'get',
  path: '/v1/webhook-deliveries',
  summary: 'The webhook delivery log, newest first',
  description: [
    'Every event queued for the organisation’s webhook URL: its status (`pending` while it is',
    'still to be posted or retried, `delivered`, or `failed` after the last retry), attempts,',
    'the last error and the next retry, with the exact payload posted. Filter by `status` and',
    '`type`; page with `limit` and `cursor`.',
  ].join(' '),
  tags: TAGS,
  security: SECURITY,
  middleware: [requireRole('manager')] as const,
  request: { query: deliveriesQuerySchema },
  responses: {
    200: {
      description: 'A page of deliveries.',
      content: { 'application/json': { schema: deliveryPageSchema } },
    },
    ...errorResponses([400, 401, 403]),
  },
});

export const sendTestRoute = createRoute({
  method: 'post',
  path: '/v1/webhook-deliveries/test',
  summary: 'Send a test event to the webhook URL now',
  description: [
    'Posts `{ "id", "type": "webhook.test", "orgId", "occurredAt" }`, signed like every event,',
    'and answers with the outcome: `delivered`, or `failed` with `lastError` (a test event is',
    'tried once, never retried). 409 `webhook_not_configured` without a webhook URL.',
  ].join(' '),
  tags: TAGS,
  security: SECURITY,
  middleware: [requireRole('manager')] as const,
  responses: {
    201: {
      description: 'Sent; the delivery after its attempt.',
      content: { 'application/json': { schema: deliverySchema } },
    },
    ...errorResponses([401, 403, 409]),
  },
});

export const redeliverRoute = createRoute({
  method: 'post',
  path: '/v1/webhook-deliveries/{id}/redeliver',
  summary: 'Post an event again now',
  description: [
    'Delivered, failed or pending: the event is posted again at once with the same `id` and',
    'body (a receiver that has it already drops the duplicate by `id`). Its attempts start',
    'again from zero, so if this post fails it is retried with the usual backoff. 409',
    '`webhook_not_configured` without a webhook URL.',
  ].join(' '),
  tags: TAGS,
  security: SECURITY,
  middleware: [requireRole('manager')] as const,
  request: { params: deliveryIdParams },
  responses: {
    200: {
      description: 'The delivery after the attempt.',
      content: { 'application/json': { schema: deliverySchema } },
    },
    ...errorResponses([400, 401, 403, 404, 409]),
  },
});

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

function parsedPayload(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function eventType(payload: Record<string, unknown>): string {
  return typeof payload.type === 'string' ? payload.type : 'unknown';
}

function deliveryItem(row: DeliveryRow) {
  const payload = parsedPayload(row.payload);
  return {
    id: row.id,
    type: eventType(payload),
    status: row.status,
    attempts: row.attempts,
    createdAt: new Date(row.createdAt).toISOString(),
    deliveredAt: isoOrNull(row.deliveredAt),
    nextAttemptAt: row.status === 'pending' ? isoOrNull(row.nextAttemptAt) : null,
    lastError: row.lastError,
    payload,
  };
}

export interface DeliveryCursor {
  at: number;
  id: string;
}

function isDeliveryCursor(value: unknown): value is DeliveryCursor {
  const v = value as DeliveryCursor | null;
  return typeof v?.at === 'number' && typeof v.id === 'string';
}

/** A page of the delivery log, newest first, on `webhook_deliveries_org_created`. */
export function deliveriesPage(
  db: Db,
  input: {
    orgId: string;
    status?: (typeof webhookDeliveries.$inferSelect)['status'] | undefined;
    type?: string | undefined;
    cursor: DeliveryCursor | null;
    limit: number;
  },
) {
  const w = webhookDeliveries;
  const { cursor } = input;
  return db
    .select()
    .from(w)
    .where(
      and(
        eq(w.orgId, input.orgId),
        input.status === undefined ? undefined : eq(w.status, input.status),
        input.type === undefined
          ? undefined
          : sql`json_extract(${w.payload}, '$.type') = ${input.type}`,
        cursor === null
          ? undefined
          : or(lt(w.createdAt, cursor.at), and(eq(w.createdAt, cursor.at), lt(w.id, cursor.id))),
      ),
    )
    .orderBy(desc(w.createdAt), desc(w.id))
    .limit(input.limit);
}

const listDeliveries: RouteHandler<typeof listDeliveriesRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const cursors = cursorCodec(c.env.SECRETS_KEY, c.get('caller').orgId, 'webhook-deliveries');
  const cursor = query.cursor === undefined ? null : cursors.decode(query.cursor, isDeliveryCursor);
  if (query.cursor !== undefined && cursor === null) {
    return errorResponse(c, invalidRequest([BAD_CURSOR]));
  }
  const limit = Number(query.limit ?? 50);
  const rows = await deliveriesPage(database(c.env.DB), {
    orgId: c.get('caller').orgId,
    status: query.status,
    type: query.type,
    cursor,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json(
    {
      deliveries: page.map(deliveryItem),
      nextCursor:
        rows.length > limit && last ? cursors.encode({ at: last.createdAt, id: last.id }) : null,
    },
    200,
  );
};

/** Whether the organisation has somewhere to post to. */
async function hasWebhook(db: Db, orgId: string): Promise<boolean> {
  const [org] = await db
    .select({ url: organisations.webhookUrl })
    .from(organisations)
    .where(eq(organisations.id, orgId));
  return Boolean(org?.url);
}

const NOT_CONFIGURED = apiError(
  'webhook_not_configured',
  'The organisation has no webhook URL: set one in the settings first.',
);

/** The entry a manager's test or redelivery writes, in the batch that queues the post. */
function audited(
  db: Db,
  caller: ApiCaller,
  at: number,
  action: string,
  subject: string,
  details: unknown,
) {
  return auditInsert(db, {
    orgId: caller.orgId,
    actor: caller.actor,
    at,
    action,
    subject,
    details,
  });
}

/** Posts the claimed event `id` now and reads it back as the reply's item. */
async function deliverNow(c: Context<AppEnv>, db: Db, id: string, once: boolean) {
  const orgId = c.get('caller').orgId;
  await deliverClaimed(db, id, { now: Date.now(), secrets: sealingSecrets(c.env), orgId, once });
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  if (!row) throw new Error(`webhook delivery ${id} vanished while being delivered`);
  return deliveryItem(row);
}

const sendTest: RouteHandler<typeof sendTestRoute, AppEnv> = async (c) => {
  const caller = c.get('caller');
  const db = database(c.env.DB);
  if (!(await hasWebhook(db, caller.orgId))) return errorResponse(c, NOT_CONFIGURED);
  const now = Date.now();
  const id = newId();
  await runBatch(db, [
    db.insert(webhookDeliveries).values(testEventRow(id, caller.orgId, now)),
    audited(db, caller, now, 'webhook.test_sent', id, null),
  ]);
  return c.json(await deliverNow(c, db, id, true), 201);
};

const redeliver: RouteHandler<typeof redeliverRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const caller = c.get('caller');
  const db = database(c.env.DB);
  const w = webhookDeliveries;
  const [row] = await db
    .select({ status: w.status, attempts: w.attempts, payload: w.payload })
    .from(w)
    .where(and(eq(w.id, id), eq(w.orgId, caller.orgId)));
  if (!row) {
    return errorResponse(
      c,
      apiError('not_found', `No webhook delivery ${id} in this organisation.`),
    );
  }
  if (!(await hasWebhook(db, caller.orgId))) return errorResponse(c, NOT_CONFIGURED);
  const now = Date.now();
  const details = {
    type: eventType(parsedPayload(row.payload)),
    was: row.status,
    attempts: row.attempts,
  };
  await runBatch(db, [
    claimForRedelivery(db, caller.orgId, id, now),
    audited(db, caller, now, 'webhook.redelivered', id, details),
  ]);
  return c.json(await deliverNow(c, db, id, false), 200);
};

export function registerWebhookDeliveries(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listDeliveriesRoute, listDeliveries);
  app.openapi(sendTestRoute, sendTest);
  app.openapi(redeliverRoute, redeliver);
}
