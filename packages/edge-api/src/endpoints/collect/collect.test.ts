import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { mintIdentityToken } from '../../auth/tokens.js';
import {
  api,
  BROWSER_UA,
  beacon,
  createOrg,
  DEMO_ORIGIN,
  errorOf,
  formSubmit,
  OTHER_ORIGIN,
  request,
  rid,
  rows,
  sendBeacon,
  visit,
} from '../../test/client.js';

const MINUTE = 60_000;

async function engagementsOf(deviceId: string) {
  return rows<{ type: string; detail: string; candidate_id: string | null; org_id: string }>(
    `SELECT e.type, e.detail, e.candidate_id, e.org_id FROM engagements e
     JOIN visitors v ON v.id = e.visitor_id WHERE v.device_id = ? ORDER BY e.occurred_at`,
    deviceId,
  );
}

describe('POST /v1/collect: accepting beacons', () => {
  it('stores a visit sent as text/plain, as sendBeacon sends it', async () => {
    const body = beacon();
    const response = await sendBeacon(body);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      dropped: 0,
      tracking: true,
      fingerprint: 'none',
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    const stored = await engagementsOf(body.visitor.id);
    expect(stored).toEqual([
      {
        type: 'visit_landing_page',
        detail: `${DEMO_ORIGIN}/jobs/engineer`,
        candidate_id: null,
        org_id: 'demo',
      },
    ]);
  });

  it('accepts application/json too', async () => {
    const response = await sendBeacon(beacon(), { contentType: 'application/json' });
    expect(response.status).toBe(202);
  });

  it('stores page URLs without tracking tokens, campaign parameters or fragments', async () => {
    const body = beacon({
      events: [visit(`${DEMO_ORIGIN}/jobs/1?utm_source=mail&cxm_t=abc.def&team=data&gclid=x#top`)],
    });
    await sendBeacon(body);
    const [stored] = await engagementsOf(body.visitor.id);
    expect(stored?.detail).toBe(`${DEMO_ORIGIN}/jobs/1?team=data`);
  });

  it('stores a form submit as its page plus the form id, never field values', async () => {
    const body = beacon({
      events: [formSubmit('apply-form', `${DEMO_ORIGIN}/apply?utm_medium=x`)],
    });
    await sendBeacon(body);
    const [stored] = await engagementsOf(body.visitor.id);
    expect(stored).toMatchObject({
      type: 'submit_form',
      detail: `${DEMO_ORIGIN}/apply form:apply-form`,
    });
  });
});

describe('POST /v1/collect: the visitor and the fingerprint beside it (issue 14)', () => {
  const FP = 'Fp0123456789abcdef0123456789ABCD';

  it('accepts a stored id with the FingerprintJS id beside it, and stores the events under the stored id', async () => {
    const body = beacon({
      visitor: { id: rid('v'), kind: 'stored', fp: FP, version: '5.2.0', confidence: 0.4 },
    });
    const response = await sendBeacon(body);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: 1, duplicates: 0, dropped: 0 });
    expect(await engagementsOf(body.visitor.id)).toHaveLength(1);
    // The fingerprint is not a visitor: nothing is stored under it.
    expect(await rows('SELECT id FROM visitors WHERE device_id = ?', FP)).toEqual([]);
  });

  it('keeps two profiles sharing a fingerprint apart: each visitor keeps its own events', async () => {
    const start = Date.now() - 3600_000;
    const a = { id: rid('a'), kind: 'stored' as const, fp: FP, version: '5.2.0' };
    const b = { id: rid('b'), kind: 'stored' as const, fp: FP, version: '5.2.0' };
    for (const visitor of [a, b]) {
      const reply = await sendBeacon(
        beacon({
          visitor,
          events: [
            visit(undefined, start),
            formSubmit('talent-network', undefined, start + MINUTE),
          ],
        }),
      );
      expect(await reply.json()).toMatchObject({ accepted: 2, duplicates: 0 });
    }
    expect((await engagementsOf(a.id)).map((e) => e.type)).toEqual([
      'visit_landing_page',
      'submit_form',
    ]);
    expect((await engagementsOf(b.id)).map((e) => e.type)).toEqual([
      'visit_landing_page',
      'submit_form',
    ]);
  });

  it('answers 400 invalid_request naming visitor.fp when fp is not shaped as an id', async () => {
    for (const fp of ['short', 'x'.repeat(65), 'has spaces in it', 'semi;colon-0001', 42]) {
      const body = beacon({ visitor: { id: rid('v'), kind: 'stored', fp: fp as string } });
      const response = await sendBeacon(body);
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_request');
      expect(error.issues?.map((issue) => issue.path)).toEqual(['visitor.fp']);
      expect(await engagementsOf(body.visitor.id)).toEqual([]);
    }
  });

  it('still accepts a beacon from a tracker cached before issue 14 (the fingerprint as the id)', async () => {
    const visitor = {
      id: rid('fp'),
      kind: 'fingerprint' as const,
      version: '5.2.0',
      confidence: 0.6,
    };
    const response = await sendBeacon(beacon({ visitor }));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: 1 });
    expect(await engagementsOf(visitor.id)).toHaveLength(1);
    const [stored] = await rows<{ kind: string; fingerprint_version: string | null }>(
      'SELECT kind, fingerprint_version FROM visitors WHERE device_id = ?',
      visitor.id,
    );
    expect(stored).toEqual({ kind: 'fingerprint', fingerprint_version: '5.2.0' });
  });
});

describe('POST /v1/collect: client mistakes', () => {
  it('answers 415 unsupported_media_type for a form-encoded body', async () => {
    const response = await sendBeacon(beacon(), {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('unsupported_media_type');
  });

  it('answers 413 payload_too_large above 16 KB', async () => {
    const body = beacon({ identity: 'x'.repeat(17 * 1024) });
    const response = await sendBeacon(body);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('payload_too_large');
  });

  it('checks the bytes read, not only Content-Length (chunked bodies have none)', async () => {
    const big = JSON.stringify(beacon({ identity: 'x'.repeat(17 * 1024) }));
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const response = await request('/v1/collect', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: DEMO_ORIGIN, 'user-agent': BROWSER_UA },
      body: stream,
      // @ts-expect-error: workerd's RequestInit accepts duplex for streamed bodies
      duplex: 'half',
    });
    expect(response.status).toBe(413);
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const response = await sendBeacon('{"v":1,');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_json');
  });

  it('answers 400 invalid_request naming each bad field', async () => {
    const response = await sendBeacon({ v: 1, site: 'pk_demo', visitor: { id: 'x' }, events: [] });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.issues?.map((issue) => issue.path)).toEqual(['visitor.id', 'visitor.kind']);
  });

  it('answers 400 unknown_type for an event type the browser may not send', async () => {
    const bad = { ...visit(), type: 'open_email' };
    const response = await sendBeacon(beacon({ events: [visit(), bad as never] }));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('unknown_type');
    expect(error.issues).toMatchObject([{ path: 'events.1.type', code: 'unknown_type' }]);
  });

  it('answers 400 date_out_of_range for times before 2000 or far in the future', async () => {
    const response = await sendBeacon(
      beacon({
        events: [
          visit(undefined, Date.UTC(1999, 11, 31)),
          visit(undefined, Date.now() + 3 * 24 * 3600_000),
        ],
      }),
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('date_out_of_range');
    expect(error.issues?.map((issue) => issue.path)).toEqual(['events.0.at', 'events.1.at']);
  });

  it('answers 404 unknown_site for a site key nobody has', async () => {
    const response = await sendBeacon(beacon({ site: 'pk_nobody' }));
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('unknown_site');
  });

  it('answers 403 origin_not_allowed for an origin the site does not allow, or none', async () => {
    const foreign = await sendBeacon(beacon(), { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await errorOf(foreign)).code).toBe('origin_not_allowed');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const none = await sendBeacon(beacon(), { origin: null });
    expect(none.status).toBe(403);
  });

  it('answers 400 url_not_allowed for a page URL off the allowed origins, storing nothing', async () => {
    const body = beacon({
      events: [visit(), visit('https://evil.example/jobs'), visit('ftp://localhost:8080/x')],
    });
    const response = await sendBeacon(body);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('url_not_allowed');
    expect(error.issues?.map((issue) => issue.path)).toEqual(['events.1.url', 'events.2.url']);
    expect(await engagementsOf(body.visitor.id)).toEqual([]);
  });

  it('answers JSON 404 and 405 for unknown routes and methods', async () => {
    const missing = await request('/v1/nope');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('not_found');
    const method = await request('/v1/collect', { method: 'GET' });
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toContain('POST');
    expect((await errorOf(method)).code).toBe('method_not_allowed');
  });
});

describe('POST /v1/collect: sites, bots and CORS', () => {
  it('stores nothing for a site with career-site tracking off, and says so', async () => {
    const key = rid('pk');
    await env.DB.prepare(
      `INSERT INTO sites (id, org_id, public_key, allowed_origins, tracking_enabled)
       VALUES (?, 'demo', ?, '["http://localhost:8080"]', 0)`,
    )
      .bind(rid('site'), key)
      .run();
    const body = beacon({ site: key });
    const response = await sendBeacon(body);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      accepted: 0,
      duplicates: 0,
      dropped: 1,
      tracking: false,
      fingerprint: 'unused',
    });
    expect(await rows('SELECT id FROM visitors WHERE device_id = ?', body.visitor.id)).toEqual([]);
  });

  it('applies a settings change to the very next beacon, though this isolate keeps the site', async () => {
    const org = await createOrg();
    const send = async () => {
      const body = beacon({ site: org.siteKey, events: [visit(`${org.origin}/jobs`)] });
      const response = await sendBeacon(body, { origin: org.origin });
      expect(response.status).toBe(202);
      return (await response.json()) as { accepted: number; tracking: boolean };
    };
    // The first beacon puts the site in the isolate's cache: a change behind the API's back
    // (as another isolate's save would be, here) is not seen by the origin check for 10 s...
    expect(await send()).toMatchObject({ accepted: 1, tracking: true });
    const origins = (list: string[]) =>
      env.DB.prepare('UPDATE sites SET allowed_origins = ? WHERE org_id = ?')
        .bind(JSON.stringify(list), org.orgId)
        .run();
    await origins(['https://elsewhere.example.com']);
    expect(await send()).toMatchObject({ accepted: 1, tracking: true });
    await origins([org.origin]);
    // ...but tracking turned off is, by the writer, which checks the site as stored: nothing is
    // stored while the cached copy still says on.
    await env.DB.prepare('UPDATE sites SET tracking_enabled = 0 WHERE org_id = ?')
      .bind(org.orgId)
      .run();
    expect(await send()).toMatchObject({ accepted: 0, tracking: false });
    await env.DB.prepare('UPDATE sites SET tracking_enabled = 1 WHERE org_id = ?')
      .bind(org.orgId)
      .run();
    const off = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      trackingEnabled: false,
    });
    expect(off.status).toBe(200);
    expect(await send()).toMatchObject({ accepted: 0, tracking: false });
    const [stored] = await rows<{ n: number }>(
      'SELECT COUNT(*) AS n FROM engagements WHERE org_id = ?',
      org.orgId,
    );
    expect(stored?.n).toBe(2);
    // Origins too: dropping the site's origin refuses its beacons at once.
    await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      trackingEnabled: true,
      allowedOrigins: ['https://elsewhere.example.com'],
    });
    const refused = await sendBeacon(beacon({ site: org.siteKey }), { origin: org.origin });
    expect(refused.status).toBe(403);
  });

  it('drops and counts beacons from crawlers and automation, storing no events', async () => {
    const before = await rows<{ n: number }>(
      "SELECT COALESCE(SUM(dropped_bots), 0) AS n FROM collect_stats WHERE site_id = 'site_demo'",
    );
    const crawler = beacon({ events: [visit(), visit(`${DEMO_ORIGIN}/b`)] });
    const crawled = await sendBeacon(crawler, {
      userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    });
    expect(await crawled.json()).toEqual({
      accepted: 0,
      duplicates: 0,
      dropped: 2,
      tracking: true,
      fingerprint: 'unused',
    });
    const headless = beacon();
    await sendBeacon(headless, { userAgent: `${BROWSER_UA} HeadlessChrome/156.0` });
    const automated = beacon({ automation: true });
    expect(await (await sendBeacon(automated)).json()).toMatchObject({ dropped: 1, accepted: 0 });
    for (const body of [crawler, headless, automated]) {
      expect(await engagementsOf(body.visitor.id)).toEqual([]);
    }
    const after = await rows<{ n: number }>(
      "SELECT SUM(dropped_bots) AS n FROM collect_stats WHERE site_id = 'site_demo'",
    );
    expect(after[0]!.n - before[0]!.n).toBe(4);
  });

  it("answers a CORS preflight only for the named site's own allowed origins", async () => {
    const preflight = (path: string, origin: string) =>
      request(path, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight('/v1/collect?site=pk_demo', 'http://127.0.0.1:8080');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
    // Another organisation's site allows careers.example.com: that is no answer for pk_demo, and
    // without a site key no preflight says whether some customer allows an origin.
    const other = await createOrg();
    for (const [path, origin] of [
      ['/v1/collect?site=pk_demo', other.origin],
      ['/v1/collect', other.origin],
      ['/v1/collect', 'http://127.0.0.1:8080'],
      [`/v1/collect?site=${rid('pk')}`, 'http://127.0.0.1:8080'],
      ['/v1/collect?site=pk_demo', 'https://evil.example'],
    ] as const) {
      const refused = await preflight(path, origin);
      expect(refused.status, `${path} from ${origin}`).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect((await preflight(`/v1/collect?site=${other.siteKey}`, other.origin)).status).toBe(204);
  });
});

describe('POST /v1/collect: dedupe', () => {
  it('stores an event once however often it is retried', async () => {
    const body = beacon();
    expect(await (await sendBeacon(body)).json()).toMatchObject({ accepted: 1 });
    expect(await (await sendBeacon(body)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await engagementsOf(body.visitor.id)).toHaveLength(1);
  });

  it('stores exactly one under concurrent identical sends', async () => {
    const body = beacon({ events: [visit(), formSubmit()] });
    const replies = await Promise.all(
      Array.from(
        { length: 10 },
        async () => (await sendBeacon(body)).json() as Promise<{ accepted: number }>,
      ),
    );
    expect(replies.reduce((sum, reply) => sum + reply.accepted, 0)).toBe(2);
    expect(await engagementsOf(body.visitor.id)).toHaveLength(2);
  });

  it('counts reloads of a page within 30 minutes once, even sent concurrently with new ids', async () => {
    const visitor = { id: rid('v'), kind: 'fingerprint' as const, version: '5.2.0' };
    const start = Date.now() - 2 * 3600_000;
    const sends = [0, 1, 2, 3, 4].map((i) =>
      sendBeacon(beacon({ visitor, events: [visit(undefined, start + i * MINUTE)] })),
    );
    await Promise.all(sends);
    expect(await engagementsOf(visitor.id)).toHaveLength(1);
    // 31 minutes after the counted one: a new visit.
    await sendBeacon(beacon({ visitor, events: [visit(undefined, start + 31 * MINUTE)] }));
    // Another page within the window is a different page.
    await sendBeacon(
      beacon({ visitor, events: [visit(`${DEMO_ORIGIN}/about`, start + 32 * MINUTE)] }),
    );
    expect(await engagementsOf(visitor.id)).toHaveLength(3);
  });

  it('counts repeated submits of a form within 5 minutes once', async () => {
    const visitor = { id: rid('v'), kind: 'stored' as const };
    const start = Date.now() - 3600_000;
    await sendBeacon(
      beacon({
        visitor,
        events: [
          formSubmit('apply', undefined, start),
          formSubmit('apply', undefined, start + 4 * MINUTE),
        ],
      }),
    );
    await sendBeacon(
      beacon({ visitor, events: [formSubmit('apply', undefined, start + 10 * MINUTE)] }),
    );
    await sendBeacon(
      beacon({ visitor, events: [formSubmit('other', undefined, start + 11 * MINUTE)] }),
    );
    expect(await engagementsOf(visitor.id)).toHaveLength(3);
  });
});

describe('POST /v1/collect: identity tokens', () => {
  it('links the visitor to the candidate of a valid token and scores the visit', async () => {
    const candidate = rid('cand');
    const token = await mintIdentityToken(env.TOKEN_SECRET, {
      orgId: 'demo',
      candidateId: candidate,
    });
    const body = beacon({ identity: token });
    const response = await sendBeacon(body);
    expect(await response.json()).toMatchObject({ accepted: 1 });
    const [score] = await rows<{ engagement_count: number; sort_key: number | null }>(
      `SELECT s.engagement_count, s.sort_key FROM scores s JOIN candidates c ON c.id = s.candidate_id
       WHERE c.org_id = 'demo' AND c.external_id = ?`,
      candidate,
    );
    expect(score?.engagement_count).toBe(1);
    expect(score?.sort_key).not.toBeNull();
    const [stored] = await engagementsOf(body.visitor.id);
    expect(stored?.candidate_id).not.toBeNull();
  });

  it('stores events as anonymous and counts the token when it is forged, expired or foreign', async () => {
    const before = await rows<{ n: number }>(
      "SELECT COALESCE(SUM(ignored_tokens), 0) AS n FROM collect_stats WHERE site_id = 'site_demo'",
    );
    const forged = `${await mintIdentityToken('wrong-secret', { orgId: 'demo', candidateId: 'x' })}`;
    const expired = await mintIdentityToken(env.TOKEN_SECRET, {
      orgId: 'demo',
      candidateId: 'x',
      now: Date.now() - 2 * 24 * 3600_000,
      ttlSeconds: 60,
    });
    const foreign = await mintIdentityToken(env.TOKEN_SECRET, { orgId: 'other', candidateId: 'x' });
    for (const identity of [forged, expired, foreign, 'garbage']) {
      const body = beacon({ identity });
      const response = await sendBeacon(body);
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ accepted: 1 });
      const [stored] = await engagementsOf(body.visitor.id);
      expect(stored?.candidate_id).toBeNull();
    }
    const after = await rows<{ n: number }>(
      "SELECT SUM(ignored_tokens) AS n FROM collect_stats WHERE site_id = 'site_demo'",
    );
    expect(after[0]!.n - before[0]!.n).toBe(4);
  });
});

describe("POST /v1/collect: identity codes (a tracked click's cxm_t)", () => {
  const code = (candidateId: string, orgId = 'demo') =>
    mintIdentityToken(env.TOKEN_SECRET, { orgId, candidateId, kind: 'code', ttlSeconds: 3600 });

  it('links the first device that presents it, that device again, and no other', async () => {
    const candidate = rid('cand');
    const sent = await code(candidate);
    const first = beacon({ identity: sent });
    expect(await (await sendBeacon(first)).json()).toMatchObject({ accepted: 1 });
    const [linked] = await engagementsOf(first.visitor.id);
    expect(linked?.candidate_id).not.toBeNull();
    const before = await rows<{ n: number }>(
      "SELECT COALESCE(SUM(ignored_tokens), 0) AS n FROM collect_stats WHERE site_id = 'site_demo'",
    );
    // The same browser's next page (or a retried beacon) still carries it: still its own.
    const again = beacon({ visitor: first.visitor, identity: sent });
    expect((await sendBeacon(again)).status).toBe(202);
    // The URL read from a log and replayed by another browser links nobody, and is counted.
    const replayed = beacon({ identity: sent });
    expect(await (await sendBeacon(replayed)).json()).toMatchObject({ accepted: 1 });
    const [anonymous] = await engagementsOf(replayed.visitor.id);
    expect(anonymous?.candidate_id).toBeNull();
    const after = await rows<{ n: number }>(
      "SELECT SUM(ignored_tokens) AS n FROM collect_stats WHERE site_id = 'site_demo'",
    );
    expect(after[0]!.n - before[0]!.n).toBe(1);
    // The code itself is not stored, only its hash and its owner.
    const claims = await rows<{ code_hash: string; device_id: string }>(
      'SELECT code_hash, device_id FROM identity_code_claims WHERE external_id = ?',
      candidate,
    );
    expect(claims).toEqual([
      { code_hash: expect.stringMatching(/^[0-9a-f]{64}$/), device_id: first.visitor.id },
    ]);
  });

  it('two devices presenting one code at once: one owner', async () => {
    const sent = await code(rid('cand'));
    const bodies = [
      beacon({ identity: sent }),
      beacon({ identity: sent }),
      beacon({ identity: sent }),
    ];
    await Promise.all(bodies.map((body) => sendBeacon(body)));
    const linked = await Promise.all(
      bodies.map(async (b) => (await engagementsOf(b.visitor.id))[0]),
    );
    expect(linked.filter((row) => row?.candidate_id != null)).toHaveLength(1);
  });

  it("refuses another organisation's code and an expired one, and the daily cron forgets claims", async () => {
    const foreign = beacon({ identity: await code(rid('cand'), 'other') });
    await sendBeacon(foreign);
    expect((await engagementsOf(foreign.visitor.id))[0]?.candidate_id).toBeNull();
    const expired = await mintIdentityToken(env.TOKEN_SECRET, {
      orgId: 'demo',
      candidateId: rid('cand'),
      kind: 'code',
      now: Date.now() - 2 * 3600_000,
      ttlSeconds: 3600,
    });
    const late = beacon({ identity: expired });
    await sendBeacon(late);
    expect((await engagementsOf(late.visitor.id))[0]?.candidate_id).toBeNull();
    const candidate = rid('cand');
    await sendBeacon(beacon({ identity: await code(candidate) }));
    const { pruneIdentityCodes } = await import('../../auth/click-identity.js');
    const { database } = await import('../../db/client.js');
    expect(await pruneIdentityCodes(database(env.DB), Date.now())).toBeGreaterThanOrEqual(0);
    const count = async () =>
      (await rows('SELECT 1 FROM identity_code_claims WHERE external_id = ?', candidate)).length;
    expect(await count()).toBe(1);
    await pruneIdentityCodes(database(env.DB), Date.now() + 3601_000);
    expect(await count()).toBe(0);
  });
});

describe('POST /v1/collect: organisations', () => {
  it("keeps another organisation's site and visitors apart", async () => {
    const visitor = { id: rid('v'), kind: 'stored' as const };
    // The same device on both organisations' sites: two visitors, one per organisation.
    await sendBeacon(beacon({ visitor }));
    const other = await sendBeacon(
      beacon({ site: 'pk_other', visitor, events: [visit(`${OTHER_ORIGIN}/jobs`)] }),
      { origin: OTHER_ORIGIN },
    );
    expect(other.status).toBe(202);
    const visitors = await rows<{ org_id: string }>(
      'SELECT org_id FROM visitors WHERE device_id = ? ORDER BY org_id',
      visitor.id,
    );
    expect(visitors.map((row) => row.org_id)).toEqual(['demo', 'other']);
    // pk_other does not accept the demo site's origin.
    const crossed = await sendBeacon(beacon({ site: 'pk_other', visitor }));
    expect(crossed.status).toBe(403);
  });
});
