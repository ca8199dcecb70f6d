// Helpers for the end-to-end tests: a visitor's browser, a recruiter's console session,
// screenshots and read-only D1 queries. Chromium, polling and D1 come from @cxm/test-support.
import { join } from 'node:path';
import { visitorContext } from '@cxm/test-support/chromium';
import { query } from '@cxm/test-support/d1';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect, inject } from 'vitest';

export const env = inject('e2e');

export interface Collected {
  status: number;
  body: { accepted?: number; duplicates?: number; dropped?: number; tracking?: boolean };
  visitorId: string | undefined;
}

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Every request URL the page made, in order. */
  requests: string[];
  /** The collector's replies, in order. */
  collected: Collected[];
}

/** A new visitor: a fresh browser profile with an ordinary Chrome user agent. */
export async function visitor(browser: Browser): Promise<Visitor> {
  // playwright's Chromium also reports `navigator.webdriver === true`, which the tracker treats
  // as automation (and the example pages, being real pages, carry no test switch): a visitor's
  // browser is not under automation, so the visitor context says false, as it does the UA.
  const context = await visitorContext(browser, {
    webdriver: false,
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const collected: Collected[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('response', async (response) => {
    if (!response.url().endsWith('/v1/collect') || response.request().method() !== 'POST') return;
    let visitorId: string | undefined;
    try {
      visitorId = (
        JSON.parse(response.request().postData() ?? '{}') as { visitor?: { id?: string } }
      ).visitor?.id;
    } catch {}
    collected.push({
      status: response.status(),
      body: await response.json().catch(() => ({})),
      visitorId,
    });
  });
  return { context, page, requests, collected };
}

/** The demo people, one per role, at the demo identity provider (password `demo`). */
export const DEMO_PEOPLE = {
  user: 'user@demo.test',
  reporter: 'reporter@demo.test',
  manager: 'manager@demo.test',
  admin: 'admin@demo.test',
} as const;

/**
 * A recruiter signed in to the console as `email`, the way a person does: the console's sign-in
 * page, the demo identity provider's own sign-in page (password `demo`), and back.
 */
export async function recruiter(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${env.api}/console`);
  await signInThroughProvider(page, email);
  await page.waitForURL(`${env.api}/console/candidates`);
  return page;
}

/**
 * What a person whose role does not reach a console page sees: no link to it in the navigation,
 * and a 403 page saying why when they open its address anyway.
 */
export async function expectRefusedPage(
  browser: Browser,
  email: string,
  page: { path: string; link: string; says: string },
): Promise<void> {
  const tab = await recruiter(browser, email);
  try {
    const links = await tab
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link')
      .allTextContents();
    expect(links).not.toContain(page.link);
    const response = await tab.goto(`${env.api}${page.path}`);
    expect(response?.status()).toBe(403);
    expect(await tab.locator('main').textContent()).toContain(page.says);
  } finally {
    await tab.context().close();
  }
}

/** From the console's sign-in page through the identity provider; leaves the page where it lands. */
export async function signInThroughProvider(page: Page, email: string, password = 'demo') {
  await page.getByLabel('Organisation').fill('demo');
  await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
  await page.waitForURL(`${env.idp}/**`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.origin === env.api);
}

/** A screenshot of the viewport (1280x800 unless told) into .test-results/screenshots/<name>.png. */
export async function screenshot(
  page: Page,
  name: string,
  viewport = { width: 1280, height: 800 },
): Promise<void> {
  await page.setViewportSize(viewport);
  await page.screenshot({ path: join(env.screenshots, `${name}.png`), fullPage: false });
}

/** How many engagements D1 holds whose detail (the page URL for visits) starts with `prefix`. */
export function storedWithDetail(prefix: string): number {
  const safe = prefix.replaceAll("'", "''");
  const [row] = query<{ n: number }>(
    env.persist,
    // instr, not LIKE: D1 refuses LIKE patterns longer than 50 bytes.
    `SELECT COUNT(*) AS n FROM engagements WHERE instr(detail, '${safe}') = 1`,
  );
  return row?.n ?? 0;
}
