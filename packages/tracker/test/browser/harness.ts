// Helpers for the browser tests: Chromium, a visitor's browser context, the tracker's requests,
// and the rows the worker wrote to D1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type Request,
} from 'playwright-core';
import { inject } from 'vitest';
import type { BeaconPayload } from '../../src/wire.js';
import { EDGE_API } from './global-setup.js';

export const env = inject('browserEnv');

/**
 * Headless Chromium says `HeadlessChrome` in its user agent, which both the tracker and the API
 * treat as a bot. A visitor's browser says this instead.
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

export interface Visit {
  context: BrowserContext;
  page: Page;
  /** Every request the page made, in order. */
  requests: Request[];
  /** The bodies posted to /v1/collect. */
  beacons: () => BeaconPayload[];
  /** Requests beyond the site's own origin, other than the script tag's `t.js`. */
  trackerRequests: () => Request[];
  /** Messages the console printed (CSP violations show up here). */
  console: string[];
}

export async function visitor(
  browser: Browser,
  options: { userAgent?: string | null; init?: string } = {},
): Promise<Visit> {
  const context = await browser.newContext(
    options.userAgent === null ? {} : { userAgent: options.userAgent ?? VISITOR_UA },
  );
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  const requests: Request[] = [];
  const consoleLines: string[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  const collect = `${env.edge}/v1/collect`;
  return {
    context,
    page,
    requests,
    console: consoleLines,
    beacons: () =>
      requests
        .filter((r) => r.url() === collect && r.method() === 'POST')
        .map((r) => JSON.parse(r.postData() ?? '{}') as BeaconPayload),
    trackerRequests: () =>
      requests.filter((r) => !r.url().startsWith(env.pages) && r.url() !== `${env.edge}/t.js`),
  };
}

/** Polls `check` until it returns a value (not undefined), for at most `ms`. */
export async function until<T>(
  check: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A read-only query against the worker's local D1, through wrangler (as a person would). */
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
  if (result.status !== 0) throw new Error(`d1 query failed: ${result.stderr || result.stdout}`);
  const parsed = JSON.parse(result.stdout) as { results: T[] }[];
  return parsed[0]?.results ?? [];
}

export interface EngagementRow {
  type: string;
  detail: string;
  device_id: string;
  kind: string;
  fingerprint_version: string | null;
}

/** The engagements stored for page URLs containing `path`, with their visitor. */
export function engagements(path: string): EngagementRow[] {
  return d1<EngagementRow>(
    `SELECT e.type, e.detail, v.device_id, v.kind, v.fingerprint_version
       FROM engagements e JOIN visitors v ON v.id = e.visitor_id
      WHERE e.site_id = 'site_tracker_test' AND e.detail LIKE '%${path.replaceAll("'", "''")}%'
      ORDER BY e.occurred_at`,
  );
}

/** Polls D1 until at least `count` engagements for `path` are stored. */
export function stored(path: string, count = 1, ms = 60_000): Promise<EngagementRow[]> {
  return until(() => {
    const rows = engagements(path);
    return rows.length >= count ? rows : undefined;
  }, ms);
}

/** The page's storage keys written by the tracker. */
export function trackerStorage(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) =>
      k.startsWith('cxm'),
    ),
  );
}

/** Waits until the tracker script ran (the real `cxm` replaced the stub). */
export function trackerLoaded(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => (window as { cxm?: { loaded?: boolean } }).cxm?.loaded === true,
    null,
    {
      timeout: 30_000,
    },
  );
}
