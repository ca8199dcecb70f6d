// Texts delivered per second: `POST /v1/messages` to distinct candidates through `wrangler dev`
// (the Worker in workerd, a local D1 and Miniflare's local Cloudflare Queue), the queue's consumer
// sending each through the Twilio-compatible stand-in (examples/sms-provider, its own process),
// and the stand-in's signed status callbacks bringing each back `delivered`; beside
// `GET /healthz` of the same worker in the same run. Afterwards every candidate's number must have
// received exactly one text on the stand-in, and every message be `delivered` in the D1.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { SendMessageInput, SentMessage } from '@cxm/edge-api/client';
import { read } from '@cxm/test-support/d1';
import { EDGE_API, ROOT } from '@cxm/test-support/paths';
import { freePort } from '@cxm/test-support/ports';
import { type Child, start, stop, waitFor } from '@cxm/test-support/processes';
import { startWorker, type Worker } from '@cxm/test-support/worker';
import { assertClean, load } from './collector-load.js';
import { type BenchResult, fmt, ms, quantile, ratio, type Table } from './report.js';
import {
  type BenchCandidate,
  benchCandidates,
  daytimeZones,
  MAX_CANDIDATES,
  putContactDetails,
} from './texting-candidates.js';

/** Texts measured, one per candidate; within `demo`'s 500 monthly contacts (the dev seed). */
const MESSAGES = 200;
/** Sent and delivered first, not measured: the queue's consumer and the callbacks warm up. */
const WARM_UP = 10;
/** Requests in flight, for the sends and for the baseline alike. */
const CONNECTIONS = 4;
const HEALTH_S = 5;
const HEALTH_WARM_UP_S = 1;
/** From the last send's reply: past it the bench fails and says where the texts stopped. */
const DELIVERY_LIMIT_MS = 90_000;
/** The stand-in's default: queued to sent, and sent to delivered, each a callback. */
const CALLBACK_DELAY_MS = 300;
/** A key of `demo` with the messaging permission (dev seed). */
const API_KEY = 'sk_demo_user';
/** examples/sms-provider's demo account: not Twilio credentials. */
export const SMS_ACCOUNT = {
  sid: 'AC00000000000000000000000000000001',
  token: 'cafef00dcafef00dcafef00dcafef00d',
};

const log = (line: string) => process.stdout.write(`texting: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface QueueConsumer {
  queue: string;
  max_batch_size?: number;
  max_batch_timeout?: number;
  max_retries?: number;
  dead_letter_queue?: string;
}

/** The consumer of the queue behind `MESSAGE_QUEUE`, as packages/edge-api/wrangler.jsonc sets it. */
export function queueSettings(binding = 'MESSAGE_QUEUE'): QueueConsumer {
  const text = readFileSync(join(EDGE_API, 'wrangler.jsonc'), 'utf8');
  // Comments out (strings kept whole: they may hold `//`), then trailing commas: plain JSON.
  const json = text
    .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, kept?: string) => kept ?? '')
    .replace(/,(\s*[}\]])/g, '$1');
  const { queues } = JSON.parse(json) as {
    queues?: { producers?: { binding: string; queue: string }[]; consumers?: QueueConsumer[] };
  };
  const name = queues?.producers?.find((p) => p.binding === binding)?.queue;
  const consumer = queues?.consumers?.find((c) => c.queue === name);
  if (!consumer) throw new Error(`wrangler.jsonc: no consumer for the ${binding} queue`);
  return consumer;
}

/** The settings in words; Cloudflare's defaults where wrangler.jsonc leaves one out. */
export function describeQueue(q: QueueConsumer): string {
  const or = (value: number | undefined, fallback: number) =>
    value === undefined ? `${fallback} (default)` : String(value);
  return `\`${q.queue}\` consumer: max_batch_size ${or(q.max_batch_size, 10)}, max_batch_timeout ${or(q.max_batch_timeout, 5)} s, max_retries ${or(q.max_retries, 3)}, dead_letter_queue ${q.dead_letter_queue ?? 'none'}`;
}

/** The stand-in in a process of its own, as `npm start` and the e2e suite run it. */
export async function startStandIn(
  workerOrigin: string,
): Promise<{ origin: string; child: Child }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = start(
    process.execPath,
    [join(ROOT, 'examples', 'sms-provider', 'server.mjs')],
    ROOT,
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      ACCOUNT_SID: SMS_ACCOUNT.sid,
      AUTH_TOKEN: SMS_ACCOUNT.token,
      INBOUND_URL: `${workerOrigin}/v1/providers/twilio/inbound`,
      CALLBACK_DELAY_MS: String(CALLBACK_DELAY_MS),
    },
  );
  try {
    await waitFor(`${origin}/healthz`, child, 'the SMS stand-in', 30_000);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { origin, child };
}

export async function run(): Promise<BenchResult> {
  const started = Date.now();
  // The stand-in posts to the worker and the worker sends through the stand-in: ports first.
  const workerPort = await freePort();
  const sms = await startStandIn(`http://127.0.0.1:${workerPort}`);
  try {
    // Request logging off, as for the collector: a line per request costs the worker.
    const worker = await startWorker({
      tempPrefix: 'cxm-bench-texting-',
      port: workerPort,
      args: [
        '--log-level',
        'warn',
        '--var',
        `TWILIO_ACCOUNT_SID:${SMS_ACCOUNT.sid}`,
        '--var',
        `TWILIO_AUTH_TOKEN:${SMS_ACCOUNT.token}`,
        '--var',
        `TWILIO_API_BASE:${sms.origin}`,
      ],
    });
    try {
      return await bench(worker, sms.origin, started);
    } finally {
      await worker.stop();
    }
  } finally {
    await stop(sms.child);
  }
}

/** When each text was posted and answered, and the message id the answer gave. */
interface Sends {
  sentAt: number[];
  repliedAt: number[];
  ids: string[];
}

/** One text per candidate, exactly `people.length` requests; every answer must be 202 queued. */
async function send(
  origin: string,
  people: readonly BenchCandidate[],
  title: string,
): Promise<Sends> {
  const sends: Sends = { sentAt: [], repliedAt: [], ids: [] };
  const outcome = await load<number>({
    title,
    origin,
    method: 'POST',
    path: '/v1/messages',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    connections: CONNECTIONS,
    amount: people.length,
    build: (seq) => {
      const person = people[seq] as BenchCandidate;
      const body: SendMessageInput = {
        candidateId: person.id,
        channel: 'sms',
        body: `Hi, a role that fits your profile opened today; reply to hear more (${person.id}).`,
      };
      // Taken as autocannon writes the request (its setupRequest), on the clock the worker uses.
      sends.sentAt[seq] = Date.now();
      return { body: JSON.stringify(body), meta: seq };
    },
    check: (body, seq) => {
      sends.repliedAt[seq] = Date.now();
      const reply = JSON.parse(body) as SentMessage;
      sends.ids[seq] = reply.id;
      return reply.status === 'queued' ? undefined : `expected the text to go now (queued)`;
    },
  });
  assertClean(outcome);
  return sends;
}

interface StoredMessage {
  id: string;
  status: string;
  attempts: number;
  error_code: string | null;
  updated_at: number;
}

/**
 * The worker's outbound messages, read from the D1 file every 200 ms until `expected` of them are
 * `delivered` (their `updated_at` is then when the delivered callback was stored) or `limitMs`.
 */
async function waitForDelivered(
  persist: string,
  expected: number,
  limitMs: number,
): Promise<StoredMessage[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const rows = read<StoredMessage>(
      persist,
      `SELECT id, status, attempts, error_code, updated_at FROM messages
       WHERE direction = 'outbound'`,
    );
    const delivered = rows.filter((row) => row.status === 'delivered').length;
    if (delivered >= expected || Date.now() > deadline) return rows;
    await sleep(200);
  }
}

/** A text as the stand-in's JSON API for tests shows it (`GET /api/messages`). */
interface StandInMessage {
  direction: string;
  to: string;
  status: string;
  dateCreated: string;
  callbacks: { status: string; attempts: number; response: number | null }[];
}

/**
 * Every text the stand-in accepted from the worker, once each has its delivered callback answered
 * (the D1 can show `delivered` a moment before the stand-in records the answer), for at most 10 s.
 */
async function standInTexts(origin: string): Promise<StandInMessage[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const all = (await (await fetch(`${origin}/api/messages`)).json()) as StandInMessage[];
    const texts = all.filter((m) => m.direction === 'outbound-api');
    const answered = texts.every((m) => m.callbacks.some((c) => c.status === 'delivered'));
    if (answered || Date.now() > deadline) return texts;
    await sleep(200);
  }
}

const countBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

const summary = (counts: Map<string, number>) =>
  [...counts].map(([status, n]) => `${status} ${n}`).join(', ');

async function bench(worker: Worker, smsOrigin: string, started: number): Promise<BenchResult> {
  const origin = worker.origin;
  const loadAtStart = loadavg()[0] ?? 0;
  const setUpS = (Date.now() - started) / 1000;
  const queue = queueSettings();
  const zones = daytimeZones(Date.now());
  if (WARM_UP + MESSAGES > MAX_CANDIDATES) throw new Error('more texts than distinct numbers');
  const people = benchCandidates(WARM_UP + MESSAGES, 'bench-text', zones);
  const warm = people.slice(0, WARM_UP);
  const measured = people.slice(WARM_UP);

  const seeding = Date.now();
  await putContactDetails(origin, API_KEY, people, CONNECTIONS);
  const seedingS = (Date.now() - seeding) / 1000;
  log(`${people.length} candidates' contact details in ${fmt(seedingS, 1)} s`);

  await send(origin, warm, 'POST /v1/messages (warm-up)');
  const warmed = await waitForDelivered(worker.persist, WARM_UP, DELIVERY_LIMIT_MS);
  const warmDelivered = warmed.filter((row) => row.status === 'delivered').length;
  if (warmDelivered < WARM_UP) {
    throw new Error(
      `warm-up: ${warmDelivered} of ${WARM_UP} texts delivered within ${DELIVERY_LIMIT_MS / 1000} s (${summary(countBy(warmed, (r) => r.status))})`,
    );
  }

  // Baseline: the worker's cheapest route, same worker, same connections, the queue idle.
  const healthLoad = {
    title: 'GET /healthz',
    origin,
    method: 'GET' as const,
    path: '/healthz',
    connections: CONNECTIONS,
  };
  assertClean(await load({ ...healthLoad, seconds: HEALTH_WARM_UP_S }));
  const health = await load({ ...healthLoad, seconds: HEALTH_S });
  assertClean(health);

  log(`${MESSAGES} texts to ${MESSAGES} candidates, ${CONNECTIONS} at a time`);
  const sends = await send(origin, measured, 'POST /v1/messages');
  const rows = await waitForDelivered(worker.persist, WARM_UP + MESSAGES, DELIVERY_LIMIT_MS);
  const texts = await standInTexts(smsOrigin);
  const checks = verify(people, rows, texts);

  const byId = new Map(rows.map((row) => [row.id, row]));
  const textTo = new Map(texts.map((m) => [m.to, m]));
  const providerAt: number[] = [];
  const deliveredAt: number[] = [];
  for (const [i, person] of measured.entries()) {
    providerAt.push(Date.parse((textTo.get(person.phone) as StandInMessage).dateCreated));
    deliveredAt.push((byId.get(sends.ids[i] as string) as StoredMessage).updated_at);
  }
  const span = (ends: number[]) => ends.map((end, i) => end - (sends.sentAt[i] as number));
  const firstSend = Math.min(...sends.sentAt);
  const lastReply = Math.max(...sends.repliedAt);
  const lastProvider = Math.max(...providerAt);
  // The consumer alone: texts that reached the stand-in after the API's last answer.
  const drained = providerAt.filter((at) => at > lastReply).length;
  const inOrder = [...providerAt].sort((a, b) => a - b);
  const gaps = inOrder.slice(1).map((at, i) => at - (inOrder[i] as number));

  const healthRate = health.answered / health.seconds;
  const stage = (label: string, count: number, from: number, to: number) => {
    const seconds = (to - from) / 1000;
    return [
      label,
      fmt(count),
      `${fmt(seconds, 1)} s`,
      fmt(count / seconds, 1),
      ratio(count / seconds, healthRate),
    ];
  };
  const tables: Table[] = [
    {
      title: `${fmt(MESSAGES)} texts, one to each of ${fmt(MESSAGES)} candidates, ${CONNECTIONS} requests in flight; times from the first send unless said`,
      columns: ['stage', 'count', 'time', 'per second', 'vs /healthz req/s'],
      rows: [
        [
          `baseline: GET /healthz (${HEALTH_S} s, ${CONNECTIONS} connections)`,
          fmt(health.answered),
          `${fmt(health.seconds, 1)} s`,
          fmt(healthRate, 1),
          '1.00x',
        ],
        stage('API: `POST /v1/messages` answered 202 queued', MESSAGES, firstSend, lastReply),
        stage(
          'provider: texts the stand-in accepted (queue consumer)',
          MESSAGES,
          firstSend,
          lastProvider,
        ),
        stage(
          'of which while the API was taking sends (first send to last 202)',
          MESSAGES - drained,
          firstSend,
          lastReply,
        ),
        stage(
          'of which after the last 202 (the consumer with the API idle)',
          drained,
          lastReply,
          lastProvider,
        ),
        stage(
          "end to end: `delivered` stored (the stand-in's callback)",
          MESSAGES,
          firstSend,
          Math.max(...deliveredAt),
        ),
      ],
    },
    {
      title: 'Per text, from its POST (ms)',
      columns: ['span', 'p50', 'p99', 'max'],
      rows: [
        [
          'baseline: a GET /healthz request',
          ms(health.result.latency.p50),
          ms(health.result.latency.p99),
          ms(health.result.latency.max),
        ],
        ...(
          [
            ['POST to its 202 reply', span(sends.repliedAt)],
            ['POST to the stand-in accepting it (queue wait, consumer)', span(providerAt)],
            [
              `POST to \`delivered\` stored (includes 2 x ${CALLBACK_DELAY_MS} ms of stand-in callback delay)`,
              span(deliveredAt),
            ],
          ] as const
        ).map(([what, values]) => [
          what,
          ms(quantile(values, 0.5)),
          ms(quantile(values, 0.99)),
          ms(Math.max(...values)),
        ]),
      ],
    },
    {
      title: `Checks afterwards (the ${WARM_UP} warm-up texts included)`,
      columns: ['what', 'expected', 'found'],
      rows: checks,
    },
  ];

  return {
    name: 'texting',
    command: 'pnpm bench texting',
    tables,
    notes: [
      `wrangler dev (workerd, local D1 on SQLite, Miniflare's local queue) and the SMS stand-in (a Node process of its own) on loopback, autocannon in the bench's process. The whole bench took ${fmt((Date.now() - started) / 1000)} s: ${fmt(setUpS)} s to start the stand-in and wrangler on a migrated, seeded D1, ${fmt(seedingS)} s for the contact details. Ratios to GET /healthz (one SELECT 1) of the same worker in the same run are what carries over between machines; absolute figures are one local, single-threaded workerd doing the API, the queue's consumer and the callbacks at once.`,
      `Queue (packages/edge-api/wrangler.jsonc): ${describeQueue(queue)}. The consumer sends a batch's texts at once (each read, claimed, posted to the provider and settled on its own), and while a backlog lasts Miniflare hands it the next batch only once the last is done: one consumer at a time, where Cloudflare runs more consumers as the backlog grows. The consumer shares the one worker thread and the one local D1 with ${CONNECTIONS} connections' requests, so a text's wait is mostly its batch filling (or the batch timeout) and its turn on that thread. Texts reached the stand-in ${ms(quantile(gaps, 0.5))} ms apart (median; p90 ${ms(quantile(gaps, 0.9))} ms, longest ${ms(Math.max(...gaps))} ms).`,
      `A text's path: the API checks and stores it and puts a job on the queue (202 queued); the consumer claims it, posts it to the stand-in (Twilio's Messages API: form-encoded, basic auth) and stores the sid (accepted); the stand-in posts signed status callbacks \`sent\` then \`delivered\`, ${CALLBACK_DELAY_MS} ms apart (its default), and the worker stores each. Delivered time is the message's \`updated_at\` as the worker stored \`delivered\`; stand-in time its own \`dateCreated\`; both the machine's clock.`,
      `Candidates: ${fmt(people.length)} (${WARM_UP} for a warm-up, sent and delivered before the baseline), each with its own US number (555-01xx), SMS consent and a time zone where it was between 09:00 and 18:00 at the start (${zones.join(', ')}), so quiet hours held none: every answer was 202 \`queued\`, none \`scheduled\`. Written through PUT /v1/candidates/{id}/contact before the run, not timed.`,
      `Load average (1 min) ${fmt(loadAtStart, 1)} when the worker was up, ${fmt(loadavg()[0] ?? 0, 1)} at the end: the machine is shared, so compare ratios, not rates, between runs.`,
      `Loopback: the stand-in answers in about a millisecond and never throttles. Twilio's API is tens to hundreds of ms away, so a batch's texts wait on it together (sent at once, not in turn), and a US 10DLC brand is held to at most 225 messages/s: deployed delivery rates depend on the provider and on how many consumers Cloudflare runs, not on these figures.`,
    ],
  };
}

/**
 * Lost and doubled, counted where the candidates are (texts per number on the stand-in), and
 * what the worker stored; throws if any text was lost, doubled or not delivered.
 */
function verify(
  people: readonly BenchCandidate[],
  rows: StoredMessage[],
  texts: StandInMessage[],
): string[][] {
  const perNumber = countBy(texts, (m) => m.to);
  const expected = new Set(people.map((p) => p.phone));
  const lost = [...expected].filter((phone) => !perNumber.has(phone)).length;
  let doubled = 0;
  for (const [phone, n] of perNumber) if (expected.has(phone)) doubled += n - 1;
  const unexpected = [...perNumber.keys()].filter((phone) => !expected.has(phone)).length;
  const statuses = countBy(rows, (row) => row.status);
  const delivered = statuses.get('delivered') ?? 0;
  if (lost + doubled + unexpected > 0 || delivered !== people.length) {
    throw new Error(
      `after ${DELIVERY_LIMIT_MS / 1000} s: D1 ${summary(statuses)} of ${people.length}; stand-in ${texts.length} texts to ${perNumber.size} numbers (${lost} numbers without a text, ${doubled} doubled, ${unexpected} unexpected), stand-in statuses ${summary(countBy(texts, (m) => m.status))}`,
    );
  }
  const callbacks = texts.flatMap((m) => m.callbacks);
  const count = (n: number) => fmt(n);
  return [
    ['numbers that received a text on the stand-in', count(people.length), count(perNumber.size)],
    ['lost (a candidate without a text)', '0', count(lost)],
    ['doubled (a second text to a number)', '0', count(doubled)],
    ['messages `delivered` in the D1', count(people.length), count(delivered)],
    [
      'messages the consumer claimed more than once (`attempts` > 1)',
      '0',
      count(rows.filter((row) => row.attempts > 1).length),
    ],
    [
      'messages with an error code',
      '0',
      count(rows.filter((row) => row.error_code !== null).length),
    ],
    [
      'status callbacks answered 200',
      count(callbacks.length),
      count(callbacks.filter((c) => c.response === 200).length),
    ],
    [
      'status callbacks that needed a retry',
      '0',
      count(callbacks.filter((c) => c.attempts > 1).length),
    ],
  ];
}
