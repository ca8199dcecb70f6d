// The tracked link of a text message: `GET /v1/m/{code}` records `click_message` and redirects to
// the destination stored with the message (`message-links.ts`). Like email clicks, it is
// recorded whatever the career-site tracking toggle says: the candidate was texted by name.
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { errorResponses } from '../../schemas/error.js';
import { routeFound } from '../../shards/route.js';
import { apiError, type ErrorReply, errorResponse } from '../../utils/errors.js';
import { deliverAfterResponse } from '../../webhooks/after-response.js';
import { appendIdentityForSites, followMessageLink, linkedText } from './message-links.js';

const codeParams = z.object({
  code: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16}$/)
    .openapi({
      param: { name: 'code', in: 'path' },
      description: 'The link’s code (16 characters).',
    }),
});

export const messageLinkRoute = createRoute({
  method: 'get',
  path: '/v1/m/{code}',
  summary: 'Text message link: records `click_message`',
  description:
    'The tracked link a message sent with a `url` carries. Redirects (302) to that URL only, ' +
    "with a single-use identity code as `cxm_t` appended when it is on one of the organisation's " +
    'own sites, and counts the ' +
    'click on the message. Link previews fetched by messaging apps (and fetches within 5 s of ' +
    'sending) are stored as `machine` and not counted. An unknown code, or one whose candidate ' +
    'was purged, is a 404 and redirects nowhere.',
  tags: ['Messaging'],
  request: { params: codeParams },
  responses: {
    302: { description: 'To the message’s URL.' },
    ...errorResponses([404]),
  },
});

const NO_STORE = { 'Cache-Control': 'no-store, private', 'Referrer-Policy': 'no-referrer' };
const invalidLink = apiError('not_found', 'This link is not valid.');

/** A code of the wrong shape is a bad link like an unknown one: 404, not 400. */
const badLinkHook = (result: { success: boolean }, c: Context): ErrorReply | undefined =>
  result.success ? undefined : errorResponse(c, invalidLink);

const follow: RouteHandler<typeof messageLinkRoute, AppEnv> = async (c) => {
  const { code } = c.req.valid('param');
  const now = Date.now();
  // The code names no organisation: with shards, each is asked whose text it is. Nobody clicks
  // twice on purpose: while the organisation moves, the click waits for the move (seconds); past
  // the wait the reader still lands, read from the shard being copied, and nothing is stored.
  const route = await routeFound(c.env, (shard) => linkedText(shard.DB, code));
  if (route === null) return errorResponse(c, invalidLink);
  c.env = route.env;
  if (route.kind === 'moving') {
    const target = (await linkedText(c.env.DB, code))?.target;
    if (!target) return errorResponse(c, invalidLink);
    console.warn(`text link of ${route.orgId} not stored: the organisation is moving`);
    return c.body(null, 302, { Location: target, ...NO_STORE });
  }
  const db = database(c.env.DB);
  const followed = await followMessageLink(db, c.env.DB, {
    code,
    userAgent: c.req.header('user-agent'),
    now,
  });
  if (!followed) return errorResponse(c, invalidLink);
  const { target } = followed;
  await appendIdentityForSites(
    db,
    c.env.TOKEN_SECRET,
    { orgId: followed.orgId, candidateId: followed.candidateId, now },
    target,
  );
  deliverAfterResponse(c, followed.orgId);
  return c.body(null, 302, { Location: target.toString(), ...NO_STORE });
};

export function registerMessageLinks(app: OpenAPIHono<AppEnv>): void {
  app.openapi(messageLinkRoute, follow, badLinkHook);
}
