// Helpers for the browser tests: a visitor's browser context, the tracker's requests, and the
// rows the worker wrote to D1. Chromium, the worker and D1 come from @cxm/test-support.
import { visitorContext } from '@cxm/test-support/chromium';
import { query } from '@cxm/test-support/d1';
import { until as poll } from '@cxm/test-support/poll';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { inject } from 'vitest';
import type { Fingerprint } from '../../src/identity.js';
import type { BeaconPayload, CollectReply } from '../../src/wire.js';

export const env = inject('browserEnv');

export interface Visit {
  context: BrowserContext;
  page: Page;
  /** Every request the page made, in order. */
  requests: Request[];
  /** The bodies posted to /v1/collect. */
  beacons: () => BeaconPayload[];
  /** The collector's replies to them, as they arrived. */
  replies: CollectReply[];
  /** Requests beyond the site's own origin, other than the script tag's `t.js`. */
  trackerRequests: () => Request[];
  /** Messages the console printed (CSP violations show up here). */
  console: string[];
}

/**
 * A visitor with an ordinary Chrome user agent (`userAgent: null` keeps HeadlessChrome's).
 * `navigator.webdriver` stays true: the test pages carry the tracker's test switch instead.
 */
export async function visitor(
  browser: Browser,
  options: { userAgent?: string | null; init?: string } = {},
): Promise<Visit> {
  const context = await visitorContext(browser, { userAgent: options.userAgent });
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  const requests: Request[] = [];
  const consoleLines: string[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  const collect = `${env.edge}/v1/collect`;
  const replies: CollectReply[] = [];
  page.on('response', (r) => {
    if (r.url() === collect && r.request().method() === 'POST') {
      r.json().then(
        (reply: CollectReply) => replies.push(reply),
        () => {},
      );
    }
  });
  return {
    context,
    page,
    requests,
    replies,
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
export function until<T>(
  check: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  return poll('condition', check, ms);
}

export interface EngagementRow {
  type: string;
  detail: string;
  device_id: string;
  kind: string;
  fingerprint_version: string | null;
  /** The external id of the candidate the engagement counts for, if its visitor is linked. */
  candidate: string | null;
}

/** The engagements stored for page URLs containing `path`, with their visitor and candidate. */
export function engagements(path: string): EngagementRow[] {
  return query<EngagementRow>(
    env.persist,
    `SELECT e.type, e.detail, v.device_id, v.kind, v.fingerprint_version, c.external_id AS candidate
       FROM engagements e JOIN visitors v ON v.id = e.visitor_id
       LEFT JOIN candidates c ON c.id = e.candidate_id
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

/**
 * This tab's FingerprintJS result, once the tracker has it (`cxm_fp` in sessionStorage: FingerprintJS
 * ran after consent, in the background).
 */
export async function fingerprintOf(page: Page): Promise<Fingerprint> {
  const cached = await page.waitForFunction(() => sessionStorage.getItem('cxm_fp'), null, {
    timeout: 30_000,
  });
  return JSON.parse((await cached.jsonValue()) as string) as Fingerprint;
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
