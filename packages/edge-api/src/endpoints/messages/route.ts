// Texting candidates: `POST /v1/messages` (a user with a messaging licence, or a key with the
// messaging permission) decides everything up front (`send-message.ts`), writes the message and
// its monthly contact in one guarded batch (`queue-message.ts`) and queues it for delivery
// (`src/jobs/message-queue.ts`); `GET /v1/candidates/{id}/messages` is the conversation.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireRole } from '../../auth/require-role.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { contactDecision } from '../../messaging/rules/index.js';
import { jsonBody } from '../../middleware/json-body.js';
import { callerOrg, linkOrigins } from '../../orgs/context.js';
import { candidateIdParams, isoOrNull } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { type ApiError, apiError, errorResponse } from '../../utils/errors.js';
import { loadSend } from './load-send.js';
import { messageContent } from './message-content.js';
import { enqueueMessage, storeMessage, withdrawMessage } from './queue-message.js';
import {
  type MessageStatus,
  messageListSchema,
  sendMessageBodySchema,
  sentMessageSchema,
} from './schema.js';
import { planSend, type SendContext } from './send-message.js';

export const sendMessageRoute = createRoute({
  method: 'post',
  path: '/v1/messages',
  summary: 'Text a candidate (SMS, WhatsApp; Messenger and WeChat as replies)',
  description: [
    'Needs a user with a messaging licence or a key with the messaging permission (403',
    '`licence_required`). Refused, with a message that says why: no number (409',
    '`no_phone_number`), opted out (409 `opted_out`), no consent (409 `no_consent`), no contact',
    'left this month for a candidate not messaged in 45 days (409 `contacts_exhausted`), SMS to an',
    'unsupported country, WhatsApp embargoed, no sender number, free text outside WhatsApp’s',
    '24-hour window, Messenger/WeChat without a recent message from the candidate (422).',
    'Outside 08:00–20:00 in the candidate’s time the message is `scheduled`, never dropped.',
    'A `url` outside the organisation’s sites and link allowlist is a 400 `url_not_allowed`;',
    'otherwise the candidate gets a tracked link of their own (`GET /v1/m/{code}`).',
    'A queue that will not take the job is a 503 `messaging_unavailable`: nothing is sent.',
  ].join(' '),
  tags: ['Messaging'],
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 16 * 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: sendMessageBodySchema } } },
  },
  responses: {
    202: {
      description: 'Queued (or scheduled for the next window).',
      content: { 'application/json': { schema: sentMessageSchema } },
    },
    ...errorResponses([400, 401, 403, 409, 413, 415, 422, 503]),
  },
});

export const listMessagesRoute = createRoute({
  method: 'get',
  path: '/v1/candidates/{candidateId}/messages',
  summary: 'The conversation with a candidate, newest first',
  tags: ['Messaging'],
  security: [{ apiKey: ['user'] }],
  middleware: [requireRole('user')] as const,
  request: { params: candidateIdParams },
  responses: {
    200: {
      description: 'Both directions, with status and channel.',
      content: { 'application/json': { schema: messageListSchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

/** The origin providers call back: PUBLIC_ORIGIN, or (unset or empty) the request's own. */
export function callbackBase(c: Context<AppEnv>): string {
  return (c.env.PUBLIC_ORIGIN || new URL(c.req.url).origin).replace(/\/+$/, '');
}

/** Why this caller cannot text at all (no licence; texting not set up here), or null. */
function sendingRefusal(c: Context<AppEnv>): ApiError | null {
  const caller = c.get('caller');
  if (!caller.licence) {
    return apiError(
      'licence_required',
      caller.kind === 'user'
        ? 'Texting candidates needs a messaging licence; ask a manager for one.'
        : 'This key does not have the messaging permission.',
    );
  }
  if (!c.env.MESSAGE_QUEUE || !c.env.TWILIO_ACCOUNT_SID || !c.env.TWILIO_AUTH_TOKEN) {
    return apiError(
      'messaging_unavailable',
      'Texting is not set up on this server (provider or queue).',
    );
  }
  return null;
}

/** The same refusal as if the send had read the count: the last contact went to another send. */
function exhaustedRefusal(ctx: SendContext, now: number): ApiError {
  const exhausted = contactDecision({
    lastMessagedAt: null,
    now,
    used: ctx.org.allowance,
    allowance: ctx.org.allowance,
    zone: ctx.org.zone,
  });
  return apiError(
    'contacts_exhausted',
    exhausted.ok ? 'No monthly contacts left.' : exhausted.message,
  );
}

const send: RouteHandler<typeof sendMessageRoute, AppEnv> = async (c) => {
  const refusal = sendingRefusal(c);
  if (refusal) return errorResponse(c, refusal);
  const caller = c.get('caller');
  const request = c.req.valid('json');
  // Only a send with a link needs the organisation's allowed destinations.
  const allowed =
    request.url === undefined
      ? new Set<string>()
      : linkOrigins(await callerOrg(database(c.env.DB), caller.orgId));
  const content = messageContent(request, { allowed, base: callbackBase(c) });
  if (!content.ok) return errorResponse(c, content.error);
  const now = Date.now();
  const ctx = await loadSend(c.env.DB, {
    orgId: caller.orgId,
    externalId: request.candidateId,
    channel: request.channel,
    userId: caller.kind === 'user' ? caller.id : null,
    now,
  });
  if (!ctx) throw new Error(`organisation ${caller.orgId} of a valid caller is missing`);
  const plan = planSend(ctx, request);
  if ('code' in plan) return errorResponse(c, apiError(plan.code, plan.message));
  // A plan needs a number or a chat address, which only a known candidate has.
  if (!ctx.candidate) {
    return errorResponse(c, apiError('no_phone_number', 'The candidate has no phone number.'));
  }
  const { body, variables, link } = content.content;
  const stored = await storeMessage(c.env.DB, {
    orgId: caller.orgId,
    candidateId: ctx.candidate.id,
    channel: request.channel,
    plan,
    body,
    templateId: request.templateId ?? null,
    variables,
    sentBy: caller.actor,
    link,
    now,
  });
  if (!stored.ok) return errorResponse(c, exhaustedRefusal(ctx, now));
  try {
    await enqueueMessage(
      c.env.MESSAGE_QUEUE!,
      { kind: 'send', messageId: stored.id, orgId: caller.orgId, callbackBase: callbackBase(c) },
      plan.scheduledFor,
      now,
    );
  } catch (error) {
    console.error('messages: the queue refused a job', error);
    await withdrawMessage(c.env.DB, stored.id, now);
    return errorResponse(
      c,
      apiError(
        'messaging_unavailable',
        'Texting is unavailable for a moment; nothing was sent. Try again shortly.',
      ),
    );
  }
  return c.json(
    {
      id: stored.id,
      status: plan.scheduledFor === null ? ('queued' as const) : ('scheduled' as const),
      scheduledFor: isoOrNull(plan.scheduledFor),
      channel: request.channel,
      from: plan.from,
      usesContact: stored.usesContact,
      link: link?.tracked ?? null,
    },
    202,
  );
};

interface MessageRow {
  id: string;
  direction: 'outbound' | 'inbound';
  channel: 'sms' | 'whatsapp' | 'messenger' | 'wechat';
  from_address: string;
  to_address: string;
  body: string | null;
  template_id: string | null;
  status: MessageStatus;
  scheduled_for: number | null;
  error_code: string | null;
  error_message: string | null;
  sent_by: string | null;
  link_url: string | null;
  clicks: number;
  created_at: number;
  updated_at: number;
}

const list: RouteHandler<typeof listMessagesRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const orgId = c.get('caller').orgId;
  const db = c.env.DB;
  const candidate = await db
    .prepare('SELECT id FROM candidates WHERE org_id = ?1 AND external_id = ?2')
    .bind(orgId, candidateId)
    .first<{ id: string }>();
  if (!candidate) {
    return errorResponse(
      c,
      apiError('not_found', `No candidate ${candidateId} in this organisation.`),
    );
  }
  const { results } = await db
    .prepare(
      `SELECT * FROM messages WHERE org_id = ?1 AND candidate_id = ?2
       ORDER BY created_at DESC, id DESC LIMIT 200`,
    )
    .bind(orgId, candidate.id)
    .all<MessageRow>();
  return c.json(
    {
      candidateId,
      messages: results.map((row) => ({
        id: row.id,
        direction: row.direction,
        channel: row.channel,
        from: row.from_address,
        to: row.to_address,
        body: row.body,
        templateId: row.template_id,
        status: row.status,
        scheduledFor: isoOrNull(row.scheduled_for),
        errorCode: row.error_code,
        errorMessage: row.error_message,
        sentBy: row.sent_by,
        link: row.link_url === null ? null : { url: row.link_url, clicks: row.clicks },
        createdAt: new Date(row.created_at).toISOString(),
        updatedAt: new Date(row.updated_at).toISOString(),
      })),
    },
    200,
  );
};

export function registerMessages(app: OpenAPIHono<AppEnv>): void {
  app.openapi(sendMessageRoute, send);
  app.openapi(listMessagesRoute, list);
}
