import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Bindings } from '../env.js';
import {
  api,
  BROWSER_UA,
  beacon,
  createOrg,
  DEMO_ORIGIN,
  errorOf,
  json,
  request,
  rid,
  rows,
  visit,
} from '../test/client.js';
import { LIMITS, type LimiterName } from './rate-limit.js';

// Each test binds the tight test limiter (2 requests per key a minute, vitest.config.ts) in place
// of one real limiter, and sends from an outside address of its own, so keys never collide.
const tight = (name: LimiterName): Partial<Bindings> => ({ [name]: env.TEST_TIGHT_LIMITER });

let hosts = 0;
/** A fresh client on the internet, as Cloudflare's `CF-Connecting-IP` names it. */
function outsider(): string {
  hosts += 1;
  return `198.51.${Math.floor(Math.random() * 250)}.${(hosts % 250) + 1}`;
}

/**
 * Sends until the first 429, at most 5 times: 2 fit the test limiter's window, and a window that
 * rolls over mid-test (windows are aligned to the minute) lets at most 2 more through.
 */
async function untilLimited(send: () => Response | Promise<Response>): Promise<Response[]> {
  const replies: Response[] = [];
  while (replies.length < 5) {
    const reply = await send();
    replies.push(reply);
    if (reply.status === 429) break;
  }
  return replies;
}

async function expectRefusal(reply: Response | undefined, name: LimiterName) {
  expect(reply?.status).toBe(429);
  expect(reply?.headers.get('retry-after')).toBe(String(LIMITS[name].period));
  expect((await errorOf(reply!)).code).toBe('rate_limited');
}

describe('rate limits: POST /v1/collect per site key and client', () => {
  const bindings = tight('COLLECT_LIMITER');

  it('answers 429 with Retry-After to a flood from one client, and stores nothing for it', async () => {
    const org = await createOrg();
    const visitor = rid('v');
    const address = outsider();
    let page = 0;
    const send = () =>
      request(
        '/v1/collect',
        {
          method: 'POST',
          headers: {
            'content-type': 'text/plain',
            'user-agent': BROWSER_UA,
            origin: org.origin,
            'cf-connecting-ip': address,
          },
          body: JSON.stringify(
            beacon({
              site: org.siteKey,
              visitor: { id: visitor, kind: 'stored' },
              // A page of its own each time, so none is a repeat the collector folds away.
              events: [visit(`${org.origin}/jobs/${++page}`)],
            }),
          ),
        },
        bindings,
      );
    const replies = await untilLimited(send);
    const refused = replies.at(-1)!;
    await expectRefusal(refused, 'COLLECT_LIMITER');
    expect(replies[0]!.status).toBe(202);
    // The tracker on the page can read the 429 and its Retry-After.
    expect(refused.headers.get('access-control-allow-origin')).toBe(org.origin);
    expect(refused.headers.get('access-control-expose-headers')).toBe('Retry-After');
    const stored = await rows(
      'SELECT e.id FROM engagements e JOIN visitors v ON v.id = e.visitor_id WHERE v.device_id = ?',
      visitor,
    );
    expect(stored).toHaveLength(replies.length - 1);

    // Another client of the same site, and the same client on another site, are not held back.
    const other = await createOrg();
    const fresh = (site: string, origin: string, ip: string) =>
      request(
        '/v1/collect',
        {
          method: 'POST',
          headers: { 'content-type': 'text/plain', origin, 'cf-connecting-ip': ip },
          body: JSON.stringify(beacon({ site, events: [visit(`${origin}/jobs/1`)] })),
        },
        bindings,
      );
    expect((await fresh(org.siteKey, org.origin, outsider())).status).toBe(202);
    expect((await fresh(other.siteKey, other.origin, address)).status).toBe(202);
  });

  it('never limits a request that is not from the internet (tests, wrangler dev on loopback)', async () => {
    const body = JSON.stringify(beacon());
    for (const address of [undefined, '127.0.0.1', '::1']) {
      for (let i = 0; i < 4; i++) {
        const headers: Record<string, string> = {
          'content-type': 'text/plain',
          origin: DEMO_ORIGIN,
          ...(address ? { 'cf-connecting-ip': address } : {}),
        };
        const reply = await request('/v1/collect', { method: 'POST', headers, body }, bindings);
        expect(reply.status).toBe(202);
      }
    }
  });
});

describe('rate limits: GET /t.js per site key', () => {
  it('answers 429 with Retry-After once a site key is over, other keys unaffected', async () => {
    const bindings = tight('SCRIPT_LIMITER');
    const site = rid('pk');
    const load = (key: string) =>
      request(`/t.js?site=${key}`, { headers: { 'cf-connecting-ip': outsider() } }, bindings);
    const replies = await untilLimited(() => load(site));
    expect(replies[0]!.status).toBe(200);
    await expectRefusal(replies.at(-1), 'SCRIPT_LIMITER');
    expect((await load(rid('pk'))).status).toBe(200);
  });
});

describe('rate limits: GET /v1/o and /v1/c per token', () => {
  it('answers 429 with Retry-After to a link opened too often, and records no more', async () => {
    const bindings = tight('LINK_LIMITER');
    const org = await createOrg();
    const candidateId = rid('cand');
    const minted = await json<{ openUrl: string; clickUrls: Record<string, string> }>(
      api('POST', '/v1/links', org.keys.user, {
        candidateId,
        subject: 'Spring fair',
        destinations: [`${org.origin}/events/spring`],
      }),
    );
    const address = outsider();
    const recorded = async () =>
      (
        await rows(
          `SELECT e.id FROM engagements e JOIN candidates c ON c.id = e.candidate_id
           WHERE c.org_id = ? AND c.external_id = ?`,
          org.orgId,
          candidateId,
        )
      ).length;
    for (const url of [minted.openUrl, Object.values(minted.clickUrls)[0]!]) {
      const path = new URL(url).pathname;
      const follow = () =>
        request(path, { headers: { 'cf-connecting-ip': address }, redirect: 'manual' }, bindings);
      const replies = await untilLimited(follow);
      expect([200, 302]).toContain(replies[0]!.status);
      await expectRefusal(replies.at(-1), 'LINK_LIMITER');
      // Still over: refused again, and nothing recorded for it.
      const before = await recorded();
      await expectRefusal(await follow(), 'LINK_LIMITER');
      expect(await recorded()).toBe(before);
    }
    expect(await recorded()).toBeGreaterThan(0);
  });
});

describe('rate limits: the authenticated API', () => {
  it('answers 429 with Retry-After once a key is over, whichever client sends', async () => {
    const bindings = tight('API_LIMITER');
    const org = await createOrg();
    const whoami = (key: string) =>
      request(
        '/v1/whoami',
        { headers: { authorization: `Bearer ${key}`, 'cf-connecting-ip': outsider() } },
        bindings,
      );
    const replies = await untilLimited(() => whoami(org.keys.user));
    expect(replies[0]!.status).toBe(200);
    await expectRefusal(replies.at(-1), 'API_LIMITER');
    expect((await whoami(org.keys.reporter)).status).toBe(200);
  });

  it('answers 429 instead of 401 to a client that keeps sending bad keys; good keys still work', async () => {
    const bindings = tight('AUTH_FAILURE_LIMITER');
    const org = await createOrg();
    const address = outsider();
    const call = (key: string | null, ip: string) =>
      request(
        '/v1/whoami',
        {
          headers: { 'cf-connecting-ip': ip, ...(key ? { authorization: `Bearer ${key}` } : {}) },
        },
        bindings,
      );
    const replies = await untilLimited(() => call(rid('sk_guess'), address));
    expect(replies[0]!.status).toBe(401);
    await expectRefusal(replies.at(-1), 'AUTH_FAILURE_LIMITER');
    expect((await call(null, address)).status).toBe(429);
    expect((await call(org.keys.user, address)).status).toBe(200);
    expect((await call(rid('sk_guess'), outsider())).status).toBe(401);
  });
});

describe('rate limits: console sign-in per client', () => {
  it('answers the sign-in page with 429 and Retry-After to a client that keeps trying', async () => {
    const bindings = tight('SIGN_IN_LIMITER');
    const address = outsider();
    const replies = await untilLimited(() =>
      request(
        '/console/sign-in',
        {
          method: 'POST',
          headers: {
            origin: 'http://api.test',
            'content-type': 'application/x-www-form-urlencoded',
            'cf-connecting-ip': address,
          },
          body: new URLSearchParams({ org: rid('nobody').toLowerCase() }).toString(),
          redirect: 'manual',
        },
        bindings,
      ),
    );
    expect(replies[0]!.status).not.toBe(429);
    const refused = replies.at(-1)!;
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(LIMITS.SIGN_IN_LIMITER.period));
    expect(await refused.text()).toContain('Too many sign-in attempts');
  });
});

describe('rate limits in the OpenAPI document', () => {
  it('lists 429 for every authenticated operation and every limited public one', async () => {
    const doc = await json<{
      paths: Record<string, Record<string, { security?: unknown[]; responses: object }>>;
    }>(request('/v1/openapi.json'));
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const limited =
          (operation.security?.length ?? 0) > 0 ||
          ['/v1/collect', '/t.js', '/v1/o/{token}', '/v1/c/{token}'].includes(path);
        if (limited && !('429' in operation.responses)) missing.push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
