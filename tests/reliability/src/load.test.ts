// Load with retries: every distinct event sent one to three times, at 64 concurrent requests, some
// copies racing each other. The database must end with exactly the distinct events (none lost,
// none doubled), every score row must count exactly its candidate's rows, and the replies must add
// up: each event accepted once, every other copy answered as a duplicate.
import type { Worker } from '@cxm/test-support/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { counts, pool, send, sleep } from './client.js';
import { startSuiteWorker } from './site.js';
import { SIZE } from './size.js';
import { exactly, storedAgainst } from './stored.js';
import { candidateId, plan, schedule, visitorId } from './traffic.js';

const VISITORS = 2_000;
const CANDIDATES = 1_000;

let worker: Worker;
beforeAll(async () => {
  worker = await startSuiteWorker('load');
});
afterAll(async () => {
  await worker?.stop();
});

test(`${SIZE.loadEvents} events at concurrency ${SIZE.loadConcurrency}, each sent up to 3 times: stored exactly once`, async () => {
  // A quarter of the visitors are known candidates before the load, so tracker visits score too.
  await pool(
    Array.from({ length: VISITORS / 4 }, (_, n) => n),
    8,
    async (n) => {
      const outcome = await send(worker.origin, {
        path: `/v1/visitors/${visitorId(n)}/link`,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk_demo_user' },
        body: JSON.stringify({ candidateId: candidateId(n % CANDIDATES) }),
      });
      if (!outcome.ok || outcome.reply.status !== 200) {
        throw new Error(`linking ${visitorId(n)} failed: ${JSON.stringify(outcome)}`);
      }
    },
  );

  const requests = plan({
    events: SIZE.loadEvents,
    seed: 7,
    maxPerRequest: 3,
    visitors: VISITORS,
    candidates: CANDIDATES,
  });
  const sends = schedule(requests, 7);
  let accepted = 0;
  let duplicates = 0;
  let retries = 0;
  const wrong: string[] = [];
  const started = Date.now();
  await pool(sends, SIZE.loadConcurrency, async (request) => {
    for (let attempt = 1; ; attempt++) {
      const outcome = await send(worker.origin, request);
      // A 503 is the API's documented "try again" (write contention); retry as a client would.
      if (!outcome.ok || outcome.reply.status === 503) {
        if (attempt >= 10) {
          wrong.push(`gave up after 10 attempts: ${outcome.ok ? 503 : outcome.error}`);
          return;
        }
        retries += 1;
        await sleep(50 * attempt);
        continue;
      }
      const reply = counts(outcome.reply.body);
      if (outcome.reply.status !== 202 || !reply || reply.dropped !== 0) {
        wrong.push(`${outcome.reply.status} ${JSON.stringify(outcome.reply.body).slice(0, 300)}`);
        return;
      }
      if (reply.accepted + reply.duplicates !== request.details.length) {
        wrong.push(`reply counts ${JSON.stringify(reply)} for ${request.details.length} events`);
      }
      accepted += reply.accepted;
      duplicates += reply.duplicates;
      return;
    }
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `load: ${sends.length} requests (${requests.length} distinct) carrying ${SIZE.loadEvents} events in ${seconds.toFixed(1)} s ` +
      `(${(sends.length / seconds).toFixed(0)} req/s), ${retries} retries after 503 or network errors`,
  );

  expect(wrong.slice(0, 10)).toEqual([]);
  const sentEvents = sends.reduce((sum, request) => sum + request.details.length, 0);
  expect({ accepted, duplicates }).toEqual({
    accepted: SIZE.loadEvents,
    duplicates: sentEvents - SIZE.loadEvents,
  });

  const expected = requests.flatMap((request) => request.details);
  expect(storedAgainst(worker.persist, expected)).toEqual(exactly(SIZE.loadEvents));
});
