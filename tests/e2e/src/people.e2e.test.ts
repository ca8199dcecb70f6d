// People sign in to the console through the demo identity provider (a real OpenID Provider,
// examples/identity-provider), one per role, and see what their role can use; someone who is
// not a user of the organisation is refused; signing out ends the session; the page asked for
// comes back after sign-in.
import { launch } from '@cxm/test-support/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, env, recruiter, screenshot, signInThroughProvider } from './harness.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

async function navigation(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
}

const SEES = {
  user: ['Candidates'],
  reporter: ['Candidates', 'Reports'],
  manager: ['Candidates', 'Reports', 'Users', 'Admin settings'],
  admin: ['Candidates', 'Reports', 'Users', 'Admin settings'],
} as const;

describe('signing in as a person', () => {
  for (const role of ['user', 'reporter', 'manager', 'admin'] as const) {
    it(`signs ${DEMO_PEOPLE[role]} in through the identity provider and shows what a ${role} can use`, async () => {
      const page = await recruiter(browser, DEMO_PEOPLE[role]);
      expect(await navigation(page)).toEqual([...SEES[role]]);
      const who = (await page.locator('.who').textContent()) ?? '';
      expect(who).toContain(`role ${role}`);
      expect(who).toContain('messaging licence');

      // The session cookie is HttpOnly and SameSite=Lax, scoped to the console.
      const cookie = (await page.context().cookies()).find((c) => c.name === 'cxm_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/console' });

      const users = await page.goto(`${env.api}/console/users`);
      if (role === 'manager' || role === 'admin') {
        expect(users?.status()).toBe(200);
        await expect
          .poll(() => page.getByRole('cell', { name: DEMO_PEOPLE.admin }).count())
          .toBeGreaterThan(0);
      } else {
        expect(users?.status()).toBe(403);
        expect(await page.locator('#main').textContent()).toContain(`Your role (${role}) cannot`);
      }
      const reports = await page.goto(`${env.api}/console/reports`);
      expect(reports?.status()).toBe(role === 'user' ? 403 : 200);
      if (role === 'admin') await screenshot(page, 'console-signed-in-admin');
      await page.context().close();
    });
  }

  it('refuses someone the identity provider knows but the organisation does not', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${env.api}/console`);
    await signInThroughProvider(page, 'outsider@demo.test');
    expect(new URL(page.url()).pathname).toBe('/console/oidc/callback');
    expect(await page.getByRole('alert').textContent()).toContain(
      'outsider@demo.test is not a user of',
    );
    expect((await page.context().cookies()).some((c) => c.name === 'cxm_session')).toBe(false);
    await screenshot(page, 'console-sign-in-refused');
    await page.context().close();
  });

  it('returns to the page asked for, and signing out ends the session', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${env.api}/console/reports?days=14`);
    expect(new URL(page.url()).pathname).toBe('/console');
    await signInThroughProvider(page, DEMO_PEOPLE.reporter);
    expect(page.url()).toBe(`${env.api}/console/reports?days=14`);

    const cookie = (await page.context().cookies()).find((c) => c.name === 'cxm_session');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${env.api}/console?signed-out`);
    // The old token is dead on the server, not only gone from this browser.
    const stale = await fetch(`${env.api}/v1/whoami`, {
      headers: { authorization: `Bearer ${cookie?.value}` },
    });
    expect(stale.status).toBe(401);
    await page.goto(`${env.api}/console/candidates`);
    expect(new URL(page.url()).pathname).toBe('/console');
    await page.context().close();
  });
});
