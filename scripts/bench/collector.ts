// The ingestion endpoints under load: `wrangler dev` (the Worker in workerd over a local D1) driven
// by autocannon at fixed concurrency, each scenario beside `GET /healthz` of the same worker in the
// same run: first collect writing each beacon itself (COLLECT_MODE "direct", local development's),
// then on a second worker collect through the queue (production's, collector-queued.ts). Every request has a body of its own and every reply is checked; afterwards the D1 must
// hold exactly what the replies said was stored.
import type { EngagementsReply } from '@cxm/edge-api/client';
import { query } from '@cxm/test-support/d1';
import { startWorker, type Worker } from '@cxm/test-support/worker';
import type { CollectReply } from '@cxm/tracker/wire';
import { assertClean, type Load, type LoadOutcome, load } from './collector-load.js';
import { type DirectWriter, queuedBench } from './collector-queued.js';
import {
  applyPage,
  BEACON_HEADERS,
  beacon,
  CANDIDATE_SLICES,
  CANDIDATES_PER_SLICE,
  CONNECTIONS,
  type Expect,
  engagementBatch,
  engagementTag,
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
import { type BenchResult, fmt, ms, ratio, type Table } from './report.js';

const BATCH_SIZES = [1, 50, 500] as const;

/** What the replies said was stored, counted over every run (warm-ups and first visits too). */
interface Replies {
  trackerStored: number;
  trackerDuplicates: number;
  /** Engagements accepted, by id tag (batch size, warm-up or measured). */
  engagements: Map<string, number>;
}

interface Measured {
  label: string;
  outcome: LoadOutcome;
  /** Events or engagements the replies of the measured run said were stored. */
  stored: number;
  duplicates: number;
}

interface Sent {
  body: string;
  meta: Expect;
}

export async function run(): Promise<BenchResult> {
  const started = Date.now();
  // Request logging off: printing a line per request would cost the worker more than some routes.
  const worker = await startWorker({
    tempPrefix: 'cxm-bench-collector-',
    sql: SITE_SQL,
    args: ['--log-level', 'warn'],
  });
  let direct: { result: BenchResult; writer: DirectWriter };
  try {
    direct = await bench(worker, started);
  } finally {
    await worker.stop();
  }
  // Then the queued collector (production's), on a worker of its own, after this one stopped.
  const queued = await queuedBench(direct.writer);
  return {
    ...direct.result,
    tables: [...direct.result.tables, ...queued.tables],
    notes: [...direct.result.notes, ...queued.notes],
  };
}

async function bench(
  worker: Worker,
  started: number,
): Promise<{ result: BenchResult; writer: DirectWriter }> {
  const origin = worker.origin;
  const replies: Replies = { trackerStored: 0, trackerDuplicates: 0, engagements: new Map() };

  /** A warm-up (counted in `replies`, not in the table), then the measured run. */
  const measure = async <T>(
    label: string,
    spec: (warmUp: boolean) => Load<T>,
    counts: () => { stored: number; duplicates: number },
  ): Promise<Measured> => {
    assertClean(await load({ ...spec(true), seconds: WARM_UP_S }));
    const before = counts();
    const outcome = await load({ ...spec(false), seconds: MEASURE_S });
    assertClean(outcome);
    const after = counts();
    return {
      label,
      outcome,
      stored: after.stored - before.stored,
      duplicates: after.duplicates - before.duplicates,
    };
  };

  // Baseline: the worker's cheapest route (one `SELECT 1`), same worker, same connections.
  const health = await measure(
    'baseline: GET /healthz',
    () => ({
      title: 'GET /healthz',
      origin,
      method: 'GET',
      path: '/healthz',
      connections: CONNECTIONS,
    }),
    () => ({ stored: 0, duplicates: 0 }),
  );

  const collect = (title: string, next: (seq: number) => Sent): Load<Expect> => ({
    title,
    origin,
    method: 'POST',
    path: '/v1/collect',
    headers: BEACON_HEADERS,
    connections: CONNECTIONS,
    build: next,
    check: (body, expect) => {
      const reply = JSON.parse(body) as CollectReply;
      replies.trackerStored += reply.accepted;
      replies.trackerDuplicates += reply.duplicates;
      const [accepted, duplicates] = expect === 'stored' ? [1, 0] : [0, 1];
      const ok =
        reply.accepted === accepted &&
        reply.duplicates === duplicates &&
        reply.dropped === 0 &&
        reply.tracking;
      return ok ? undefined : `expected the beacon to be ${expect}`;
    },
  });
  const trackerCounts = () => ({
    stored: replies.trackerStored,
    duplicates: replies.trackerDuplicates,
  });
  const beacons = (label: string, next: (seq: number) => Sent) =>
    measure(
      label,
      (warmUp) => collect(`${label}${warmUp ? ' (warm-up)' : ''}`, next),
      trackerCounts,
    );

  const pool: PoolVisitor[] = visitorPool(POOL);
  // Pool visitors are taken in turn by every scenario that uses them, so the requests in flight
  // are always different visitors; `round` makes each returning page and form new to its visitor.
  let poolTurn = 0;
  const nextPoolVisitor = () => {
    const turn = poolTurn++;
    return { who: pool[turn % POOL] as PoolVisitor, round: Math.floor(turn / POOL) };
  };
  const beaconOf = (kind: Kind): Sent => {
    if (kind === 'new') return { body: beacon(newVisitor(), visit(landingPage())), meta: 'stored' };
    const { who, round } = nextPoolVisitor();
    switch (kind) {
      case 'returning':
        return { body: beacon(who.visitor, visit(unseenPage(round))), meta: 'stored' };
      case 'reload':
        return { body: beacon(who.visitor, visit(who.home)), meta: 'duplicate' };
      case 'form':
        return { body: beacon(who.visitor, formSubmit(applyPage(round), 'apply')), meta: 'stored' };
    }
  };

  const newVisitors = await beacons('new visitors: one landing-page visit', () => beaconOf('new'));

  // Every pool visitor lands on its home page once (not timed), each reply checked: the reloads
  // below must be answered as duplicates of these visits.
  assertClean(
    await load({
      ...collect('returning visitors: first visits', (seq) => {
        const { visitor, home } = pool[seq] as PoolVisitor;
        return { body: beacon(visitor, visit(home)), meta: 'stored' };
      }),
      amount: POOL,
    }),
  );

  const reloads = await beacons('repeat visits: reload within 30 min (duplicates)', () =>
    beaconOf('reload'),
  );
  const forms = await beacons('form submits (returning visitors)', () => beaconOf('form'));
  const mix = await beacons('mix: 45% new, 25% returning, 25% reloads, 5% forms', (seq) =>
    beaconOf(MIX[seq % MIX.length] as Kind),
  );

  // Engagement batches from another system, ids tagged by batch size and run.
  const engagementCounts = () => {
    let stored = 0;
    for (const [tag, count] of replies.engagements) if (tag.endsWith('m')) stored += count;
    return { stored, duplicates: 0 };
  };
  const batches = (size: number) =>
    measure(
      `${size} per request`,
      (warmUp): Load<number> => {
        const tag = engagementTag(size, warmUp);
        return {
          title: `POST /v1/engagements, ${size} per request${warmUp ? ' (warm-up)' : ''}`,
          origin,
          method: 'POST',
          path: '/v1/engagements',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk_demo_user' },
          connections: CONNECTIONS,
          build: (seq) => ({ body: JSON.stringify(engagementBatch(tag, seq, size)), meta: size }),
          check: (body, items) => {
            const reply = JSON.parse(body) as EngagementsReply;
            replies.engagements.set(tag, (replies.engagements.get(tag) ?? 0) + reply.accepted);
            return reply.accepted === items && reply.duplicates === 0
              ? undefined
              : `expected ${items} new engagements`;
          },
        };
      },
      engagementCounts,
    );
  const ingested: Measured[] = [];
  for (const size of BATCH_SIZES) ingested.push(await batches(size));

  const checks = verify(worker, replies);

  const result = report({
    health,
    beacons: [newVisitors, reloads, forms, mix],
    ingested,
    checks,
    seconds: (Date.now() - started) / 1000,
  });
  const writer = {
    beaconsPerSecond: (mix.stored + mix.duplicates) / mix.outcome.seconds,
    eventsPerSecond: mix.stored / mix.outcome.seconds,
  };
  return { result, writer };
}

/**
 * The D1 against the replies. Every run ends only once each request it sent has its reply, so
 * the D1 must hold exactly what the replies said was stored: per batch size and run for the
 * engagements (by the tag in their ids), in total for the tracker's events and counters.
 */
function verify(worker: Worker, replies: Replies): string[][] {
  const rows = query<{ k: string; n: number }>(
    worker.persist,
    `SELECT 'tag:' || substr(event_key, 5, 6) AS k, count(*) AS n FROM engagements
       WHERE org_id = 'demo' AND source = 'api' GROUP BY 1
     UNION ALL SELECT 'tracker', count(*) FROM engagements
       WHERE org_id = 'demo' AND site_id = '${SITE_ID}'
     UNION ALL SELECT 'stats:accepted', coalesce(sum(accepted), 0) FROM collect_stats
       WHERE site_id = '${SITE_ID}'
     UNION ALL SELECT 'stats:duplicates', coalesce(sum(duplicates), 0) FROM collect_stats
       WHERE site_id = '${SITE_ID}'`,
  );
  const found = new Map(rows.map((row) => [row.k, Number(row.n)]));
  const compared: [string, number, number][] = [];
  const tags = new Set([
    ...replies.engagements.keys(),
    ...[...found.keys()].filter((k) => k.startsWith('tag:')).map((k) => k.slice(4)),
  ]);
  for (const tag of [...tags].sort()) {
    compared.push([
      `engagements ${tag} (${Number(tag.slice(1, 5))} per request, ${tag.endsWith('w') ? 'warm-up' : 'measured'})`,
      replies.engagements.get(tag) ?? 0,
      found.get(`tag:${tag}`) ?? 0,
    ]);
  }
  compared.push(
    [
      'tracker events (every beacon run, first visits included)',
      replies.trackerStored,
      found.get('tracker') ?? 0,
    ],
    ['collect_stats.accepted', replies.trackerStored, found.get('stats:accepted') ?? 0],
    ['collect_stats.duplicates', replies.trackerDuplicates, found.get('stats:duplicates') ?? 0],
  );
  const wrong = compared.filter(([, said, held]) => said !== held);
  if (wrong.length > 0) {
    const lines = wrong.map(([what, said, held]) => `${what}: replies ${said}, D1 ${held}`);
    throw new Error(`the D1 does not hold what the replies said:\n${lines.join('\n')}`);
  }
  return compared.map(([what, said, held]) => [what, fmt(said), fmt(held)]);
}

function report(input: {
  health: Measured;
  beacons: Measured[];
  ingested: Measured[];
  checks: string[][];
  seconds: number;
}): BenchResult {
  const base = input.health.outcome;
  const perSecond = (o: LoadOutcome) => o.answered / o.seconds;
  const { p50, p99 } = base.result.latency;
  const row = (m: Measured, kind: 'beacons' | 'engagements' | 'baseline'): string[] => {
    const o = m.outcome;
    const { latency } = o.result;
    const rate = (count: number) => (kind === 'baseline' ? '–' : fmt(count / o.seconds));
    return [
      m.label,
      fmt(perSecond(o), 1),
      `${ms(latency.p50)} ms`,
      `${ms(latency.p99)} ms`,
      rate(m.stored),
      ...(kind === 'engagements' ? [] : [rate(m.duplicates)]),
      String(o.failures + o.result.non2xx),
      ratio(perSecond(o), perSecond(base)),
      ratio(latency.p50, p50),
      ratio(latency.p99, p99),
    ];
  };
  const ratios = ['req/s vs /healthz', 'p50 vs /healthz', 'p99 vs /healthz'];
  const head = `${CONNECTIONS} connections, ${MEASURE_S} s per scenario after ${WARM_UP_S} s of warm-up`;
  const tables: Table[] = [
    {
      title: `POST /v1/collect, one beacon per request as the tracker sends it; ${head}`,
      columns: [
        'scenario',
        'req/s',
        'p50',
        'p99',
        'events stored/s',
        'duplicates/s',
        'errors + non-2xx',
        ...ratios,
      ],
      rows: [row(input.health, 'baseline'), ...input.beacons.map((m) => row(m, 'beacons'))],
    },
    {
      title: `POST /v1/engagements (API key, role user), unique ids; ${head}`,
      columns: [
        'batch',
        'req/s',
        'p50',
        'p99',
        'engagements stored/s',
        'errors + non-2xx',
        ...ratios,
      ],
      rows: [
        row(input.health, 'baseline').filter((_, i) => i !== 5),
        ...input.ingested.map((m) => row(m, 'engagements')),
      ],
    },
    {
      title: 'The D1 afterwards against the replies (every run, warm-ups included)',
      columns: ['rows', 'replies said stored', 'in D1'],
      rows: input.checks,
    },
  ];
  return {
    name: 'collector',
    command: 'pnpm bench collector',
    tables,
    notes: [
      `wrangler dev (workerd, local D1 on SQLite) on loopback, autocannon in the same Node process; the whole bench took ${fmt(input.seconds)} s. Ratios to GET /healthz (one SELECT 1) of the same worker in the same run are what carries over between machines; absolute figures are one local, single-threaded workerd.`,
      'Each run sends new requests for its time, then waits for the replies to those in flight (so none is stored unanswered or still running into the next scenario); rates are replies over the time from the first request to the last reply.',
      'Every reply was checked: a new visit or form must be stored (accepted 1), a reload answered as a duplicate, a batch of n must say accepted n; any other reply, non-2xx, error or timeout fails the bench.',
      `Beacons: text/plain JSON (BeaconPayload of @cxm/tracker/wire), the site's Origin, a desktop Chrome user agent; visitors as the tracker of issue 14 sends them: each its own stored id, 85% with a FingerprintJS id of a device of its own beside it (\`visitor.fp\`, noted by the collector: one more read before the batch, and six in-place statements and a read in it), 15% without. Returning visitors are ${fmt(POOL)} who each landed on one page beforehand (not timed); reloads repeat that page within the 30-minute window. All anonymous: a linked visitor's beacon also rewrites the candidate's score in the same batch.`,
      `Engagements: 40% email opens (a tenth of them machine opens), 20% clicks, 15% event registrations, 10% attendance, 10% visits, 5% forms, from the last 20 minutes. Each request draws its candidates from one of ${CANDIDATE_SLICES} slices of ${fmt(CANDIDATE_SLICES * CANDIDATES_PER_SLICE)}, in turn, so the requests in flight rarely write the same candidate: this is ingestion throughput, not optimistic-lock retries under contention.`,
    ],
  };
}
