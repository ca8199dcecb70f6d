// The audit log page as a manager reads it: entries newest first with people named, the family
// filter and dates kept in the URL, older entries a page away; a reporter is refused.
import { describe, expect, it } from 'vitest';
import { api, createOrg } from '../test/client.js';
import { page, signedInAs } from '../test/console.js';

describe('console: the audit log', () => {
  it('lists entries newest first, naming the person who acted, and filters by family', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    // The manager acts through the console's API session: a key created and one settings change.
    const session = manager.cookie.slice('cxm_session='.length);
    const created = await api('POST', '/v1/keys', session, { name: 'ATS', role: 'user' });
    expect(created.status).toBe(201);
    const settings = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      consentMode: 'onetrust',
    });
    expect(settings.status).toBe(200);

    const all = await (await page('/console/audit', manager.cookie)).text();
    const settingsAt = all.indexOf('<code>settings.update</code>');
    const keyAt = all.indexOf('<code>key.create</code>');
    expect(settingsAt).toBeGreaterThan(0);
    expect(keyAt).toBeGreaterThan(settingsAt);
    expect(all).toContain('Test manager');
    expect(all).toContain(`API key key_${org.orgId}_manager`);

    const keys = await (await page('/console/audit?action=key.', manager.cookie)).text();
    expect(keys).toContain('<code>key.create</code>');
    expect(keys).not.toContain('<code>settings.update</code>');
    expect(keys).toMatch(/<option value="key\." selected/);
  });

  it('pages to older entries, keeping the filter', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    for (let i = 0; i < 51; i++) {
      const reply = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
        consentMode: i % 2 ? 'manual' : 'none',
      });
      expect(reply.status).toBe(200);
    }
    const first = await (await page('/console/audit?action=settings.', manager.cookie)).text();
    expect(first.match(/<code>settings\.update<\/code>/g)).toHaveLength(50);
    const next = /href="(\/console\/audit\?action=settings\.&amp;cursor=[^"]+)"/.exec(first);
    expect(next?.[1]).toBeTruthy();
    const older = await (
      await page((next?.[1] ?? '').replaceAll('&amp;', '&'), manager.cookie)
    ).text();
    expect(older.match(/<code>settings\.update<\/code>/g)).toHaveLength(1);
    expect(older).not.toContain('Older entries');
  });

  it('shows a bad date range in words, and refuses a reporter', async () => {
    const org = await createOrg();
    const manager = await signedInAs(org.keys.manager);
    const bad = await page('/console/audit?from=2026-03-02&to=2026-03-01', manager.cookie);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('must be before to');
    const reporter = await signedInAs(org.keys.reporter);
    expect((await page('/console/audit', reporter.cookie)).status).toBe(403);
  });
});
