// D1 rows per second: one INSERT awaited at a time against `db.batch()` of single-row statements
// and against multi-row INSERTs (chunked under D1's 100-parameter limit) in one batch: what
// batching buys the writers. A fresh local D1 with the real migrations (so the engagements
// table has its unique key and three secondary indexes), driven by a Worker inside workerd
// through Miniflare, the D1 implementation `wrangler dev` uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile, migrate } from '@cxm/test-support/d1';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { type BenchResult, fmt, median, ms, ratio, type Table } from './report.js';
import { triggerTable } from './score-triggers.js';
import {
  type Method,
  ROWS_PER_INSERT,
  type Row,
  type RunReply,
  WORKER_SOURCE,
} from './writes-worker.js';

/**
 * Rows per method per round: the same for every method; each round inserts fresh ids. Bounded by
 * the slowest method: single inserts took 2 to 10 ms each on a loaded 2-core machine.
 */
const ROWS = 2_000;
/** Methods run in a rotated order each round, so none always meets the largest table. */
const ROUNDS = 3;
const WARM_UP_ROWS = 200;
const CANDIDATES = 1_000;
/**
 * The id `wrangler d1 … --local` keeps the database under: wrangler.jsonc gives the database no
 * id (it is found by name when deployed), so locally it is the binding's name.
 */
const DATABASE_ID = 'DB';

interface Variant {
  label: string;
  method: Method;
  /** Statements per batch (`batch`), rows per batch (`multi`); unused for `single`. */
  size: number;
}

const VARIANTS: Variant[] = [
  { label: 'one INSERT per row, each awaited', method: 'single', size: 1 },
  { label: 'db.batch() of 10 single-row INSERTs', method: 'batch', size: 10 },
  { label: 'db.batch() of 50 single-row INSERTs', method: 'batch', size: 50 },
  { label: 'db.batch() of 500 single-row INSERTs', method: 'batch', size: 500 },
  {
    label: `multi-row INSERTs of ${ROWS_PER_INSERT} rows, 500 rows per batch (the API's writers)`,
    method: 'multi',
    size: 500,
  },
  {
    label: `multi-row INSERTs of ${ROWS_PER_INSERT} rows, all ${fmt(ROWS)} rows in one batch`,
    method: 'multi',
    size: ROWS,
  },
];

const TYPES = [
  'open_email',
  'open_email',
  'click_email',
  'register_event',
  'attend_event',
  'visit_landing_page',
];
const DETAILS = [
  'Your application for Senior Backend Engineer: next steps',
  'Spring hiring fair 2026',
  'https://careers.bench.test/jobs/1042-product-designer-remote',
];
const DAY_MS = 86_400_000;

/** Engagement rows as the API stores them, with ids never used before. */
function rows(count: number): Row[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const type = TYPES[i % TYPES.length] as string;
    return [
      crypto.randomUUID(),
      'bench',
      `cand-${Math.floor(Math.random() * CANDIDATES)}`,
      null,
      null,
      type,
      DETAILS[i % DETAILS.length] as string,
      now - Math.floor(Math.random() * 90 * DAY_MS),
      now,
      'api',
      type === 'open_email' && i % 10 === 0 ? 1 : 0,
      `api:${crypto.randomUUID()}`,
    ];
  });
}

export async function run(): Promise<BenchResult> {
  const started = Date.now();
  const persist = mkdtempSync(join(tmpdir(), 'cxm-bench-writes-'));
  let mf: Miniflare | undefined;
  try {
    // The real migrations, applied the way a person does (wrangler from packages/edge-api).
    migrate(persist);
    mf = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        script: WORKER_SOURCE,
        compatibilityDate: '2026-11-01',
        host: '127.0.0.1',
        port: 0,
        // Where `--persist-to <dir>` keeps its state: <dir>/v3.
        resourcePersistencePath: join(persist, 'v3'),
        d1Databases: { DB: DATABASE_ID },
      }),
    );
    const result = await bench(mf, started);
    await mf.dispose();
    mf = undefined;
    // The score writes' trigger cost, on the same migrated file now that workerd let it go.
    const triggers = triggerTable(databaseFile(persist));
    return {
      ...result,
      tables: [...result.tables, triggers.table],
      notes: [...result.notes, ...triggers.notes],
    };
  } finally {
    await mf?.dispose();
    rmSync(persist, { recursive: true, force: true });
  }
}

async function post<T>(mf: Miniflare, path: string, body?: unknown): Promise<T> {
  const response = await mf.dispatchFetch(`http://bench${path}`, {
    method: 'POST',
    body: body === undefined ? '' : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function bench(mf: Miniflare, started: number): Promise<BenchResult> {
  // Engagements belong to an organisation and a candidate (foreign keys D1 enforces).
  // (From Node every prepare() and bind() is a round trip of its own: two statements, no binds.)
  const db = await mf.getD1Database('DB');
  await db.batch([
    db.prepare("INSERT INTO organisations (id, name) VALUES ('bench', 'Bench')"),
    db.prepare(
      `INSERT INTO candidates (id, org_id, external_id)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${CANDIDATES - 1})
       SELECT 'cand-' || i, 'bench', 'ext-' || i FROM n`,
    ),
  ]);

  // A short unmeasured pass of each method: workerd's JIT and SQLite's page cache warm up.
  for (const variant of VARIANTS) await insert(mf, variant, WARM_UP_ROWS);

  const seconds = new Map<Variant, number[]>();
  const statements = new Map<Variant, number>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round * 2) % VARIANTS.length] as Variant);
    for (const variant of order) {
      const outcome = await insert(mf, variant, ROWS);
      seconds.set(variant, [...(seconds.get(variant) ?? []), outcome.seconds]);
      statements.set(variant, outcome.statements);
    }
  }

  const counted = await db
    .prepare("SELECT count(*) AS stored FROM engagements WHERE org_id = 'bench'")
    .first<{ stored: number }>();
  const stored = counted?.stored ?? 0;
  const expected = VARIANTS.length * (WARM_UP_ROWS + ROUNDS * ROWS);
  if (stored !== expected) throw new Error(`D1 holds ${stored} engagements, expected ${expected}`);

  const rate = (variant: Variant) => ROWS / median(seconds.get(variant) ?? []);
  const single = rate(VARIANTS[0] as Variant);
  const table: Table = {
    title: `${fmt(ROWS)} engagement rows per method and round (fresh ids, 12 bound columns, unique key + 3 indexes), median of ${ROUNDS} rounds`,
    columns: [
      'method',
      'statements',
      'round trips',
      'time (median)',
      'rows/s (median)',
      'rows/s (slowest–fastest round)',
      'vs single inserts',
    ],
    rows: VARIANTS.map((variant) => {
      const times = seconds.get(variant) ?? [];
      const trips = variant.method === 'single' ? ROWS : Math.ceil(ROWS / variant.size);
      return [
        variant.label,
        fmt(statements.get(variant) ?? 0),
        fmt(trips),
        `${ms(median(times) * 1000)} ms`,
        fmt(rate(variant)),
        `${fmt(ROWS / Math.max(...times))}–${fmt(ROWS / Math.min(...times))}`,
        ratio(rate(variant), single),
      ];
    }),
  };
  return {
    name: 'writes',
    command: 'pnpm bench writes',
    tables: [table],
    notes: [
      `Miniflare (workerd and the local D1 on SQLite that wrangler dev uses); the insert loops run in a Worker next to the D1 binding, timed from Node around one request per method and round. ${fmt(stored)} rows written in all and counted afterwards; the whole bench took ${fmt((Date.now() - started) / 1000)} s.`,
      `A round trip here is a call from the Worker to the local D1 in the same workerd process: ${ms(1000 / single)} ms per awaited single insert in this run. Deployed, each is a network hop to the database, so batching buys more there than these ratios show.`,
      'A batch is one transaction: all its rows or none, which is also why the writers batch. Multi-row INSERTs carry at most 8 rows (96 of the 100 parameters D1 allows per statement).',
    ],
  };
}

async function insert(
  mf: Miniflare,
  variant: Variant,
  count: number,
): Promise<{ seconds: number; statements: number }> {
  await post(mf, '/rows', rows(count));
  const began = performance.now();
  const reply = await post<RunReply>(mf, `/run?method=${variant.method}&size=${variant.size}`);
  const seconds = (performance.now() - began) / 1000;
  if (reply.changes !== count) {
    throw new Error(`${variant.label}: D1 reported ${reply.changes} rows written of ${count}`);
  }
  return { seconds, statements: reply.statements };
}
