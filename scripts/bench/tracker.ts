// The tracker's cost to a career site, in three parts:
// 1. bytes: the core `t.js` and its FingerprintJS chunk as built in packages/tracker/dist,
//    measured by packages/tracker/size.mjs (as the build and the size test measure them), against its budgets;
// 2. main-thread time on page load: the same host page without and with the pasted snippet
//    (consent mode none, so the first beacon and FingerprintJS run), CDP `Performance.getMetrics`,
//    over a window that ends once FingerprintJS has stored its id, not at the first beacon (which
//    no longer waits for it);
// 3. consent to first beacon: from the page's consent handler to the start of the tracker's
//    `/v1/collect` request, against a handler that posts a plain `fetch` to the same collector;
//    and, apart, consent to FingerprintJS's id stored (chunk request, download, FingerprintJS's work).
// Everything runs against `wrangler dev` on a temp D1 and host pages on another loopback origin,
// in headless Chromium with a fresh browser context (a first-time visitor) per run. Every run
// also checks that nothing but the worker (and the host page's own documents) was requested, that
// the first beacon carries the stored visitor id, and that FingerprintJS ran.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launch, visitorContext } from '@cxm/test-support/chromium';
import { ROOT, TRACKER } from '@cxm/test-support/paths';
import { until } from '@cxm/test-support/poll';
import { freePort, listen } from '@cxm/test-support/ports';
import { startWorker, type Worker } from '@cxm/test-support/worker';
import { BUDGETS, builtSizes, type Size } from '@cxm/tracker/size';
import type { BeaconPayload, CollectReply } from '@cxm/tracker/wire';
import type { Browser, BrowserContext, CDPSession, Page, Request, Response } from 'playwright-core';
import { type BenchResult, fmt, median, ms, quantile, ratio, type Table } from './report.js';
import {
  FINGERPRINT_KEY,
  GRANT_GLOBAL,
  PATHS,
  pages,
  pagesServer,
  SITE,
  STORAGE_MARKS_GLOBAL,
  STORED_ID_KEY,
} from './tracker-pages.js';

/**
 * Alternating pairs per measurement: as many as fit the time budget, between `min` and `max`, so
 * the bench stays bounded on a loaded machine (each run is a fresh context and up to ~2 s of
 * waiting there) and still gives a median and a p90 worth reading.
 */
interface Pairs {
  min: number;
  max: number;
  budgetMs: number;
}
const LOAD_PAIRS: Pairs = { min: 6, max: 20, budgetMs: 45_000 };
const CONSENT_PAIRS: Pairs = { min: 6, max: 20, budgetMs: 30_000 };
/** After the first beacon's answer and FingerprintJS's stored id, whichever comes later, the tracked
 * load stays open this long before the metrics are read (the plain one stays open as long in all). */
const TAIL_MS = 100;
/** How long a page must stay quiet before "it requested nothing else" is believed (as the tracker's
 * browser tests wait). Used once, on the warm-up visit: every run checks what it saw. */
const QUIET_MS = 1500;
const WAIT_MS = 30_000;

const DIST = join(TRACKER, 'dist');
const CHUNK = /^\/t\/fp\.[0-9a-f]+\.js$/;
/** An id as the collector takes it (`visitor.id`, `visitor.fp`): 8-64 of `[A-Za-z0-9_-]`. */
const WIRE_ID = /^[\w-]{8,64}$/;

// ---------------------------------------------------------------------------------------------
// Sizes

/** The newest modification time under `dir` of files `keep` accepts. */
function newest(dir: string, keep: (name: string) => boolean): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !keep(entry.name)) continue;
    latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

function sizes(): { table: Table; notes: string[] } {
  const notes: string[] = [];
  if (!existsSync(join(DIST, 'manifest.json'))) {
    process.stderr.write('packages/tracker/dist is missing: building it\n');
    const built = spawnSync('pnpm', ['--filter', '@cxm/tracker', 'build'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 180_000,
    });
    if (built.status !== 0) throw new Error(`the tracker build failed:\n${built.stdout}`);
  } else if (
    newest(join(TRACKER, 'src'), (name) => name.endsWith('.ts') && !name.endsWith('.test.ts')) >
    statSync(join(DIST, 'manifest.json')).mtimeMs
  ) {
    // Not rebuilt here: the build empties dist/ first, under any browser suite or demo serving it.
    notes.push(
      '**dist is older than packages/tracker/src**: these figures are for the last build; run `pnpm --filter @cxm/tracker build` for current ones.',
    );
  }
  const { entry, chunk, core, fingerprint, total } = builtSizes(DIST);
  const budget = BUDGETS;
  const row = (name: string, size: Size, limit?: number) => [
    name,
    fmt(size.min),
    fmt(size.gzip),
    limit === undefined ? '' : fmt(limit),
    limit === undefined ? '' : `${ratio(size.gzip, limit)}${size.gzip > limit ? ' **over**' : ''}`,
  ];
  return {
    table: {
      title: 'Sizes as built in packages/tracker/dist (bytes; min = the built file, gzip -9)',
      columns: ['file', 'min', 'min+gzip', 'budget (min+gzip)', 'of budget'],
      rows: [
        row(`core \`${entry}\``, core, budget.core),
        row(`FingerprintJS chunk \`${chunk}\``, fingerprint),
        row('total', total, budget.total),
      ],
    },
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// The browser environment

interface Env {
  browser: Browser;
  worker: Worker;
  server: Server;
  /** The worker: `/t.js`, the chunk, `/v1/collect`. */
  edge: string;
  /** The host pages. */
  pages: string;
}

async function setUp(): Promise<Env> {
  // The pages' port first: its origin goes into the site's allowed origins.
  const port = await freePort();
  const pagesOrigin = `http://127.0.0.1:${port}`;
  // Chromium starts while wrangler does: the two together take most of the set-up time.
  const [browser, worker] = await Promise.allSettled([
    launch(),
    startWorker({
      tempPrefix: 'cxm-bench-tracker-d1-',
      sql: `INSERT INTO sites (id, org_id, public_key, name, allowed_origins, tracking_enabled)
            VALUES ('site_bench_tracker', 'demo', '${SITE}', 'Tracker benchmark', '["${pagesOrigin}"]', 1)`,
    }),
  ]);
  if (browser.status === 'rejected' || worker.status === 'rejected') {
    if (browser.status === 'fulfilled') await browser.value.close();
    if (worker.status === 'fulfilled') await worker.value.stop();
    throw browser.status === 'rejected' ? browser.reason : (worker as PromiseRejectedResult).reason;
  }
  const server = pagesServer(pages(worker.value.origin));
  const env: Env = {
    browser: browser.value,
    worker: worker.value,
    server,
    edge: worker.value.origin,
    pages: pagesOrigin,
  };
  try {
    await listen(server, port);
  } catch (error) {
    await tearDown(env);
    throw error;
  }
  return env;
}

async function tearDown(env: Env): Promise<void> {
  await env.browser.close().catch(() => {});
  env.server.close();
  await env.worker.stop();
}

interface Visit {
  context: BrowserContext;
  page: Page;
  /** Every request of the context (every frame, every page), in order. */
  requests: Request[];
  /** Uncaught errors in the page, for the message when a run fails. */
  errors: string[];
}

// The snippet is pasted as a site pastes it, without the tracker's tests-only automation switch,
// so the tracker must see a visitor's browser: `navigator.webdriver === false`.

/** A first-time visitor: a fresh profile (empty cache and storage), an ordinary Chrome. */
async function visit(env: Env): Promise<Visit> {
  const context = await visitorContext(env.browser, { webdriver: false });
  const requests: Request[] = [];
  const errors: string[] = [];
  context.on('request', (request) => requests.push(request));
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, requests, errors };
}

/** Runs `body` on a fresh visitor, closes it, and names the page's own errors if `body` failed. */
async function withVisit<T>(env: Env, body: (v: Visit) => Promise<T>): Promise<T> {
  const v = await visit(env);
  try {
    return await body(v);
  } catch (error) {
    if (v.errors.length === 0 || !(error instanceof Error)) throw error;
    throw new Error(`${error.message}\npage errors:\n  ${v.errors.join('\n  ')}`, {
      cause: error,
    });
  } finally {
    await v.context.close();
  }
}

const isBeacon = (env: Env) => (response: Response) =>
  response.url() === `${env.edge}/v1/collect` && response.request().method() === 'POST';

/**
 * The tracker talks to the collector origin only, and the host page's origin served nothing but
 * its documents (and the browser's favicon request): anything else fails the bench, naming it.
 * `allowed` lists the worker paths this page may request.
 */
function checkRequests(env: Env, v: Visit, what: string, allowed: (path: string) => boolean) {
  const stray: string[] = [];
  for (const request of v.requests) {
    const url = new URL(request.url());
    // data: and blob: URLs never leave the browser.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    if (url.origin === env.edge && allowed(url.pathname)) continue;
    if (
      url.origin === env.pages &&
      (request.isNavigationRequest() || url.pathname === '/favicon.ico')
    )
      continue;
    stray.push(`${request.method()} ${request.url()}`);
  }
  if (stray.length > 0) {
    throw new Error(
      `${what}: requests beyond the worker (${env.edge}) and the host page's documents:\n  ${stray.join('\n  ')}`,
    );
  }
}

const trackerPaths = (path: string) =>
  path === '/t.js' || CHUNK.test(path) || path === '/v1/collect';

/**
 * The first beacon's reply: 202 with its one event stored (or deduplicated, which a fresh
 * profile's new visitor id makes unlikely). With `tracker`, the beacon itself: the visitor is the
 * stored first-party id (`kind: 'stored'`, an id the collector takes; `checkIdentity` compares it
 * with what was stored), and carries no `fp`: in a fresh profile the first beacon leaves before
 * FingerprintJS has answered. Both are what the figures assume: a `page` id would mean storage was
 * refused, an `fp` on the first beacon that it waited for FingerprintJS (whose cost would then be
 * in "consent to first beacon" again). Returns the beacon.
 */
async function checkBeacon(
  response: Response,
  what: string,
  tracker: boolean,
): Promise<Partial<BeaconPayload>> {
  await response.finished();
  const reply = (await response.json().catch(() => ({}))) as Partial<CollectReply>;
  if (
    response.status() !== 202 ||
    reply.tracking !== true ||
    (reply.accepted ?? 0) + (reply.duplicates ?? 0) !== 1
  ) {
    throw new Error(
      `${what}: the collector answered ${response.status()} ${JSON.stringify(reply)}`,
    );
  }
  const beacon = JSON.parse(response.request().postData() ?? '{}') as Partial<BeaconPayload>;
  if (!tracker) return beacon;
  const visitor = beacon.visitor;
  if (visitor?.kind !== 'stored' || !WIRE_ID.test(visitor.id) || visitor.fp !== undefined) {
    throw new Error(
      `${what}: the first beacon's visitor is ${JSON.stringify(visitor)}, not a well-formed stored id without fp`,
    );
  }
  return beacon;
}

// ---------------------------------------------------------------------------------------------
// The tracker's storage writes, from CDP

interface StorageWrite {
  value: string;
  /** When CDP's event reached this process: `performance.now()` here. */
  at: number;
}

type Written = (key: string, local: boolean, what: string) => Promise<StorageWrite>;

/**
 * How the bench learns that FingerprintJS has finished: the tracker writes its result to
 * sessionStorage (`cxm_fp`) as soon as FingerprintJS's `get()` has answered, and CDP's DOMStorage
 * domain reports that write (`DOMStorage.domStorageItemAdded`, key and value) with no request
 * from here. The alternatives were worse for a main-thread measurement: polling sessionStorage
 * from here (`page.evaluate`, `waitForFunction`) runs tasks on the very thread being measured, all
 * through the window; a second beacon the page triggers after a delay adds the tracker's work (an
 * event, a `fetch`) to the tracked page, and only shows that the delay passed (it would carry `fp`
 * if FingerprintJS happened to be done), so the delay would have to be guessed long; and the
 * chunk's response marks the start of FingerprintJS's work, not its end. The DOMStorage agent only
 * forwards writes the page makes anyway (two in a tracked load, none in the plain one) and is
 * enabled in both variants. The same events show the stored visitor id (`cxm_id`, localStorage).
 * Returns `written(key, local)`: the host page's first write of `key`, waited for up to `WAIT_MS`.
 */
async function watchStorage(cdp: CDPSession, origin: string): Promise<Written> {
  const seen = new Map<string, StorageWrite>();
  const waiting = new Map<string, (write: StorageWrite) => void>();
  const name = (key: string, local: boolean) =>
    `${local ? 'localStorage' : 'sessionStorage'} ${key}`;
  const note = (event: {
    storageId: { securityOrigin?: string; storageKey?: string; isLocalStorage: boolean };
    key: string;
    newValue: string;
  }) => {
    const { storageId } = event;
    if (storageId.securityOrigin !== origin && storageId.storageKey !== `${origin}/`) return;
    const which = name(event.key, storageId.isLocalStorage);
    if (seen.has(which)) return;
    const write = { value: event.newValue, at: performance.now() };
    seen.set(which, write);
    waiting.get(which)?.(write);
  };
  cdp.on('DOMStorage.domStorageItemAdded', note);
  cdp.on('DOMStorage.domStorageItemUpdated', note);
  await cdp.send('DOMStorage.enable');
  return (key, local, what) => {
    const which = name(key, local);
    const found = seen.get(which);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what}: ${which} not written within ${WAIT_MS / 1000} s`)),
        WAIT_MS,
      );
      waiting.set(which, (write) => {
        clearTimeout(timer);
        resolve(write);
      });
    });
  };
}

/**
 * The identity after the first beacon: its visitor id is the one the tracker stored (`cxm_id`),
 * and FingerprintJS ran: its chunk was requested and answered 200, and its result, with an `fp`
 * the collector takes, was stored in sessionStorage (`cxm_fp`). Returns when that write was
 * reported (`performance.now()` here).
 */
async function checkIdentity(
  env: Env,
  v: Visit,
  written: Written,
  beacon: Partial<BeaconPayload>,
  what: string,
): Promise<number> {
  const id = await written(STORED_ID_KEY, true, what);
  if (id.value !== beacon.visitor?.id) {
    throw new Error(
      `${what}: the first beacon's visitor id ${beacon.visitor?.id} is not the stored ${STORED_ID_KEY} ${id.value}`,
    );
  }
  const fp = await written(FINGERPRINT_KEY, false, what);
  let found: unknown;
  try {
    found = (JSON.parse(fp.value) as { fp?: unknown } | null)?.fp;
  } catch {}
  if (typeof found !== 'string' || !WIRE_ID.test(found)) {
    throw new Error(`${what}: ${FINGERPRINT_KEY} holds no well-formed fp: ${fp.value}`);
  }
  const chunk = v.requests.find((r) => {
    const url = new URL(r.url());
    return url.origin === env.edge && CHUNK.test(url.pathname);
  });
  const answer = await chunk?.response();
  if (answer?.status() !== 200) {
    throw new Error(
      `${what}: the FingerprintJS chunk was ${chunk ? `answered ${answer?.status() ?? 'nothing'}` : 'not requested'}`,
    );
  }
  return fp.at;
}

// ---------------------------------------------------------------------------------------------
// Main-thread time on page load

interface LoadSample {
  /** CDP TaskDuration, its share not attributed to script, layout or style, and ScriptDuration:
   * ms of the main thread's CPU time (`threadTicks`). */
  task: number;
  other: number;
  script: number;
  /** From `goto` to the metrics, ms (the window both variants are measured over). */
  window: number;
}

/** Tracked loads only: from `goto` to the first beacon's answer and to FingerprintJS's stored id. */
interface TrackedTimes {
  beacon: number;
  fingerprint: number;
}

/**
 * The tracked page from `goto` (at `started`, this process's clock) until its first beacon has
 * been answered and FingerprintJS has stored its id, checking both: the span in which a first
 * visit pays for the whole tracker (t.js, the beacon, the chunk, FingerprintJS's load and get).
 */
async function trackedLoad(
  env: Env,
  v: Visit,
  written: Written,
  started: number,
  what: string,
): Promise<TrackedTimes> {
  const answered = v.page.waitForResponse(isBeacon(env), { timeout: WAIT_MS });
  // When the beacon's answer was complete, on its own: `goto` waits for the load event, which
  // the chunk's script tag (added before it) holds back, so it may return after the beacon.
  const answeredAt = answered.then(async (response) => {
    await response.finished();
    return performance.now() - started;
  });
  answeredAt.catch(() => {}); // its failure is `answered`'s, reported below
  await v.page.goto(`${env.pages}${PATHS.tracked}`);
  const beacon = await checkBeacon(await answered, what, true);
  const fingerprintAt = (await checkIdentity(env, v, written, beacon, what)) - started;
  return { beacon: await answeredAt, fingerprint: fingerprintAt };
}

/**
 * One page load in a fresh context. With the tracker: until its first beacon has been answered
 * and FingerprintJS has stored its id (in that order, normally: the beacon does not wait for it),
 * plus `TAIL_MS`. Without: open for `windowMs` in all, so both count the same span of the
 * renderer's background work. Nothing is evaluated in the page before the metrics are read:
 * polling from here would add main-thread tasks of its own (see `watchStorage`).
 */
async function loadRun(
  env: Env,
  tracked: boolean,
  windowMs: number,
): Promise<LoadSample & Partial<TrackedTimes>> {
  return withVisit(env, async (v) => {
    const cdp = await v.context.newCDPSession(v.page);
    // Thread CPU time rather than wall time: on a shared 2-core machine a task's wall time grows
    // whenever the renderer waits for a core (3-5x here under other agents' load), its CPU time
    // does not. (Wall time is what a visitor's busy phone would feel; CPU time is what compares.)
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const written = await watchStorage(cdp, env.pages);
    const started = performance.now();
    let times: TrackedTimes | undefined;
    if (tracked) {
      times = await trackedLoad(env, v, written, started, 'page load with the tracker');
      await sleep(TAIL_MS);
    } else {
      await v.page.goto(`${env.pages}${PATHS.plain}`);
      await sleep(Math.max(0, windowMs - (performance.now() - started)));
    }
    const { metrics } = await cdp.send('Performance.getMetrics');
    const window = performance.now() - started;
    const metric = (name: string) => {
      const found = metrics.find((m) => m.name === name);
      if (!found) throw new Error(`Performance.getMetrics returned no ${name}`);
      return found.value * 1000; // seconds
    };
    checkRequests(
      env,
      v,
      tracked ? 'page load with the tracker' : 'page load without the tracker',
      tracked ? trackerPaths : () => false,
    );
    return {
      task: metric('TaskDuration'),
      other: metric('TaskOtherDuration'),
      script: metric('ScriptDuration'),
      window,
      ...times,
    };
  });
}

/**
 * The warm-up (wrangler's first requests, Chromium's first context): a tracked visit that then
 * stays open `QUIET_MS` after FingerprintJS stored its id, to catch a late request (e.g. a vendor
 * ping). Returns its window, goto to the later of the beacon's answer and the stored id, plus
 * `TAIL_MS`, as the first runs' matched window.
 */
async function quietCheck(env: Env): Promise<number> {
  const what = 'warm-up visit with the tracker';
  return withVisit(env, async (v) => {
    const cdp = await v.context.newCDPSession(v.page);
    const written = await watchStorage(cdp, env.pages);
    const started = performance.now();
    await trackedLoad(env, v, written, started, what);
    const window = performance.now() - started + TAIL_MS;
    await sleep(QUIET_MS);
    checkRequests(env, v, what, trackerPaths);
    const paths = v.requests.map((r) => new URL(r.url()).pathname);
    if (!paths.includes('/t.js') || !paths.some((p) => CHUNK.test(p))) {
      throw new Error(`${what}: expected /t.js and the chunk, saw ${paths.join(', ')}`);
    }
    return window;
  });
}

// ---------------------------------------------------------------------------------------------
// Consent to first beacon, and to FingerprintJS's id

interface ConsentSample {
  /** Grant to the collector request's start, ms of the page clock. */
  beacon: number;
  /** Tracker only, on the way to the first beacon: grant to `cxm_id` stored (the profile's first
   * localStorage access: read, then write), and from there to `cxm_fp` looked up (its first
   * sessionStorage access). */
  idStored?: number;
  fpLookedUp?: number;
  /** Tracker only: grant to the chunk request's start, and the chunk's download. */
  chunkStart?: number;
  chunkDownload?: number;
  /** Tracker only: the chunk fully received to `cxm_fp` stored (FingerprintJS's work). */
  chunkToFingerprint?: number;
  /** Tracker only: grant to `cxm_fp` stored (FingerprintJS's id available to later beacons). */
  fingerprint?: number;
}

interface PageTimes {
  grant: number;
  beacon: number;
  /** The page's storage marks, by `<method> <key>`. */
  storage: Record<string, number>;
  chunkStart?: number;
  chunkEnd?: number;
}

async function consentRun(env: Env, tracker: boolean): Promise<ConsentSample> {
  const what = tracker ? 'consent with the tracker' : 'consent with a plain fetch';
  return withVisit(env, async (v) => {
    // The tracker's storage writes, to know when FingerprintJS is done without polling the page
    // while it works (its time is wall time, which polling would stretch). In both variants.
    const cdp = await v.context.newCDPSession(v.page);
    const written = await watchStorage(cdp, env.pages);
    // `goto` waits for the load event, which the async `t.js` holds back: the tracker has run and
    // is waiting for consent, as on a page where the visitor reads the banner first.
    await v.page.goto(`${env.pages}${tracker ? PATHS.consentTracker : PATHS.consentBaseline}`);
    if (tracker) {
      const loaded = await v.page.evaluate(
        () => (window as { cxm?: { loaded?: boolean } }).cxm?.loaded === true,
      );
      if (!loaded) throw new Error(`${what}: t.js had not run by the load event`);
      // Nothing before consent in manual mode: the script tag's own request, nothing else.
      checkRequests(env, v, `${what} (before the grant)`, (path) => path === '/t.js');
    }
    const answered = v.page.waitForResponse(isBeacon(env), { timeout: WAIT_MS });
    await v.page.click('#consent');
    const beacon = await checkBeacon(await answered, what, tracker);
    if (tracker) await checkIdentity(env, v, written, beacon, what);
    checkRequests(env, v, what, trackerPaths);
    // Resource timing entries land once the response is complete in the renderer, which may be
    // a moment after playwright's network event: polled briefly, from node, once all is done.
    const times = await until(
      `${what}: the collector request's resource timing entry`,
      () =>
        v.page.evaluate(
          ({ collect, chunk: chunkPath, grantGlobal, marksGlobal }): PageTimes | undefined => {
            const globals = window as unknown as Record<string, unknown>;
            const grant = globals[grantGlobal] as number | undefined;
            const beacon = performance.getEntriesByName(collect)[0];
            if (grant === undefined || !beacon) return undefined;
            const chunk = performance
              .getEntriesByType('resource')
              .find((e) => new RegExp(chunkPath).test(new URL(e.name).pathname)) as
              | PerformanceResourceTiming
              | undefined;
            return {
              grant,
              beacon: beacon.startTime,
              storage: (globals[marksGlobal] ?? {}) as Record<string, number>,
              ...(chunk ? { chunkStart: chunk.startTime, chunkEnd: chunk.responseEnd } : {}),
            };
          },
          {
            collect: `${env.edge}/v1/collect`,
            chunk: CHUNK.source,
            grantGlobal: GRANT_GLOBAL,
            marksGlobal: STORAGE_MARKS_GLOBAL,
          },
        ),
      5000,
    );
    const sample: ConsentSample = { beacon: times.beacon - times.grant };
    if (tracker) {
      if (times.chunkStart === undefined || times.chunkEnd === undefined) {
        throw new Error(`${what}: no resource timing entry for the FingerprintJS chunk`);
      }
      const mark = (name: string) => {
        const at = times.storage[name];
        if (at === undefined) throw new Error(`${what}: the page marked no ${name}`);
        return at;
      };
      const idStored = mark(`setItem ${STORED_ID_KEY}`);
      const fpLookedUp = mark(`getItem ${FINGERPRINT_KEY}`);
      const fingerprint = mark(`setItem ${FINGERPRINT_KEY}`);
      sample.idStored = idStored - times.grant;
      sample.fpLookedUp = fpLookedUp - idStored;
      sample.chunkStart = times.chunkStart - times.grant;
      sample.chunkDownload = times.chunkEnd - times.chunkStart;
      sample.chunkToFingerprint = fingerprint - times.chunkEnd;
      sample.fingerprint = fingerprint - times.grant;
    }
    return sample;
  });
}

// ---------------------------------------------------------------------------------------------

const stat = (values: readonly number[]) => [ms(median(values)), ms(quantile(values, 0.9))];
const signed = (value: number) => `${value < 0 ? '-' : '+'}${ms(Math.abs(value))}`;
const load = () => loadavg()[0]?.toFixed(1) ?? '?';

/** Runs `pair(i)` for at least `min`, at most `max` pairs, and no more once the budget is spent. */
async function pairs(spec: Pairs, pair: (i: number) => Promise<void>): Promise<void> {
  const deadline = performance.now() + spec.budgetMs;
  for (let i = 0; i < spec.max && (i < spec.min || performance.now() < deadline); i++) {
    await pair(i);
  }
}

export async function run(): Promise<BenchResult> {
  const started = performance.now();
  const size = sizes();
  const loadBefore = load();

  const env = await setUp();
  const setUpMs = performance.now() - started;
  // wrangler runs in a process group of its own, out of reach of the terminal's Ctrl-C: stop it.
  const interrupted = () => {
    void tearDown(env).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const plain: LoadSample[] = [];
  const tracked: (LoadSample & Partial<TrackedTimes>)[] = [];
  const tracker: ConsentSample[] = [];
  const baseline: ConsentSample[] = [];
  try {
    const warmUp = await quietCheck(env);
    // ABBA order, so a drift in the machine's load (other processes) falls on both variants.
    // The page without the tracker stays open as long as the tracked loads took so far (median).
    const matched = () => median(tracked.length > 0 ? tracked.map((s) => s.window) : [warmUp]);
    await pairs(LOAD_PAIRS, async (i) => {
      if (i % 2 === 0) {
        tracked.push(await loadRun(env, true, 0));
        plain.push(await loadRun(env, false, matched()));
      } else {
        plain.push(await loadRun(env, false, matched()));
        tracked.push(await loadRun(env, true, 0));
      }
    });
    await pairs(CONSENT_PAIRS, async (i) => {
      for (const withTracker of i % 2 === 0 ? [true, false] : [false, true]) {
        (withTracker ? tracker : baseline).push(await consentRun(env, withTracker));
      }
    });
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await tearDown(env);
  }

  const loadRow = (name: string, pick: (s: LoadSample) => number) => {
    const without = plain.map(pick);
    const withTracker = tracked.map(pick);
    return [
      name,
      ...stat(without),
      ...stat(withTracker),
      signed(median(withTracker) - median(without)),
      ratio(median(withTracker), median(without)),
    ];
  };
  const trackedOnly = (name: string, pick: (s: TrackedTimes) => number | undefined) => [
    name,
    '–',
    '–',
    ...stat(tracked.map((s) => pick(s as TrackedTimes) ?? Number.NaN)),
    '',
    '',
  ];
  const base = baseline.map((s) => s.beacon);
  const granted = tracker.map((s) => s.beacon);
  const step = (key: Exclude<keyof ConsentSample, 'beacon'>) =>
    tracker.map((s) => s[key] ?? Number.NaN);
  const fpToBeacon = tracker.map(
    (s) => s.beacon - (s.idStored ?? Number.NaN) - (s.fpLookedUp ?? Number.NaN),
  );
  const totalS = (performance.now() - started) / 1000;

  return {
    name: 'tracker',
    command: 'pnpm bench tracker',
    tables: [
      size.table,
      {
        title: `Main-thread CPU time on page load, ms (CDP Performance.getMetrics, threadTicks; ${tracked.length} fresh visitors each, ABBA order)`,
        columns: [
          'metric',
          'without tracker, median',
          'p90',
          'with tracker, median',
          'p90',
          'difference (medians)',
          'vs without',
        ],
        rows: [
          loadRow('TaskDuration (all main-thread tasks)', (s) => s.task),
          loadRow('of which TaskOtherDuration (not script, layout, style)', (s) => s.other),
          loadRow('ScriptDuration', (s) => s.script),
          loadRow('window measured (wall time, goto to metrics)', (s) => s.window),
          trackedOnly('of which goto to the first beacon answered', (s) => s.beacon),
          trackedOnly(
            `of which goto to FingerprintJS's id stored (\`${FINGERPRINT_KEY}\`)`,
            (s) => s.fingerprint,
          ),
        ],
      },
      {
        title: `Consent to the first beacon's request start, ms of the page clock (${tracker.length} fresh visitors each, ABBA order)`,
        columns: ['consent handler', 'median', 'p90', 'difference (medians)', 'vs baseline'],
        rows: [
          ['baseline: posts a plain `fetch` to /v1/collect', ...stat(base), '', '1.00x'],
          [
            "tracker: `cxm('consent', true)` (manual mode)",
            ...stat(granted),
            signed(median(granted) - median(base)),
            ratio(median(granted), median(base)),
          ],
        ],
      },
      {
        title:
          "Where the tracker's consent-to-first-beacon goes, ms of the page clock (the page's marks of its storage calls)",
        columns: ['step', 'median', 'p90'],
        rows: [
          [
            `grant to \`${STORED_ID_KEY}\` stored (the profile's first localStorage access: read, write)`,
            ...stat(step('idStored')),
          ],
          [
            `then \`${FINGERPRINT_KEY}\` looked up (the profile's first sessionStorage access)`,
            ...stat(step('fpLookedUp')),
          ],
          [
            "then the beacon's request start (the chunk's script tag, the event, `fetch`)",
            ...stat(fpToBeacon),
          ],
        ],
      },
      {
        title: `Consent to FingerprintJS's id stored (\`${FINGERPRINT_KEY}\`, sent as \`fp\` by later beacons), ms of the page clock (the same ${tracker.length} tracker runs; resource timing of the chunk)`,
        columns: ['step', 'median', 'p90'],
        rows: [
          ['grant to the FingerprintJS chunk request', ...stat(step('chunkStart'))],
          ['chunk download (loopback, from wrangler dev)', ...stat(step('chunkDownload'))],
          [
            `chunk received to \`${FINGERPRINT_KEY}\` stored (FingerprintJS load + get, idle waits)`,
            ...stat(step('chunkToFingerprint')),
          ],
          [`grant to \`${FINGERPRINT_KEY}\` stored, in all`, ...stat(step('fingerprint'))],
        ],
      },
    ],
    notes: [
      ...size.notes,
      'Sizes and budgets come from `packages/tracker/size.mjs`, the definition the build and the size test use (file bytes, zlib level 9).',
      `Page load: the same host page without and with the snippet as pasted (consent mode none, no automation switch), a fresh browser context per run (empty cache and storage: a first visit), \`Performance.enable\` before navigating. With the tracker the metrics are read ${TAIL_MS} ms after both its first beacon was answered (carrying the stored visitor id, checked) and FingerprintJS stored its id in sessionStorage (\`${FINGERPRINT_KEY}\`), which comes later: the first beacon no longer waits for FingerprintJS, so the window runs on to the end of its work. That write is reported by CDP's DOMStorage events, not by polling the page, which would add main-thread tasks to the window. Without the tracker the page stays open for the median window of the tracked runs, so both count the same span of background work. The difference is the tracker's cost on the main thread of a first visit: t.js, the beacon, the chunk, FingerprintJS's load and get. Later pages in the same tab cost less: FingerprintJS's result is kept in sessionStorage and not recomputed.`,
      "Durations are the main thread's CPU time (`timeDomain: 'threadTicks'`), not wall time: on this shared machine wall-time TaskDuration swings 3-5x with other processes' load, CPU time hardly. On a slow phone the same work takes proportionally longer. ScriptDuration counts only what Chromium attributes to script execution; most of FingerprintJS's work lands in TaskOtherDuration.",
      `Consent: the page's handler marks \`performance.now()\`, then calls \`cxm('consent', true)\` (or \`fetch\`); the figure is the collector request's resource-timing \`startTime\` minus that mark, both in the page's clock. The tracker had loaded and was waiting (manual mode), having requested nothing but \`t.js\`. This is wall time, so it grows with the machine's load. The baseline is the floor the method can show (click handler to request start): read the difference. The first beacon carries the stored id and no \`fp\` (checked), so it does not wait for FingerprintJS: what it does before its \`fetch\` is read (in a fresh profile: make and write) the stored id, look up this tab's cached FingerprintJS result, and add the chunk's script tag; in a fresh profile the first call to localStorage and to sessionStorage each opens that storage, a synchronous round trip to the browser process that the plain \`fetch\` does not make. FingerprintJS's cost moved to the last table, which ends when the tracker stored its result. Those steps are the page's own marks: wrappers around \`Storage.prototype.getItem\` and \`setItem\` in both consent pages call the browser's own, then note the time of the tracker's first call per key.`,
      `Every run (and one warm-up visit held open ${QUIET_MS / 1000} s after FingerprintJS stored its id) checks every request of its browser context: the tracker asked the worker (\`/t.js\`, the chunk, \`/v1/collect\`) and no other host, and the host page's origin served only documents. Every tracked run also checks its identity: the first beacon's visitor is \`kind: 'stored'\`, a well-formed id equal to the \`${STORED_ID_KEY}\` written to localStorage, without \`fp\`; the chunk was answered 200; \`${FINGERPRINT_KEY}\` was written with a well-formed \`fp\`. The bench fails otherwise.`,
      "Caveats: loopback network (no latency or bandwidth limit: a real chunk download adds round trips, and consent to FingerprintJS's id grows with them; a real beacon's request start does not); headless Chromium without a GPU (canvas and WebGL fingerprinting run in software); figures compare within a run, not across machines; TaskDuration counts every main-thread task of the renderer, not only the tracker's, which is why the page without it is the baseline.",
      `Run time ${fmt(totalS)} s, of which set-up (wrangler dev on a temp D1, Chromium) ${fmt(setUpMs / 1000)} s; runs stop at ${LOAD_PAIRS.max} pairs or once ${LOAD_PAIRS.budgetMs / 1000} s (load) and ${CONSENT_PAIRS.budgetMs / 1000} s (consent) are spent, at least ${LOAD_PAIRS.min} pairs each. Load average (1 min) ${loadBefore} at the start, ${load()} at the end.`,
    ],
  };
}
