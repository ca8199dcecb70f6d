// What the texting provider posts to us: status callbacks for texts we sent, and texts from
// candidates. Both are form-encoded and must carry a valid `X-Twilio-Signature` (HMAC-SHA1 with
// the auth token over the URL the provider called and the sorted parameters): anything unsigned
// or wrongly signed is refused with 403 and changes nothing. A verified post is answered 200 with
// an empty TwiML document (we reply, if at all, through the API, not in the webhook's answer).
// Bodies are capped at 16 KB before parsing (Twilio's own posts are well under 4 KB).
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../env.js';
import { providerFromEnv } from '../../messaging/provider/index.js';
import { readCappedText } from '../../middleware/capped-body.js';
import { errorResponses } from '../../schemas/error.js';
import { movingResponse, routeFound } from '../../shards/route.js';
import { type ApiError, apiError, errorResponse } from '../../utils/errors.js';
import { callbackBase } from '../messages/route.js';
import { match, receive } from './inbound.js';
import { applyStatus, statusOwner } from './status.js';

const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const MAX_BYTES = 16 * 1024;

const twimlReply = {
  description: 'Verified and handled (an empty TwiML answer).',
  content: { 'text/xml': { schema: z.string() } },
};

export const statusCallbackRoute = createRoute({
  method: 'post',
  path: '/v1/providers/twilio/status',
  summary: 'Twilio status callback (signed)',
  description:
    'Form-encoded `MessageSid`, `MessageStatus`, `ErrorCode`…; `X-Twilio-Signature` required.',
  tags: ['Messaging'],
  responses: { 200: twimlReply, ...errorResponses([400, 403, 413, 503]) },
});

export const inboundRoute = createRoute({
  method: 'post',
  path: '/v1/providers/twilio/inbound',
  summary: 'A text from a candidate (Twilio inbound webhook, signed)',
  description:
    'Form-encoded `MessageSid`, `From`, `To`, `Body`…; `X-Twilio-Signature` required. STOP and its variants opt out at once, START opts back in, HELP is answered.',
  tags: ['Messaging'],
  responses: { 200: twimlReply, ...errorResponses([400, 403, 413, 503]) },
});

/** The URL the provider signed: the public origin when configured, else the one it called. */
function signedUrl(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  return `${callbackBase(c)}${url.pathname}${url.search}`;
}

/** The verified form parameters, or why the post is refused. */
async function verifiedForm(
  c: Context<AppEnv>,
): Promise<{ ok: true; params: URLSearchParams } | { ok: false; error: ApiError }> {
  const provider = providerFromEnv(c.env);
  if (!provider) {
    return {
      ok: false,
      error: apiError('messaging_unavailable', 'Texting is not set up on this server.'),
    };
  }
  const body = await readCappedText(c.req.raw, MAX_BYTES);
  if (!body.ok) return body;
  const params = new URLSearchParams(body.text);
  const signature = c.req.header('x-twilio-signature') ?? null;
  if (!(await provider.verify(signedUrl(c), params, signature))) {
    return {
      ok: false,
      error: apiError(
        'forbidden',
        'Missing or wrong X-Twilio-Signature: this post is not from the provider.',
      ),
    };
  }
  return { ok: true, params };
}

const XML = { 'content-type': 'text/xml; charset=utf-8' };

const status: RouteHandler<typeof statusCallbackRoute, AppEnv> = async (c) => {
  const form = await verifiedForm(c);
  if (!form.ok) return errorResponse(c, form.error);
  const sid = form.params.get('MessageSid');
  const reported = form.params.get('MessageStatus') ?? form.params.get('SmsStatus');
  if (!sid || !reported) {
    return errorResponse(c, apiError('invalid_request', 'Missing MessageSid or MessageStatus.'));
  }
  const report = {
    sid,
    status: reported,
    errorCode: form.params.get('ErrorCode') || null,
    messageId: new URL(c.req.url).searchParams.get('message'),
  };
  const route = await routeFound(c.env, (shard) => statusOwner(shard.DB, report));
  if (route === null) return c.body(TWIML, 200, XML);
  if (route.kind === 'moving') return movingResponse(c);
  await applyStatus(route.env.DB, report, Date.now());
  return c.body(TWIML, 200, XML);
};

const inbound: RouteHandler<typeof inboundRoute, AppEnv> = async (c) => {
  const form = await verifiedForm(c);
  if (!form.ok) return errorResponse(c, form.error);
  const sid = form.params.get('MessageSid') ?? form.params.get('SmsSid');
  const from = form.params.get('From');
  const to = form.params.get('To');
  if (!sid || !from || !to) {
    return errorResponse(c, apiError('invalid_request', 'Missing MessageSid, From or To.'));
  }
  // The organisation with that number and a candidate at the sender's, asked of each shard.
  const route = await routeFound(c.env, async (shard) => {
    const found = await match(shard.DB, from, to);
    return 'orgId' in found ? found : null;
  });
  if (route?.kind === 'moving') return movingResponse(c);
  const outcome = await receive(
    route?.env.DB ?? c.env.DB,
    c.env.MESSAGE_QUEUE,
    { sid, from, to, body: form.params.get('Body') ?? '' },
    { now: Date.now(), callbackBase: callbackBase(c) },
  );
  if (!outcome.stored) console.warn(`inbound text ${sid} not stored: ${outcome.reason}`);
  return c.body(TWIML, 200, XML);
};

export function registerProviderWebhooks(app: OpenAPIHono<AppEnv>): void {
  app.openapi(statusCallbackRoute, status);
  app.openapi(inboundRoute, inbound);
}
