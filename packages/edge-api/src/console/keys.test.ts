// The API keys page as a manager uses it: the list with who made each key and when it was last
// used; creating one (its secret shown once, uncached), refusals beside the field; rotating
// (both keys work); revoking after a confirmation that names the key. A reporter is refused.
import { describe, expect, it } from 'vitest';
import { api, createOrg } from '../test/client.js';
import { page, post, signedInAs } from '../test/console.js';

/** The secret on a "Key created" page. */
function secretOf(html: string): string {
  const match = /id="key-secret" value="(sk_[^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no secret on the page');
  return match[1];
}

describe('console: API keys', () => {
  it('lists the keys, creates one with its secret shown once, and the secret works', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    await api('GET', '/v1/whoami', org.keys.user);
    const list = await (await page('/console/keys', manager.cookie)).text();
    expect(list).toContain('<h1>API keys</h1>');
    expect(list.match(/aria-label="Revoke /g)).toHaveLength(4);

    const created = await post('/console/keys', manager.cookie, {
      name: 'ATS sync',
      role: 'reporter',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const html = await created.text();
    expect(html).toContain('shown only once');
    expect(html).toContain('data-copy="key-secret"');
    const secret = secretOf(html);
    expect((await api('GET', '/v1/audiences', secret)).status).toBe(200);

    const after = await (await page('/console/keys', manager.cookie)).text();
    expect(after).toContain('ATS sync');
    expect(after).toContain('by Test manager');
    expect(after).not.toContain(secret);
  });

  it('shows a refused expiry beside its field, and creates nothing', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const refused = await post('/console/keys', manager.cookie, {
      name: 'Old',
      role: 'user',
      expiresAt: '2020-01-01',
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('The key was not created');
    expect(html).toMatch(/id="key-expiresAt"[^>]*value="2020-01-01"/);
    expect(html).toContain('must be in the future');
    const keys = (await (await api('GET', '/v1/keys', org.keys.manager)).json()) as {
      keys: unknown[];
    };
    expect(keys.keys).toHaveLength(4);
  });

  it('rotates a key (both work), then revokes the old one after a confirmation', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const oldId = `key_${org.orgId}_user`;
    const rotated = await post(`/console/keys/${oldId}/rotate`, manager.cookie, {});
    expect(rotated.status).toBe(201);
    const html = await rotated.text();
    expect(html).toContain('Key rotated');
    expect(html).toContain(`href="/console/keys/${oldId}/revoke"`);
    const fresh = secretOf(html);
    for (const secret of [org.keys.user, fresh]) {
      expect((await api('GET', '/v1/whoami', secret)).status).toBe(200);
    }

    const confirm = await page(`/console/keys/${oldId}/revoke`, manager.cookie);
    expect(confirm.status).toBe(200);
    const words = await confirm.text();
    expect(words).toContain('Revoke <strong>user</strong>');
    expect(words).toContain('This cannot be undone');
    expect((await api('GET', '/v1/whoami', org.keys.user)).status).toBe(200);

    const revoked = await post(`/console/keys/${oldId}/revoke`, manager.cookie, {});
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe(`/console/keys?revoked=${oldId}`);
    expect((await api('GET', '/v1/whoami', org.keys.user)).status).toBe(401);
    expect((await api('GET', '/v1/whoami', fresh)).status).toBe(200);
    const notice = await (await page(`/console/keys?revoked=${oldId}`, manager.cookie)).text();
    expect(notice).toContain(`Revoked ${oldId}`);
  });

  it('refuses a reporter, and a manager revoking an admin key', async () => {
    const org = await createOrg();
    const reporter = await signedInAs(org.keys.reporter);
    const refused = await page('/console/keys', reporter.cookie);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('cannot manage API keys');
    const manager = await signedInAs(org.keys.manager);
    const above = await post(`/console/keys/key_${org.orgId}_admin/revoke`, manager.cookie, {});
    expect(above.status).toBe(403);
    expect((await api('GET', '/v1/whoami', org.keys.admin)).status).toBe(200);
  });
});
