// The console as a browser uses it: the sign-in page, the session cookie, the CSRF guard, the CSP,
// and pages that show what the person's role allows and say so when it does not. Tests that change
// settings use an organisation of their own, so other test files never see tracking off.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../auth/api-keys.js';
import { createOrg, request, rid } from '../test/client.js';
import { page, post, signedInAs } from '../test/console.js';

/** A person signed in with the organisation and role of `key` (the sign-in itself: sign-in.test.ts). */
async function signIn(key: string): Promise<string> {
  return (await signedInAs(key)).cookie;
}

describe('console', () => {
  it('shows the sign-in form under a strict CSP, with no inline script', async () => {
    const response = await request('/console');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('name="org"');
    expect(html).not.toContain('name="key"');
    expect(html).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toContain('style=');
  });

  it('names the demo organisation and people only in the local demo', async () => {
    const demo = await (await request('/console', {}, { LOCAL_DEMO: 'true' })).text();
    for (const email of [
      'user@demo.test',
      'reporter@demo.test',
      'manager@demo.test',
      'admin@demo.test',
    ]) {
      expect(demo).toContain(email);
    }
    expect(demo).toContain('value="demo"');
    const deployed = await (await request('/console', {}, { LOCAL_DEMO: '' })).text();
    expect(deployed).not.toContain('demo.test');
  });

  it('serves its stylesheet and copy script itself', async () => {
    const css = await request('/console/assets/console.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    const js = await request('/console/assets/copy.js');
    expect(js.headers.get('content-type')).toContain('javascript');
  });

  it('takes API keys no more: a key in the session cookie is not a session', async () => {
    const response = await page('/console/candidates', 'cxm_session=sk_demo_admin');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console');
  });

  it('refuses to start a sign-in for an unknown organisation or one without a provider', async () => {
    const unknown = await post('/console/sign-in', '', { org: 'no-such-org' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('No organisation “no-such-org”');
    const org = await createOrg();
    const none = await post('/console/sign-in', '', { org: org.orgId });
    expect(none.status).toBe(409);
    expect(await none.text()).toContain('has no identity provider set up yet');
    expect(unknown.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a form posted from another origin', async () => {
    const org = await createOrg();
    const cookie = await signIn(org.keys.manager);
    const response = await post(
      '/console/settings/tracking',
      cookie,
      { trackingEnabled: 'false' },
      'http://evil.test',
    );
    expect(response.status).toBe(403);
    const settings = await request('/v1/settings/engagement', {
      headers: { authorization: `Bearer ${org.keys.manager}` },
    });
    expect(((await settings.json()) as { trackingEnabled: boolean }).trackingEnabled).toBe(true);
  });

  it('sends a signed-out browser to the sign-in page', async () => {
    const response = await page('/console/candidates', '');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console');
    // The page asked for comes back after sign-in.
    const deep = await page('/console/candidates/ada-lovelace?tab=engagement', '');
    expect(deep.headers.get('location')).toBe(
      `/console?${new URLSearchParams({ next: '/console/candidates/ada-lovelace?tab=engagement' })}`,
    );
  });

  it('lists candidates for a reporter and gives a user the open-by-id form instead', async () => {
    const reporter = await page('/console/candidates', await signIn('sk_demo_reporter'));
    expect(reporter.status).toBe(200);
    expect(await reporter.text()).toContain('most engaged');
    // More in candidates.test.ts.
    const user = await page('/console/candidates', await signIn('sk_demo_user'));
    expect(user.status).toBe(200);
    const html = await user.text();
    expect(html).toContain('Find a candidate');
    expect(html).toContain('Open a candidate by id');
    expect(html).not.toContain('most engaged');
  });

  it('shows a candidate with its engagements, tier badge and score chart', async () => {
    const ingest = await request('/v1/engagements', {
      method: 'POST',
      headers: { authorization: 'Bearer sk_demo_user', 'content-type': 'application/json' },
      body: JSON.stringify({
        engagements: [
          {
            id: 'console-test-1',
            candidateId: 'console-cand',
            type: 'attend_event',
            detail: 'Spring hiring fair',
            occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
          },
        ],
      }),
    });
    expect(ingest.status).toBe(202);
    const response = await page('/console/candidates/console-cand', await signIn('sk_demo_user'));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Spring hiring fair');
    expect(html).toContain('Event attended');
    expect(html).toMatch(/class="badge (engaged|highly_engaged)"/);
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain('class="threshold engaged"');
  });

  it('toggles tracking and shows the tracking code to a manager only', async () => {
    const org = await createOrg();
    const manager = await signIn(org.keys.manager);
    const before = await (await page('/console/settings', manager)).text();
    expect(before).toContain('Enable Career Site Tracking');
    expect(before).toContain('data-copy="code-onetrust"');
    // The code shown is the API's for the organisation's consent mode, form visitor field included.
    const api = await request('/v1/settings/engagement/tracking-code', {
      headers: { authorization: `Bearer ${org.keys.manager}` },
    });
    const code = ((await api.json()) as { snippet: string }).snippet;
    expect(code).toContain('data-consent="manual" data-form-visitor-field');
    expect(before).toContain(`<textarea id="code-plain" readonly="" rows="3">${escapeHtml(code)}`);
    expect(before).toContain('consent mode manual');
    const off = await post('/console/settings/tracking', manager, { trackingEnabled: 'false' });
    expect(off.status).toBe(303);
    const after = await (await page('/console/settings?saved=tracking', manager)).text();
    expect(after).toContain('aria-checked="false"');

    const reporter = await page('/console/settings', await signIn(org.keys.reporter));
    expect(reporter.status).toBe(403);
    expect(await reporter.text()).toContain('cannot see the settings');
  });

  it('draws the reports for a reporter', async () => {
    const response = await page('/console/reports', await signIn('sk_demo_reporter'));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Tier distribution');
    expect(html).toContain('Engagements per type per day');
  });

  it('draws the days of the range the report covers', async () => {
    const response = await page('/console/reports?days=14', await signIn('sk_demo_reporter'));
    const from = new Date(Date.now() - 13 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date().toISOString().slice(0, 10);
    expect(await response.text()).toContain(`Engagements per type per day, ${from} to ${to}:`);
  });

  it('shows the settings of an organisation that has no site yet', async () => {
    const orgId = rid('org').toLowerCase();
    const secret = rid('sk_manager');
    await env.DB.batch([
      env.DB.prepare('INSERT INTO organisations (id, name) VALUES (?, ?)').bind(orgId, 'No site'),
      env.DB.prepare(
        'INSERT INTO api_keys (id, org_id, name, prefix, key_hash, role) VALUES (?, ?, ?, ?, ?, ?)',
      ).bind(
        `key_${orgId}`,
        orgId,
        'manager',
        secret.slice(0, 8),
        await hashApiKey(secret),
        'manager',
      ),
    ]);
    const response = await page('/console/settings', await signIn(secret));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('the collector accepts beacons for your career site but stores nothing');
    expect(html).toContain('none yet: saving allowed origins creates the site.');
    expect(html).not.toContain('<code></code>');
    expect(html).toContain('no career site yet');
  });
});

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
