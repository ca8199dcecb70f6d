// `pnpm bench shards`: what a database per organisation costs (packages/edge-api/src/shards).
//   1. Routing: an authenticated read (`GET /v1/candidates/{id}/score` with an API key) on a
//      worker with one database and on one with three (the key's organisation found in the
//      directory, then its shard), each as a ratio to `/healthz` on the same worker.
//   2. Moving: an organisation filled through the API (engagements for many candidates) is moved
//      to another shard with the operator endpoint; its duration beside the time the same rows
//      took to write, and rows per second.
import { operator, startWorker, type Worker } from '@cxm/test-support/worker';
import { type BenchResult, median, quantile, ratio } from './report.js';

const READS = 300;
const CANDIDATES = 1_000;
const ENGAGEMENTS = 20_000;
const BATCH = 500;

async function timed(origin: string, path: string, headers: Record<string, string>) {
  const started = performance.now();
  const reply = await fetch(`${origin}${path}`, { headers });
  await reply.arrayBuffer();
  if (!reply.ok) throw new Error(`${path}: ${reply.status}`);
  return performance.now() - started;
}

async function ingest(origin: string, key: string, count: number, offset = 0): Promise<number> {
  const started = performance.now();
  for (let sent = 0; sent < count; sent += BATCH) {
    const engagements = Array.from({ length: Math.min(BATCH, count - sent) }, (_, i) => ({
      id: `b-${offset + sent + i}`,
      candidateId: `cand-${(offset + sent + i) % CANDIDATES}`,
      type: 'open_email',
      detail: 'Bench newsletter',
      occurredAt: new Date(Date.now() - ((sent + i) % 90) * 86_400_000).toISOString(),
    }));
    const reply = await fetch(`${origin}/v1/engagements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ engagements }),
    });
    if (reply.status !== 202) throw new Error(`ingest: ${reply.status} ${await reply.text()}`);
  }
  return performance.now() - started;
}

/** p50 and p99 of `/healthz` and of an authenticated read, interleaved. */
async function routing(worker: Worker, key: string) {
  const health: number[] = [];
  const read: number[] = [];
  const auth = { authorization: `Bearer ${key}` };
  for (let i = 0; i < READS; i++) {
    health.push(await timed(worker.origin, '/healthz', {}));
    read.push(await timed(worker.origin, `/v1/candidates/cand-${i % 10}/score`, auth));
  }
  return { health, read };
}

async function withWorker<T>(shards: number, work: (worker: Worker) => Promise<T>): Promise<T> {
  const worker = await startWorker({
    tempPrefix: 'cxm-bench-shards-',
    shards,
    args: ['--log-level', 'warn'],
  });
  try {
    return await work(worker);
  } finally {
    await worker.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const single = await withWorker(1, async (worker) => {
    await ingest(worker.origin, 'sk_demo_user', 200);
    return routing(worker, 'sk_demo_user');
  });
  const sharded = await withWorker(3, async (worker) => {
    const created = await operator(worker.origin, '/ops/organisations', {
      id: 'bench-moving',
      name: 'Bench moving',
    });
    const key = String(created.apiKey);
    const from = String(created.shard);
    const ingestMs = await ingest(worker.origin, key, ENGAGEMENTS);
    const reads = await routing(worker, key);
    const to = from === 'SHARD_2' ? 'SHARD_3' : 'SHARD_2';
    const started = performance.now();
    const moved = await operator(worker.origin, '/ops/organisations/bench-moving/move', {
      to,
      settleMs: 0,
    });
    const moveMs = performance.now() - started;
    const tables = moved.tables as { table: string; rows: number }[];
    const rows = tables.reduce((sum, table) => sum + table.rows, 0);
    return { reads, ingestMs, moveMs, rows };
  });
  const row = (label: string, values: { health: number[]; read: number[] }) => [
    label,
    median(values.health).toFixed(2),
    median(values.read).toFixed(2),
    ratio(median(values.read), median(values.health)),
    ratio(quantile(values.read, 0.99), quantile(values.health, 0.99)),
  ];
  return {
    name: 'Shards: routing and moving an organisation',
    command: 'pnpm bench shards',
    tables: [
      {
        title: `An API-key read (GET /v1/candidates/{id}/score), ${READS} sequential, interleaved with /healthz`,
        columns: ['worker', '/healthz p50 ms', 'read p50 ms', 'read / healthz p50', 'p99 ratio'],
        rows: [
          row('one database (SHARDS "DB")', single),
          row('three databases (directory + shard)', sharded.reads),
        ],
      },
      {
        title: `Moving an organisation of ${ENGAGEMENTS.toLocaleString('en')} engagements, ${CANDIDATES.toLocaleString('en')} candidates`,
        columns: ['rows copied', 'write via API ms', 'move ms', 'move / write', 'rows per s'],
        rows: [
          [
            sharded.rows,
            sharded.ingestMs.toFixed(0),
            sharded.moveMs.toFixed(0),
            ratio(sharded.moveMs, sharded.ingestMs),
            ((sharded.rows / sharded.moveMs) * 1000).toFixed(0),
          ],
        ],
      },
    ],
    notes: [
      'Local wrangler dev (workerd, local D1 files), one request at a time. The read ratio compares the same request on two workers; on the sharded one the key is found in the directory (one indexed read joining the hint with the organisation entry) before the shard is read.',
      'The move runs with no settling wait (settleMs 0; a real move first waits 7 s for every isolate to see the freeze), copies in pages of 200 rows (one D1 batch each, with the rowid map of engagements), reads both sides again for counts and checksums, then deletes the old rows. "rows copied" counts every table, the organisation row and API key included.',
    ],
  };
}
