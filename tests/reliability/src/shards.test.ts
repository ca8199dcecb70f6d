// A database per organisation over the real worker (`wrangler dev` with DB, SHARD_2 and SHARD_3):
// organisations created with `pnpm org:create` land on the least full shards, and one is moved
// with `pnpm org:move` while its backend sends engagements and its career site beacons, and while
// another organisation is written to on its own shard. Nothing sent is lost or stored twice, the
// old shard keeps nothing, and the other organisation never waits.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { read } from '@cxm/test-support/d1';
import { ROOT } from '@cxm/test-support/paths';
import { operator, type Worker } from '@cxm/test-support/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool, send } from './client.js';
import { BROWSER_UA, startSuiteWorker } from './site.js';

const OPS = join(ROOT, 'packages', 'edge-api', 'scripts', 'ops.mjs');
const ORIGIN_OF_SITE = 'https://careers.moving.test';

let worker: Worker;

/** Runs `node scripts/ops.mjs …` against the worker, as an operator would; its stdout. */
function ops(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [OPS, ...args, '--url', worker.origin], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('close', (code) =>
      code === 0 ? done(out) : fail(new Error(`ops ${args.join(' ')}: exit ${code}\n${err}`)),
    );
  });
}

interface Org {
  id: string;
  shard: string;
  key: string;
}

async function create(id: string): Promise<Org> {
  const out = await ops(['create', id, `Shard test ${id}`]);
  const placed = /^(\S+) created on (\S+)$/m.exec(out);
  const key = /API key \(shown once\): (sk_\S+)/.exec(out);
  if (!placed || !key) throw new Error(`unexpected output: ${out}`);
  return { id, shard: placed[2] ?? '', key: key[1] ?? '' };
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Sends until the worker takes it, waiting out each 503's Retry-After as the tracker and backends do. */
async function deliver(request: { path: string; headers: Record<string, string>; body: string }) {
  let refused = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    const outcome = await send(worker.origin, request);
    if (outcome.ok && outcome.reply.status === 202) return refused;
    if (outcome.ok && outcome.reply.status !== 503) {
      throw new Error(
        `${request.path}: ${outcome.reply.status} ${JSON.stringify(outcome.reply.body)}`,
      );
    }
    refused += 1;
    await pause(outcome.ok ? 1000 : 250);
  }
  throw new Error(`${request.path}: still refused after 40 attempts`);
}

function engagements(org: Org, ids: string[], candidate: string) {
  return {
    path: '/v1/engagements',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
    body: JSON.stringify({
      engagements: ids.map((id) => ({
        id,
        candidateId: candidate,
        type: 'attend_event',
        detail: 'Shard fair',
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      })),
    }),
  };
}

function beacon(siteKey: string, visitor: string, eventId: string) {
  return {
    path: '/v1/collect',
    headers: { 'content-type': 'text/plain', origin: ORIGIN_OF_SITE, 'user-agent': BROWSER_UA },
    body: JSON.stringify({
      v: 1,
      site: siteKey,
      visitor: { id: visitor, kind: 'stored' },
      events: [
        {
          id: eventId,
          type: 'visit_landing_page',
          url: `${ORIGIN_OF_SITE}/jobs/${eventId}`,
          at: Date.now(),
        },
      ],
    }),
  };
}

function count(sql: string, binding: string): number {
  return read<{ n: number }>(worker.persist, sql, binding)[0]?.n ?? 0;
}

beforeAll(async () => {
  worker = await startSuiteWorker('shards', { shards: 3 });
});
afterAll(async () => {
  await worker?.stop();
});

describe('organisations on three databases', () => {
  let moving: Org;
  let staying: Org;

  it('creates organisations with pnpm org:create on the least full shards', async () => {
    moving = await create('moving-co');
    staying = await create('staying-co');
    // DB holds the seed's organisations: the first two go to the two empty shards.
    expect(new Set([moving.shard, staying.shard])).toEqual(new Set(['SHARD_2', 'SHARD_3']));
    const listed = (await operator(worker.origin, '/ops/shards')) as {
      shards: { name: string; organisations: number }[];
    };
    expect(listed.shards.map((shard) => shard.name)).toEqual(['DB', 'SHARD_2', 'SHARD_3']);
  });

  it('moves one with pnpm org:move under load: nothing lost, nothing doubled', async () => {
    // The moving organisation's career site, tracked.
    const settings = await fetch(`${worker.origin}/v1/settings/engagement`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${moving.key}` },
      body: JSON.stringify({ trackingEnabled: true, allowedOrigins: [ORIGIN_OF_SITE] }),
    });
    expect(settings.status).toBe(200);
    const siteKey = ((await settings.json()) as { siteKey: string }).siteKey;

    const batches = Array.from({ length: 60 }, (_, i) =>
      Array.from({ length: 5 }, (_, j) => `mv-${i}-${j}`),
    );
    const visits = Array.from({ length: 60 }, (_, i) => `visit-event-${i}`);
    const others = Array.from({ length: 40 }, (_, i) => [`st-${i}`]);
    let refused = 0;
    let refusedOthers = 0;
    const load = Promise.all([
      pool(batches, 3, async (ids, i) => {
        refused += await deliver(engagements(moving, ids, `cand-${i % 10}`));
      }),
      pool(visits, 2, async (id, i) => {
        refused += await deliver(beacon(siteKey, `visitor-000${i % 7}`, id));
      }),
      pool(others, 1, async (ids, i) => {
        refusedOthers += await deliver(engagements(staying, ids, `cand-${i % 5}`));
        await pause(100);
      }),
    ]);
    await pause(500);
    const to = moving.shard === 'SHARD_2' ? 'DB' : 'SHARD_2';
    const out = await ops(['move', moving.id, to]);
    await load;
    expect(out).toMatch(new RegExp(`${moving.id} moved from ${moving.shard} to ${to}`));
    // The freeze was felt (writes were refused and sent again), by the moving organisation only.
    expect(refused).toBeGreaterThan(0);
    expect(refusedOthers).toBe(0);

    const keys = (binding: string) =>
      count(
        `SELECT count(*) AS n FROM engagements WHERE org_id = '${moving.id}' AND source = 'api'`,
        binding,
      );
    const distinct = count(
      `SELECT count(DISTINCT event_key) AS n FROM engagements WHERE org_id = '${moving.id}'`,
      to,
    );
    const tracked = count(
      `SELECT count(*) AS n FROM engagements WHERE org_id = '${moving.id}' AND source = 'tracker'`,
      to,
    );
    expect({ api: keys(to), tracked, distinct }).toEqual({
      api: 300,
      tracked: visits.length,
      distinct: 300 + visits.length,
    });
    // Nothing of it is left on the old shard, and the scores count every engagement once.
    expect(
      count(`SELECT count(*) AS n FROM organisations WHERE id = '${moving.id}'`, moving.shard),
    ).toBe(0);
    expect(keys(moving.shard)).toBe(0);
    expect(
      count(
        `SELECT coalesce(sum(engagement_count), 0) AS n FROM scores WHERE org_id = '${moving.id}'`,
        to,
      ),
    ).toBe(300);
    expect(
      count(`SELECT count(*) AS n FROM engagements WHERE org_id = '${staying.id}'`, staying.shard),
    ).toBe(others.length);
    // The same key and site key keep working on the new shard.
    expect(await deliver(engagements(moving, ['after-move'], 'cand-0'))).toBe(0);
    expect(await deliver(beacon(siteKey, 'visitor-after-move', 'visit-event-after'))).toBe(0);
  });
});
