// Getting around the console: the navigation names only what the signed-in role can use (every
// link it shows opens a page that works for that role, none that answers "cannot"), and sign-in
// returns to the page asked for, but only to a console path on this origin.
import { describe, expect, it } from 'vitest';
import { createOrg, request } from '../test/client.js';
import { page, signedInAs } from '../test/console.js';
import { safeReturn } from './auth.js';

/** The console navigation's links, as [label, href]. */
function navigation(html: string): [string, string][] {
  const nav = /<nav aria-label="Console">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((match) => [
    match[2] ?? '',
    match[1] ?? '',
  ]);
}

const EXPECTED = {
  user: [
    ['Find a candidate', '/console/candidates'],
    ['Campaigns', '/console/campaigns'],
  ],
  reporter: [
    ['Candidates', '/console/candidates'],
    ['Campaigns', '/console/campaigns'],
    ['Reports', '/console/reports'],
  ],
  manager: [
    ['Candidates', '/console/candidates'],
    ['Campaigns', '/console/campaigns'],
    ['Reports', '/console/reports'],
    ['Users', '/console/users'],
    ['Admin settings', '/console/settings'],
    ['API keys', '/console/keys'],
    ['Webhooks', '/console/webhooks'],
    ['Audit log', '/console/audit'],
  ],
} as const;

describe('console: navigation by role', () => {
  it.each([
    ['user', EXPECTED.user],
    ['reporter', EXPECTED.reporter],
    ['manager', EXPECTED.manager],
    ['admin', EXPECTED.manager],
  ] as const)(
    'shows the %s role only what it can use, each page working',
    async (role, expected) => {
      const org = await createOrg();
      const { cookie } = await signedInAs(org.keys[role]);
      const home = await page('/console/campaigns', cookie);
      expect(home.status).toBe(200);
      const links = navigation(await home.text());
      expect(links).toEqual(expected);
      for (const [label, href] of links) {
        const response = await page(href, cookie);
        expect.soft(response.status, `${role}: ${label}`).toBe(200);
        expect
          .soft(await response.text(), `${role}: ${label}`)
          .not.toMatch(/Your role \(\w+\) cannot/);
      }
    },
  );
});

describe('console: returning after sign-in', () => {
  it.each([
    ['/console', '/console'],
    [
      '/console/candidates/ada-lovelace?tab=engagement',
      '/console/candidates/ada-lovelace?tab=engagement',
    ],
    ['/console/candidates?tier=engaged&tags=java', '/console/candidates?tier=engaged&tags=java'],
    ['/console?next=x', '/console?next=x'],
  ])('accepts the console path %s', (path, kept) => {
    expect(safeReturn(path)).toBe(kept);
  });

  it.each([
    ['another site', 'https://evil.test/console'],
    ['a scheme-relative URL', '//evil.test/console'],
    ['a backslash the browser reads as a slash', '/\\evil.test'],
    ['a backslash inside', '/console/\\evil.test'],
    ['a doubled slash inside', '/console//evil.test'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a path outside the console', '/elsewhere'],
    ['a path that only starts like it', '/consoles'],
    ['a relative path', 'console/candidates'],
    ['dot segments out of the console', '/console/../v1/keys'],
    ['encoded dot segments', '/console/%2e%2e/v1/keys'],
    ['a tab or newline', '/console/\tx'],
    ['nothing', ''],
  ])('refuses %s', (_what, path) => {
    expect(safeReturn(path)).toBeNull();
  });

  it('sends a signed-out browser to sign in with the page asked for, and a signed-in one on to it', async () => {
    const asked = '/console/candidates?tier=engaged&tags=java';
    const out = await page(asked, '');
    expect(out.status).toBe(303);
    const signIn = out.headers.get('location') ?? '';
    expect(new URL(signIn, 'http://x').searchParams.get('next')).toBe(asked);
    const form = await (await request(signIn)).text();
    expect(form).toContain(`name="next" value="${asked.replaceAll('&', '&amp;')}"`);

    const org = await createOrg();
    const { cookie } = await signedInAs(org.keys.reporter);
    const back = await page(`/console?${new URLSearchParams({ next: asked })}`, cookie);
    expect(back.headers.get('location')).toBe(asked);
    for (const next of ['//evil.test', '/\\evil.test', 'https://evil.test/console']) {
      const refused = await page(`/console?${new URLSearchParams({ next })}`, cookie);
      expect(refused.headers.get('location'), next).toBe('/console/candidates');
      const form = await (await request(`/console?${new URLSearchParams({ next })}`)).text();
      expect(form, next).not.toContain('name="next"');
    }
  });
});
