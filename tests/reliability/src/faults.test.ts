// A crash in the middle of a load: `wrangler dev` (and its workerd) is killed with SIGKILL twice
// while requests are in flight, and started again on the same D1. Every event that got a 202 must
// be in the database after the restarts; clients that got errors retry until they get an answer,
// and then the totals add up: every event stored exactly once, and an event answered only as a
// duplicate had an earlier send whose reply was lost in a crash (its write had landed).
import type { Worker } from '@cxm/test-support/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { counts, pool, send, sleep } from './client.js';
import { startSuiteWorker } from './site.js';
import { SIZE } from './size.js';
import { exactly, storedAgainst } from './stored.js';
import { type Expected, plan, population } from './traffic.js';

let worker: Worker;
beforeAll(async () => {
  worker = await startSuiteWorker('faults');
});
afterAll(async () => {
  await worker?.stop();
});

const CRASHES = 2;
const CLIENT_DEADLINE_MS = 600_000;

test(`${SIZE.faultEvents} events with the worker killed ${CRASHES} times mid-load: no acknowledged event lost`, async () => {
  // One event per request, so each 202 names exactly the event it acknowledges.
  const requests = plan({
    events: SIZE.faultEvents,
    seed: 11,
    maxPerRequest: 1,
    // 500 devices, a fifth on an old tracker, none linked: the crash, not attribution, is tested here
    // (shared devices and links are the load test's).
    population: population({
      seed: 11,
      singles: 400,
      oldStyle: 100,
      linkedShare: 0,
      sharedDevices: 0,
      candidates: 300,
    }),
    candidates: 300,
  });
  const acknowledged = new Set<string>();
  /** Events whose successful send answered "duplicate": a lost reply must explain each. */
  const answeredDuplicate: { key: string; failedBefore: number }[] = [];
  const wrong: string[] = [];
  let failedSends = 0;
  let crashes = 0;
  let crashing: Promise<void> | null = null;

  const crash = async () => {
    crashes += 1;
    const at = acknowledged.size;
    await worker.kill();
    await sleep(500);
    const down = Date.now();
    await worker.restart();
    console.log(
      `crash ${crashes}: killed after ${at} acknowledged events, back in ${((Date.now() - down) / 1000).toFixed(1)} s`,
    );
  };

  const deadline = Date.now() + CLIENT_DEADLINE_MS;
  await pool(requests, 32, async (request) => {
    // One event per request: its key names it.
    const key = (request.events[0] as Expected).key;
    for (let failed = 0; ; ) {
      // Crash when the acknowledged count passes 1/3 and 2/3 of the load, while others are in flight.
      const due = Math.floor((acknowledged.size * (CRASHES + 1)) / SIZE.faultEvents);
      if (crashing === null && crashes < CRASHES && due > crashes) {
        crashing = crash().finally(() => {
          crashing = null;
        });
      }
      const outcome = await send(worker.origin, request);
      if (!outcome.ok || outcome.reply.status >= 500) {
        failed += 1;
        failedSends += 1;
        if (Date.now() > deadline) {
          wrong.push(`${key}: no answer before the deadline`);
          return;
        }
        await sleep(Math.min(2000, 100 * failed));
        continue;
      }
      const reply = counts(outcome.reply.body);
      if (outcome.reply.status !== 202 || !reply || reply.accepted + reply.duplicates !== 1) {
        wrong.push(`${key}: ${outcome.reply.status} ${JSON.stringify(outcome.reply.body)}`);
        return;
      }
      acknowledged.add(key);
      if (reply.duplicates === 1) answeredDuplicate.push({ key, failedBefore: failed });
      return;
    }
  });
  await crashing;
  console.log(
    `faults: ${SIZE.faultEvents} events, ${crashes} crashes, ${failedSends} failed sends retried, ` +
      `${answeredDuplicate.length} events whose write landed but whose reply was lost`,
  );

  expect(wrong.slice(0, 10)).toEqual([]);
  expect(crashes).toBe(CRASHES);
  // Failed sends prove the crashes hit requests in flight, not an idle worker.
  expect(failedSends).toBeGreaterThan(0);
  expect(acknowledged.size).toBe(SIZE.faultEvents);
  expect(answeredDuplicate.filter((event) => event.failedBefore === 0)).toEqual([]);

  const expected = requests.flatMap((request) => request.events);
  expect(storedAgainst(worker.persist, expected)).toEqual(exactly(SIZE.faultEvents));
});
