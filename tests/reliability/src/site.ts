// The site and keys the suite works with, added to the development seed's organisations, and the
// worker each test file starts over them.
import { operator, startWorker, type Worker } from '@cxm/test-support/worker';

// `demo` (keys sk_demo_user … sk_demo_admin) and `other` (sk_other_admin) come from the seed.
export const SITE_ORIGIN = 'https://careers.reliability.test';
export const SITE_KEY = 'pk_rel';
export const OTHER_SITE_ORIGIN = 'https://careers.other.test';

export const KEYS = {
  user: 'sk_demo_user',
  reporter: 'sk_demo_reporter',
  manager: 'sk_demo_manager',
  admin: 'sk_demo_admin',
  otherAdmin: 'sk_other_admin',
} as const;

/** SQL run after the seed: a tracked site of `demo` on SITE_ORIGIN, and `other`'s on its own. */
export const SITE_SQL = `
INSERT INTO sites (id, org_id, public_key, name, allowed_origins, tracking_enabled)
VALUES ('site_rel', 'demo', '${SITE_KEY}', 'Reliability careers', '["${SITE_ORIGIN}"]', 1);
UPDATE sites SET allowed_origins = '["${OTHER_SITE_ORIGIN}"]' WHERE id = 'site_other';
`;

/** A visitor's browser, so the collector does not count the requests as a bot's. */
export { VISITOR_UA as BROWSER_UA } from '@cxm/test-support/chromium';

/**
 * `wrangler dev` over a fresh D1 with the seed and SITE_SQL, for one test file. Request logging
 * is off: a line per request would cost the worker more than some requests do. `port` and `args`
 * as `startWorker` takes them (a port chosen first, `--var`s such as the texting provider's), and
 * `sql` run after SITE_SQL.
 */
export function startSuiteWorker(
  name: string,
  options: { port?: number; args?: string[]; sql?: string; shards?: number } = {},
): Promise<Worker> {
  return startWorker({
    tempPrefix: `cxm-rel-${name}-`,
    sql: SITE_SQL + (options.sql ?? ''),
    args: ['--log-level', 'warn', ...(options.args ?? [])],
    port: options.port,
    shards: options.shards ?? SHARDS,
  });
}

/**
 * `CXM_SHARDS=3` runs the load and isolation tests on a worker with three databases (DB and
 * SHARD_2, SHARD_3), the seed's organisations moved apart first (`placeApart`); unset, one.
 */
export const SHARDS = Number(process.env.CXM_SHARDS ?? '1') || 1;

/**
 * On a sharded worker, moves each organisation to the shard given (`pnpm org:move`'s request,
 * with no wait: nothing else runs meanwhile), so the test runs with its organisations apart.
 * Returns where each went; nothing on a worker with one database.
 */
export async function placeApart(
  worker: Worker,
  places: Record<string, string>,
): Promise<Record<string, string>> {
  if (worker.shards.length < 2) return {};
  for (const [orgId, to] of Object.entries(places)) {
    await operator(worker.origin, `/ops/organisations/${orgId}/move`, { to, settleMs: 0 });
  }
  return places;
}
