// People sign in to the console through the demo identity provider (a real OpenID Provider,
// examples/identity-provider), one per role, and see what their role can use; someone who is
// not a user of the organisation is refused; signing out ends the session; the page asked for
// comes back after sign-in; a manager runs the Users pages; a role change signs that person out.
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
  user: ['Find a candidate', 'Campaigns'],
  reporter: ['Candidates', 'Campaigns', 'Reports'],
  manager: [
    'Candidates',
    'Campaigns',
    'Reports',
    'Users',
    'Admin settings',
    'API keys',
    'Webhooks',
    'Audit log',
  ],
  admin: [
    'Candidates',
    'Campaigns',
    'Reports',
    'Users',
    'Admin settings',
    'API keys',
    'Webhooks',
    'Audit log',
  ],
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

  it('lets a manager invite, edit and deactivate a user on the Users pages', async () => {
    const manager = await recruiter(browser, DEMO_PEOPLE.manager);
    const email = `grace.${Date.now()}@demo.test`;
    await manager.goto(`${env.api}/console/users`);
    await manager.getByRole('link', { name: 'Invite a user' }).click();
    await manager.getByLabel('Email', { exact: true }).fill(email);
    await manager.getByLabel('Name', { exact: true }).fill('Grace Hopper');
    // A manager cannot make an admin: the option is not offered.
    expect(
      await manager.getByLabel('Role', { exact: true }).locator('option').allTextContents(),
    ).not.toContain('Admin');
    await manager.getByLabel('Role', { exact: true }).selectOption('reporter');
    await manager.getByLabel('Messaging licence', { exact: true }).check();
    await manager.getByLabel('Sender phone', { exact: true }).fill('+44 20 7946 0958');
    await manager
      .getByLabel('Automatic text reply', { exact: true })
      .fill('Thanks, I will reply today.');
    await manager.getByRole('button', { name: 'Invite user' }).click();
    await manager.waitForURL(/\/console\/users\?saved=invited/);
    await expect.poll(() => manager.getByRole('cell', { name: email }).count()).toBe(1);

    await manager.getByRole('link', { name: 'Grace Hopper' }).click();
    const id = decodeURIComponent(new URL(manager.url()).pathname.split('/').pop() ?? '');
    expect(await api(`/v1/users/${id}`)).toMatchObject({
      email,
      role: 'reporter',
      licence: true,
      senderPhone: '+442079460958',
      autoReply: 'Thanks, I will reply today.',
    });
    await manager.getByLabel('Role', { exact: true }).selectOption('user');
    await manager.getByLabel('Messaging licence', { exact: true }).uncheck();
    await manager.getByLabel('Sender phone', { exact: true }).fill('+1 415 555 0123');
    await manager.getByLabel('Automatic text reply', { exact: true }).fill('');
    await manager.getByRole('button', { name: 'Save changes' }).click();
    await manager.waitForURL(/saved=/);
    expect(await api(`/v1/users/${id}`)).toMatchObject({
      role: 'user',
      licence: false,
      senderPhone: '+14155550123',
      autoReply: null,
    });
    await screenshot(manager, 'console-user');

    await manager.getByRole('button', { name: /Deactivate Grace Hopper/ }).click();
    await manager.getByRole('button', { name: 'Yes, deactivate Grace Hopper' }).click();
    await manager.waitForURL(/saved=/);
    expect(await api(`/v1/users/${id}`)).toMatchObject({ active: false, licence: false });
    await manager.goto(`${env.api}/console/users`);
    await screenshot(manager, 'console-users');
    await manager.context().close();
  });

  it('signs a person out at once when their role changes', async () => {
    const reporter = await recruiter(browser, DEMO_PEOPLE.reporter);
    const admin = await recruiter(browser, DEMO_PEOPLE.admin);
    try {
      await admin.goto(`${env.api}/console/users/usr_demo_reporter`);
      await admin.getByLabel('Role', { exact: true }).selectOption('user');
      await admin.getByRole('button', { name: 'Save changes' }).click();
      await admin.waitForURL(/saved=/);

      await reporter.goto(`${env.api}/console/reports`);
      expect(new URL(reporter.url()).pathname).toBe('/console');
      expect(await reporter.getByRole('status').first().textContent()).toContain(
        'Your session has ended',
      );
    } finally {
      // Back as it was for the other tests.
      await admin.goto(`${env.api}/console/users/usr_demo_reporter`);
      await admin.getByLabel('Role', { exact: true }).selectOption('reporter');
      await admin.getByRole('button', { name: 'Save changes' }).click();
      await admin.waitForURL(/saved=/);
      await admin.context().close();
      await reporter.context().close();
    }
  });
});

/** A user as the API has it, read with the demo manager key. */
async function api(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${env.api}${path}`, {
    headers: { authorization: 'Bearer sk_demo_manager' },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}
