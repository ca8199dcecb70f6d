// API keys: roles in order, requireRole's 401/403, and keys stored as hashes only.
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env.js';
import { api, createOrg, rows } from '../test/client.js';
import { hashApiKey } from './api-keys.js';
import { requireRole, roleAtLeast } from './require-role.js';

const app = new Hono<AppEnv>().get('/managers', requireRole('manager'), (c) =>
  c.json({ org: c.get('caller').orgId, role: c.get('caller').role }),
);

function call(key?: string) {
  return app.request('/managers', { headers: key ? { authorization: `Bearer ${key}` } : {} }, env);
}

describe('requireRole', () => {
  it('orders roles user < reporter < manager < admin', () => {
    expect(roleAtLeast('admin', 'manager')).toBe(true);
    expect(roleAtLeast('manager', 'manager')).toBe(true);
    expect(roleAtLeast('reporter', 'manager')).toBe(false);
  });

  it('lets a key with the role or above through, with its organisation', async () => {
    expect(await (await call('sk_demo_manager')).json()).toEqual({ org: 'demo', role: 'manager' });
    expect(await (await call('sk_other_admin')).json()).toEqual({ org: 'other', role: 'admin' });
  });

  it('answers 403 forbidden for a key whose role is too low', async () => {
    const response = await call('sk_demo_reporter');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('answers 401 unauthorized without a key, with an unknown or a revoked one', async () => {
    expect((await call()).status).toBe(401);
    expect((await call('sk_demo_nope')).status).toBe(401);
    await env.DB.prepare(
      `INSERT OR IGNORE INTO api_keys (id, org_id, prefix, key_hash, role, revoked_at)
       VALUES ('key_revoked', 'demo', 'sk_revok', ?, 'admin', 1)`,
    )
      .bind(await hashApiKey('sk_revoked_admin'))
      .run();
    expect((await call('sk_revoked_admin')).status).toBe(401);
  });

  it('stores keys as SHA-256 hex only', async () => {
    expect(await hashApiKey('sk_demo_user')).toBe(
      'bfcf8551d51bf2fd197d8f0abaa9e95b790d3f5ac9abb07fa8648f767356212c',
    );
    // A key made through the API: its row holds the hash and an 8-character prefix, never the
    // secret, and the hash is SHA-256 hex computed here independently of hashApiKey.
    const org = await createOrg();
    const created = await api('POST', '/v1/keys', org.keys.manager, { name: 'ATS', role: 'user' });
    expect(created.status).toBe(201);
    const { id, secret } = (await created.json()) as { id: string; secret: string };
    const stored = await rows<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = ?', id);
    expect(stored).toHaveLength(1);
    const row = stored[0]!;
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(secret.slice(8));
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)),
    );
    const hex = [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    expect(row.key_hash).toBe(hex);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.prefix).toBe(secret.slice(0, 8));
    // The stored hash is what authenticates: the secret works, its hash as a key does not.
    expect((await api('GET', '/v1/whoami', secret)).status).toBe(200);
    expect((await api('GET', '/v1/whoami', hex)).status).toBe(401);
  });
});
