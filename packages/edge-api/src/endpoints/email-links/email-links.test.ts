import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { mintToken, verifyToken } from '../../auth/tokens.js';
import {
  api,
  BROWSER_UA,
  createOrg,
  errorOf,
  json,
  request,
  rid,
  rows,
} from '../../test/client.js';

interface Minted {
  linkId: string;
  openUrl: string;
  clickUrls: Record<string, string>;
  expiresAt: string;
}

const path = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/** Everything readable in a token: its parts decoded as base64url (as text) and as they are. */
function revealed(token: string): string {
  const decoded = token.split('.').map((part) => {
    try {
      return atob(part.replaceAll('-', '+').replaceAll('_', '/'));
    } catch {
      return '';
    }
  });
  return [token, ...decoded].join('\n');
}

/** Links for a fresh candidate, minted a minute ago (so opens are not "just sent"). */
async function minted(destinations?: string[]) {
  const org = await createOrg();
  const candidateId = rid('cand');
  const reply = await api('POST', '/v1/links', org.keys.user, {
    candidateId,
    subject: 'Join us at the Spring hiring fair',
    destinations: destinations ?? [
      `${org.origin}/events/spring`,
      `${org.origin}/jobs/42?ref=mail#apply`,
    ],
  });
  expect(reply.status).toBe(201);
  const links = (await reply.json()) as Minted;
  await env.DB.prepare('UPDATE tracked_links SET created_at = created_at - 60000 WHERE id = ?')
    .bind(links.linkId)
    .run();
  return { org, candidateId, links };
}

async function engagementsOf(orgId: string, candidateId: string) {
  return rows<{ type: string; detail: string; machine: number; source: string }>(
    `SELECT e.type, e.detail, e.machine, e.source FROM engagements e JOIN candidates c ON c.id = e.candidate_id
     WHERE c.org_id = ? AND c.external_id = ? ORDER BY e.occurred_at`,
    orgId,
    candidateId,
  );
}

describe('POST /v1/links', () => {
  it('mints an open pixel and one click URL per destination on this API', async () => {
    const { org, links } = await minted();
    expect(links.openUrl).toMatch(/^http:\/\/api\.test\/v1\/o\/[\w-]+\.[\w-]+$/);
    expect(Object.keys(links.clickUrls)).toEqual([
      `${org.origin}/events/spring`,
      `${org.origin}/jobs/42?ref=mail#apply`,
    ]);
    for (const url of Object.values(links.clickUrls))
      expect(url).toMatch(/^http:\/\/api\.test\/v1\/c\//);
  });

  it('mints opaque tokens: a mail client or proxy reads no organisation, candidate, link or destination', async () => {
    const { org, candidateId, links } = await minted([
      'https://careers.example.com/jobs/secret-role-42',
    ]);
    for (const url of [links.openUrl, ...Object.values(links.clickUrls)]) {
      const token = new URL(url).pathname.split('/').pop()!;
      expect(revealed(token)).not.toMatch(
        new RegExp(`${org.orgId}|${candidateId}|${links.linkId}|secret-role-42|jobs`),
      );
    }
  });

  it('refuses a token with any byte changed, and one signed with another secret', async () => {
    const { links } = await minted();
    const token = new URL(links.clickUrls[Object.keys(links.clickUrls)[0]!]!).pathname
      .split('/')
      .pop()!;
    const [body, sig] = token.split('.') as [string, string];
    const flip = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    for (const tampered of [`${flip(body, 20)}.${sig}`, `${body}.${flip(sig, 5)}`]) {
      expect((await request(`/v1/c/${tampered}`)).status).toBe(404);
    }
    const foreign = await mintToken('another-secret', {
      k: 'click',
      o: 'demo',
      c: 'c-1',
      x: Date.now() / 1000 + 60,
      u: 'https://evil.example.net/',
    });
    expect((await request(`/v1/c/${foreign}`)).status).toBe(404);
  });

  it('refuses destinations off the allowed origins and the link allowlist', async () => {
    const org = await createOrg();
    const reply = await api('POST', '/v1/links', org.keys.user, {
      candidateId: 'c-1',
      subject: 'Hi',
      destinations: ['https://evil.example.net/phish', 'javascript:alert(1)', `${org.origin}/ok`],
    });
    expect(reply.status).toBe(400);
    const error = await errorOf(reply);
    expect(error.code).toBe('url_not_allowed');
    expect(error.issues?.map((i) => i.path)).toEqual(['destinations.0', 'destinations.1']);

    await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      linkAllowlist: ['https://events.example.org'],
    });
    const allowed = await api('POST', '/v1/links', org.keys.user, {
      candidateId: 'c-1',
      subject: 'Hi',
      destinations: ['https://events.example.org/fair'],
    });
    expect(allowed.status).toBe(201);
  });
});

describe('GET /v1/o/{token}: open pixel', () => {
  it('answers a 1x1 GIF and records open_email with the subject, once per hour', async () => {
    const { org, candidateId, links } = await minted();
    const first = await request(path(links.openUrl), { headers: { 'user-agent': BROWSER_UA } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/gif');
    expect(first.headers.get('cache-control')).toContain('no-store');
    const bytes = new Uint8Array(await first.arrayBuffer());
    expect(String.fromCharCode(...bytes.slice(0, 6))).toBe('GIF89a');
    // 1x1 (little-endian width and height), ending with the trailer byte.
    expect([...bytes.slice(6, 10)]).toEqual([1, 0, 1, 0]);
    expect(bytes.at(-1)).toBe(0x3b);
    await request(path(links.openUrl), { headers: { 'user-agent': BROWSER_UA } });
    expect(await engagementsOf(org.orgId, candidateId)).toEqual([
      {
        type: 'open_email',
        detail: 'Join us at the Spring hiring fair',
        machine: 0,
        source: 'email_link',
      },
    ]);
  });

  it('marks opens by mail privacy proxies, and opens right after sending, as machine', async () => {
    for (const ua of [
      'Mozilla/5.0',
      'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
    ]) {
      const { org, candidateId, links } = await minted();
      await request(path(links.openUrl), { headers: { 'user-agent': ua } });
      const stored = await engagementsOf(org.orgId, candidateId);
      expect(
        stored.map((e) => e.machine),
        ua,
      ).toEqual([1]);
      // The default model gives machine opens no weight.
      const score = await json<{ points: number }>(
        api('GET', `/v1/candidates/${candidateId}/score`, org.keys.user),
      );
      expect(score.points).toBe(0);
    }
    const org = await createOrg();
    const fresh = await json<Minted>(
      api('POST', '/v1/links', org.keys.user, {
        candidateId: 'c-fresh',
        subject: 'Just sent',
        destinations: [`${org.origin}/`],
      }),
    );
    await request(path(fresh.openUrl), { headers: { 'user-agent': BROWSER_UA } });
    expect((await engagementsOf(org.orgId, 'c-fresh')).map((e) => e.machine)).toEqual([1]);
  });

  it('refuses a tampered or foreign token with a 404 and records nothing', async () => {
    const { org, candidateId, links } = await minted();
    const token = links.openUrl.split('/v1/o/')[1]!;
    const [body, sig] = token.split('.') as [string, string];
    const tampered = `${body.slice(0, -2)}${body.endsWith('A') ? 'B' : 'A'}${body.slice(-1)}.${sig}`;
    const foreign = await mintToken('someone-elses-secret', {
      k: 'open',
      o: org.orgId,
      c: candidateId,
      x: Date.now() / 1000 + 3600,
      l: links.linkId,
    });
    for (const bad of [tampered, foreign, 'garbage', `${token}x`]) {
      const reply = await request(`/v1/o/${bad}`);
      expect(reply.status, bad).toBe(404);
      expect((await errorOf(reply)).code).toBe('not_found');
    }
    expect(await engagementsOf(org.orgId, candidateId)).toEqual([]);
  });
});

describe('GET /v1/c/{token}: click redirect', () => {
  it('records click_email and redirects to the signed destination with an opaque cxm_t code', async () => {
    const { org, candidateId, links } = await minted();
    const destination = `${org.origin}/jobs/42?ref=mail#apply`;
    const reply = await request(path(links.clickUrls[destination]!), {
      headers: { 'user-agent': BROWSER_UA },
    });
    expect(reply.status).toBe(302);
    const location = new URL(reply.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${org.origin}/jobs/42`);
    expect(location.searchParams.get('ref')).toBe('mail');
    expect(location.hash).toBe('#apply');
    const identity = location.searchParams.get('cxm_t')!;
    // A single-use code the tracker there sends (auth/click-identity.ts), not an identity token.
    const verified = await verifyToken(env.TOKEN_SECRET, identity, {
      kind: 'code',
      now: Date.now(),
    });
    expect(verified).toMatchObject({ ok: true, payload: { o: org.orgId, c: candidateId } });
    expect(
      await verifyToken(env.TOKEN_SECRET, identity, { kind: 'identity', now: Date.now() }),
    ).toEqual({ ok: false, reason: 'wrong_kind' });
    // Nothing a log keeping the landing URL could read: no organisation, candidate or link.
    expect(revealed(identity)).not.toMatch(
      new RegExp(`${org.orgId}|${candidateId}|${links.linkId}`),
    );
    expect(await engagementsOf(org.orgId, candidateId)).toEqual([
      {
        type: 'click_email',
        detail: 'Join us at the Spring hiring fair',
        machine: 0,
        source: 'email_link',
      },
    ]);
    // The tracker on the landing page then links the device with that token.
    const tier = await json<{ tier: string }>(
      api('GET', `/v1/candidates/${candidateId}/score`, org.keys.user),
    );
    expect(tier.tier).toBe('inactive');
  });

  it('appends cxm_t only on own-site destinations, never on link-allowlist (third-party) ones', async () => {
    const org = await createOrg();
    await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      linkAllowlist: ['https://events.example.org'],
    });
    const candidateId = rid('cand');
    const own = `${org.origin}/jobs/7?ref=mail`;
    const thirdParty = 'https://events.example.org/fair?ref=mail';
    const links = await json<Minted>(
      api('POST', '/v1/links', org.keys.user, {
        candidateId,
        subject: 'Spring fair',
        destinations: [own, thirdParty],
      }),
    );
    const ownReply = await request(path(links.clickUrls[own]!), {
      headers: { 'user-agent': BROWSER_UA },
    });
    expect(ownReply.status).toBe(302);
    expect(new URL(ownReply.headers.get('location')!).searchParams.get('cxm_t')).toBeTruthy();

    const clean = await request(path(links.clickUrls[thirdParty]!), {
      headers: { 'user-agent': BROWSER_UA },
    });
    expect(clean.status).toBe(302);
    // Exactly the signed destination: no identity token, nothing naming the candidate.
    expect(clean.headers.get('location')).toBe(thirdParty);
    expect(clean.headers.get('location')).not.toContain('cxm_t');
    // The click itself is still recorded.
    expect((await engagementsOf(org.orgId, candidateId)).map((e) => e.type)).toEqual([
      'click_email',
      'click_email',
    ]);

    // Tokens minted before the flag existed are decided by the sites' origins at click time.
    for (const [index, destination] of [own, thirdParty].entries()) {
      const legacy = await mintToken(env.TOKEN_SECRET, {
        k: 'click',
        o: org.orgId,
        c: candidateId,
        x: Math.floor(Date.now() / 1000) + 3600,
        l: links.linkId,
        i: index,
        u: destination,
      });
      const reply = await request(`/v1/c/${legacy}`, { headers: { 'user-agent': BROWSER_UA } });
      expect(reply.status).toBe(302);
      expect(new URL(reply.headers.get('location')!).searchParams.has('cxm_t'), destination).toBe(
        destination === own,
      );
    }
  });

  it('never redirects on a tampered token, a foreign token, or a token of another kind', async () => {
    const { org, candidateId, links } = await minted();
    const good = links.clickUrls[`${org.origin}/events/spring`]!.split('/v1/c/')[1]!;
    const [, sig] = good.split('.') as [string, string];
    // Same signature, destination swapped for an attacker's.
    const payload = {
      k: 'click' as const,
      o: org.orgId,
      c: candidateId,
      x: Date.now() / 1000 + 3600,
      l: links.linkId,
      i: 0,
      u: 'https://evil.example.net/',
    };
    const swapped = `${btoa(JSON.stringify(payload)).replaceAll('=', '').replaceAll('+', '-').replaceAll('/', '_')}.${sig}`;
    const foreign = await mintToken('another-deployment', payload);
    const openToken = links.openUrl.split('/v1/o/')[1]!;
    for (const bad of [swapped, foreign, openToken, 'x.y', '']) {
      const reply = await request(`/v1/c/${bad}`);
      expect([404, 405], bad).toContain(reply.status);
      expect(reply.headers.get('location'), bad).toBeNull();
    }
    expect(await engagementsOf(org.orgId, candidateId)).toEqual([]);
  });

  it('treats a token longer than the path allows as a bad link: 404, nowhere, nothing recorded', async () => {
    const { org, candidateId, links } = await minted();
    const open = links.openUrl.split('/v1/o/')[1]!;
    const click = links.clickUrls[`${org.origin}/events/spring`]!.split('/v1/c/')[1]!;
    // Past the path parameter's 4,096 characters, refused by its schema before the token check:
    // still the documented 404 of a bad link (it was an undocumented 400 invalid_request).
    for (const path of [`/v1/o/${open}${'A'.repeat(5000)}`, `/v1/c/${click}${'A'.repeat(5000)}`]) {
      const reply = await request(path);
      expect(reply.status, path.slice(0, 6)).toBe(404);
      expect((await errorOf(reply)).code).toBe('not_found');
      expect(reply.headers.get('location')).toBeNull();
    }
    expect(await engagementsOf(org.orgId, candidateId)).toEqual([]);
  });

  it('ignores any redirect target in the query string (no open redirect)', async () => {
    const { org, links } = await minted();
    const url = links.clickUrls[`${org.origin}/events/spring`]!;
    for (const query of [
      '?u=https://evil.example.net',
      '?url=https://evil.example.net&next=//evil.example.net',
      '?redirect=%2F%2Fevil.example.net',
    ]) {
      const reply = await request(`${path(url)}${query}`);
      expect(reply.status).toBe(302);
      expect(new URL(reply.headers.get('location')!).origin).toBe(org.origin);
    }
  });

  it('still takes an expired link to its destination, without tracking', async () => {
    const org = await createOrg();
    const token = await mintToken(env.TOKEN_SECRET, {
      k: 'click',
      o: org.orgId,
      c: 'c-old',
      x: Math.floor(Date.now() / 1000) - 10,
      l: 'gone',
      i: 0,
      u: `${org.origin}/old`,
    });
    const reply = await request(`/v1/c/${token}`);
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe(`${org.origin}/old`);
  });

  it('records opens and clicks while career-site tracking is off (server-to-server is always on)', async () => {
    const { org, candidateId, links } = await minted();
    await api('PUT', '/v1/settings/engagement', org.keys.manager, { trackingEnabled: false });
    await request(path(links.openUrl), { headers: { 'user-agent': BROWSER_UA } });
    await request(path(Object.values(links.clickUrls)[0]!), {
      headers: { 'user-agent': BROWSER_UA },
    });
    expect((await engagementsOf(org.orgId, candidateId)).map((e) => e.type)).toEqual([
      'open_email',
      'click_email',
    ]);
  });

  it('stores no IP address anywhere', async () => {
    const { org, candidateId, links } = await minted();
    const ip = '203.0.113.77';
    const headers = {
      'user-agent': BROWSER_UA,
      'cf-connecting-ip': ip,
      'x-forwarded-for': ip,
      'x-real-ip': ip,
    };
    await request(path(links.openUrl), { headers });
    await request(path(Object.values(links.clickUrls)[0]!), { headers });
    const tables = await rows<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
    );
    for (const { name } of tables) {
      const dump = JSON.stringify(await rows(`SELECT * FROM "${name}"`));
      expect(dump, name).not.toContain(ip);
    }
    // Both were stored: the search above looked at real rows.
    expect((await engagementsOf(org.orgId, candidateId)).map((e) => e.type)).toEqual([
      'open_email',
      'click_email',
    ]);
  });

  it('answers the pixel and the redirect uncacheable and without a referrer', async () => {
    const { links } = await minted();
    const pixel = await request(path(links.openUrl), { headers: { 'user-agent': BROWSER_UA } });
    const redirect = await request(path(Object.values(links.clickUrls)[0]!), {
      headers: { 'user-agent': BROWSER_UA },
    });
    for (const reply of [pixel, redirect]) {
      expect(reply.headers.get('cache-control')).toBe('no-store, private');
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    expect(redirect.headers.get('content-type')).toBeNull();
  });

  it('marks clicks by crawlers and right after sending as machine, but not a bare Mozilla/5.0', async () => {
    const { org, candidateId, links } = await minted();
    const [spring, jobs] = Object.values(links.clickUrls) as [string, string];
    // A bare `Mozilla/5.0` is a mail privacy proxy for opens; a click needs a person or a bot.
    await request(path(spring), { headers: { 'user-agent': 'Mozilla/5.0' } });
    await request(path(spring), { headers: { 'user-agent': BROWSER_UA } });
    await request(path(jobs), { headers: { 'user-agent': 'Googlebot/2.1' } });
    expect((await engagementsOf(org.orgId, candidateId)).map((e) => e.machine)).toEqual([0, 1]);

    const fresh = await json<Minted>(
      api('POST', '/v1/links', org.keys.user, {
        candidateId: 'c-fresh-click',
        subject: 'Just sent',
        destinations: [`${org.origin}/`],
      }),
    );
    await request(path(Object.values(fresh.clickUrls)[0]!), {
      headers: { 'user-agent': BROWSER_UA },
    });
    expect((await engagementsOf(org.orgId, 'c-fresh-click')).map((e) => e.machine)).toEqual([1]);
  });

  it("serves an expired link's pixel without tracking", async () => {
    const org = await createOrg();
    const token = await mintToken(env.TOKEN_SECRET, {
      k: 'open',
      o: org.orgId,
      c: 'c-old',
      x: Math.floor(Date.now() / 1000) - 10,
      l: 'gone',
    });
    const reply = await request(`/v1/o/${token}`, { headers: { 'user-agent': BROWSER_UA } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('image/gif');
    expect(reply.headers.get('cache-control')).toBe('no-store, private');
    expect((await reply.arrayBuffer()).byteLength).toBe(42);
    expect(await engagementsOf(org.orgId, 'c-old')).toEqual([]);
  });

  it("still answers a purged candidate's pixel and redirect, recording nothing and adding no cxm_t", async () => {
    const { org, candidateId, links } = await minted();
    const destination = `${org.origin}/events/spring`;
    const purge = await api('DELETE', `/v1/candidates/${candidateId}`, org.keys.admin);
    expect(purge.status).toBe(200);
    const pixel = await request(path(links.openUrl), { headers: { 'user-agent': BROWSER_UA } });
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    const click = await request(path(links.clickUrls[destination]!), {
      headers: { 'user-agent': BROWSER_UA },
    });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(destination);
    // Not even the candidate came back (recording would have recreated them).
    expect(
      await rows(
        'SELECT id FROM candidates WHERE org_id = ? AND external_id = ?',
        org.orgId,
        candidateId,
      ),
    ).toEqual([]);
  });
});

describe('POST /v1/identity-tokens', () => {
  it('mints a short-lived cxm_t that the collect endpoint accepts', async () => {
    const org = await createOrg();
    const reply = await api('POST', '/v1/identity-tokens', org.keys.user, {
      candidateId: 'c-portal',
      ttlSeconds: 600,
    });
    expect(reply.status).toBe(201);
    const body = (await reply.json()) as { token: string; param: string; expiresAt: string };
    expect(body.param).toBe('cxm_t');
    const lifetime = Date.parse(body.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(590_000);
    expect(lifetime).toBeLessThanOrEqual(600_000);
    expect(
      await verifyToken(env.TOKEN_SECRET, body.token, { kind: 'identity', now: Date.now() }),
    ).toMatchObject({
      ok: true,
      payload: { o: org.orgId, c: 'c-portal' },
    });
    const tooLong = await api('POST', '/v1/identity-tokens', org.keys.user, {
      candidateId: 'c',
      ttlSeconds: 7 * 86400,
    });
    expect(tooLong.status).toBe(400);
  });
});
