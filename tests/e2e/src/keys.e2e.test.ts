// The API keys page in Chromium, as a manager uses it: a key created with its secret copied by
// the Copy button (the clipboard holds a secret the API accepts), rotated (both secrets work),
// the old one revoked after a confirmation that names it (it then gets 401), and the page
// answering a reporter with a refusal, not the list. The keys the test makes are its own.
import { launch } from '@cxm/test-support/chromium';
import { until } from '@cxm/test-support/poll';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, env, expectRefusedPage, recruiter, screenshot } from './harness.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

async function whoamiStatus(secret: string): Promise<number> {
  const response = await fetch(`${env.api}/v1/whoami`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  await response.body?.cancel();
  return response.status;
}

/** The secret the Copy button put on the clipboard of `page`. */
async function copied(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Copy' }).click();
  await until(
    'the console says the secret was copied',
    async () => (await page.locator('#key-secret-status').textContent())?.trim() || undefined,
  );
  return page.evaluate(() => navigator.clipboard.readText());
}

describe('API keys', () => {
  it('creates a key and copies its secret, rotates it, and revokes the old one after confirming', async () => {
    const name = `e2e key ${Date.now()}`;
    const page = await recruiter(browser, DEMO_PEOPLE.manager);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: env.api,
    });
    try {
      await page
        .getByRole('navigation', { name: 'Console' })
        .getByRole('link', { name: 'API keys' })
        .click();
      await page.locator('main h1', { hasText: 'API keys' }).waitFor();
      const form = page.getByRole('form', { name: 'Create an API key' });
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Role').selectOption('reporter');
      await form.getByRole('button', { name: 'Create key' }).click();
      await page.locator('main h1', { hasText: 'Key created' }).waitFor();
      const first = await copied(page);
      expect(first).toMatch(/^sk_/);
      expect(await whoamiStatus(first)).toBe(200);
      await screenshot(page, 'console-key-created');

      // The list shows it, never its secret; rotating gives a second secret, both valid.
      await page.getByRole('link', { name: 'Back to the keys' }).click();
      expect(await page.content()).not.toContain(first);
      await page
        .getByRole('button', { name: `Rotate ${name}` })
        .first()
        .click();
      await page.locator('main h1', { hasText: 'Key rotated' }).waitFor();
      const second = await copied(page);
      expect(second).not.toBe(first);
      expect(await whoamiStatus(first)).toBe(200);
      expect(await whoamiStatus(second)).toBe(200);

      // Revoking the old one: a confirmation naming it; Cancel leaves it working.
      await page.getByRole('link', { name: 'revoke the old key' }).click();
      await page.locator('main h1', { hasText: 'Revoke a key' }).waitFor();
      expect(await page.locator('main').textContent()).toContain(name);
      await page.getByRole('link', { name: 'Cancel' }).click();
      await page.locator('main h1', { hasText: 'API keys' }).waitFor();
      expect(await whoamiStatus(first)).toBe(200);
      await page.goBack();
      await page.getByRole('button', { name: `Revoke ${name}` }).click();
      await page.waitForURL(/\/console\/keys\?revoked=/);
      expect(await page.getByRole('status').first().textContent()).toContain('Revoked');
      expect(await whoamiStatus(first)).toBe(401);
      expect(await whoamiStatus(second)).toBe(200);

      // Tidy up: the rotated key is revoked too.
      await page.getByRole('link', { name: `Revoke ${name}` }).click();
      await page.getByRole('button', { name: `Revoke ${name}` }).click();
      await page.waitForURL(/\/console\/keys\?revoked=/);
      expect(await whoamiStatus(second)).toBe(401);
    } finally {
      await page.context().close();
    }
  });

  it('answers a reporter with a refusal and no link to it', async () => {
    await expectRefusedPage(browser, DEMO_PEOPLE.reporter, {
      path: '/console/keys',
      link: 'API keys',
      says: 'cannot manage API keys',
    });
  });
});
