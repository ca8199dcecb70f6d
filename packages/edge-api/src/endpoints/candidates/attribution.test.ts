// How each engagement came to be its candidate's (issue 14: "explain it on the Engagement tab"):
// every way of attribution, through the endpoints that make it, as stored in D1 and as the
// Engagement tab's list returns it.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { mintIdentityToken } from '../../auth/tokens.js';
import { database, newId, runBatchResults } from '../../db/client.js';
import {
  api,
  BROWSER_UA,
  beacon,
  createOrg,
  engagement,
  formSubmit,
  json,
  request,
  rid,
  rows,
  sendBeacon,
  type TestOrg,
  visit,
} from '../../test/client.js';
import { insertUnlessRepeat } from '../collect/dedupe.js';

interface Listed {
  type: string;
  detail: string | null;
  source: string;
  attribution: string | null;
}

/** The candidate's engagements as the Engagement tab's endpoint lists them, newest first. */
async function listed(org: TestOrg, candidateId: string): Promise<Listed[]> {
  const page = await json<{ engagements: Listed[] }>(
    api('GET', `/v1/candidates/${candidateId}/engagements?limit=200`, org.keys.user),
  );
  return page.engagements;
}

/** Attribution by page path (the stored detail's path), as listed. */
async function attributionByPath(org: TestOrg, candidateId: string) {
  const byPath: Record<string, string | null> = {};
  for (const row of await listed(org, candidateId)) {
    byPath[new URL(row.detail!.split(' ')[0]!).pathname] = row.attribution;
  }
  return byPath;
}

/** A device of its own; `send` posts one beacon of its page views (and token, if any). */
function device(org: TestOrg) {
  const id = rid('v');
  return {
    id,
    async send(paths: string[], identity?: string) {
      const body = beacon({
        site: org.siteKey,
        visitor: { id, kind: 'stored' },
        events: paths.map((path) => visit(`${org.origin}${path}`)),
        ...(identity === undefined ? {} : { identity }),
      });
      const reply = await sendBeacon(body, { origin: org.origin });
      expect(await reply.json()).toMatchObject({ accepted: paths.length });
    },
  };
}

function link(org: TestOrg, deviceId: string, candidateId: string) {
  return json<{ linkedEngagements: number }>(
    api('POST', `/v1/visitors/${deviceId}/link`, org.keys.user, { candidateId }),
  );
}

function token(org: TestOrg, candidateId: string) {
  return mintIdentityToken(env.TOKEN_SECRET, { orgId: org.orgId, candidateId });
}

/** The device's stored rows, candidate (external id) and attribution, by path. */
async function storedOf(org: TestOrg, deviceId: string) {
  const stored = await rows<{ detail: string; candidate: string | null; attribution: string }>(
    `SELECT e.detail, c.external_id AS candidate, e.attribution FROM engagements e
     JOIN visitors v ON v.id = e.visitor_id LEFT JOIN candidates c ON c.id = e.candidate_id
     WHERE e.org_id = ? AND v.device_id = ?`,
    org.orgId,
    deviceId,
  );
  return Object.fromEntries(
    stored.map((row) => [
      new URL(row.detail).pathname,
      { candidate: row.candidate, attribution: row.attribution },
    ]),
  );
}

describe('engagement attribution: tracker events', () => {
  it('a visitor already linked (stored id): visitor', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const browser = device(org);
    await link(org, browser.id, cand); // e.g. the form's hidden visitor field, via the site's backend
    await browser.send(['/jobs/1', '/jobs/2']);
    expect(await attributionByPath(org, cand)).toEqual({
      '/jobs/1': 'visitor',
      '/jobs/2': 'visitor',
    });
  });

  it('a beacon with a valid identity token: identity_token, and visitor once the token is gone', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const browser = device(org);
    const identity = await token(org, cand);
    await browser.send(['/events/spring'], identity); // links the new visitor
    await browser.send(['/jobs/1'], identity); // already linked to the token's candidate
    await browser.send(['/jobs/2']); // the next page, without the token
    expect(await attributionByPath(org, cand)).toEqual({
      '/events/spring': 'identity_token',
      '/jobs/1': 'identity_token',
      '/jobs/2': 'visitor',
    });
  });

  it('anonymous visits: none until a link via the API moves them (link); later ones: visitor', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const browser = device(org);
    await browser.send(['/jobs/1', '/jobs/2']);
    const anonymous = await storedOf(org, browser.id);
    expect(Object.values(anonymous)).toEqual([
      { candidate: null, attribution: null },
      { candidate: null, attribution: null },
    ]);
    expect((await link(org, browser.id, cand)).linkedEngagements).toBe(2);
    await browser.send(['/jobs/3']);
    expect(await attributionByPath(org, cand)).toEqual({
      '/jobs/1': 'link',
      '/jobs/2': 'link',
      '/jobs/3': 'visitor',
    });
  });

  it("anonymous visits then an identity token: the past is the link's, the token's beacon the token's", async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const browser = device(org);
    const body = beacon({
      site: org.siteKey,
      visitor: { id: browser.id, kind: 'stored' },
      events: [visit(`${org.origin}/jobs/1`), formSubmit('apply', `${org.origin}/apply`)],
    });
    await sendBeacon(body, { origin: org.origin });
    await browser.send(['/events/spring'], await token(org, cand));
    expect(await attributionByPath(org, cand)).toEqual({
      '/jobs/1': 'link',
      '/apply': 'link',
      '/events/spring': 'identity_token',
    });
  });

  it("a switch from A to B by token: B's events are the token's, A's keep theirs", async () => {
    const org = await createOrg();
    const [a, b] = [rid('cand'), rid('cand')];
    const browser = device(org);
    await browser.send(['/jobs/1']);
    await link(org, browser.id, a);
    await browser.send(['/jobs/2']);
    await browser.send(['/jobs/3'], await token(org, b));
    expect(await attributionByPath(org, a)).toEqual({ '/jobs/1': 'link', '/jobs/2': 'visitor' });
    expect(await attributionByPath(org, b)).toEqual({ '/jobs/3': 'identity_token' });
  });

  it("the insert reads the link as it commits: a token for A on a device now linked to B is B's by stored id", async () => {
    // The race the writer cannot see: the beacon read the device linked to A (the token's
    // candidate, so no relink), a link to B committed before its batch.
    const org = await createOrg();
    const deviceId = rid('v');
    const [a, b] = [newId(), newId()];
    await env.DB.batch([
      env.DB.prepare(
        'INSERT INTO candidates (id, org_id, external_id) VALUES (?, ?, ?), (?, ?, ?)',
      ).bind(a, org.orgId, rid('cand'), b, org.orgId, rid('cand')),
      env.DB.prepare(
        `INSERT INTO visitors (id, org_id, device_id, candidate_id, link_source, linked_at, first_seen_at, last_seen_at)
         VALUES (?, ?, ?, ?, 'api', 0, 0, 0)`,
      ).bind(newId(), org.orgId, deviceId, b),
    ]);
    const row = (path: string, identityCandidateId: string | null) => ({
      id: newId(),
      orgId: org.orgId,
      siteId: `site_${org.orgId}`,
      deviceId,
      eventKey: `trk:${deviceId}:${rid('e')}`,
      type: 'visit_landing_page',
      detail: `${org.origin}${path}`,
      occurredAt: Date.now(),
      receivedAt: Date.now(),
      identityCandidateId,
    });
    const windows = { visitMs: 0, formMs: 0 };
    await runBatchResults(database(env.DB), [
      insertUnlessRepeat(row('/for-a', a), windows),
      insertUnlessRepeat(row('/for-b', b), windows),
      insertUnlessRepeat(row('/no-token', null), windows),
    ]);
    const stored = await storedOf(org, deviceId);
    expect(stored['/for-a']?.attribution).toBe('visitor');
    expect(stored['/for-b']?.attribution).toBe('identity_token');
    expect(stored['/no-token']?.attribution).toBe('visitor');
  });
});

describe('engagement attribution: server-to-server', () => {
  it('an engagement sent through the API: api', async () => {
    const org = await createOrg();
    const item = engagement();
    const reply = await api('POST', '/v1/engagements', org.keys.user, { engagements: [item] });
    expect(reply.status).toBe(202);
    expect(await listed(org, item.candidateId)).toEqual([
      expect.objectContaining({ source: 'api', attribution: 'api' }),
    ]);
  });

  it('an open and a click of a tracked email link: email_link', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const minted = await json<{ openUrl: string; clickUrls: Record<string, string> }>(
      api('POST', '/v1/links', org.keys.user, {
        candidateId: cand,
        subject: 'Spring hiring fair',
        destinations: [`${org.origin}/events/spring`],
      }),
    );
    const pathOf = (url: string) => new URL(url).pathname;
    const headers = { 'user-agent': BROWSER_UA };
    expect((await request(pathOf(minted.openUrl), { headers })).status).toBe(200);
    const click = pathOf(minted.clickUrls[`${org.origin}/events/spring`]!);
    expect((await request(click, { headers, redirect: 'manual' })).status).toBe(302);
    const types = (await listed(org, cand)).map((row) => [row.type, row.attribution]).sort();
    expect(types).toEqual([
      ['click_email', 'email_link'],
      ['open_email', 'email_link'],
    ]);
  });
});
