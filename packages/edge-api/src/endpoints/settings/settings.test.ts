import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL } from '@cxm/scoring';
// The tracker's snippet module alone (the worker does not import the tracker's browser code).
import { STUB, snippet } from '@cxm/tracker/snippet';
import { describe, expect, it } from 'vitest';
import {
  api,
  beacon,
  createOrg,
  DAY_MS,
  errorOf,
  json,
  request,
  rid,
  rows,
  sendBeacon,
  sendEngagements,
  visit,
} from '../../test/client.js';
import { rescoreDone } from '../../test/rescore.js';

interface Settings {
  trackingEnabled: boolean;
  allowedOrigins: string[];
  consentMode: string;
  onetrustCategory: string;
  dedupe: { visitMinutes: number; formMinutes: number };
  scoringModel: typeof DEFAULT_MODEL;
  webhookUrl: string | null;
  webhookSecret?: string;
  linkAllowlist: string[];
  siteKey: string | null;
  rescored?: number;
  rescore: { state: string; done: number; total: number } | null;
}

describe('GET/PUT /v1/settings/engagement', () => {
  it('reads the defaults and changes any subset of the writable fields', async () => {
    const org = await createOrg();
    const initial = await json<Settings>(api('GET', '/v1/settings/engagement', org.keys.manager));
    expect(initial).toMatchObject({
      trackingEnabled: true,
      allowedOrigins: [org.origin],
      consentMode: 'manual',
      onetrustCategory: 'C0004',
      dedupe: { visitMinutes: 30, formMinutes: 5 },
      scoringModel: DEFAULT_MODEL,
      webhookUrl: null,
      linkAllowlist: [],
      // No model change yet, so no rescore to show.
      rescore: null,
      siteKey: org.siteKey,
    });
    const changed = await json<Settings>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, {
        consentMode: 'onetrust',
        onetrustCategory: 'C0002',
        dedupe: { formMinutes: 10 },
        allowedOrigins: ['https://jobs.example.com', 'https://careers.example.com/'],
      }),
    );
    expect(changed).toMatchObject({
      consentMode: 'onetrust',
      onetrustCategory: 'C0002',
      dedupe: { visitMinutes: 30, formMinutes: 10 },
      allowedOrigins: ['https://jobs.example.com', 'https://careers.example.com'],
    });
    expect(await json(api('GET', '/v1/settings/engagement', org.keys.manager))).toEqual(
      Object.fromEntries(Object.entries(changed).filter(([key]) => key !== 'webhookSecret')),
    );
    const audit = await rows<{ action: string }>(
      "SELECT action FROM audit_log WHERE org_id = ? AND action = 'settings.update'",
      org.orgId,
    );
    expect(audit).toHaveLength(1);
  });

  it('lists every problem of a bad request, including every validateModel error', async () => {
    const org = await createOrg();
    const bad = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      scoringModel: {
        ...DEFAULT_MODEL,
        halfLifeDays: 0,
        thresholds: { engaged: 20, highlyEngaged: 10 },
      },
      allowedOrigins: ['not an origin', 'https://ok.example.com/with/path'],
      webhookUrl: 'http://hooks.example.com/cxm',
    });
    expect(bad.status).toBe(400);
    const error = await errorOf(bad);
    expect(error.code).toBe('invalid_request');
    const paths = error.issues!.map((issue) => issue.path);
    expect(paths).toContain('scoringModel.halfLifeDays');
    expect(paths.some((p) => p.startsWith('scoringModel.thresholds'))).toBe(true);
    expect(paths).toEqual(
      expect.arrayContaining(['allowedOrigins.0', 'allowedOrigins.1', 'webhookUrl']),
    );
    const unknown = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      colour: 'blue',
    });
    expect(unknown.status).toBe(400);
    // Nothing was changed by the refused requests.
    expect(
      (await json<Settings>(api('GET', '/v1/settings/engagement', org.keys.manager))).scoringModel,
    ).toEqual(DEFAULT_MODEL);
  });

  it('refuses a wildcard origin, saying wildcards are not supported, and stores nothing', async () => {
    const org = await createOrg();
    for (const field of ['allowedOrigins', 'linkAllowlist']) {
      for (const wildcard of ['https://*.example.com', 'https://careers.example.*', '*']) {
        const reply = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
          [field]: ['https://jobs.example.com', wildcard],
        });
        expect(reply.status, wildcard).toBe(400);
        const error = await errorOf(reply);
        expect(error.issues).toEqual([
          {
            path: `${field}.1`,
            code: 'invalid',
            message: expect.stringContaining('wildcards are not supported'),
          },
        ]);
      }
    }
    const after = await json<Settings>(api('GET', '/v1/settings/engagement', org.keys.manager));
    expect(after.allowedOrigins).toEqual([org.origin]);
    expect(after.linkAllowlist).toEqual([]);
    const audit = await rows('SELECT id FROM audit_log WHERE org_id = ?', org.orgId);
    expect(audit).toEqual([]);
  });

  it('refuses scoring models whose scores would overflow (400 naming the field)', async () => {
    const org = await createOrg();
    for (const [field, model] of [
      [
        'scoringModel.weights.attend_event',
        { ...DEFAULT_MODEL, weights: { ...DEFAULT_MODEL.weights, attend_event: 1e308 } },
      ],
      ['scoringModel.halfLifeDays', { ...DEFAULT_MODEL, halfLifeDays: 1e-320 }],
    ] as const) {
      const reply = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
        scoringModel: model,
      });
      expect(reply.status, field).toBe(400);
      const error = await errorOf(reply);
      expect(error.code).toBe('invalid_request');
      expect(error.issues!.map((issue) => issue.path)).toEqual([field]);
    }
    const kept = await json<Settings>(api('GET', '/v1/settings/engagement', org.keys.manager));
    expect(kept.scoringModel).toEqual(DEFAULT_MODEL);
  });

  it('refuses webhook URLs on IP literals and private, loopback or link-local names', async () => {
    const org = await createOrg();
    const put = (webhookUrl: string, bindings: { ALLOW_LOCAL_WEBHOOKS: string }) =>
      request(
        '/v1/settings/engagement',
        {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${org.keys.manager}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ webhookUrl }),
        },
        bindings,
      );
    // Deployed: the flag is not set.
    const production = { ALLOW_LOCAL_WEBHOOKS: '' };
    for (const url of [
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://LOCALHOST./hook',
      'http://localhost:3000/hook',
      'http://127.0.0.1:3000/hook',
      'https://127.0.0.1/hook',
      'https://127.1.2.3/hook',
      'https://10.0.0.5/hook',
      'https://172.16.0.1/hook',
      'https://172.31.255.255/hook',
      'https://192.168.1.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[fc00::1]/hook',
      'https://[fd12:3456::1]/hook',
      'https://[fe80::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://8.8.8.8/hook',
      'https://2130706433/hook',
      'https://0x7f000001/hook',
      'https://[2001:db8::1]/hook',
    ]) {
      const reply = await put(url, production);
      expect(reply.status, url).toBe(400);
      const error = await errorOf(reply);
      expect(error.code, url).toBe('invalid_request');
      expect(
        error.issues!.map((issue) => issue.path),
        url,
      ).toEqual(['webhookUrl']);
    }
    for (const url of ['https://hooks.example.com/cxm', 'https://172.example.com/x']) {
      expect((await put(url, production)).status, url).toBe(200);
    }
    // With the local-development flag (wrangler.jsonc vars, the test env): this machine only.
    for (const url of [
      'http://localhost:3000/hook',
      'http://127.0.0.1:3000/hook',
      'https://localhost/hook',
    ]) {
      expect((await put(url, { ALLOW_LOCAL_WEBHOOKS: 'true' })).status, url).toBe(200);
    }
    for (const url of ['http://10.0.0.5/hook', 'https://192.168.1.1/hook', 'http://[fe80::1]/']) {
      expect((await put(url, { ALLOW_LOCAL_WEBHOOKS: 'true' })).status, url).toBe(400);
    }
  });

  it('rescores every candidate with a new scoring model, in the background', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [{ type: 'open_email', ago: DAY_MS }]);
    const before = await json<{ tier: string; points: number }>(
      api('GET', `/v1/candidates/${cand}/score`, org.keys.user),
    );
    expect(before.tier).toBe('inactive');
    const model = { ...DEFAULT_MODEL, weights: { ...DEFAULT_MODEL.weights, open_email: 20 } };
    const reply = await json<Settings>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, { scoringModel: model }),
    );
    // The reply does not wait for the rescore: its pages go through the rescore queue.
    expect(reply.rescored).toBeUndefined();
    expect(reply.rescore).toMatchObject({ total: 1 });
    expect(reply.scoringModel.weights.open_email).toBe(20);
    expect(await rescoreDone(org)).toMatchObject({ state: 'done', done: 1, total: 1 });
    const after = await json<{ tier: string; points: number; storedTier: string }>(
      api('GET', `/v1/candidates/${cand}/score`, org.keys.user),
    );
    expect(after.tier).toBe('highly_engaged');
    expect(after.storedTier).toBe('highly_engaged');
    const audience = await json<{ total: number }>(
      api('GET', '/v1/audiences?tier=highly_engaged', org.keys.reporter),
    );
    expect(audience.total).toBe(1);
    // Back to the default model.
    const reset = await json<Settings>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, { scoringModel: null }),
    );
    expect(reset.scoringModel).toEqual(DEFAULT_MODEL);
    await rescoreDone(org);
    expect(
      (await json<{ tier: string }>(api('GET', `/v1/candidates/${cand}/score`, org.keys.user)))
        .tier,
    ).toBe('inactive');
  });

  it('shows a webhook secret once, when the URL is first set or rotated', async () => {
    const org = await createOrg();
    const set = await json<Settings>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, {
        webhookUrl: 'https://hooks.example.com/cxm',
      }),
    );
    expect(set.webhookUrl).toBe('https://hooks.example.com/cxm');
    expect(set.webhookSecret).toMatch(/^whsec_[\w-]{40,}$/);
    const again = await json<Settings>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, {
        webhookUrl: 'http://127.0.0.1:9999/hook',
      }),
    );
    expect(again.webhookSecret).toBeUndefined();
    const read = await json<Settings>(api('GET', '/v1/settings/engagement', org.keys.manager));
    expect(read.webhookSecret).toBeUndefined();
    const rotated = await json<Settings>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, { rotateWebhookSecret: true }),
    );
    expect(rotated.webhookSecret).toMatch(/^whsec_/);
    expect(rotated.webhookSecret).not.toBe(set.webhookSecret);
  });

  it('audits which settings changed and the values that are not secrets, and no empty change', async () => {
    const org = await createOrg();
    const audit = async () =>
      (
        await rows<{ actor: string; subject: string; details: string }>(
          "SELECT actor, subject, details FROM audit_log WHERE org_id = ? AND action = 'settings.update' ORDER BY at, rowid",
          org.orgId,
        )
      ).map((entry) => ({ ...entry, details: JSON.parse(entry.details) }));
    expect((await api('PUT', '/v1/settings/engagement', org.keys.manager, {})).status).toBe(200);
    expect(await audit()).toEqual([]);

    const set = await json<Settings>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, {
        trackingEnabled: false,
        webhookUrl: 'https://hooks.example.com/cxm',
        dedupe: { visitMinutes: 15 },
      }),
    );
    await api('PUT', '/v1/settings/engagement', org.keys.manager, { rotateWebhookSecret: true });
    const entries = await audit();
    expect(entries).toEqual([
      {
        actor: `key:key_${org.orgId}_manager`,
        subject: 'engagement',
        details: {
          // The body's fields in the schema's order, then the minted secret (not its value).
          changed: ['trackingEnabled', 'dedupe', 'webhookUrl', 'webhookSecret'],
          trackingEnabled: false,
          webhookUrl: 'https://hooks.example.com/cxm',
        },
      },
      {
        actor: `key:key_${org.orgId}_manager`,
        subject: 'engagement',
        details: { changed: ['webhookSecret'] },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(set.webhookSecret!);
  });

  it("creates an organisation's first site on its first site setting", async () => {
    const org = await createOrg();
    await env.DB.prepare('DELETE FROM sites WHERE org_id = ?').bind(org.orgId).run();
    const empty = await json<Settings>(api('GET', '/v1/settings/engagement', org.keys.manager));
    expect(empty).toMatchObject({ trackingEnabled: false, allowedOrigins: [], siteKey: null });
    const code = '/v1/settings/engagement/tracking-code';
    expect((await api('GET', code, org.keys.manager)).status).toBe(404);

    const created = await json<Settings>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, {
        allowedOrigins: ['https://jobs.example.com'],
      }),
    );
    expect(created.allowedOrigins).toEqual(['https://jobs.example.com']);
    expect(created.siteKey).toMatch(/^pk_[\w-]{16}$/);
    // A new site starts with tracking off until it is switched on.
    expect(created.trackingEnabled).toBe(false);
    const sites = await rows<{ public_key: string; name: string }>(
      'SELECT public_key, name FROM sites WHERE org_id = ?',
      org.orgId,
    );
    expect(sites).toEqual([{ public_key: created.siteKey, name: `Test ${org.orgId}` }]);
    // A second site setting changes that site; it does not add another.
    await api('PUT', '/v1/settings/engagement', org.keys.manager, { trackingEnabled: true });
    expect(await rows('SELECT id FROM sites WHERE org_id = ?', org.orgId)).toHaveLength(1);
    expect((await api('GET', code, org.keys.manager)).status).toBe(200);
  });

  it('needs the manager role', async () => {
    const org = await createOrg();
    expect((await api('GET', '/v1/settings/engagement', org.keys.reporter)).status).toBe(403);
    expect(
      (await api('PUT', '/v1/settings/engagement', org.keys.reporter, { trackingEnabled: false }))
        .status,
    ).toBe(403);
  });
});

describe('the tracking toggle', () => {
  it('switches the served t.js and collect together, without touching the site', async () => {
    const org = await createOrg();
    const tjs = () => api('GET', `/t.js?site=${org.siteKey}`);
    const on = await tjs();
    expect(on.status).toBe(200);
    const real = await on.text();
    expect(real.length).toBeGreaterThan(1000);
    expect(on.headers.get('cache-control')).toBe(
      'public, max-age=300, stale-while-revalidate=3600',
    );
    expect(on.headers.get('content-type')).toContain('javascript');
    expect(on.headers.get('vary')).toBeNull();

    await api('PUT', '/v1/settings/engagement', org.keys.manager, { trackingEnabled: false });
    const off = await tjs();
    expect(off.status).toBe(200);
    const inert = await off.text();
    expect(inert).toMatch(/^\/\*.*\*\/\n$/);
    expect(inert).not.toContain('fetch');
    expect(off.headers.get('cache-control')).toBe('public, max-age=60');
    expect(off.headers.get('vary')).toBeNull();
    const beaconOff = await sendBeacon(
      beacon({ site: org.siteKey, events: [visit(`${org.origin}/jobs`)] }),
      {
        origin: org.origin,
      },
    );
    expect(await beaconOff.json()).toMatchObject({ accepted: 0, tracking: false });

    await api('PUT', '/v1/settings/engagement', org.keys.manager, { trackingEnabled: true });
    expect(await (await tjs()).text()).toBe(real);
    const beaconOn = await sendBeacon(
      beacon({ site: org.siteKey, events: [visit(`${org.origin}/jobs`)] }),
      {
        origin: org.origin,
      },
    );
    expect(await beaconOn.json()).toMatchObject({ accepted: 1, tracking: true });
  });

  it('refuses a malformed site parameter with a 400 the OpenAPI document lists', async () => {
    for (const query of [`site=${'k'.repeat(101)}`, 'site=pk_a&site=pk_b']) {
      const reply = await api('GET', `/t.js?${query}`);
      expect(reply.status, query).toBe(400);
      expect((await errorOf(reply)).code).toBe('invalid_request');
    }
    const doc = await json<Record<string, Record<string, Record<string, { responses: object }>>>>(
      api('GET', '/v1/openapi.json'),
    );
    expect(Object.keys(doc.paths?.['/t.js']?.get?.responses ?? {})).toContain('400');
  });

  it('serves the inert script for an unknown site key, and chunks as immutable', async () => {
    const unknown = await api('GET', '/t.js?site=pk_nobody');
    expect(await unknown.text()).toMatch(/^\/\*/);
    const real = await (await api('GET', '/t.js')).text();
    const chunk = /t\/(fp\.[0-9a-f]+\.js)/.exec(real)?.[1];
    expect(chunk).toMatch(/^fp\.[0-9a-f]{12}\.js$/);
    const served = await api('GET', `/t/${chunk}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // The chunk is the tracker build's file (the ASSETS binding), byte for byte.
    const built = await env.ASSETS!.fetch(`http://assets.test/t/${chunk}`);
    expect(built.status).toBe(200);
    expect(await served.text()).toBe(await built.text());
    expect((await api('GET', '/t/fp.000000000000.js')).status).toBe(404);
    expect((await api('GET', '/t/../manifest.json')).status).toBe(404);
    expect((await api('GET', '/manifest.json')).status).toBe(404);
  });
});

describe('GET /v1/settings/engagement/tracking-code', () => {
  it("returns the tracker's snippet for the site, plain or blocked by OneTrust until consent", async () => {
    const org = await createOrg();
    const plain = await json<{ consent: string; snippet: string }>(
      api('GET', '/v1/settings/engagement/tracking-code?consent=none', org.keys.manager),
    );
    // Its first line is the tracker's own snippet's, as pasted.
    expect(plain.snippet.split('\n')[0]).toBe(
      snippet('http://api.test', org.siteKey).split('\n')[0],
    );
    expect(plain.snippet).toBe(
      `<script>${STUB}</script>\n<script async src="http://api.test/t.js?site=${org.siteKey}" data-site="${org.siteKey}" data-form-visitor-field></script>`,
    );
    await api('PUT', '/v1/settings/engagement', org.keys.manager, { onetrustCategory: 'C0002' });
    const onetrust = await json<{ consent: string; snippet: string }>(
      api('GET', '/v1/settings/engagement/tracking-code?consent=onetrust', org.keys.manager),
    );
    expect(onetrust.snippet).toBe(
      `<script>${STUB}</script>\n` +
        `<script type="text/plain" class="optanon-category-C0002" async src="http://api.test/t.js?site=${org.siteKey}" data-site="${org.siteKey}" data-consent="onetrust" data-onetrust-category="C0002" data-form-visitor-field></script>`,
    );
    const bad = await api(
      'GET',
      '/v1/settings/engagement/tracking-code?consent=maybe',
      org.keys.manager,
    );
    expect(bad.status).toBe(400);
  });

  it("follows the organisation's consent mode unless another is asked for", async () => {
    const org = await createOrg();
    const code = () =>
      json<{ consent: string; snippet: string }>(
        api('GET', '/v1/settings/engagement/tracking-code', org.keys.manager),
      );
    const manual = await code();
    expect(manual.consent).toBe('manual');
    expect(manual.snippet).toContain(' data-consent="manual" data-form-visitor-field>');
    await api('PUT', '/v1/settings/engagement', org.keys.manager, { consentMode: 'none' });
    const none = await code();
    expect(none.consent).toBe('none');
    expect(none.snippet).not.toContain('data-consent');
    expect(none.snippet).toContain(' data-form-visitor-field>');
  });
});
