// The role matrix: every backend-caller endpoint against no key, a wrong key and each role.
// Allowed roles must get past authorisation (any status but 401/403); the others get 401 or
// 403 with the JSON error body. Requests use ids that do not exist, so nothing is changed.
import { describe, expect, it } from 'vitest';
import { api, createOrg, errorOf } from '../test/client.js';

const ROLES = ['user', 'reporter', 'manager', 'admin'] as const;
type Role = (typeof ROLES)[number];

const ENDPOINTS: { method: string; path: string; least: Role; body?: unknown }[] = [
  { method: 'GET', path: '/v1/whoami', least: 'user' },
  { method: 'POST', path: '/v1/engagements', least: 'user', body: { engagements: [] } },
  // An empty list is a 400: nothing is stored.
  { method: 'POST', path: '/v1/contacts', least: 'user', body: { contacts: [] } },
  { method: 'POST', path: '/v1/visitors/v_matrix_1/link', least: 'user', body: {} },
  { method: 'GET', path: '/v1/candidates/ghost/engagements', least: 'user' },
  { method: 'GET', path: '/v1/candidates/ghost/score', least: 'user' },
  { method: 'GET', path: '/v1/candidates/ghost/score-history', least: 'user' },
  { method: 'POST', path: '/v1/scores', least: 'user', body: { candidateIds: ['ghost'] } },
  { method: 'PUT', path: '/v1/candidates/ghost/tags', least: 'user', body: { tags: 'x' } },
  { method: 'GET', path: '/v1/candidates/ghost/tags', least: 'user' },
  { method: 'GET', path: '/v1/candidates/ghost/contact', least: 'user' },
  // An unknown field is a 400 (strict body): no candidate is created.
  { method: 'PUT', path: '/v1/candidates/ghost/contact', least: 'user', body: { colour: 1 } },
  { method: 'POST', path: '/v1/links', least: 'user', body: {} },
  { method: 'POST', path: '/v1/identity-tokens', least: 'user', body: {} },
  { method: 'GET', path: '/v1/campaigns', least: 'user' },
  // An empty body is a 400 (name and the rest are required): no campaign is created.
  { method: 'POST', path: '/v1/campaigns', least: 'user', body: {} },
  { method: 'GET', path: '/v1/campaigns/cmp_nonexistent', least: 'user' },
  { method: 'PATCH', path: '/v1/campaigns/cmp_nonexistent', least: 'user', body: { name: 'x' } },
  { method: 'POST', path: '/v1/campaigns/cmp_nonexistent/enable', least: 'user' },
  { method: 'POST', path: '/v1/campaigns/cmp_nonexistent/disable', least: 'user' },
  { method: 'POST', path: '/v1/campaigns/cmp_nonexistent/archive', least: 'user' },
  { method: 'GET', path: '/v1/campaigns/cmp_nonexistent/estimate', least: 'user' },
  { method: 'GET', path: '/v1/campaigns/cmp_nonexistent/runs', least: 'user' },
  // An empty body is a 400 (the timeframe and channel are required): nothing is counted.
  { method: 'POST', path: '/v1/campaign-estimates', least: 'user', body: {} },
  // An empty body is a 400 (candidateIds are required): nothing is tagged.
  { method: 'POST', path: '/v1/tag-changes', least: 'user', body: {} },
  { method: 'GET', path: '/v1/audiences', least: 'reporter' },
  { method: 'GET', path: '/v1/audiences/export', least: 'reporter' },
  { method: 'GET', path: '/v1/reports/tiers', least: 'reporter' },
  { method: 'GET', path: '/v1/reports/tier-history', least: 'reporter' },
  { method: 'GET', path: '/v1/usage', least: 'reporter' },
  { method: 'GET', path: '/v1/settings/engagement', least: 'manager' },
  { method: 'GET', path: '/v1/audit', least: 'manager' },
  { method: 'GET', path: '/v1/webhook-deliveries', least: 'manager' },
  // The test organisation has no webhook URL: a 409, nothing is queued or posted.
  { method: 'POST', path: '/v1/webhook-deliveries/test', least: 'manager' },
  { method: 'POST', path: '/v1/webhook-deliveries/ghost/redeliver', least: 'manager' },
  { method: 'PUT', path: '/v1/settings/engagement', least: 'manager', body: { colour: 1 } },
  { method: 'GET', path: '/v1/settings/engagement/tracking-code', least: 'manager' },
  // An unknown field is a 400 (strict body): nothing is counted.
  {
    method: 'POST',
    path: '/v1/settings/engagement/preview',
    least: 'manager',
    body: { colour: 1 },
  },
  { method: 'GET', path: '/v1/settings/sign-in', least: 'manager' },
  // An unknown field is a 400 (strict body) before the issuer's discovery: nothing is called.
  { method: 'PUT', path: '/v1/settings/sign-in', least: 'manager', body: { colour: 1 } },
  { method: 'GET', path: '/v1/settings/messaging', least: 'manager' },
  // An unknown field is a 400 (strict body): nothing changes.
  { method: 'PUT', path: '/v1/settings/messaging', least: 'manager', body: { colour: 1 } },
  { method: 'GET', path: '/v1/keys', least: 'manager' },
  { method: 'POST', path: '/v1/keys', least: 'manager', body: {} },
  { method: 'DELETE', path: '/v1/keys/key_nonexistent', least: 'manager' },
  { method: 'POST', path: '/v1/keys/key_nonexistent/rotate', least: 'manager' },
  { method: 'GET', path: '/v1/users', least: 'manager' },
  // An empty body is a 400 (email and displayName are required): nobody is created.
  { method: 'POST', path: '/v1/users', least: 'manager', body: {} },
  { method: 'GET', path: '/v1/users/usr_nonexistent', least: 'manager' },
  {
    method: 'PATCH',
    path: '/v1/users/usr_nonexistent',
    least: 'manager',
    body: { displayName: 'Nobody' },
  },
  { method: 'DELETE', path: '/v1/users/usr_nonexistent', least: 'manager' },
  { method: 'DELETE', path: '/v1/candidates/ghost', least: 'admin' },
];

describe('role matrix', () => {
  it('answers 401 without a valid key, 403 below the role, and lets the role and above through', async () => {
    const org = await createOrg();
    const table: string[] = [];
    for (const endpoint of ENDPOINTS) {
      const row = [`${endpoint.method} ${endpoint.path}`];
      for (const key of [undefined, 'sk_wrong_key']) {
        const response = await api(endpoint.method, endpoint.path, key, endpoint.body);
        expect(response.status, `${row[0]} with ${key ?? 'no key'}`).toBe(401);
        expect((await errorOf(response)).code).toBe('unauthorized');
        row.push('401');
      }
      for (const role of ROLES) {
        const response = await api(endpoint.method, endpoint.path, org.keys[role], endpoint.body);
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(endpoint.least);
        if (allowed) expect([401, 403], `${row[0]} as ${role}`).not.toContain(response.status);
        else {
          expect(response.status, `${row[0]} as ${role}`).toBe(403);
          expect((await errorOf(response)).code).toBe('forbidden');
        }
        row.push(String(response.status));
      }
      table.push(row.join('\t'));
    }
    expect(table).toHaveLength(ENDPOINTS.length);
  }, 30_000);
});

describe('organisations are apart', () => {
  it("never lets one organisation's key read or change another's data", async () => {
    const a = await createOrg();
    const b = await createOrg();
    const cand = 'cand-shared-name';
    await api('POST', '/v1/engagements', a.keys.user, {
      engagements: [
        { id: 'e1', candidateId: cand, type: 'attend_event', occurredAt: new Date().toISOString() },
      ],
    });
    await api('PUT', `/v1/candidates/${cand}/tags`, a.keys.user, { tags: ['secret-tag'] });
    for (const path of [
      `/v1/candidates/${cand}/score`,
      `/v1/candidates/${cand}/engagements`,
      `/v1/candidates/${cand}/score-history`,
    ]) {
      expect((await api('GET', path, b.keys.admin)).status, path).toBe(404);
    }
    const scores = (await (
      await api('POST', '/v1/scores', b.keys.admin, { candidateIds: [cand] })
    ).json()) as {
      notFound: string[];
    };
    expect(scores.notFound).toEqual([cand]);
    const audience = (await (
      await api('GET', '/v1/audiences?tags=secret-tag', b.keys.admin)
    ).json()) as {
      total: number;
    };
    expect(audience.total).toBe(0);
    const report = (await (await api('GET', '/v1/reports/tiers', b.keys.admin)).json()) as {
      tiers: Record<string, number>;
    };
    expect(report.tiers).toEqual({ inactive: 0, engaged: 0, highly_engaged: 0 });
    expect((await api('DELETE', `/v1/candidates/${cand}`, b.keys.admin)).status).toBe(404);
    // b tagging "the same" candidate creates b's own, and a's stays as it was.
    await api('PUT', `/v1/candidates/${cand}/tags`, b.keys.user, { tags: ['other'] });
    const mine = (await (
      await api('GET', '/v1/audiences?tags=secret-tag', a.keys.reporter)
    ).json()) as {
      candidates: { tags: string[] }[];
    };
    expect(mine.candidates[0]!.tags).toEqual(['secret-tag']);
    // Settings are per organisation.
    await api('PUT', '/v1/settings/engagement', b.keys.manager, { trackingEnabled: false });
    const aSettings = (await (
      await api('GET', '/v1/settings/engagement', a.keys.manager)
    ).json()) as {
      trackingEnabled: boolean;
      siteKey: string;
    };
    expect(aSettings).toMatchObject({ trackingEnabled: true, siteKey: a.siteKey });
  });
});
