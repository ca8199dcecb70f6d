// The tracker's cost to a career site, in three parts:
// 1. bytes: the core `t.js` and its FingerprintJS chunk as built in packages/tracker/dist,
//    measured by packages/tracker/size.mjs (as the build and the size test measure them), against its budgets;
// 2. main-thread time on page load: the same host page without and with the pasted snippet
//    (consent mode none, so FingerprintJS and the first beacon run), CDP `Performance.getMetrics`;
// 3. consent to first beacon: from the page's consent handler to the start of the tracker's
//    `/v1/collect` request, against a handler that posts a plain `fetch` to the same collector.
// Everything runs against `wrangler dev` on a temp D1 and host pages on another loopback origin,
// in headless Chromium with a fresh browser context (a first-time visitor) per run. Every run
// also checks that nothing but the worker (and the host page's own documents) was requested.
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
import type { Browser, BrowserContext, Page, Request, Response } from 'playwright-core';
import { type BenchResult, fmt, median, ms, quantile, ratio, type Table } from './report.js';
import { GRANT_GLOBAL, PATHS, pages, pagesServer, SITE } from './tracker-pages.js';

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
/** After the beacon's answer, both load variants stay open this long before the metrics are read. */
const TAIL_MS = 100;
/** How long a page must stay quiet before "it requested nothing else" is believed (as the tracker's
 * browser tests wait). Used once, on the warm-up visit: every run checks what it saw. */
const QUIET_MS = 1500;
const WAIT_MS = 30_000;

const DIST = join(TRACKER, 'dist');
const CHUNK = /^\/t\/fp\.[0-9a-f]+\.js$/;

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
 * The first beacon's reply: 202 with its one event stored or deduplicated (every fresh context in
 * this browser has the same FingerprintJS id, so the worker's visit window folds repeat visits to
 * a page into one), and the beacon carrying a FingerprintJS visitor id.
 */
async function checkBeacon(response: Response, what: string, fingerprint: boolean) {
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
  if (!fingerprint) return;
  // A fallback id would mean FingerprintJS failed or timed out: its cost would be missing.
  const beacon = JSON.parse(response.request().postData() ?? '{}') as Partial<BeaconPayload>;
  if (beacon.visitor?.kind !== 'fingerprint') {
    throw new Error(
      `${what}: the beacon's visitor is ${JSON.stringify(beacon.visitor)}, not a fingerprint`,
    );
  }
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

/**
 * One page load in a fresh context. With the tracker: until its first beacon has been answered,
 * plus `TAIL_MS`. Without: open for `windowMs` in all, so both count the same span of the
 * renderer's background work. Nothing is evaluated in the page before the metrics are read:
 * polling from here would add main-thread tasks of its own.
 */
async function loadRun(env: Env, tracked: boolean, windowMs: number): Promise<LoadSample> {
  return withVisit(env, async (v) => {
    const cdp = await v.context.newCDPSession(v.page);
    // Thread CPU time rather than wall time: on a shared 2-core machine a task's wall time grows
    // whenever the renderer waits for a core (3-5x here under other agents' load), its CPU time
    // does not. (Wall time is what a visitor's busy phone would feel; CPU time is what compares.)
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const started = performance.now();
    if (tracked) {
      const answered = v.page.waitForResponse(isBeacon(env), { timeout: WAIT_MS });
      await v.page.goto(`${env.pages}${PATHS.tracked}`);
      await checkBeacon(await answered, 'page load with the tracker', true);
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
    };
  });
}

/**
 * The warm-up (wrangler's first requests, Chromium's first context): a tracked visit that then
 * stays open `QUIET_MS`, to catch a late request (e.g. a vendor ping). Returns its window, goto to
 * the beacon's answer plus `TAIL_MS`, as the first runs' matched window.
 */
async function quietCheck(env: Env): Promise<number> {
  return withVisit(env, async (v) => {
    const started = performance.now();
    const answered = v.page.waitForResponse(isBeacon(env), { timeout: WAIT_MS });
    await v.page.goto(`${env.pages}${PATHS.tracked}`);
    await checkBeacon(await answered, 'warm-up visit with the tracker', true);
    const window = performance.now() - started + TAIL_MS;
    await sleep(QUIET_MS);
    checkRequests(env, v, 'warm-up visit with the tracker', trackerPaths);
    const paths = v.requests.map((r) => new URL(r.url()).pathname);
    if (!paths.includes('/t.js') || !paths.some((p) => CHUNK.test(p))) {
      throw new Error(`warm-up visit: expected /t.js and the chunk, saw ${paths.join(', ')}`);
    }
    return window;
  });
}

// ---------------------------------------------------------------------------------------------
// Consent to first beacon

interface ConsentSample {
  /** Grant to the collector request's start, ms of the page clock. */
  beacon: number;
  /** Tracker only: grant to the chunk request's start, and the chunk's download. */
  chunkStart?: number;
  chunkDownload?: number;
  /** Tracker only: the chunk fully received to the beacon's start (FingerprintJS's work). */
  chunkToBeacon?: number;
}

interface PageTimes {
  grant: number;
  beacon: number;
  chunkStart?: number;
  chunkEnd?: number;
}

async function consentRun(env: Env, tracker: boolean): Promise<ConsentSample> {
  const what = tracker ? 'consent with the tracker' : 'consent with a plain fetch';
  return withVisit(env, async (v) => {
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
    await checkBeacon(await answered, what, tracker);
    checkRequests(env, v, what, trackerPaths);
    // Resource timing entries land once the response is complete in the renderer, which may be
    // a moment after playwright's network event: polled briefly, from node.
    const times = await until(
      `${what}: the collector request's resource timing entry`,
      () =>
        v.page.evaluate(
          ({ collect, chunk: chunkPath, grantGlobal }): PageTimes | undefined => {
            const grant = (window as unknown as Record<string, number | undefined>)[grantGlobal];
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
              ...(chunk ? { chunkStart: chunk.startTime, chunkEnd: chunk.responseEnd } : {}),
            };
          },
          { collect: `${env.edge}/v1/collect`, chunk: CHUNK.source, grantGlobal: GRANT_GLOBAL },
        ),
      5000,
    );
    const sample: ConsentSample = { beacon: times.beacon - times.grant };
    if (tracker) {
      if (times.chunkStart === undefined || times.chunkEnd === undefined) {
        throw new Error(`${what}: no resource timing entry for the FingerprintJS chunk`);
      }
      sample.chunkStart = times.chunkStart - times.grant;
      sample.chunkDownload = times.chunkEnd - times.chunkStart;
      sample.chunkToBeacon = times.beacon - times.chunkEnd;
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
  const tracked: LoadSample[] = [];
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
  const base = baseline.map((s) => s.beacon);
  const granted = tracker.map((s) => s.beacon);
  const step = (key: 'chunkStart' | 'chunkDownload' | 'chunkToBeacon') =>
    tracker.map((s) => s[key] ?? Number.NaN);
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
        title: "Where the tracker's consent-to-beacon goes, ms (resource timing of the chunk)",
        columns: ['step', 'median', 'p90'],
        rows: [
          ['grant to the FingerprintJS chunk request', ...stat(step('chunkStart'))],
          ['chunk download (loopback, from wrangler dev)', ...stat(step('chunkDownload'))],
          [
            'chunk received to beacon start (FingerprintJS load + get, idle waits)',
            ...stat(step('chunkToBeacon')),
          ],
        ],
      },
    ],
    notes: [
      ...size.notes,
      'Sizes and budgets come from `packages/tracker/size.mjs`, the definition the build and the size test use (file bytes, zlib level 9).',
      `Page load: the same host page without and with the snippet as pasted (consent mode none, no automation switch), a fresh browser context per run (empty cache and storage: a first visit), \`Performance.enable\` before navigating. With the tracker the metrics are read ${TAIL_MS} ms after its first beacon (carrying a FingerprintJS id, checked) was answered; without it the page stays open for the median window of the tracked runs, so both count the same span of background work. The difference is the tracker's cost on the main thread: t.js, the chunk, FingerprintJS's load and get, the beacon. Later pages in the same tab cost less: the fingerprint is kept in sessionStorage and not recomputed.`,
      "Durations are the main thread's CPU time (`timeDomain: 'threadTicks'`), not wall time: on this shared machine wall-time TaskDuration swings 3-5x with other processes' load, CPU time hardly. On a slow phone the same work takes proportionally longer. ScriptDuration counts only what Chromium attributes to script execution; most of FingerprintJS's work lands in TaskOtherDuration.",
      "Consent: the page's handler marks `performance.now()`, then calls `cxm('consent', true)` (or `fetch`); the figure is the collector request's resource-timing `startTime` minus that mark, both in the page's clock. The tracker had loaded and was waiting (manual mode), having requested nothing but `t.js`. This is wall time, so it grows with the machine's load. The baseline is the floor the method can show (click handler to request start): read the difference; the ratio is large by construction.",
      `Every run (and one warm-up visit held open ${QUIET_MS / 1000} s after its beacon) checks every request of its browser context: the tracker asked the worker (\`/t.js\`, the chunk, \`/v1/collect\`) and no other host, and the host page's origin served only documents; the bench fails otherwise.`,
      "Caveats: loopback network (no latency or bandwidth limit: a real chunk download adds round trips, and consent-to-beacon grows with them); headless Chromium without a GPU (canvas and WebGL fingerprinting run in software); figures compare within a run, not across machines; TaskDuration counts every main-thread task of the renderer, not only the tracker's, which is why the page without it is the baseline.",
      `Run time ${fmt(totalS)} s, of which set-up (wrangler dev on a temp D1, Chromium) ${fmt(setUpMs / 1000)} s; runs stop at ${LOAD_PAIRS.max} pairs or once ${LOAD_PAIRS.budgetMs / 1000} s (load) and ${CONSENT_PAIRS.budgetMs / 1000} s (consent) are spent, at least ${LOAD_PAIRS.min} pairs each. Load average (1 min) ${loadBefore} at the start, ${load()} at the end.`,
    ],
  };
}
