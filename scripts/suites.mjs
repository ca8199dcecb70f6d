// What `npm test` builds first, and the test suites it runs, in order. One place to add a suite:
// name, package folder and vitest config; `prepare` runs before it and returns success.

/**
 * Built before typecheck and every suite: the worker serves the tracker's dist/ and the browser
 * suites load it, so a fresh clone needs it before anything else.
 * @type {string[][]} pnpm arguments
 */
export const builds = [['--filter', '@cxm/tracker', 'build']];

/** @type {Array<{ name: string, dir: string, config: string, files?: string[], env?: Record<string, string>, prepare?: (ctx: { root: string, run: (cmd: string, args: string[], cwd: string) => boolean }) => boolean }>} */
export const suites = [
  { name: 'scoring', dir: 'packages/scoring', config: 'vitest.config.ts' },
  { name: 'edge-api', dir: 'packages/edge-api', config: 'vitest.config.ts' },
  { name: 'tracker', dir: 'packages/tracker', config: 'vitest.config.ts' },
  // Real headless Chromium against `wrangler dev`.
  { name: 'tracker-browser', dir: 'packages/tracker', config: 'vitest.browser.config.ts' },
  // The demo end to end in headless Chromium: wrangler dev, the example sites, the console.
  { name: 'e2e', dir: 'tests/e2e', config: 'vitest.config.ts' },
  // Load with retries, a crash mid-load, hostile input, isolation: against `wrangler dev`, at the
  // reduced size unless CXM_RELIABILITY=full (`pnpm test:reliability --full`).
  { name: 'reliability', dir: 'tests/reliability', config: 'vitest.config.ts' },
  // The load test and the isolation check again with three databases (packages/edge-api/src/shards),
  // each organisation moved to a shard of its own first.
  {
    name: 'reliability-sharded',
    dir: 'tests/reliability',
    config: 'vitest.config.ts',
    files: ['src/load.test.ts', 'src/isolation.test.ts'],
    env: { CXM_SHARDS: '3' },
  },
];
