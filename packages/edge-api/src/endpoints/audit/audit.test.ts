// The audit log as a manager reads it: what was done, by whom, newest first, filtered and paged;
// never a secret, never another organisation's; and its retention.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../../db/client.js';
import { api, createOrg, DAY_MS, json, rows, type TestOrg } from '../../test/client.js';
import { AUDIT_RETENTION_DAYS, pruneAudit } from './prune.js';

interface Entry {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: unknown;
}
interface Page {
  entries: Entry[];
  nextCursor: string | null;
}

async function audit(org: TestOrg, query = ''): Promise<Page> {
  const response = await api('GET', `/v1/audit${query}`, org.keys.manager);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
}

/** A key created and revoked, then the settings changed: three entries, in that order. */
async function threeChanges(org: TestOrg): Promise<{ keyId: string; secret: string }> {
  const created = (await json(
    api('POST', '/v1/keys', org.keys.manager, { name: 'ATS sync', role: 'user' }),
  )) as { id: string; secret: string };
  expect((await api('DELETE', `/v1/keys/${created.id}`, org.keys.manager)).status).toBe(200);
  const settings = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
    consentMode: 'onetrust',
  });
  expect(settings.status, await settings.clone().text()).toBe(200);
  return { keyId: created.id, secret: created.secret };
}

describe('GET /v1/audit', () => {
  it('lists what was done, by whom, newest first, and never a secret', async () => {
    const org = await createOrg();
    const { keyId, secret } = await threeChanges(org);
    const page = await audit(org);
    expect(page.entries.map((entry) => entry.action)).toEqual([
      'settings.update',
      'key.revoke',
      'key.create',
    ]);
    const manager = `key:key_${org.orgId}_manager`;
    for (const entry of page.entries) expect(entry.actor).toBe(manager);
    expect(page.entries[2]?.subject).toBe(keyId);
    expect(secret).toMatch(/^sk_/);
    expect(JSON.stringify(page)).not.toContain(secret);
    const times = page.entries.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.nextCursor).toBeNull();
  });

  it('filters by action, a family of actions, actor and time', async () => {
    const org = await createOrg();
    await threeChanges(org);
    const actions = async (query: string) =>
      (await audit(org, query)).entries.map((entry) => entry.action);
    expect(await actions('?action=key.create')).toEqual(['key.create']);
    expect(await actions('?action=key.')).toEqual(['key.revoke', 'key.create']);
    expect(await actions(`?actor=key:key_${org.orgId}_admin`)).toEqual([]);
    const tomorrow = new Date(Date.now() + DAY_MS).toISOString();
    expect(await actions(`?from=${encodeURIComponent(tomorrow)}`)).toEqual([]);
    const yesterday = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    expect(await actions(`?from=${yesterday}&action=settings.update`)).toEqual(['settings.update']);
  });

  it('pages with a cursor, each entry once', async () => {
    const org = await createOrg();
    await threeChanges(org);
    const seen: string[] = [];
    let query = '?limit=1';
    for (let pages = 0; pages < 5; pages++) {
      const page = await audit(org, query);
      seen.push(...page.entries.map((entry) => entry.action));
      if (!page.nextCursor) break;
      query = `?limit=1&cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual(['settings.update', 'key.revoke', 'key.create']);
  });

  it('refuses a bad cursor, a bad action, and a range that ends before it starts, at the field', async () => {
    const org = await createOrg();
    const cases: [string, string][] = [
      ['?cursor=nope', 'cursor'],
      ['?action=KEY CREATE', 'action'],
      ['?from=2026-03-02&to=2026-03-01', 'from'],
      ['?from=2026-02-30', 'from'],
    ];
    for (const [query, field] of cases) {
      const response = await api('GET', `/v1/audit${query}`, org.keys.manager);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { issues: { path: string }[] } };
      expect(
        body.error.issues.map((issue) => issue.path),
        query,
      ).toContain(field);
    }
  });

  it("never shows another organisation's entries", async () => {
    const [org, other] = await Promise.all([createOrg(), createOrg()]);
    await threeChanges(other);
    expect((await audit(org)).entries).toEqual([]);
  });

  it('needs the manager role', async () => {
    const org = await createOrg();
    expect((await api('GET', '/v1/audit', org.keys.reporter)).status).toBe(403);
  });
});

describe('audit retention', () => {
  it(`deletes entries older than ${AUDIT_RETENTION_DAYS} days, and only those`, async () => {
    const org = await createOrg();
    const now = Date.now();
    const insert = (id: string, at: number) =>
      env.DB.prepare(
        `INSERT INTO audit_log (id, org_id, at, actor, action, subject, details)
         VALUES (?1, ?2, ?3, 'system', 'test.entry', NULL, NULL)`,
      ).bind(id, org.orgId, at);
    await env.DB.batch([
      insert(`${org.orgId}-old`, now - (AUDIT_RETENTION_DAYS + 1) * DAY_MS),
      insert(`${org.orgId}-kept`, now - (AUDIT_RETENTION_DAYS - 1) * DAY_MS),
    ]);
    expect(await pruneAudit(database(env.DB), now)).toBeGreaterThanOrEqual(1);
    const left = await rows<{ id: string }>(
      'SELECT id FROM audit_log WHERE org_id = ? ORDER BY id',
      org.orgId,
    );
    expect(left.map((row) => row.id)).toEqual([`${org.orgId}-kept`]);
  });
});
