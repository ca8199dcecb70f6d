// Reads over 1 million candidates and 10 million engagements: `GET /v1/audiences` and
// `GET /v1/reports/tiers` through `wrangler dev`, and the audience SQL itself against the same
// SQLite file, walking the `scores(org_id, sort_key)` index and, in the same run, forced to scan
// every candidate of the organisation instead. Three organisations share the database (10 k, 100 k and 1 M candidates) with
// the same 1,000 Highly Engaged candidates each (see reads-data.ts): if the audience query's cost
// does not grow with the candidates outside the answer, its times stay flat across the three.
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import {
  audienceCountSql,
  audiencePageSql,
  engagementDaysSql,
  engagementsPerDaySql,
  tierCountsSql,
  tierFilter,
} from '@cxm/edge-api/tools';
import { DEFAULT_MODEL, type Tier } from '@cxm/scoring';
import { databaseFile } from '@cxm/test-support/d1';
import { ROOT } from '@cxm/test-support/paths';
import { startWorker } from '@cxm/test-support/worker';
import { type BenchOrg, ensureData, HOT, ORGS } from './reads-data.js';
import { type BenchResult, fmt, median, ms, quantile, ratio, type Table } from './report.js';

const DAY = 86_400_000;
const log = (line: string) => process.stdout.write(`reads: ${line}\n`);

/** Times `task` until `runs` runs or `budgetMs` have passed (at least 3 runs), after one warm-up. */
function timed(task: () => void, runs: number, budgetMs: number): number[] {
  task();
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (times.length < runs && (times.length < 3 || performance.now() < end)) {
    const start = performance.now();
    task();
    times.push(performance.now() - start);
  }
  return times;
}

interface Query {
  sql: string;
  params: unknown[];
}

/**
 * The same query without the sort-key index: every score row of the organisation is read (through
 * the `(org_id, last_engaged_at)` index, which only narrows to the organisation) and tested.
 */
const scanned = (query: Query): Query => ({
  ...query,
  sql: query.sql.replace(/FROM scores s\b/, 'FROM scores s INDEXED BY scores_org_last_engaged'),
});

function audienceQueries(org: BenchOrg, tier: Tier, now: number): Query[] {
  const filter = tierFilter(org.id, tier, now, DEFAULT_MODEL);
  // What `GET /v1/audiences?tier=…&limit=100` runs: a page (one more row, to know if there is a
  // next one) and the total.
  return [audiencePageSql(filter, null, 101), audienceCountSql(filter)];
}

function runAll(db: DatabaseSync, queries: readonly Query[]): void {
  for (const query of queries) db.prepare(query.sql).all(...(query.params as SQLInputValue[]));
}

function plan(db: DatabaseSync, query: Query): string {
  const rows = db
    .prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
    .all(...(query.params as SQLInputValue[])) as { detail: string }[];
  return rows.map((row) => row.detail).join('; ');
}

function sqlTables(persist: string, now: number): { tables: Table[]; notes: string[] } {
  const db = new DatabaseSync(databaseFile(persist), { readOnly: true });
  try {
    const audience: (string | number)[][] = [];
    const report: (string | number)[][] = [];
    let smallest = Number.NaN;
    for (const org of ORGS) {
      const queries = audienceQueries(org, 'highly_engaged', now);
      const indexed = median(timed(() => runAll(db, queries), 30, 5_000));
      const scan = median(timed(() => runAll(db, queries.map(scanned)), 10, 20_000));
      if (Number.isNaN(smallest)) smallest = indexed;
      audience.push([
        `${fmt(org.candidates)} candidates`,
        `${ms(indexed)} ms`,
        ratio(indexed, smallest),
        `${ms(scan)} ms`,
        ratio(scan, indexed),
      ]);
      const tiers = (['inactive', 'engaged', 'highly_engaged'] as const).map((tier) =>
        audienceCountSql(tierFilter(org.id, tier, now, DEFAULT_MODEL)),
      );
      const today = Math.floor(now / DAY) * DAY;
      const perDay = engagementsPerDaySql(org.id, today - 29 * DAY, today + DAY);
      const rolledUp = engagementDaysSql(org.id, today - 29 * DAY, today + DAY);
      const buckets = tierCountsSql(org.id, now, DEFAULT_MODEL);
      const counts = median(timed(() => runAll(db, tiers), 10, 10_000));
      const bucketed = median(timed(() => runAll(db, [buckets]), 30, 5_000));
      const days = median(timed(() => runAll(db, [perDay]), 10, 10_000));
      const kept = median(timed(() => runAll(db, [rolledUp]), 30, 5_000));
      report.push([
        `${fmt(org.candidates)} candidates`,
        `${ms(bucketed)} ms`,
        `${ms(counts)} ms`,
        `${ms(kept)} ms`,
        `${ms(days)} ms`,
      ]);
    }
    const [page] = audienceQueries(ORGS.at(-1) as BenchOrg, 'highly_engaged', now);
    return {
      tables: [
        {
          title: `Audience SQL (Highly Engaged, page of 100 + total; ${fmt(HOT)} in the answer in every organisation), SQLite on the D1 file`,
          columns: [
            'organisation',
            'sort-key index',
            'vs 10 k',
            'organisation scan, same query',
            'scan vs index',
          ],
          rows: audience,
        },
        {
          title:
            'Tier report SQL: candidates per tier from score_key_counts (what the report runs) and counted over three index ranges, and 30 days of engagements per type and day, read from engagement_days (what the report runs) and counted from the engagements',
          columns: [
            'organisation',
            'tier counts (score_key_counts)',
            'counted (index ranges)',
            'engagements per day (engagement_days)',
            'counted from engagements',
          ],
          rows: report,
        },
      ],
      notes: [
        `Plan with the index: ${plan(db, page as Query)}.`,
        `Plan forced to scan the organisation: ${plan(db, scanned(page as Query))}.`,
      ],
    };
  } finally {
    db.close();
  }
}

/** Sequential requests after 3 warm-ups: `runs` of them, or fewer (at least 5) past `budgetMs`. */
async function httpTimes(
  url: string,
  key: string | null,
  runs: number,
  budgetMs = 20_000,
): Promise<number[]> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const once = async () => {
    const start = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    return performance.now() - start;
  };
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (times.length < runs && (times.length < 5 || performance.now() < end)) {
    times.push(await once());
  }
  return times;
}

async function httpTable(persist: string): Promise<Table> {
  const worker = await startWorker({ tempPrefix: 'cxm-bench-reads-', persist });
  try {
    const runs = 30;
    const baseline = await httpTimes(`${worker.origin}/healthz`, null, runs);
    const base50 = median(baseline);
    const rows: (string | number)[][] = [
      [
        'GET /healthz (baseline)',
        '-',
        `${ms(base50)} ms`,
        `${ms(quantile(baseline, 0.9))} ms`,
        '1.00x',
      ],
    ];
    const check = await fetch(`${worker.origin}/v1/audiences?tier=highly_engaged&limit=1`, {
      headers: { authorization: `Bearer ${ORGS[0]?.key}` },
    });
    const total = ((await check.json()) as { total: number }).total;
    if (total !== HOT)
      throw new Error(`expected ${HOT} Highly Engaged candidates, the API says ${total}`);
    for (const [label, path] of [
      [
        'GET /v1/audiences?tier=highly_engaged&limit=100',
        '/v1/audiences?tier=highly_engaged&limit=100',
      ],
      ['GET /v1/audiences?tier=engaged&limit=100', '/v1/audiences?tier=engaged&limit=100'],
      ['GET /v1/reports/tiers', '/v1/reports/tiers'],
    ] as const) {
      for (const org of ORGS) {
        const times = await httpTimes(worker.origin + path, org.key, runs);
        rows.push([
          label,
          fmt(org.candidates),
          `${ms(median(times))} ms`,
          `${ms(quantile(times, 0.9))} ms`,
          ratio(median(times), base50),
        ]);
      }
    }
    return {
      title: `Through wrangler dev: up to ${runs} sequential requests each (at least 5, 20 s at most) after 3 warm-ups`,
      columns: ['request', 'candidates in the organisation', 'p50', 'p90', 'p50 vs /healthz'],
      rows,
    };
  } finally {
    await worker.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const persist = join(ROOT, '.bench-data', 'reads');
  ensureData(persist, log);
  const now = Date.now();
  const sql = sqlTables(persist, now);
  const http = await httpTable(persist);
  const total = ORGS.reduce((sum, org) => sum + org.candidates, 0);
  return {
    name: 'reads',
    command: 'pnpm bench reads',
    tables: [http, ...sql.tables],
    notes: [
      `One local D1 (${fmt(total)} candidates, ${fmt(total * 10)} engagements; the largest organisation ${fmt(ORGS.at(-1)?.candidates ?? 0)} candidates and ${fmt((ORGS.at(-1)?.candidates ?? 0) * 10)} engagements), built by scripts/bench/reads-data.ts into .bench-data/reads and reused for 6 hours.`,
      'The Highly Engaged audience holds the same 1,000 candidates in every organisation; Engaged holds about 30% of each, so its total (a count over the answer) grows with the organisation.',
      'The tier report sums the sort-key buckets above each threshold plus one bucket counted on the index (score_key_counts), and reads 30 days of engagements per type from engagement_days (a row per day and type): neither grows with the organisation. The counted columns are what the report did before, measured on the same data.',
      ...sql.notes,
    ],
  };
}
