// A re-engagement campaign's daily run over an organisation where 100,000 candidates match,
// through `wrangler dev` (workerd, a local D1, Miniflare's local queue) and the SMS stand-in
// (examples/sms-provider, its own process): the cron (`/__scheduled`) starts the run, its pages
// (100 candidates a job, on the campaign queue) select, judge and write their texts and queue
// them as send jobs on the texting queue, whose consumer sends them through the stand-in, whose
// callbacks bring them back `delivered`. Measured: cron to the run `done` (every page written, its texts queued)
// and per page, the memory of workerd, the stand-in and this process, and texts accepted and
// delivered per second over a bounded window; beside `GET /healthz` and an audience query over
// the same 100,000 candidates (`GET /v1/audiences`), measured on the same worker in the same run
// before the cron. Afterwards, from the D1 and the stand-in: texts written = matched - skipped,
// nobody texted twice, none lost.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { read } from '@cxm/test-support/d1';
import { EDGE_API } from '@cxm/test-support/paths';
import { freePort } from '@cxm/test-support/ports';
import { type Child, stop } from '@cxm/test-support/processes';
import { startWorker, type Worker } from '@cxm/test-support/worker';
import { API_KEY, buildData, CAMPAIGN_ID, type CampaignData, ORG_ID } from './campaigns-data.js';
import { assertClean, type LoadOutcome, load } from './collector-load.js';
import {
  type BenchResult,
  fmt,
  markdown,
  median,
  ms,
  quantile,
  ratio,
  type Table,
} from './report.js';
import { describeQueue, queueSettings, SMS_ACCOUNT, startStandIn } from './texting.js';
import { daytimeZones } from './texting-candidates.js';

/** `BENCH_CAMPAIGNS_CANDIDATES=2000` for a quick try; the figures need 100,000. */
const CANDIDATES = Number(process.env.BENCH_CAMPAIGNS_CANDIDATES ?? 100_000);
/** From the cron, the run is watched until every text is delivered or this many minutes. */
const WINDOW_MIN = Number(process.env.BENCH_CAMPAIGNS_MINUTES ?? 12);
const PAGE_SIZE = 100;
/** wrangler.jsonc's frequent cron (src/jobs/cron.ts RETRY_CRON): it starts due runs. */
const CRON = '*/10 * * * *';
const CONNECTIONS = 4;
const BASELINE_S = 5;
const WARM_UP_S = 1;
const POLL_MS = 1000;
/** A timed `GET /healthz` every this many polls while the run goes. */
const PROBE_EVERY = 5;
const AUDIENCE_PATH = '/v1/audiences?tier=engaged&limit=100';
const MB = 2 ** 20;

const log = (line: string) => process.stdout.write(`campaigns: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Context {
  worker: Worker;
  sms: { origin: string; child: Child };
  data: CampaignData;
  started: number;
  buildS: number;
}

/**
 * A copy of the worker's source taken at the start, served instead of src/: `wrangler dev`
 * rebuilds and restarts the worker whenever a file under src/ changes, and a run lasts minutes in
 * a checkout others edit (a reload mid-run killed the runtime and stalled the queue). The copy
 * sits in the package's git-ignored .wrangler/ beside a link to its node_modules, so its imports
 * of packages, bare or relative, resolve as src/'s do.
 */
function snapshotWorker(): { script: string; remove: () => void } {
  const parent = join(EDGE_API, '.wrangler');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'bench-campaigns-'));
  cpSync(join(EDGE_API, 'src'), join(dir, 'src'), { recursive: true });
  // src/ names a few files by relative path into the package's node_modules (Scalar's bundle).
  symlinkSync(join(EDGE_API, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    script: join(dir, 'src', 'index.ts'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function run(): Promise<BenchResult> {
  const started = Date.now();
  const persist = mkdtempSync(join(tmpdir(), 'cxm-bench-campaigns-'));
  try {
    const zones = daytimeZones(started);
    const data: CampaignData = {
      candidates: CANDIDATES,
      orgZone: zones[0] as string,
      zones,
      builtAt: started,
    };
    buildData(persist, data);
    const buildS = (Date.now() - started) / 1000;
    log(`${fmt(CANDIDATES)} candidates written to a migrated D1 in ${fmt(buildS, 1)} s`);
    const snapshot = snapshotWorker();
    const port = await freePort();
    const sms = await startStandIn(`http://127.0.0.1:${port}`);
    try {
      const worker = await startWorker({
        tempPrefix: 'cxm-bench-campaigns-',
        persist,
        port,
        args: [
          ...['-c', 'wrangler.jsonc', snapshot.script],
          ...['--log-level', 'warn', '--test-scheduled'],
          ...['--var', `PUBLIC_ORIGIN:http://127.0.0.1:${port}`],
          ...['--var', `TWILIO_ACCOUNT_SID:${SMS_ACCOUNT.sid}`],
          ...['--var', `TWILIO_AUTH_TOKEN:${SMS_ACCOUNT.token}`],
          ...['--var', `TWILIO_API_BASE:${sms.origin}`],
        ],
      });
      try {
        return await bench({ worker, sms, data, started, buildS });
      } finally {
        await worker.stop();
      }
    } finally {
      await stop(sms.child);
      snapshot.remove();
    }
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
}

/** Resident memory of process `pid` in bytes (Linux /proc), or null where it cannot be read. */
function rssOf(pid: number | undefined | null): number | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** The workerd this process started (through wrangler): a `workerd` descending from us. */
function workerdPid(): number | null {
  const parents = new Map<number, { comm: string; ppid: number }>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const comm = stat.slice(stat.indexOf('(') + 1, close);
        const ppid = Number(stat.slice(close + 2).split(' ')[1]);
        parents.set(Number(name), { comm, ppid });
      } catch {}
    }
  } catch {
    return null;
  }
  for (const [pid, proc] of parents) {
    if (proc.comm !== 'workerd') continue;
    for (let up = proc.ppid; up > 1; up = parents.get(up)?.ppid ?? 0) {
      if (up === process.pid) return pid;
    }
  }
  return null;
}

interface Memory {
  workerd: number | null;
  standIn: number | null;
  bench: number;
}

function memory(ctx: Context, workerd: number | null): Memory {
  return {
    workerd: rssOf(workerd),
    standIn: rssOf(ctx.sms.child.process.pid),
    bench: process.memoryUsage().rss,
  };
}

interface Baselines {
  health: LoadOutcome;
  audience: LoadOutcome;
}

/** `/healthz` and the audience query, each after a warm-up, the queue idle. */
async function baselines(origin: string): Promise<Baselines> {
  const headers = { authorization: `Bearer ${API_KEY}` };
  const check = await fetch(`${origin}/v1/audiences?tier=engaged&limit=1`, { headers });
  const total = ((await check.json()) as { total?: number }).total;
  if (total !== CANDIDATES) {
    throw new Error(`expected ${CANDIDATES} Engaged candidates, the audience says ${total}`);
  }
  const health = { title: 'GET /healthz', origin, method: 'GET' as const, path: '/healthz' };
  const audience = {
    title: `GET ${AUDIENCE_PATH}`,
    origin,
    method: 'GET' as const,
    path: AUDIENCE_PATH,
    headers,
  };
  const measure = async (spec: typeof health) => {
    assertClean(await load({ ...spec, connections: CONNECTIONS, seconds: WARM_UP_S }));
    const outcome = await load({ ...spec, connections: CONNECTIONS, seconds: BASELINE_S });
    assertClean(outcome);
    return outcome;
  };
  return { health: await measure(health), audience: await measure(audience) };
}

interface RunRow {
  id: string;
  state: string;
  page: number;
  matched: number;
  sent: number;
  skipped: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  resumes: number;
  error: string | null;
}

const RUN_SQL = `SELECT id, state, page, matched, sent, created_at, updated_at, finished_at,
    resumes, error, skipped_inactive + skipped_opted_out + skipped_no_number
      + skipped_texted_today + skipped_no_sender + skipped_quiet_hours + skipped_no_contacts
      AS skipped
  FROM campaign_runs WHERE campaign_id = '${CAMPAIGN_ID}'`;

function runRow(persist: string): RunRow | null {
  const rows = read<RunRow>(persist, RUN_SQL);
  if (rows.length > 1) throw new Error(`${rows.length} runs of the campaign, expected one`);
  return rows[0] ?? null;
}

/** The run's texts by status (the `messages_campaign_run` index's range). */
function statuses(persist: string, runId: string): Map<string, number> {
  if (!/^run_[0-9a-f]+$/.test(runId)) throw new Error(`unexpected run id ${runId}`);
  const rows = read<{ status: string; n: number }>(
    persist,
    `SELECT status, count(*) AS n FROM messages
     WHERE campaign_run_id = '${runId}' AND direction = 'outbound' GROUP BY status`,
  );
  return new Map(rows.map((row) => [row.status, row.n]));
}

const sum = (counts: Map<string, number>, names: readonly string[]) =>
  names.reduce((total, name) => total + (counts.get(name) ?? 0), 0);
/** The provider has it: the stand-in answered the send. */
const AT_PROVIDER = ['accepted', 'sent', 'delivered', 'undelivered'] as const;
const SETTLED = ['delivered', 'undelivered', 'failed', 'cancelled'] as const;

interface Sample {
  at: number;
  run: RunRow;
  atProvider: number;
  delivered: number;
  memory: Memory;
}

interface Watched {
  cronAt: number;
  cronMs: number;
  samples: Sample[];
  probes: number[];
  bounded: boolean;
}

/** Fires the cron, then samples the run every POLL_MS until all is delivered or the window ends. */
async function watch(ctx: Context, workerd: number | null): Promise<Watched> {
  const { origin, persist } = ctx.worker;
  const cronAt = Date.now();
  const cron = await fetch(`${origin}/__scheduled?cron=${encodeURIComponent(CRON)}`);
  await cron.arrayBuffer();
  const cronMs = Date.now() - cronAt;
  if (cron.status !== 200) throw new Error(`/__scheduled answered ${cron.status}`);
  const deadline = cronAt + WINDOW_MIN * 60_000;
  const samples: Sample[] = [];
  const probes: number[] = [];
  for (let poll = 0; ; poll++) {
    const run = runRow(persist);
    if (!run) throw new Error('the cron started no run: is the campaign due?');
    const counts = statuses(persist, run.id);
    const settled = sum(counts, SETTLED);
    samples.push({
      at: Date.now(),
      run,
      atProvider: sum(counts, AT_PROVIDER),
      delivered: counts.get('delivered') ?? 0,
      memory: memory(ctx, workerd),
    });
    if (poll % 60 === 0) {
      log(
        `${fmt((Date.now() - cronAt) / 1000)} s: run ${run.state}, page ${run.page}, ${fmt(run.sent)} texts written, ${fmt(settled)} settled`,
      );
    }
    if (run.state !== 'running' && settled >= run.sent) break;
    if (Date.now() > deadline) return { cronAt, cronMs, samples, probes, bounded: true };
    if (poll % PROBE_EVERY === 0) {
      const start = performance.now();
      await (await fetch(`${origin}/healthz`)).arrayBuffer();
      probes.push(performance.now() - start);
    }
    await sleep(POLL_MS);
  }
  return { cronAt, cronMs, samples, probes, bounded: false };
}

async function bench(ctx: Context): Promise<BenchResult> {
  const loadAtStart = loadavg()[0] ?? 0;
  const setUpS = (Date.now() - ctx.started) / 1000;
  const base = await baselines(ctx.worker.origin);
  const workerd = workerdPid();
  const before = memory(ctx, workerd);
  log(`cron fired; watching for at most ${WINDOW_MIN} minutes`);
  const watched = await watch(ctx, workerd);
  // Stopped before the checks, so nothing moves while they read; the stand-in keeps its texts.
  await ctx.worker.stop();
  const texts = await standInTexts(ctx.sms.origin);
  const checks = verify(ctx.worker.persist, texts);
  const result: BenchResult = {
    name: 'campaigns',
    command: 'pnpm bench campaigns',
    tables: [
      rateTable(base, watched),
      timeTable(base, watched),
      memoryTable(before, watched.samples),
      { title: 'Checks afterwards (D1 and stand-in)', columns: CHECK_COLUMNS, rows: checks.rows },
    ],
    notes: notes(ctx, watched, { setUpS, loadAtStart }),
  };
  if (checks.failed) {
    process.stdout.write(markdown(result));
    throw new Error('campaigns: a check failed (see the table above)');
  }
  return result;
}

/** The last sample, and the first one where the run was no longer running. */
function milestones(watched: Watched) {
  const last = watched.samples.at(-1) as Sample;
  const run = last.run;
  const doneMs = run.finished_at === null ? null : run.finished_at - run.created_at;
  // Until done, or the last page written before the window closed.
  const pagesMs = doneMs ?? run.updated_at - run.created_at;
  const firstAtProvider = watched.samples.find((s) => s.atProvider > 0)?.at ?? last.at;
  return {
    last,
    run,
    doneMs,
    pagesMs,
    windowS: (last.at - watched.cronAt) / 1000,
    firstAtProvider,
  };
}

function rateTable(base: Baselines, watched: Watched): Table {
  const { last, run, doneMs, pagesMs, windowS } = milestones(watched);
  const healthRate = base.health.answered / base.health.seconds;
  const audienceRate = base.audience.answered / base.audience.seconds;
  const row = (label: string, count: number, seconds: number) => [
    label,
    fmt(count),
    `${fmt(seconds, 1)} s`,
    fmt(count / seconds, 1),
    ratio(count / seconds, healthRate),
    ratio(count / seconds, audienceRate),
  ];
  const selection =
    doneMs === null
      ? `candidates judged by pages written before the window closed (run not done: page ${run.page} of ${Math.ceil(CANDIDATES / PAGE_SIZE)})`
      : 'candidates selected, judged and their texts written and queued (cron to run `done`)';
  return {
    title: `One run over ${fmt(CANDIDATES)} matching candidates; rates beside the baselines' requests/s (${CONNECTIONS} connections, ${BASELINE_S} s each, queue idle)`,
    columns: ['what', 'count', 'time', 'per second', 'vs /healthz req/s', 'vs audience req/s'],
    rows: [
      row('baseline: GET /healthz', base.health.answered, base.health.seconds),
      row(`baseline: GET ${AUDIENCE_PATH}`, base.audience.answered, base.audience.seconds),
      row(selection, run.matched, pagesMs / 1000),
      row('texts the stand-in accepted (from the cron)', last.atProvider, windowS),
      row('texts `delivered` stored (from the cron)', last.delivered, windowS),
    ],
  };
}

function timeTable(base: Baselines, watched: Watched): Table {
  const { run, doneMs, pagesMs } = milestones(watched);
  const health50 = base.health.result.latency.p50;
  const audience50 = base.audience.result.latency.p50;
  const row = (label: string, value: number) => [
    label,
    ms(value),
    ratio(value, health50),
    ratio(value, audience50),
  ];
  const rows = [
    row('baseline: GET /healthz p50 (queue idle)', health50),
    row(`baseline: GET ${AUDIENCE_PATH} p50 (queue idle)`, audience50),
    row('the cron request (`/__scheduled`: starts the run, queues page 0)', watched.cronMs),
    row(
      `a page of ${PAGE_SIZE}, mean (its turn on the queue included): ${doneMs === null ? 'pages written so far' : 'cron to done'} / ${run.page} pages`,
      pagesMs / Math.max(1, run.page),
    ),
  ];
  if (doneMs !== null) rows.push(row('the whole selection and enqueue: cron to `done`', doneMs));
  if (watched.probes.length > 0) {
    rows.push(
      row(
        `GET /healthz while the run goes, p50 of ${watched.probes.length}`,
        median(watched.probes),
      ),
      row('GET /healthz while the run goes, max', Math.max(...watched.probes)),
    );
  }
  return {
    title: 'Times (ms), beside the baselines’ p50 latency',
    columns: ['what', 'ms', 'vs /healthz p50', 'vs audience p50'],
    rows,
  };
}

function memoryTable(before: Memory, samples: readonly Sample[]): Table {
  const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${fmt(bytes / MB)} MB`);
  const peak = (pick: (m: Memory) => number | null) =>
    samples.reduce<number | null>((top, s) => {
      const value = pick(s.memory);
      return value === null ? top : Math.max(top ?? 0, value);
    }, null);
  const end = (samples.at(-1) as Sample).memory;
  const row = (label: string, pick: (m: Memory) => number | null) => [
    label,
    mb(pick(before)),
    mb(peak(pick)),
    mb(pick(end)),
  ];
  return {
    title: 'Resident memory (RSS, /proc), sampled every second',
    columns: ['process', 'before the cron', 'peak during the run', 'at the end of the window'],
    rows: [
      row('workerd (the worker: API, cron, queue consumer, local D1)', (m) => m.workerd),
      row('SMS stand-in (Node; keeps every text)', (m) => m.standIn),
      row('this benchmark (Node; polls the D1 file)', (m) => m.bench),
    ],
  };
}

/** A text as the stand-in's JSON API for tests shows it (`GET /api/messages`). */
interface StandInMessage {
  direction: string;
  to: string;
}

async function standInTexts(origin: string): Promise<StandInMessage[]> {
  const all = (await (await fetch(`${origin}/api/messages`)).json()) as StandInMessage[];
  return all.filter((m) => m.direction === 'outbound-api');
}

const CHECK_COLUMNS = ['what', 'expected', 'found'];

interface Check {
  row: string[];
  ok: boolean;
}

const check = (what: string, wanted: number | string, found: number | string): Check => ({
  row: [
    what,
    typeof wanted === 'number' ? fmt(wanted) : wanted,
    typeof found === 'number' ? fmt(found) : found,
  ],
  ok: wanted === found,
});

/** Counts over the D1 of the stopped worker for the checks. */
function stored(persist: string, run: RunRow) {
  const one = (sql: string) => read<{ n: number }>(persist, sql)[0]?.n ?? 0;
  const ofRun = `FROM messages WHERE campaign_run_id = '${run.id}' AND direction = 'outbound'`;
  return {
    counts: statuses(persist, run.id),
    written: one(`SELECT count(*) AS n ${ofRun}`),
    withSid: one(`SELECT count(*) AS n ${ofRun} AND provider_sid IS NOT NULL`),
    retried: one(`SELECT count(*) AS n ${ofRun} AND attempts > 1`),
    twice: one(
      `SELECT count(*) AS n FROM (SELECT candidate_id FROM messages
         WHERE org_id = '${ORG_ID}' AND direction = 'outbound' AND campaign_id IS NOT NULL
         GROUP BY candidate_id HAVING count(*) > 1)`,
    ),
  };
}

/**
 * Correctness from the D1 (the worker stopped) and the stand-in. A run not done when the window
 * closed is the bound, not a failure; every other check must hold however far the run got.
 */
function verify(persist: string, texts: readonly StandInMessage[]) {
  const run = runRow(persist) as RunRow;
  const { counts, written, withSid, retried, twice } = stored(persist, run);
  const perNumber = new Map<string, number>();
  for (const text of texts) perNumber.set(text.to, (perNumber.get(text.to) ?? 0) + 1);
  const doubled = [...perNumber.values()].reduce((n, c) => n + c - 1, 0);
  // Stopped mid-send, a text may be at the stand-in with its sid not yet stored (`sending`).
  const sending = counts.get('sending') ?? 0;
  const atStandIn = texts.length >= withSid && texts.length <= withSid + sending;
  const done = run.state === 'done';
  const bounded = [
    check('run state at the end of the window', 'done', run.state),
    check('candidates matched (the run’s count)', CANDIDATES, run.matched),
  ];
  const always = [
    check(
      'texts written (rows of the run) = matched - skipped',
      run.matched - run.skipped,
      written,
    ),
    check('the run’s own count of texts written', written, run.sent),
    check('lost: matched, not skipped, without a text', 0, run.matched - run.skipped - written),
    check('candidates with more than one campaign text', 0, twice),
    check('numbers with more than one text on the stand-in', 0, doubled),
    {
      row: [
        'texts on the stand-in (D1: with a provider sid, + still `sending`)',
        sending > 0 ? `${fmt(withSid)} + up to ${fmt(sending)}` : fmt(withSid),
        fmt(texts.length),
      ],
      ok: atStandIn,
    },
    check(
      'texts failed, undelivered or cancelled',
      0,
      sum(counts, ['failed', 'undelivered', 'cancelled']),
    ),
    check('texts claimed more than once (`attempts` > 1)', 0, retried),
  ];
  const rows = [...bounded, ...always].map((c) => c.row);
  const waiting = sum(counts, ['queued', 'scheduled', 'sending']);
  rows.push(['texts written but not yet sent when the window closed', '-', fmt(waiting)]);
  const failed = always.some((c) => !c.ok) || (done && bounded.some((c) => !c.ok));
  return { rows, failed };
}

function notes(
  ctx: Context,
  watched: Watched,
  at: { setUpS: number; loadAtStart: number },
): string[] {
  const { run, doneMs, last, firstAtProvider } = milestones(watched);
  const pages = watched.samples.filter(
    (s, i) => i > 0 && s.run.page > (watched.samples[i - 1] as Sample).run.page,
  );
  const pageGaps = pages.slice(1).map((s, i) => s.at - (pages[i] as Sample).at);
  const sendWindowS = (last.at - firstAtProvider) / 1000;
  const remaining = Math.ceil(CANDIDATES / PAGE_SIZE) + 1 - run.page;
  const perPage = (run.updated_at - run.created_at) / Math.max(1, run.page);
  return [
    `wrangler dev (workerd, local D1 on SQLite, Miniflare's local queue) and the SMS stand-in on loopback; the data (${fmt(CANDIDATES)} candidates, each Engaged, last contacted 31-365 days ago, a US number, SMS consent, a zone where it was 09:00-18:00: ${ctx.data.zones.join(', ')}; the organisation in ${ctx.data.orgZone}, send time 08:00, monthly contacts ${fmt(CANDIDATES * 2)}) written into the migrated D1 file in ${fmt(ctx.buildS, 1)} s; ${fmt(at.setUpS)} s from the start to the baselines. The whole bench took ${fmt((Date.now() - ctx.started) / 1000)} s.`,
    `Queues (packages/edge-api/wrangler.jsonc): ${describeQueue(queueSettings('CAMPAIGN_QUEUE'))}; ${describeQueue(queueSettings())}. A page job writes its texts in one D1 batch, then queues its ${PAGE_SIZE} send jobs on the texting queue and the next page's job on the campaign queue, so the next page does not wait behind the page's sends (the one workerd runs both consumers). Observed: page moved every ${pageGaps.length > 0 ? `${ms(median(pageGaps))} ms (median; p90 ${ms(quantile(pageGaps, 0.9))} ms)` : 'n/a'} while texts reached the stand-in at ${fmt(last.atProvider / Math.max(0.001, sendWindowS), 1)}/s (first to last sample).`,
    doneMs === null
      ? `The run was not done when the ${WINDOW_MIN}-minute window closed: ${run.page} pages (${fmt(run.matched)} candidates) written in ${fmt((run.updated_at - run.created_at) / 1000)} s, ${ms(perPage)} ms a page; at that pace the ${remaining} pages left would take about ${fmt((remaining * perPage) / 60_000, 1)} more minutes (a projection, not a measurement).`
      : `The run was done ${fmt(doneMs / 1000, 1)} s after the cron, ${run.page} page jobs (the last one finds no more candidates and marks it done).`,
    `Load average (1 min) ${fmt(at.loadAtStart, 1)} when the worker was up, ${fmt(loadavg()[0] ?? 0, 1)} at the end: compare ratios, not rates, between runs.`,
  ];
}
