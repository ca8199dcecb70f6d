import { describe, expect, it } from 'vitest';
import { api, createOrg, errorOf, json } from '../../test/client.js';

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
      'id',
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
});
