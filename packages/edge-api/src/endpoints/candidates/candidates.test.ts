import { env } from 'cloudflare:workers';
// The candidate endpoints against a real D1: the Engagement tab, tags and the purge (scores:
// ../scores/scores.test.ts).
import { describe, expect, it } from 'vitest';
import { claimIdentityCode } from '../../auth/click-identity.js';
import { verifyToken } from '../../auth/tokens.js';
import { database } from '../../db/client.js';
import {
  api,
  createOrg,
  DAY_MS,
  errorOf,
  json,
  rid,
  rows,
  sendEngagements,
} from '../../test/client.js';

interface Page {
  engagements: {
    id: string;
    type: string;
    detail: string | null;
    occurredAt: string;
    source: string;
    machine: boolean;
    attribution: string | null;
  }[];
  nextCursor: string | null;
}

describe('GET /v1/candidates/{id}/engagements: the Engagement tab', () => {
  it('lists newest first, filters by type and dates, and pages with a cursor', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [
      { type: 'open_email', ago: 5 * DAY_MS },
      { type: 'click_email', ago: 4 * DAY_MS },
      { type: 'register_event', ago: 3 * DAY_MS },
      { type: 'attend_event', ago: 2 * DAY_MS },
      { type: 'open_email', ago: 1 * DAY_MS },
    ]);
    const all = await json<Page>(api('GET', `/v1/candidates/${cand}/engagements`, org.keys.user));
    expect(all.engagements.map((e) => e.type)).toEqual([
      'open_email',
      'attend_event',
      'register_event',
      'click_email',
      'open_email',
    ]);
    expect(all.nextCursor).toBeNull();
    expect(all.engagements[0]).toMatchObject({ source: 'api', machine: false, attribution: 'api' });
    expect(Object.keys(all.engagements[0]!).sort()).toEqual(
      [
        'attribution',
        'detail',
        'id',
        'machine',
        'occurredAt',
        'receivedAt',
        'source',
        'type',
      ].sort(),
    );

    const opens = await json<Page>(
      api(
        'GET',
        `/v1/candidates/${cand}/engagements?type=open_email&type=click_email`,
        org.keys.user,
      ),
    );
    expect(opens.engagements.map((e) => e.type)).toEqual([
      'open_email',
      'click_email',
      'open_email',
    ]);

    const from = new Date(Date.now() - 3.5 * DAY_MS).toISOString();
    const to = new Date(Date.now() - 1.5 * DAY_MS).toISOString();
    const ranged = await json<Page>(
      api('GET', `/v1/candidates/${cand}/engagements?from=${from}&to=${to}`, org.keys.user),
    );
    expect(ranged.engagements.map((e) => e.type)).toEqual(['attend_event', 'register_event']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page: Page = await json<Page>(
        api('GET', `/v1/candidates/${cand}/engagements?limit=2${query}`, org.keys.user),
      );
      expect(page.engagements.length).toBeLessThanOrEqual(2);
      seen.push(...page.engagements.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.engagements.map((e) => e.id));
  });

  it('answers 404 for an unknown candidate and 400 for bad parameters', async () => {
    const org = await createOrg();
    const missing = await api('GET', '/v1/candidates/nobody/engagements', org.keys.user);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('not_found');
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [{ type: 'open_email', ago: DAY_MS }]);
    for (const query of ['type=bogus', 'limit=0', 'limit=201', 'from=yesterday', 'cursor=%21%21']) {
      const response = await api(
        'GET',
        `/v1/candidates/${cand}/engagements?${query}`,
        org.keys.user,
      );
      expect(response.status, query).toBe(400);
      const error = await errorOf(response);
      expect(['invalid_request', 'unknown_type']).toContain(error.code);
    }
  });
});

describe('PUT /v1/candidates/{id}/tags', () => {
  it('replaces the tags, creates an unknown candidate, and is visible to audiences', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const first = await api('PUT', `/v1/candidates/${cand}/tags`, org.keys.user, {
      tags: ['java', ' berlin ', 'java'],
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ candidateId: cand, tags: ['berlin', 'java'] });
    const second = await json(
      api('PUT', `/v1/candidates/${cand}/tags`, org.keys.user, { tags: ['go'] }),
    );
    expect(second).toEqual({ candidateId: cand, tags: ['go'] });
    const score = await api('GET', `/v1/candidates/${cand}/score`, org.keys.user);
    expect(await json(score)).toMatchObject({ tier: 'inactive', points: 0 });
    const bad = await api('PUT', `/v1/candidates/${cand}/tags`, org.keys.user, { tags: ['a,b'] });
    expect(bad.status).toBe(400);
  });

  it('settles concurrent first sightings of the same candidate on one row', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api('PUT', `/v1/candidates/${cand}/tags`, org.keys.user, { tags: [`t${i}`] }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const found = await rows<{ n: number }>(
      'SELECT COUNT(*) AS n FROM candidates WHERE org_id = ? AND external_id = ?',
      org.orgId,
      cand,
    );
    expect(found[0]!.n).toBe(1);
  });

  it('stores the most tags the schema allows (100) in one request', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const tags = Array.from({ length: 100 }, (_, i) => `tag-${String(i).padStart(3, '0')}`);
    const reply = await api('PUT', `/v1/candidates/${cand}/tags`, org.keys.user, { tags });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ candidateId: cand, tags });
    const stored = await rows<{ tag: string }>(
      'SELECT t.tag FROM candidate_tags t JOIN candidates c ON c.id = t.candidate_id WHERE c.org_id = ? AND c.external_id = ? ORDER BY t.tag',
      org.orgId,
      cand,
    );
    expect(stored.map((row) => row.tag)).toEqual(tags);
    const tooMany = await api('PUT', `/v1/candidates/${cand}/tags`, org.keys.user, {
      tags: [...tags, 'one-more'],
    });
    expect(tooMany.status).toBe(400);
  });
});

describe('DELETE /v1/candidates/{id}: purge', () => {
  it('removes engagements, links, tags, score and linked devices, reports it, and audits without the id', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [
      { type: 'attend_event', ago: DAY_MS },
      { type: 'open_email', ago: 2 * DAY_MS },
    ]);
    await api('PUT', `/v1/candidates/${cand}/tags`, org.keys.user, { tags: ['java', 'berlin'] });
    const links = await json<{ clickUrls: Record<string, string> }>(
      api('POST', '/v1/links', org.keys.user, {
        candidateId: cand,
        subject: 'Hello',
        destinations: [`${org.origin}/jobs/1`],
      }),
    );
    const visitor = rid('v');
    await api('POST', `/v1/visitors/${visitor}/link`, org.keys.user, { candidateId: cand });
    // A link's click gave an identity code, and a browser used it (auth/click-identity.ts).
    const click = await api('GET', new URL(Object.values(links.clickUrls)[0]!).pathname);
    const code = new URL(click.headers.get('location')!).searchParams.get('cxm_t')!;
    const verified = await verifyToken(env.TOKEN_SECRET, code, { kind: 'code', now: Date.now() });
    if (!verified.ok) throw new Error('the click gave no identity code');
    await claimIdentityCode(database(env.DB), {
      code,
      payload: verified.payload,
      deviceId: visitor,
    });

    const purge = await api('DELETE', `/v1/candidates/${cand}`, org.keys.admin);
    expect(purge.status).toBe(200);
    expect(await purge.json()).toEqual({
      candidateId: cand,
      purged: true,
      removed: {
        engagements: 3, // the two sent and the click
        trackedLinks: 1,
        tags: 2,
        scores: 1,
        visitors: 1,
        webhookDeliveries: 0,
        contacts: 0,
        messages: 0,
        contactDetails: 0,
        contactUsage: 0,
      },
    });

    for (const path of [`/v1/candidates/${cand}/score`, `/v1/candidates/${cand}/engagements`]) {
      expect((await api('GET', path, org.keys.user)).status).toBe(404);
    }
    const scores = await json<{ notFound: string[] }>(
      api('POST', '/v1/scores', org.keys.user, { candidateIds: [cand] }),
    );
    expect(scores.notFound).toEqual([cand]);
    expect((await api('DELETE', `/v1/candidates/${cand}`, org.keys.admin)).status).toBe(404);

    // Nothing of the candidate is left anywhere, the audit log included.
    for (const table of [
      'candidates',
      'engagements',
      'tracked_links',
      'candidate_tags',
      'scores',
      'visitors',
      'identity_code_claims',
      'audit_log',
    ]) {
      const dump = await rows(`SELECT * FROM ${table} WHERE org_id = ?`, org.orgId);
      expect(JSON.stringify(dump), table).not.toContain(cand);
    }
    const audit = await rows<{ action: string; actor: string; subject: string; details: string }>(
      "SELECT action, actor, subject, details FROM audit_log WHERE org_id = ? AND action = 'candidate.purge'",
      org.orgId,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe(`key:key_${org.orgId}_admin`);
    expect(audit[0]!.subject).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);

    // The old email link still takes the reader to its destination, but tracks nothing.
    const later = await api('GET', new URL(Object.values(links.clickUrls)[0]!).pathname);
    expect(later.status).toBe(302);
    expect(later.headers.get('location')).toBe(`${org.origin}/jobs/1`);
    const left = await rows(
      'SELECT * FROM candidates WHERE org_id = ? AND external_id = ?',
      org.orgId,
      cand,
    );
    expect(left).toHaveLength(0);
  });

  // 120 devices' beacons: seconds on a loaded machine, so more than the default 5 s limit.
  it('purges a candidate with more linked devices than D1 binds parameters (120)', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [{ type: 'attend_event', ago: DAY_MS }]);
    const devices = Array.from({ length: 120 }, () => rid('v'));
    for (let i = 0; i < devices.length; i += 10) {
      const replies = await Promise.all(
        devices
          .slice(i, i + 10)
          .map((visitor) =>
            api('POST', `/v1/visitors/${visitor}/link`, org.keys.user, { candidateId: cand }),
          ),
      );
      expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    }
    const purge = await api('DELETE', `/v1/candidates/${cand}`, org.keys.admin);
    expect(purge.status).toBe(200);
    expect(await purge.json()).toEqual({
      candidateId: cand,
      purged: true,
      removed: {
        engagements: 1,
        trackedLinks: 0,
        tags: 0,
        scores: 1,
        visitors: 120,
        webhookDeliveries: 0,
        contacts: 0,
        messages: 0,
        contactDetails: 0,
        contactUsage: 0,
      },
    });
    for (const path of [`/v1/candidates/${cand}/score`, `/v1/candidates/${cand}/engagements`]) {
      expect((await api('GET', path, org.keys.user)).status).toBe(404);
    }
    expect((await api('DELETE', `/v1/candidates/${cand}`, org.keys.admin)).status).toBe(404);
    for (const table of ['visitors', 'engagements', 'candidates', 'scores']) {
      expect(await rows(`SELECT * FROM ${table} WHERE org_id = ?`, org.orgId), table).toEqual([]);
    }
  }, 30_000);

  it('needs the admin role and never reaches another organisation', async () => {
    const org = await createOrg();
    const other = await createOrg();
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [{ type: 'open_email', ago: DAY_MS }]);
    expect((await api('DELETE', `/v1/candidates/${cand}`, org.keys.manager)).status).toBe(403);
    expect((await api('DELETE', `/v1/candidates/${cand}`, other.keys.admin)).status).toBe(404);
    expect((await api('GET', `/v1/candidates/${cand}/score`, org.keys.user)).status).toBe(200);
  });
});
