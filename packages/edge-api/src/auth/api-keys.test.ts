import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env.js';
import { hashApiKey, requireRole, roleAtLeast } from './api-keys.js';

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
  });
});
