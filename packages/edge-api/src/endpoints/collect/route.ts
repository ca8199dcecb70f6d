// `POST /v1/collect`: beacons from the browser tracker. The body is read here (text/plain or
// JSON, at most 16 KB), then: the site by its public key, the request's Origin against the
// site's allowed origins, every page URL likewise, bots dropped, an identity token verified,
// and the events queued for the writer (production, COLLECT_MODE "queue") or written deduped.
// Beacons per site key and client are limited (limits/rate-limit.ts), counted before the site is
// looked up so a flood costs no read.
import type { CollectReply } from '@cxm/tracker/wire';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { claimIdentityCode } from '../../auth/click-identity.js';
import { verifyToken } from '../../auth/tokens.js';
import { OPTIONS } from '../../config.js';
import { type Db, database } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import type { AppEnv } from '../../env.js';
import { client, overLimit } from '../../limits/rate-limit.js';
import { mediaType, readJson } from '../../middleware/json-body.js';
import { type SiteContext, siteByKey, sitesNow } from '../../orgs/sites.js';
import { clampToNow } from '../../schemas/dates.js';
import { errorResponses } from '../../schemas/error.js';
import { movingResponse, type Route } from '../../shards/route.js';
import { isBotUserAgent } from '../../utils/bots.js';
import {
  type ApiError,
  apiError,
  errorResponse,
  type Issue,
  invalidRequest,
  issuesFromZod,
} from '../../utils/errors.js';
import { httpOrigin, normaliseOrigin, storedPageUrl } from '../../utils/page-urls.js';
import { type Beacon, beaconSchema, collectReplySchema } from './schema.js';
import {
  type BeaconEventJob,
  type BeaconJob,
  type BeaconOutcome,
  countDropped,
  type IngestMessage,
  writeBeacon,
} from './write-beacon.js';

const ACCEPTED_TYPES = ['text/plain', 'application/json'];

/** What the tracker sends for one page view, as the reference's request example. */
const BEACON_EXAMPLE = {
  v: 1,
  site: 'pk_demo',
  visitor: { id: 'v_3f9c2a7d1e8b4c6a9f0d', kind: 'stored' },
  events: [
    {
      id: 'e_8b2d4f6a1c3e5a7b9d0f',
      type: 'visit_landing_page',
      url: 'https://careers.example.com/jobs/backend-engineer',
      at: 1795000000000,
    },
  ],
};

export const collectRoute = createRoute({
  method: 'post',
  path: '/v1/collect',
  summary: 'Receive a beacon from the browser tracker',
  description:
    'The body is a JSON beacon sent as `text/plain` (no CORS preflight) or `application/json`, ' +
    `at most ${OPTIONS.maxBeaconBytes} bytes and ${OPTIONS.maxBeaconEvents} events. The ` +
    "request's `Origin` and every page URL must be one of the site's allowed origins. A " +
    'browser sending `application/json` first sends a CORS preflight, answered only when the ' +
    'URL names the site (`/v1/collect?site=<key>`) and the site allows the origin. 429: too many ' +
    'beacons for the site from this client; wait `Retry-After` seconds.',
  request: {
    body: {
      required: true,
      // Parsed by the handler itself (Hono's json validator ignores text/plain bodies), so the
      // schema is documented under text/plain, which @hono/zod-openapi does not validate.
      content: {
        'text/plain': { schema: beaconSchema, example: BEACON_EXAMPLE },
        'application/json': {
          schema: { $ref: '#/components/schemas/Beacon' },
          example: BEACON_EXAMPLE,
        },
      },
    },
  },
  responses: {
    202: {
      description:
        'Accepted: how many events were stored, deduplicated or dropped. `tracking: false` ' +
        'means the site has career-site tracking off and nothing was stored. Where beacons ' +
        'are queued for the writer (production), deduplication happens after the reply: ' +
        '`accepted` counts every valid event, `duplicates` is 0 and `fingerprint` is `queued` ' +
        'when the beacon carries one.',
      content: { 'application/json': { schema: collectReplySchema } },
    },
    ...errorResponses([400, 403, 404, 413, 415, 429]),
  },
});

/** CORS headers for a reply to an allowed origin. */
function corsHeaders(origin: string): Record<string, string> {
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

function eventDetail(event: Beacon['events'][number]): string {
  const page = storedPageUrl(event.url);
  return event.type === 'submit_form' && event.form !== '' ? `${page} form:${event.form}` : page;
}

/**
 * The CORS preflight, for the site named in the URL (`?site=<key>`; a preflight has no body): only
 * an origin that site allows may send. An unknown key gets the same refusal as an origin the site
 * does not allow, so a preflight never tells whose site allows an origin (which would list the
 * customers to anyone who asks).
 */
async function preflight(c: Context<AppEnv>): Promise<Response> {
  const origin = normaliseOrigin(c.req.header('origin') ?? '');
  const key = c.req.query('site');
  const found = origin && key && key.length <= 100 ? await siteByKey(c.env, key) : null;
  const site = found?.site;
  if (origin === null || !site?.allowedOrigins.has(origin)) {
    return errorResponse(
      c,
      apiError(
        'origin_not_allowed',
        'This origin may not send beacons to this site (name it: /v1/collect?site=<key>).',
      ),
    );
  }
  return c.body(null, 204, {
    ...corsHeaders(origin),
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type',
    'Access-Control-Max-Age': '86400',
  });
}

type Step<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** The body as a beacon: an accepted media type, at most the size limit, valid JSON and schema. */
async function readBeacon(c: Context<AppEnv>): Promise<Step<Beacon>> {
  const type = mediaType(c.req.header('content-type'));
  if (!ACCEPTED_TYPES.includes(type)) {
    return {
      ok: false,
      error: apiError(
        'unsupported_media_type',
        `Send the beacon as text/plain or application/json${type ? `, not ${type}` : ''}.`,
      ),
    };
  }
  const body = await readJson(c.req.raw, OPTIONS.maxBeaconBytes);
  if (!body.ok) return body;
  const parsed = beaconSchema.safeParse(body.value);
  if (!parsed.success) return { ok: false, error: invalidRequest(issuesFromZod(parsed.error)) };
  return { ok: true, value: parsed.data };
}

/** The beacon's site and its organisation's route, if the request's Origin is one the site allows. */
async function siteAndOrigin(
  c: Context<AppEnv>,
  beacon: Beacon,
): Promise<Step<{ site: SiteContext; route: Route; origin: string }>> {
  const found = await siteByKey(c.env, beacon.site);
  if (!found) {
    return { ok: false, error: apiError('unknown_site', `No site has the key ${beacon.site}.`) };
  }
  const { site, route } = found;
  const origin = normaliseOrigin(c.req.header('origin') ?? '');
  if (origin === null || !site.allowedOrigins.has(origin)) {
    const message =
      origin === null
        ? 'The request has no Origin header; beacons come from browsers on the site.'
        : `The site does not allow beacons from ${origin}.`;
    return { ok: false, error: apiError('origin_not_allowed', message) };
  }
  return { ok: true, value: { site, route, origin } };
}

/** Every event's page must be on one of the site's allowed origins. */
function pageUrlIssues(beacon: Beacon, allowedOrigins: Set<string>): Issue[] {
  const issues: Issue[] = [];
  beacon.events.forEach((event, index) => {
    const eventOrigin = httpOrigin(event.url);
    if (eventOrigin === null || !allowedOrigins.has(eventOrigin)) {
      issues.push({
        path: `events.${index}.url`,
        code: 'url_not_allowed',
        message:
          eventOrigin === null
            ? 'must be an http(s) URL'
            : `${eventOrigin} is not one of the site's allowed origins`,
      });
    }
  });
  return issues;
}

/** Beacons the tracker flagged as automated or sent by a known bot are counted, not stored. */
function isBot(c: Context<AppEnv>, beacon: Beacon): boolean {
  return beacon.automation === true || isBotUserAgent(c.req.header('user-agent'));
}

/**
 * The candidate named by the beacon's identity token or code, and whether one was ignored. A code
 * (a tracked click's `cxm_t`) names them only for the first device that presents it
 * (auth/click-identity.ts); a token or code for another organisation is as good as none.
 */
async function identityOf(
  c: Context<AppEnv>,
  db: Db,
  input: { beacon: Beacon; site: SiteContext; receivedAt: number },
): Promise<Pick<BeaconJob, 'identityCandidate' | 'ignoredTokens'>> {
  const { beacon, site, receivedAt } = input;
  if (beacon.identity === undefined) return { identityCandidate: null, ignoredTokens: 0 };
  const token = await verifyToken(c.env.TOKEN_SECRET, beacon.identity, {
    kind: ['identity', 'code'],
    now: receivedAt,
  });
  const ignored = { identityCandidate: null, ignoredTokens: 1 };
  if (!token.ok || token.payload.o !== site.orgId) return ignored;
  if (token.payload.k === 'code') {
    const claim = { code: beacon.identity, payload: token.payload, deviceId: beacon.visitor.id };
    if (!(await withRetries(() => claimIdentityCode(db, claim), OPTIONS.writeAttempts))) {
      return ignored;
    }
  }
  return { identityCandidate: token.payload.c, ignoredTokens: 0 };
}

/** What the writer (here or in the queue consumer) needs: the site's settings and the events. */
function beaconJob(
  site: SiteContext,
  beacon: Beacon,
  receivedAt: number,
  identity: Pick<BeaconJob, 'identityCandidate' | 'ignoredTokens'>,
): BeaconJob {
  return {
    orgId: site.orgId,
    siteId: site.id,
    scoringModel: site.scoringModel,
    windows: {
      visitMs: site.visitWindowMinutes * 60_000,
      formMs: site.formWindowMinutes * 60_000,
    },
    visitor: {
      deviceId: beacon.visitor.id,
      kind: beacon.visitor.kind,
      fingerprintVersion: beacon.visitor.version ?? null,
      fp: beacon.visitor.fp ?? null,
    },
    identityCandidate: identity.identityCandidate,
    events: beacon.events.map(
      (event): BeaconEventJob => ({
        // Tracker ids are random per event; scoped to the visitor so no visitor can claim another's.
        eventKey: `trk:${beacon.visitor.id}:${event.id}`,
        type: event.type,
        detail: eventDetail(event),
        occurredAt: clampToNow(event.at, receivedAt),
      }),
    ),
    receivedAt,
    droppedBots: 0,
    ignoredTokens: identity.ignoredTokens,
  };
}

/** The reply to a beacon whose events were all dropped. */
function nothingStored(events: number, tracking: boolean): CollectReply {
  return { accepted: 0, duplicates: 0, dropped: events, tracking, fingerprint: 'unused' };
}

/**
 * The queue beacons go through: INGEST_QUEUE unless COLLECT_MODE is "direct" (local development;
 * production's wrangler.jsonc says "queue"). With no queue bound, collect writes itself.
 */
function ingestQueue(env: AppEnv['Bindings']): Queue | null {
  return env.COLLECT_MODE === 'direct' ? null : (env.INGEST_QUEUE ?? null);
}

/**
 * Writes the job now, or queues it for the consumer (jobs/ingest-queue.ts); null when, written
 * now, its site turns out to have tracking off as stored (the cached site was older).
 */
async function writeOrEnqueue(
  c: Context<AppEnv>,
  db: Db,
  job: BeaconJob,
): Promise<BeaconOutcome | null> {
  const queue = ingestQueue(c.env);
  if (queue) {
    const message: IngestMessage = { kind: 'beacon', job };
    await queue.send(message, { contentType: 'json' });
    // Deduplication happens in the consumer, so a queued reply cannot know it: every valid event
    // counts as accepted, none as a duplicate, and the fingerprint's use is `queued` (the site's
    // collect_stats count what was stored and repeated, once written).
    const fingerprint = job.visitor.fp ? 'queued' : 'none';
    return { accepted: job.events.length, duplicates: 0, fingerprint };
  }
  // Tracking and the model as stored now, not as the cached site had them (orgs/sites.ts).
  const site = (await sitesNow(db, [job.siteId])).get(job.siteId);
  if (!site?.trackingEnabled) return null;
  return writeBeacon(db, { ...job, scoringModel: site.scoringModel });
}

/**
 * The 429 readable by the page's tracker, so it can wait `Retry-After` (not a CORS-safelisted
 * header, hence the expose). It is answered before the site is known, for whichever origin asks:
 * it says nothing about any site.
 */
function tellTracker(c: Context<AppEnv>, reply: Response): Response {
  const origin = normaliseOrigin(c.req.header('origin') ?? '');
  if (origin !== null) {
    for (const [name, value] of Object.entries(corsHeaders(origin))) reply.headers.set(name, value);
    reply.headers.set('Access-Control-Expose-Headers', 'Retry-After');
  }
  return reply;
}

async function handleCollect(c: Context<AppEnv>): Promise<Response> {
  const receivedAt = Date.now();
  const read = await readBeacon(c);
  if (!read.ok) return errorResponse(c, read.error);
  const beacon = read.value;
  const limited = await overLimit(c, 'COLLECT_LIMITER', beacon.site, client(c));
  if (limited) return tellTracker(c, limited);
  const found = await siteAndOrigin(c, beacon);
  if (!found.ok) return errorResponse(c, found.error);
  const { site, route, origin } = found.value;
  // The tracker keeps the events and sends them again after Retry-After (5xx are retried).
  if (route.kind === 'moving') return tellTracker(c, movingResponse(c));
  c.env = route.env;
  const db = database(c.env.DB);
  // From here on the origin is allowed: every reply, errors included, carries CORS headers.
  const cors = corsHeaders(origin);
  const issues = pageUrlIssues(beacon, site.allowedOrigins);
  if (issues.length > 0) return errorResponse(c, invalidRequest(issues), cors);

  const events = beacon.events.length;
  if (!site.trackingEnabled) {
    // The tracker reads `tracking: false` and stops sending; nothing is stored or counted.
    return c.json(nothingStored(events, false), 202, cors);
  }
  if (isBot(c, beacon)) {
    await countDropped(db, { orgId: site.orgId, siteId: site.id, receivedAt, droppedBots: events });
    return c.json(nothingStored(events, true), 202, cors);
  }
  const identity = await identityOf(c, db, { beacon, site, receivedAt });
  const outcome = await writeOrEnqueue(c, db, beaconJob(site, beacon, receivedAt, identity));
  if (outcome === null) return c.json(nothingStored(events, false), 202, cors);
  return c.json({ ...outcome, dropped: 0, tracking: true }, 202, cors);
}

export function registerCollect(app: OpenAPIHono<AppEnv>): void {
  // Documented from the same schemas, but routed as a plain handler: it reads its own body.
  app.openAPIRegistry.registerPath(collectRoute);
  app.post('/v1/collect', handleCollect);
  app.options('/v1/collect', preflight);
}
