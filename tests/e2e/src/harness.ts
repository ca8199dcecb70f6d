// Helpers for the end-to-end tests: Chromium, a visitor's browser, a recruiter's console
// session, bounded polling, screenshots and read-only D1 queries.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { EDGE_API } from './global-setup.js';

export const env = inject('e2e');

/**
 * Headless Chromium says `HeadlessChrome` in its user agent, which the tracker and the collector
 * rightly treat as a bot. A visitor's browser says this instead.
 */
export const VISITOR_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
}

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
  const context = await browser.newContext({
    userAgent: VISITOR_UA,
    viewport: { width: 1280, height: 800 },
  });
  // playwright's Chromium also reports `navigator.webdriver === true`, which the tracker treats
  // as automation (and the example pages, being real pages, carry no test switch): a visitor's
  // browser is not under automation, so the visitor context says false, as it does the UA.
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });
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

/** A recruiter signed in to the console with `key`. */
export async function recruiter(browser: Browser, key: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${env.api}/console`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${env.api}/console/candidates`);
  return page;
}

/** Polls `check` until it returns a value other than undefined, for at most `ms`. */
export async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A full-page screenshot at 1280x800 into .test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(env.screenshots, `${name}.png`), fullPage: false });
}

/** A read-only query against the run's local D1, through wrangler (as a person would). */
export function d1<T = Record<string, unknown>>(sql: string): T[] {
  const result = spawnSync(
    join(EDGE_API, 'node_modules', '.bin', 'wrangler'),
    ['d1', 'execute', 'DB', '--local', '--persist-to', env.persist, '--json', '--command', sql],
    {
      cwd: EDGE_API,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' },
      timeout: 120_000,
    },
  );
  if (result.status !== 0) {
    const why = result.error?.message ?? `exit ${result.status}`;
    throw new Error(`d1 query failed (${why}): ${result.stderr}${result.stdout}`);
  }
  const parsed = JSON.parse(result.stdout) as { results: T[] }[];
  return parsed[0]?.results ?? [];
}

/** How many engagements D1 holds whose detail (the page URL for visits) starts with `prefix`. */
export function storedWithDetail(prefix: string): number {
  const safe = prefix.replaceAll("'", "''");
  const [row] = d1<{ n: number }>(
    // instr, not LIKE: D1 refuses LIKE patterns longer than 50 bytes.
    `SELECT COUNT(*) AS n FROM engagements WHERE instr(detail, '${safe}') = 1`,
  );
  return row?.n ?? 0;
}
