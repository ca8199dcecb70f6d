// Load with retries: every distinct event sent one to three times, at 64 concurrent requests, some
// copies racing each other. Tracker beacons come from profiles alone on their device, from
// shared-device groups (several profiles, one fingerprint, each its own id and candidate, on the
// same page at nearly the same time) and from old cached trackers (the fingerprint as the id);
// see traffic.ts. The database must end with exactly the distinct events, each on the candidate
// and visitor the plan gives it (none lost, none doubled, none dropped as another person's
// repeat), every score row must count exactly its candidate's rows, and the replies must add up:
// each event accepted once, every other copy answered as a duplicate.
import type { Worker } from '@cxm/test-support/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { counts, pool, send, sleep } from './client.js';
import { placeApart, startSuiteWorker } from './site.js';
import { SIZE } from './size.js';
import { exactly, storedAgainst } from './stored.js';
import { LOAD, plan, population, type Source, schedule } from './traffic.js';

const PEOPLE = population(LOAD.population);

let worker: Worker;
beforeAll(async () => {
  worker = await startSuiteWorker('load');
  // Sharded (CXM_SHARDS=3): demo, whose site and candidates take the load, on a shard of its own.
  await placeApart(worker, { demo: 'SHARD_2', other: 'SHARD_3' });
});
afterAll(async () => {
  await worker?.stop();
});

test(`${SIZE.loadEvents} events at concurrency ${SIZE.loadConcurrency}, each sent up to 3 times, shared devices among them: stored exactly once, each on its owner`, async () => {
  // Links before the load, as a site's backend makes them (so tracker events score too): each
  // linked profile of a shared device to a candidate of its own.
  const linking = Date.now();
  const linked = PEOPLE.profiles.filter((profile) => profile.candidate !== null);
  await pool(linked, 8, async (profile) => {
    const outcome = await send(worker.origin, {
      path: `/v1/visitors/${profile.id}/link`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk_demo_user' },
      body: JSON.stringify({ candidateId: profile.candidate }),
    });
    if (!outcome.ok || outcome.reply.status !== 200) {
      throw new Error(`linking ${profile.id} failed: ${JSON.stringify(outcome)}`);
    }
  });
  console.log(
    `load: ${linked.length} of ${PEOPLE.profiles.length} profiles linked in ${((Date.now() - linking) / 1000).toFixed(1)} s`,
  );

  const requests = plan({
    events: SIZE.loadEvents,
    seed: LOAD.seed,
    maxPerRequest: 3,
    population: PEOPLE,
    candidates: LOAD.candidates,
  });
  const sends = schedule(requests, LOAD.seed);
  let accepted = 0;
  let duplicates = 0;
  let retries = 0;
  const retryReasons = new Map<string, number>();
  const wrong: string[] = [];
  const started = Date.now();
  await pool(sends, SIZE.loadConcurrency, async (request) => {
    for (let attempt = 1; ; attempt++) {
      const outcome = await send(worker.origin, request);
      // A 503 is the API's documented "try again" (write contention); retry as a client would.
      if (!outcome.ok || outcome.reply.status === 503) {
        const reason = outcome.ok
          ? JSON.stringify(outcome.reply.body).slice(0, 120)
          : outcome.error;
        retryReasons.set(reason, (retryReasons.get(reason) ?? 0) + 1);
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
      if (reply.accepted + reply.duplicates !== request.events.length) {
        wrong.push(`reply counts ${JSON.stringify(reply)} for ${request.events.length} events`);
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

  if (retryReasons.size > 0) console.log(`load: retried for ${JSON.stringify([...retryReasons])}`);
  const expected = requests.flatMap((request) => request.events);
  const sources: Partial<Record<Source, number>> = {};
  for (const event of expected) sources[event.source] = (sources[event.source] ?? 0) + 1;
  console.log(`load: events by source ${JSON.stringify(sources)}`);

  expect(wrong.slice(0, 10)).toEqual([]);
  const sentEvents = sends.reduce((sum, request) => sum + request.events.length, 0);
  expect({ accepted, duplicates }).toEqual({
    accepted: SIZE.loadEvents,
    duplicates: sentEvents - SIZE.loadEvents,
  });
  // What the plan holds (moments, old-style beacons, owners) is checked in plan.test.ts.
  const result = storedAgainst(worker.persist, expected);
  const anonymousShared = expected.filter((event) => (event.recognisable ?? []).length > 0);
  console.log(
    `load: ${result.recognised} of the ${anonymousShared.length} events of shared devices' anonymous profiles stored by fingerprint recognition`,
  );
  expect(result).toEqual(exactly(SIZE.loadEvents));
});
