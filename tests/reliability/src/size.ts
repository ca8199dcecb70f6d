// How big a run is. `npm test` runs the reduced size, which fits CI; `pnpm test:reliability --full`
// sets CXM_RELIABILITY=full and runs what the published figures in BENCHMARKS.md come from.
export const FULL = process.env.CXM_RELIABILITY === 'full';

export const SIZE = {
  /** Distinct events in the load test, sent at `concurrency`, each up to 3 times. */
  loadEvents: FULL ? 100_000 : 6_000,
  loadConcurrency: 64,
  /** Distinct events in the crash test; the worker is killed after about a third are stored. */
  faultEvents: FULL ? 20_000 : 3_000,
  /** Requests in the hostile-input corpus (the issue asks for at least 10,000 in every run). */
  hostileRequests: FULL ? 30_000 : 10_000,
} as const;
