import { describe, expect, it } from 'vitest';
import { api, createOrg, errorOf, json, rows } from '../../test/client.js';

interface Key {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

describe('API keys', () => {
  it('creates a key whose secret is shown once, lists it without secrets, and revokes it', async () => {
    const org = await createOrg();
    const created = await api('POST', '/v1/keys', org.keys.manager, {
      name: 'ATS sync',
      role: 'reporter',
    });
    expect(created.status).toBe(201);
    const key = (await created.json()) as Key & { secret: string };
    expect(key).toMatchObject({ name: 'ATS sync', role: 'reporter' });
    expect(key.secret).toMatch(/^sk_[\w-]{40,}$/);
    expect(key.prefix).toBe(key.secret.slice(0, 8));

    const who = await json(api('GET', '/v1/whoami', key.secret));
    expect(who).toEqual({
      orgId: org.orgId,
      orgName: `Test ${org.orgId}`,
      kind: 'key',
      role: 'reporter',
      licence: false,
      keyId: key.id,
    });
    expect((await api('GET', '/v1/audiences', key.secret)).status).toBe(200);

    const list = await json<{ keys: Key[] }>(api('GET', '/v1/keys', org.keys.manager));
    expect(list.keys.map((k) => k.name).sort()).toEqual([
      'ATS sync',
      'admin',
      'manager',
      'reporter',
      'user',
    ]);
    expect(list.keys.at(-1)!.name).toBe('ATS sync');
    expect(JSON.stringify(list)).not.toContain(key.secret);
    expect(Object.keys(list.keys[0]!).sort()).toEqual([
      'createdAt',
      'createdBy',
      'expiresAt',
      'id',
      'lastUsedAt',
      'name',
      'prefix',
      'revokedAt',
      'role',
    ]);

    const revoked = await api('DELETE', `/v1/keys/${key.id}`, org.keys.manager);
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: key.id, revoked: true });
    const after = await api('GET', '/v1/whoami', key.secret);
    expect(after.status).toBe(401);
    expect((await errorOf(after)).code).toBe('unauthorized');
    const listed = await json<{ keys: Key[] }>(api('GET', '/v1/keys', org.keys.manager));
    expect(listed.keys.find((k) => k.id === key.id)?.revokedAt).not.toBeNull();
    // Revoking twice is harmless.
    expect((await api('DELETE', `/v1/keys/${key.id}`, org.keys.manager)).status).toBe(200);
  });

  it('never lets a key create or revoke a key above its own role', async () => {
    const org = await createOrg();
    const admin = await api('POST', '/v1/keys', org.keys.manager, { name: 'x', role: 'admin' });
    expect(admin.status).toBe(403);
    expect((await errorOf(admin)).code).toBe('forbidden');
    const revokeAdmin = await api('DELETE', `/v1/keys/key_${org.orgId}_admin`, org.keys.manager);
    expect(revokeAdmin.status).toBe(403);
    expect(
      (await api('POST', '/v1/keys', org.keys.admin, { name: 'x', role: 'admin' })).status,
    ).toBe(201);
    const bad = await api('POST', '/v1/keys', org.keys.admin, { name: '', role: 'owner' });
    expect(bad.status).toBe(400);
  });

  it('refuses an over-long key id with a 400 the OpenAPI document lists', async () => {
    const org = await createOrg();
    const reply = await api('DELETE', `/v1/keys/${'k'.repeat(101)}`, org.keys.manager);
    expect(reply.status).toBe(400);
    expect((await errorOf(reply)).code).toBe('invalid_request');
    const doc = await json<Record<string, Record<string, Record<string, { responses: object }>>>>(
      api('GET', '/v1/openapi.json'),
    );
    expect(Object.keys(doc.paths?.['/v1/keys/{id}']?.delete?.responses ?? {})).toContain('400');
  });

  it('keeps organisations apart', async () => {
    const a = await createOrg();
    const b = await createOrg();
    const list = await json<{ keys: Key[] }>(api('GET', '/v1/keys', a.keys.admin));
    expect(list.keys.every((k) => k.id.includes(a.orgId))).toBe(true);
    const foreign = await api('DELETE', `/v1/keys/key_${b.orgId}_user`, a.keys.admin);
    expect(foreign.status).toBe(404);
    expect((await api('GET', '/v1/whoami', b.keys.user)).status).toBe(200);
  });

  it('records who made a key, and when it was last used, at most once a minute', async () => {
    const org = await createOrg();
    const key = await json<{ id: string; secret: string; createdBy: string }>(
      api('POST', '/v1/keys', org.keys.manager, { name: 'ATS', role: 'user' }),
    );
    expect(key.createdBy).toBe(`key:key_${org.orgId}_manager`);
    const lastUsed = async () =>
      (
        await rows<{ at: number | null }>(
          'SELECT last_used_at AS at FROM api_keys WHERE id = ?',
          key.id,
        )
      )[0]?.at ?? null;
    expect(await lastUsed()).toBeNull();
    expect((await api('GET', '/v1/whoami', key.secret)).status).toBe(200);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    expect((await api('GET', '/v1/whoami', key.secret)).status).toBe(200);
    expect(await lastUsed()).toBe(first);
    // Two minutes later (the stored time moved back), the next request writes it again.
    await rows('UPDATE api_keys SET last_used_at = ? WHERE id = ?', (first ?? 0) - 120_000, key.id);
    expect((await api('GET', '/v1/whoami', key.secret)).status).toBe(200);
    expect(await lastUsed()).toBeGreaterThanOrEqual(first ?? 0);
    const listed = await json<{ keys: { id: string; lastUsedAt: string | null }[] }>(
      api('GET', '/v1/keys', org.keys.manager),
    );
    expect(listed.keys.find((k) => k.id === key.id)?.lastUsedAt).not.toBeNull();
  });

  it('stops a key at its expiry, and refuses an expiry in the past or too far ahead', async () => {
    const org = await createOrg();
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
    const key = await json<{ id: string; secret: string; expiresAt: string }>(
      api('POST', '/v1/keys', org.keys.manager, { name: 'Temp', role: 'user', expiresAt: inAYear }),
    );
    expect(key.expiresAt).toBe(inAYear);
    expect((await api('GET', '/v1/whoami', key.secret)).status).toBe(200);
    await rows('UPDATE api_keys SET expires_at = ? WHERE id = ?', Date.now() - 1000, key.id);
    const expired = await api('GET', '/v1/whoami', key.secret);
    expect(expired.status).toBe(401);
    expect((await errorOf(expired)).message).toContain('expired');
    for (const expiresAt of ['2020-01-01', '2099-01-01', '2026-02-30']) {
      const refused = await api('POST', '/v1/keys', org.keys.manager, {
        name: 'Bad',
        role: 'user',
        expiresAt,
      });
      expect(refused.status, expiresAt).toBe(400);
      expect((await errorOf(refused)).issues?.[0]?.path, expiresAt).toBe('expiresAt');
    }
  });

  it('rotates a key: a new secret with the same name and role, both valid until the old is revoked', async () => {
    const org = await createOrg();
    const old = await json<{ id: string; secret: string }>(
      api('POST', '/v1/keys', org.keys.manager, { name: 'ATS', role: 'reporter' }),
    );
    const response = await api('POST', `/v1/keys/${old.id}/rotate`, org.keys.manager);
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const fresh = (await response.json()) as {
      id: string;
      secret: string;
      name: string;
      role: string;
      replaces: string;
    };
    expect(fresh).toMatchObject({ name: 'ATS', role: 'reporter', replaces: old.id });
    expect(fresh.secret).not.toBe(old.secret);
    for (const secret of [old.secret, fresh.secret]) {
      expect((await api('GET', '/v1/audiences', secret)).status).toBe(200);
    }
    expect((await api('DELETE', `/v1/keys/${old.id}`, org.keys.manager)).status).toBe(200);
    expect((await api('GET', '/v1/whoami', old.secret)).status).toBe(401);
    expect((await api('GET', '/v1/whoami', fresh.secret)).status).toBe(200);
    const audit = await rows<{ action: string; subject: string }>(
      `SELECT action, subject FROM audit_log WHERE org_id = ? AND action LIKE 'key.%' ORDER BY at, action`,
      org.orgId,
    );
    expect(audit.map((entry) => entry.action)).toEqual(['key.create', 'key.rotate', 'key.revoke']);
    // A revoked key is not rotated: its replacement would outlive the decision to stop it.
    const again = await api('POST', `/v1/keys/${old.id}/rotate`, org.keys.manager);
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('key_inactive');
  });

  it("rotates no key above the caller, nor another organisation's", async () => {
    const [org, other] = await Promise.all([createOrg(), createOrg()]);
    const above = await api('POST', `/v1/keys/key_${org.orgId}_admin/rotate`, org.keys.manager);
    expect(above.status).toBe(403);
    const theirs = await api('POST', `/v1/keys/key_${other.orgId}_user/rotate`, org.keys.admin);
    expect(theirs.status).toBe(404);
  });
});
