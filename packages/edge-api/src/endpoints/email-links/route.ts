// Tracked email links (`POST /v1/links`), their open pixel (`GET /v1/o/{token}`) and click
// redirect (`GET /v1/c/{token}`), and identity tokens for logged-in portals. Opens and clicks are
// server-to-server engagements: recorded whatever the career-site tracking toggle says. Opens and
// clicks per token are limited (limits/rate-limit.ts), counted before the token is checked.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireRole } from '../../auth/require-role.js';
import { mintIdentityToken } from '../../auth/tokens.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { overLimit } from '../../limits/rate-limit.js';
import { jsonBody } from '../../middleware/json-body.js';
import { callerOrg, destinationIssues, linkOrigins, siteOrigins } from '../../orgs/context.js';
import { errorResponses } from '../../schemas/error.js';
import { apiError, type ErrorReply, errorResponse, invalidRequest } from '../../utils/errors.js';
import { followLink } from './follow-link.js';
import {
  identityTokenBodySchema,
  identityTokenReplySchema,
  linksBodySchema,
  linksReplySchema,
  tokenParams,
} from './schema.js';
import { appendIdentity, clickDestination, mintLinks } from './tracked-links.js';

/** A transparent 1x1 GIF (42 bytes). */
const PIXEL = Uint8Array.from(
  atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'),
  (char) => char.charCodeAt(0),
);

const NO_STORE = { 'Cache-Control': 'no-store, private', 'Referrer-Policy': 'no-referrer' };

export const linksRoute = createRoute({
  method: 'post',
  path: '/v1/links',
  summary: 'Mint tracked links for one email to one candidate',
  description:
    "Destinations must be http(s) URLs on one of the organisation's sites' allowed origins or " +
    'on its link allowlist (settings). Returns the open pixel URL and one redirect per ' +
    'destination. Tokens are opaque (encrypted and signed). A redirect to one of the ' +
    "organisation's own sites appends an identity code as `cxm_t` (for its tracker: valid an " +
    'hour, for the first browser that sends it); one to a link-allowlist origin does not.',
  tags: ['Email tracking'],
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 64 * 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: linksBodySchema } } },
  },
  responses: {
    201: {
      description: 'Minted.',
      content: { 'application/json': { schema: linksReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export const openRoute = createRoute({
  method: 'get',
  path: '/v1/o/{token}',
  summary: 'Open pixel: records `open_email`',
  description:
    'A 1x1 GIF. Opens from mail privacy proxies, crawlers, or within 10 s of minting are ' +
    'stored as `machine`. A token that fails its signature is a 404. 429: the link was opened ' +
    'too often; wait `Retry-After` seconds.',
  tags: ['Email tracking'],
  request: { params: tokenParams },
  responses: {
    200: {
      description: 'The pixel.',
      content: { 'image/gif': { schema: { type: 'string', format: 'binary' } } },
    },
    ...errorResponses([404, 429]),
  },
});

export const clickRoute = createRoute({
  method: 'get',
  path: '/v1/c/{token}',
  summary: 'Click redirect: records `click_email`',
  description:
    'Redirects (302) to the destination signed in the token, with a single-use identity code as ' +
    '`cxm_t` appended when the ' +
    "destination is on one of the organisation's own sites (never on link-allowlist origins). " +
    'A token that fails its signature is a 404 and redirects nowhere. An expired token, or one whose ' +
    'candidate was purged, redirects to its destination without tracking. 429: the link was ' +
    'followed too often; wait `Retry-After` seconds.',
  tags: ['Email tracking'],
  request: { params: tokenParams },
  responses: {
    302: { description: 'To the destination.' },
    ...errorResponses([404, 429]),
  },
});

export const identityTokenRoute = createRoute({
  method: 'post',
  path: '/v1/identity-tokens',
  summary: 'Mint a short-lived identity token (`cxm_t`) for a candidate',
  description:
    "For portals where the candidate is logged in: pass the token to the page's " +
    "`cxm('identify', token)` (preferred: it never sits in a URL), or add `cxm_t=<token>` to a " +
    'career-site URL, and the tracker there links that device to the candidate. Opaque.',
  tags: ['Email tracking'],
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 4096, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: identityTokenBodySchema } },
    },
  },
  responses: {
    201: {
      description: 'The token.',
      content: { 'application/json': { schema: identityTokenReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

const invalidLink = apiError('not_found', 'This link is not valid.');

/**
 * Validation of the pixel's and the redirect's path: a token the schema refuses (longer than its
 * limit) is a bad link like any other, a documented 404 that redirects nowhere, not a 400.
 */
const badLinkHook = (result: { success: boolean }, c: Context): ErrorReply | undefined =>
  result.success ? undefined : errorResponse(c, invalidLink);

const mintLinksHandler: RouteHandler<typeof linksRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const { orgId } = c.get('caller');
  const db = database(c.env.DB);
  const org = await callerOrg(db, orgId);
  const destinations = [...new Set(body.destinations)];
  const issues = destinationIssues(
    destinations,
    linkOrigins(org),
    (index) => `destinations.${index}`,
  );
  if (issues.length > 0) return errorResponse(c, invalidRequest(issues));
  const minted = await mintLinks(db, c.env.TOKEN_SECRET, {
    orgId,
    candidateId: body.candidateId,
    subject: body.subject,
    destinations,
    siteOrigins: siteOrigins(org),
    origin: new URL(c.req.url).origin,
    now: Date.now(),
  });
  return c.json(minted, 201);
};

const openPixel: RouteHandler<typeof openRoute, AppEnv> = async (c) => {
  const { token } = c.req.valid('param');
  const limited = await overLimit(c, 'LINK_LIMITER', token);
  if (limited) return limited;
  const followed = await followLink(c, { kind: 'open', token, read: () => PIXEL });
  if (!followed) return errorResponse(c, invalidLink);
  return c.body(followed.reply, 200, { 'Content-Type': 'image/gif', ...NO_STORE });
};

const clickRedirect: RouteHandler<typeof clickRoute, AppEnv> = async (c) => {
  const { token } = c.req.valid('param');
  const limited = await overLimit(c, 'LINK_LIMITER', token);
  if (limited) return limited;
  const followed = await followLink(c, { kind: 'click', token, read: clickDestination });
  if (!followed) return errorResponse(c, invalidLink);
  const { reply: target, tracked } = followed;
  if (tracked) await appendIdentity(c.env.TOKEN_SECRET, tracked, target);
  return c.body(null, 302, { Location: target.toString(), ...NO_STORE });
};

const identityTokenHandler: RouteHandler<typeof identityTokenRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const { orgId } = c.get('caller');
  const now = Date.now();
  const ttlSeconds = body.ttlSeconds ?? 60 * 60;
  const token = await mintIdentityToken(c.env.TOKEN_SECRET, {
    orgId,
    candidateId: body.candidateId,
    now,
    ttlSeconds,
  });
  return c.json(
    {
      token,
      param: 'cxm_t' as const,
      expiresAt: new Date((Math.floor(now / 1000) + ttlSeconds) * 1000).toISOString(),
    },
    201,
  );
};

export function registerLinks(app: OpenAPIHono<AppEnv>): void {
  app.openapi(linksRoute, mintLinksHandler);
  app.openapi(openRoute, openPixel, badLinkHook);
  app.openapi(clickRoute, clickRedirect, badLinkHook);
  app.openapi(identityTokenRoute, identityTokenHandler);
}
