// The collector as production runs it (COLLECT_MODE "queue", wrangler.jsonc): `/v1/collect`
// validates, enqueues and answers 202, and the ingest queue's consumer writes up to 100 beacons
// per D1 batch. A worker of its own (`wrangler dev --var COLLECT_MODE:queue`, the local queue
// with wrangler.jsonc's consumer settings), its own `GET /healthz` baseline, the same beacon mix
// as the direct writer's; afterwards the D1 must hold what the beacons sent should store.
import { DatabaseSync } from 'node:sqlite';
import { databaseFile } from '@cxm/test-support/d1';
import { startWorker, type Worker } from '@cxm/test-support/worker';
import type { CollectReply } from '@cxm/tracker/wire';
import { assertClean, type Load, type LoadOutcome, load } from './collector-load.js';
import {
  applyPage,
  BEACON_HEADERS,
  beacon,
  CONNECTIONS,
  type Expect,
  formSubmit,
  type Kind,
  landingPage,
  MEASURE_S,
  MIX,
  newVisitor,
  POOL,
  type PoolVisitor,
  SITE_ID,
  SITE_SQL,
  unseenPage,
  visit,
  visitorPool,
  WARM_UP_S,
} from './collector-traffic.js';
import { fmt, ms, ratio, type Table } from './report.js';

/** How long the consumer may take to write what is queued once the senders stop. */
const DRAIN_TIMEOUT_MS = 60_000;

/** The direct writer's figures for the same mix, from the same bench run. */
export interface DirectWriter {
  beaconsPerSecond: number;
  eventsPerSecond: number;
}

interface Sent {
  stored: number;
  duplicates: number;
}

export async function queuedBench(direct: DirectWriter): Promise<{
  tables: Table[];
  notes: string[];
}> {
  const worker = await startWorker({
    tempPrefix: 'cxm-bench-collector-queued-',
    sql: SITE_SQL,
    args: ['--log-level', 'warn', '--var', 'COLLECT_MODE:queue'],
  });
  try {
    return await measureQueued(worker, direct);
  } finally {
    await worker.stop();
  }
}

/** What the consumer has written so far: the site's events and its counted duplicates. */
function written(db: DatabaseSync): Sent {
  const row = db
    .prepare(
      `SELECT (SELECT count(*) FROM engagements WHERE site_id = ?) AS stored,
        (SELECT coalesce(sum(duplicates), 0) FROM collect_stats WHERE site_id = ?) AS duplicates`,
    )
    .get(SITE_ID, SITE_ID) as { stored: number; duplicates: number };
  return { stored: Number(row.stored), duplicates: Number(row.duplicates) };
}

/** Waits until the consumer has written everything `sent` says; returns when (ms epoch). */
async function drained(db: DatabaseSync, sent: Sent): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const now = written(db);
    if (now.stored >= sent.stored && now.duplicates >= sent.duplicates) return Date.now();
    if (Date.now() > deadline) {
      throw new Error(
        `the consumer wrote ${now.stored} events and ${now.duplicates} duplicates of ${sent.stored} and ${sent.duplicates} in ${DRAIN_TIMEOUT_MS / 1000} s (the local queue is in memory: a source file saved during the run reloads wrangler dev and drops what it held)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function measureQueued(
  worker: Worker,
  direct: DirectWriter,
): Promise<{ tables: Table[]; notes: string[] }> {
  const { origin } = worker;
  const db = new DatabaseSync(databaseFile(worker.persist), { readOnly: true });
  const sent: Sent = { stored: 0, duplicates: 0 };
  const measured = async (spec: (warmUp: boolean) => Load<Expect>) => {
    assertClean(await load({ ...spec(true), seconds: WARM_UP_S }));
    const outcome = await load({ ...spec(false), seconds: MEASURE_S });
    assertClean(outcome);
    return outcome;
  };
  const health = await measured(() => ({
    title: 'GET /healthz (queued worker)',
    origin,
    method: 'GET',
    path: '/healthz',
    connections: CONNECTIONS,
  }));

  const collect = (
    title: string,
    next: (seq: number) => { body: string; meta: Expect },
  ): Load<Expect> => ({
    title,
    origin,
    method: 'POST',
    path: '/v1/collect',
    headers: BEACON_HEADERS,
    connections: CONNECTIONS,
    build: next,
    check: (body, expect) => {
      const reply = JSON.parse(body) as CollectReply;
      // Queued: every valid event is accepted; the consumer decides what is a duplicate.
      const ok =
        reply.accepted === 1 &&
        reply.duplicates === 0 &&
        reply.dropped === 0 &&
        reply.tracking &&
        (reply.fingerprint === 'queued' || reply.fingerprint === 'none');
      if (ok && expect === 'stored') sent.stored++;
      if (ok && expect === 'duplicate') sent.duplicates++;
      return ok ? undefined : 'expected a queued reply (accepted 1)';
    },
  });

  const pool: PoolVisitor[] = visitorPool(POOL);
  // The pool's first visits, written before the mix, so its reloads are duplicates.
  assertClean(
    await load({
      ...collect('returning visitors: first visits', (seq) => {
        const { visitor, home } = pool[seq] as PoolVisitor;
        return { body: beacon(visitor, visit(home)), meta: 'stored' };
      }),
      amount: POOL,
    }),
  );
  await drained(db, sent);
  let turn = 0;
  const beaconOf = (kind: Kind): { body: string; meta: Expect } => {
    if (kind === 'new') return { body: beacon(newVisitor(), visit(landingPage())), meta: 'stored' };
    const who = pool[turn % POOL] as PoolVisitor;
    const round = Math.floor(turn++ / POOL);
    if (kind === 'returning') {
      return { body: beacon(who.visitor, visit(unseenPage(round))), meta: 'stored' };
    }
    if (kind === 'reload') return { body: beacon(who.visitor, visit(who.home)), meta: 'duplicate' };
    return { body: beacon(who.visitor, formSubmit(applyPage(round), 'apply')), meta: 'stored' };
  };
  const label = 'mix: 45% new, 25% returning, 25% reloads, 5% forms';
  // The warm-up's beacons are written before the measured run starts, so the consumer's rate
  // below is the measured run's alone.
  assertClean(
    await load({
      ...collect(`${label} (queued, warm-up)`, (seq) => beaconOf(MIX[seq % MIX.length] as Kind)),
      seconds: WARM_UP_S,
    }),
  );
  const before = await drained(db, sent).then(() => written(db));
  const started = Date.now();
  const mix = await load({
    ...collect(`${label} (queued)`, (seq) => beaconOf(MIX[seq % MIX.length] as Kind)),
    seconds: MEASURE_S,
  });
  assertClean(mix);
  const lastReply = Date.now();
  const done = await drained(db, sent);
  const after = written(db);
  db.close();
  const consumer = {
    seconds: (done - started) / 1000,
    lagSeconds: (done - lastReply) / 1000,
    events: after.stored - before.stored,
    beacons: after.stored - before.stored + (after.duplicates - before.duplicates),
  };
  return queuedReport({ health, mix, label, consumer, direct, sent, after });
}

function queuedReport(input: {
  health: LoadOutcome;
  mix: LoadOutcome;
  label: string;
  consumer: { seconds: number; lagSeconds: number; events: number; beacons: number };
  direct: DirectWriter;
  sent: Sent;
  after: Sent;
}): { tables: Table[]; notes: string[] } {
  const { health, mix, consumer, direct } = input;
  const rate = (o: LoadOutcome) => o.answered / o.seconds;
  const base = health.result.latency;
  const row = (label: string, o: LoadOutcome): string[] => [
    label,
    fmt(rate(o), 1),
    `${ms(o.result.latency.p50)} ms`,
    `${ms(o.result.latency.p99)} ms`,
    String(o.failures + o.result.non2xx),
    ratio(rate(o), rate(health)),
    ratio(o.result.latency.p50, base.p50),
    ratio(o.result.latency.p99, base.p99),
  ];
  const consumerEvents = consumer.events / consumer.seconds;
  const consumerBeacons = consumer.beacons / consumer.seconds;
  return {
    tables: [
      {
        title: `POST /v1/collect queued (COLLECT_MODE "queue", as in production): validate, enqueue, 202; ${CONNECTIONS} connections, ${MEASURE_S} s after ${WARM_UP_S} s of warm-up, a worker of its own`,
        columns: [
          'scenario',
          'req/s',
          'p50',
          'p99',
          'errors + non-2xx',
          'req/s vs /healthz',
          'p50 vs /healthz',
          'p99 vs /healthz',
        ],
        rows: [row('baseline: GET /healthz', health), row(`${input.label} (queued)`, mix)],
      },
      {
        title:
          'Writers: the queue consumer (up to 100 beacons per D1 batch) against the direct writer (a D1 batch per beacon), the same mix',
        columns: ['writer', 'beacons written/s', 'events stored/s', 'written after the last reply'],
        rows: [
          [
            'direct (collect writes before answering)',
            fmt(direct.beaconsPerSecond),
            fmt(direct.eventsPerSecond),
            '–',
          ],
          [
            'queue consumer (from the first request to the last beacon written)',
            fmt(consumerBeacons),
            fmt(consumerEvents),
            `${consumer.lagSeconds.toFixed(1)} s`,
          ],
        ],
      },
      {
        title: 'The D1 after the queued runs against what the beacons sent should store',
        columns: ['rows', 'beacons sent', 'in D1'],
        rows: [
          ['tracker events', fmt(input.sent.stored), fmt(input.after.stored)],
          ['collect_stats.duplicates', fmt(input.sent.duplicates), fmt(input.after.duplicates)],
        ],
      },
    ],
    notes: [
      'Queued: a second `wrangler dev` with `--var COLLECT_MODE:queue` and the local queue as wrangler.jsonc configures the consumer (batches of up to 100, 2 s timeout); its `/healthz` baseline is measured on it in the same run. The consumer runs in the same single-threaded workerd as the requests, so its writing is inside the collect figures.',
      "A queued reply cannot know what is a duplicate: every check expects accepted 1. The consumer's rate counts from the measured run's first request until every beacon of it is written (the warm-up is written before it starts); when it keeps pace with the senders its rate is the senders' and \"written after the last reply\" stays near the batch timeout, so it is then a lower bound of what it can write.",
    ],
  };
}
