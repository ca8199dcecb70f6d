// The test suites `npm test` runs, in order. One place to add a suite: name, package folder and
// vitest config; `prepare` runs first (e.g. to build what the suite loads) and returns success.

/** @type {Array<{ name: string, dir: string, config: string, prepare?: (ctx: { root: string, run: (cmd: string, args: string[], cwd: string) => boolean }) => boolean }>} */
export const suites = [
  { name: 'scoring', dir: 'packages/scoring', config: 'vitest.config.ts' },
  { name: 'edge-api', dir: 'packages/edge-api', config: 'vitest.config.ts' },
  {
    name: 'tracker',
    dir: 'packages/tracker',
    config: 'vitest.config.ts',
    prepare: ({ root, run }) => run('pnpm', ['--filter', '@cxm/tracker', 'build'], root),
  },
  // Real headless Chromium against `wrangler dev`; runs after `tracker`, which built dist/.
  { name: 'tracker-browser', dir: 'packages/tracker', config: 'vitest.browser.config.ts' },
];
