// Helpers for the browser tests: a visitor's browser context, the tracker's requests, and the
// rows the worker wrote to D1. Chromium, the worker and D1 come from @cxm/test-support.
import { visitorContext } from '@cxm/test-support/chromium';
import { query } from '@cxm/test-support/d1';
import { until as poll } from '@cxm/test-support/poll';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { inject } from 'vitest';
import type { Fingerprint } from '../../src/identity.js';
import type { BeaconPayload, CollectReply } from '../../src/wire.js';
import { API_KEY } from './servers.js';

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
  /** The same replies, each with the beacon it answers. */
  exchanges: { beacon: BeaconPayload; reply: CollectReply }[];
  /** Requests beyond the site's own origin, other than the script tag's `t.js`. */
  trackerRequests: () => Request[];
  /** Messages the console printed (CSP violations show up here). */
  console: string[];
}

/**
 * A visitor with an ordinary Chrome user agent (`userAgent: null` keeps HeadlessChrome's).
 * `navigator.webdriver` stays true: the test pages carry the tracker's test switch instead.
 * `viewport` (the screen too) other than the default 1280x720 gives the profile another
 * FingerprintJS id: another device, as far as the fingerprint goes.
 */
export async function visitor(
  browser: Browser,
  options: {
    userAgent?: string | null;
    init?: string;
    viewport?: { width: number; height: number };
  } = {},
): Promise<Visit> {
  const context = await visitorContext(browser, {
    userAgent: options.userAgent,
    viewport: options.viewport,
  });
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  const requests: Request[] = [];
  const consoleLines: string[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  const collect = `${env.edge}/v1/collect`;
  const replies: CollectReply[] = [];
  const exchanges: Visit['exchanges'] = [];
  page.on('response', (r) => {
    if (r.url() === collect && r.request().method() === 'POST') {
      r.json().then(
        (reply: CollectReply) => {
          replies.push(reply);
          try {
            const beacon = JSON.parse(r.request().postData() ?? '') as BeaconPayload;
            exchanges.push({ beacon, reply });
          } catch {}
        },
        () => {},
      );
    }
  });
  return {
    context,
    page,
    requests,
    replies,
    exchanges,
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
  /**
   * How the engagement came to count for its candidate (`visitor`, `link`, `identity_token`,
   * `fingerprint`); null while anonymous.
   */
  attribution: string | null;
}

const ENGAGEMENT_ROWS = `SELECT e.type, e.detail, v.device_id, v.kind, v.fingerprint_version,
         c.external_id AS candidate, e.attribution
       FROM engagements e JOIN visitors v ON v.id = e.visitor_id
       LEFT JOIN candidates c ON c.id = e.candidate_id`;

/** SQL text as a string literal. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The engagements stored for page URLs containing `path`, with their visitor and candidate. */
export function engagements(path: string): EngagementRow[] {
  return query<EngagementRow>(
    env.persist,
    `${ENGAGEMENT_ROWS}
      WHERE e.site_id = 'site_tracker_test' AND e.detail LIKE ${literal(`%${path}%`)}
      ORDER BY e.occurred_at`,
  );
}

/** The engagements stored for one browser profile (its stored visitor id, `cxm_id`). */
export function engagementsOf(deviceId: string): EngagementRow[] {
  return query<EngagementRow>(
    env.persist,
    `${ENGAGEMENT_ROWS}
      WHERE e.site_id = 'site_tracker_test' AND v.device_id = ${literal(deviceId)}
      ORDER BY e.occurred_at`,
  );
}

export interface VisitorRow {
  /** The external id of the candidate the visitor is linked to. */
  candidate: string | null;
  /** How the link was made (`api`, `identity_token`, `fingerprint`); null while anonymous. */
  link_source: string | null;
  fp: string | null;
}

/** The visitor row of one browser profile, by its stored visitor id. */
export function visitorRow(deviceId: string): VisitorRow | undefined {
  return query<VisitorRow>(
    env.persist,
    `SELECT c.external_id AS candidate, v.link_source, v.fp FROM visitors v
       LEFT JOIN candidates c ON c.id = v.candidate_id
      WHERE v.org_id = 'demo' AND v.device_id = ${literal(deviceId)}`,
  )[0];
}

export interface FingerprintRow {
  /** The external id of the candidate identified profiles with the fingerprint were linked to. */
  candidate: string | null;
  /** When it proved shared by several profiles or people (epoch ms); null while unambiguous. */
  shared_at: number | null;
}

/** The demo organisation's row for a FingerprintJS id (table `fingerprints`). */
export function fingerprintRow(fp: string): FingerprintRow | undefined {
  return query<FingerprintRow>(
    env.persist,
    `SELECT c.external_id AS candidate, f.shared_at FROM fingerprints f
       LEFT JOIN candidates c ON c.id = f.candidate_id
      WHERE f.org_id = 'demo' AND f.fp = ${literal(fp)}`,
  )[0];
}

/**
 * A signed identity token (`cxm_t`) for the candidate with external id `candidateId`, minted by
 * `POST /v1/identity-tokens` with the demo organisation's user key, as a portal or an email
 * link's redirect would carry it.
 */
export async function identityToken(candidateId: string): Promise<string> {
  const response = await fetch(`${env.edge}/v1/identity-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ candidateId }),
  });
  if (response.status !== 201) {
    throw new Error(`identity token: ${response.status} ${await response.text()}`);
  }
  return ((await response.json()) as { token: string }).token;
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
