// A database per organisation: three shards configured (DB, SHARD_2, SHARD_3), organisations
// created on the least full, requests routed by the directory, moves that lose and double nothing.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { MOVED_TABLES, moveOrganisation, NOT_MOVED } from '../endpoints/ops/move.js';
import { RETRY_CRON, runCron } from '../jobs/cron.js';
import { consumeByShard, MOVING_DELAY_SECONDS } from '../jobs/shard-batch.js';
import { configurationProblems } from '../middleware/configuration.js';
import { claimNumbers } from '../orgs/sender-numbers.js';
import { engagement, request, rid } from '../test/client.js';
import { forgetAllPlaces } from './directory.js';
import { routeFound } from './route.js';
import { shardEnv } from './shards.js';

const SHARDED = { SHARDS: 'DB,SHARD_2,SHARD_3', OPERATOR_TOKEN: 'test-operator-token' };
const OPERATOR = { authorization: 'Bearer test-operator-token' };
const sharded = { ...env, ...SHARDED };

function call(path: string, init: RequestInit & { key?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  if (init.body) headers.set('content-type', 'application/json');
  return request(path, { ...init, headers }, SHARDED);
}

async function createOrg(name = 'Acme') {
  const id = `t-${crypto.randomUUID().slice(0, 8)}`;
  const reply = await call('/ops/organisations', {
    method: 'POST',
    headers: OPERATOR,
    body: JSON.stringify({ id, name }),
  });
  expect(reply.status).toBe(201);
  return (await reply.json()) as { id: string; shard: string; apiKey: string };
}

function shardDb(name: string): D1Database {
  return shardEnv(sharded, name).DB;
}

async function orgRows(db: D1Database, table: string, column: string, orgId: string) {
  const row = await db
    .prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?1`)
    .bind(orgId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function ingest(key: string, items: ReturnType<typeof engagement>[]) {
  return call('/v1/engagements', {
    method: 'POST',
    key,
    body: JSON.stringify({ engagements: items }),
  });
}

/** A candidate's score as the API shows it, without what moves with the clock (points, asOf). */
async function scoreOf(key: string, candidateId: string) {
  const reply = await call(`/v1/candidates/${candidateId}/score`, { key });
  expect(reply.status).toBe(200);
  const score = (await reply.json()) as {
    engagementCount: number;
    tier: string;
    storedTier: string;
    lastEngagedAt: string;
    breakdown: { type: string; count: number }[];
  };
  return {
    engagementCount: score.engagementCount,
    tier: score.tier,
    storedTier: score.storedTier,
    lastEngagedAt: score.lastEngagedAt,
    counts: score.breakdown.map((part) => [part.type, part.count]),
  };
}

beforeEach(() => forgetAllPlaces());

describe('the operator endpoints', () => {
  it('answer 404 without an operator token configured and 401 to a wrong one', async () => {
    const body = JSON.stringify({ id: 'nope', name: 'Nope' });
    const headers = { ...OPERATOR, 'content-type': 'application/json' };
    const unset = await request('/ops/organisations', { method: 'POST', headers, body }, {});
    expect(unset.status).toBe(404);
    const wrong = await call('/ops/organisations', {
      method: 'POST',
      headers: { authorization: 'Bearer guess' },
      body,
    });
    expect(wrong.status).toBe(401);
    expect(await orgRows(env.DB, 'dir_orgs', 'org_id', 'nope')).toBe(0);
  });

  it('refuse a bad id with 400 and a taken one with 409, writing nothing', async () => {
    const bad = await call('/ops/organisations', {
      method: 'POST',
      headers: OPERATOR,
      body: JSON.stringify({ id: 'Not An Id', name: 'X' }),
    });
    expect(bad.status).toBe(400);
    const listed = await orgRows(env.DB, 'dir_orgs', 'org_id', 'demo');
    const taken = await call('/ops/organisations', {
      method: 'POST',
      headers: OPERATOR,
      body: JSON.stringify({ id: 'demo', name: 'Demo again' }),
    });
    expect(taken.status).toBe(409);
    expect(await orgRows(env.DB, 'dir_orgs', 'org_id', 'demo')).toBe(listed);
    expect(await orgRows(env.DB, 'organisations', 'id', 'demo')).toBe(1);
  });
});

describe('organisations on shards', () => {
  it('puts a new organisation on the least full shard and keeps its data there', async () => {
    const listed = await call('/ops/shards', { headers: OPERATOR });
    const { shards } = (await listed.json()) as {
      shards: { name: string; sizeBytes: number; organisations: number }[];
    };
    const least = [...shards].sort(
      (a, b) => a.sizeBytes - b.sizeBytes || a.organisations - b.organisations,
    )[0];
    const org = await createOrg();
    expect(org.shard).toBe(least?.name);
    const candidateId = rid('cand');
    const stored = await ingest(org.apiKey, [engagement({ candidateId })]);
    expect(stored.status).toBe(202);
    expect(await orgRows(shardDb(org.shard), 'engagements', 'org_id', org.id)).toBe(1);
    for (const other of ['DB', 'SHARD_2', 'SHARD_3'].filter((name) => name !== org.shard)) {
      expect(await orgRows(shardDb(other), 'engagements', 'org_id', org.id)).toBe(0);
      expect(await orgRows(shardDb(other), 'organisations', 'id', org.id)).toBe(0);
    }
    expect((await scoreOf(org.apiKey, candidateId)).engagementCount).toBe(1);
  });

  it('spreads organisations over the shards as they are created', async () => {
    const shards = new Set<string>();
    for (let i = 0; i < 3; i++) shards.add((await createOrg()).shard);
    expect(shards.size).toBeGreaterThanOrEqual(2);
  });

  it('keeps organisations apart across shards: a key sees only its own', async () => {
    const mine = await createOrg('Mine');
    const candidateId = rid('cand');
    await ingest('sk_demo_user', [engagement({ candidateId })]);
    // The demo organisation's candidate is on DB; the new organisation's key cannot find it.
    const foreign = await call(`/v1/candidates/${candidateId}/score`, { key: mine.apiKey });
    expect(foreign.status).toBe(404);
    const own = await call(`/v1/candidates/${candidateId}/score`, { key: 'sk_demo_user' });
    expect(own.status).toBe(200);
  });

  it('lists the shards with their sizes and organisations', async () => {
    await createOrg();
    const reply = await call('/ops/shards', { headers: OPERATOR });
    const { shards } = (await reply.json()) as {
      shards: { name: string; sizeBytes: number; organisations: number }[];
    };
    expect(shards.map((shard) => shard.name)).toEqual(['DB', 'SHARD_2', 'SHARD_3']);
    expect(shards.every((shard) => shard.sizeBytes > 0)).toBe(true);
    expect(shards.reduce((sum, shard) => sum + shard.organisations, 0)).toBeGreaterThan(0);
  });
});

describe('a moving organisation', () => {
  it('answers 503 with Retry-After while moving, and writes nothing anywhere', async () => {
    const org = await createOrg();
    await env.DB.prepare("UPDATE dir_orgs SET state = 'moving' WHERE org_id = ?1")
      .bind(org.id)
      .run();
    forgetAllPlaces();
    const reply = await ingest(org.apiKey, [engagement()]);
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('5');
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe(
      'organisation_moving',
    );
    expect(await orgRows(shardDb(org.shard), 'engagements', 'org_id', org.id)).toBe(0);
    await env.DB.prepare("UPDATE dir_orgs SET state = 'active' WHERE org_id = ?1")
      .bind(org.id)
      .run();
    forgetAllPlaces();
    expect((await ingest(org.apiKey, [engagement()])).status).toBe(202);
  });
});

describe('moving an organisation', () => {
  it('copies every table, verifies it, switches and deletes the old copy', async () => {
    const org = await createOrg();
    const candidates = [rid('cand'), rid('cand'), rid('cand')];
    for (const candidateId of candidates) {
      await ingest(org.apiKey, [engagement({ candidateId }), engagement({ candidateId })]);
    }
    const before = await Promise.all(candidates.map((id) => scoreOf(org.apiKey, id)));
    const to = org.shard === 'SHARD_2' ? 'SHARD_3' : 'SHARD_2';
    const reply = await call(`/ops/organisations/${org.id}/move`, {
      method: 'POST',
      headers: OPERATOR,
      body: JSON.stringify({ to, settleMs: 0 }),
    });
    expect(reply.status).toBe(200);
    const report = (await reply.json()) as {
      from: string;
      to: string;
      tables: { table: string; rows: number }[];
    };
    expect(report.from).toBe(org.shard);
    expect(report.tables.find((t) => t.table === 'engagements')?.rows).toBe(6);
    expect(report.tables.find((t) => t.table === 'scores')?.rows).toBe(3);
    for (const { table, org: column } of MOVED_TABLES) {
      expect(await orgRows(shardDb(org.shard), table, column, org.id)).toBe(0);
    }
    expect(await orgRows(shardDb(to), 'engagements', 'org_id', org.id)).toBe(6);
    expect(await orgRows(shardDb(to), 'move_rowids', 'org_id', org.id)).toBe(0);
    // Same key, same scores, on the new shard.
    const after = await Promise.all(candidates.map((id) => scoreOf(org.apiKey, id)));
    expect(after).toEqual(before);
    // The watermark came along: one more engagement counts once, not the history again.
    await ingest(org.apiKey, [engagement({ candidateId: candidates[0] })]);
    expect((await scoreOf(org.apiKey, candidates[0] ?? '')).engagementCount).toBe(3);
  });

  it('loses and doubles nothing written while it moves (senders retry the 503)', async () => {
    const org = await createOrg();
    const to = org.shard === 'SHARD_2' ? 'SHARD_3' : 'SHARD_2';
    const candidateId = rid('cand');
    const sent = Array.from({ length: 40 }, () => engagement({ candidateId }));
    let refused = 0;
    const writer = (async () => {
      for (const item of sent) {
        for (;;) {
          const reply = await ingest(org.apiKey, [item]);
          if (reply.status === 202) break;
          expect(reply.status).toBe(503);
          refused += 1;
          await new Promise((done) => setTimeout(done, 20));
        }
      }
    })();
    const moved = await moveOrganisation(sharded, org.id, to, { settleMs: 200 });
    await writer;
    expect(moved.ok).toBe(true);
    expect(refused).toBeGreaterThan(0);
    expect(await orgRows(shardDb(to), 'engagements', 'org_id', org.id)).toBe(sent.length);
    expect(await orgRows(shardDb(org.shard), 'engagements', 'org_id', org.id)).toBe(0);
    expect((await scoreOf(org.apiKey, candidateId)).engagementCount).toBe(sent.length);
  });

  it('refuses an unknown shard, an unknown organisation and a move to where it is', async () => {
    const org = await createOrg();
    expect(await moveOrganisation(sharded, org.id, 'SHARD_9', { settleMs: 0 })).toMatchObject({
      ok: false,
      reason: 'unknown_shard',
    });
    expect(
      await moveOrganisation(sharded, 'no-such-org', 'SHARD_2', { settleMs: 0 }),
    ).toMatchObject({ ok: false, reason: 'not_found' });
    expect(await moveOrganisation(sharded, org.id, org.shard, { settleMs: 0 })).toMatchObject({
      ok: false,
      reason: 'already_there',
    });
  });

  it('covers every table of the schema', async () => {
    const { results } = await env.DB.prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'`,
    ).all<{ name: string }>();
    const known = new Set<string>([...MOVED_TABLES.map((t) => t.table), ...NOT_MOVED]);
    expect(results.map((row) => row.name).filter((name) => !known.has(name))).toEqual([]);
  });
});

describe('queue jobs on shards', () => {
  function fakeMessage<T>(body: T) {
    const seen = { acked: false, retried: false };
    const message = {
      id: crypto.randomUUID(),
      timestamp: new Date(),
      attempts: 1,
      body,
      ack: () => {
        seen.acked = true;
      },
      retry: () => {
        seen.retried = true;
      },
    } as Message<T>;
    return { message, seen };
  }

  it('consumes each job on its organisation’s shard, and sends a moving one again later', async () => {
    const [a, b, moving] = [await createOrg(), await createOrg(), await createOrg()];
    await env.DB.prepare("UPDATE dir_orgs SET state = 'moving' WHERE org_id = ?1")
      .bind(moving.id)
      .run();
    forgetAllPlaces();
    const jobs = [
      ...[a, b, moving].map((org) =>
        fakeMessage<{ orgId?: string; shard?: string }>({ orgId: org.id }),
      ),
      // A shard-wide job (the cron's listings) waits while any organisation moves.
      fakeMessage<{ orgId?: string; shard?: string }>({ shard: a.shard }),
    ];
    const batch = {
      queue: 'test',
      metadata: {},
      messages: jobs.map((job) => job.message),
      ackAll: () => {},
      retryAll: () => {},
    } as unknown as MessageBatch<{ orgId?: string; shard?: string }>;
    const sentAgain: unknown[] = [];
    const requeue = {
      sendBatch: async (items: { body: unknown; delaySeconds?: number }[]) => {
        sentAgain.push(...items);
      },
    } as unknown as Queue;
    const consumed: { shard: string | undefined; orgs: string[] }[] = [];
    await consumeByShard(batch, sharded, { homeOf: (job) => job, requeue }, async (part, on) => {
      consumed.push({ shard: on.SHARD, orgs: part.messages.map((m) => m.body.orgId ?? '') });
    });
    const shardOfOrg = (org: { id: string; shard: string }) =>
      consumed.find((part) => part.orgs.includes(org.id))?.shard;
    expect(shardOfOrg(a)).toBe(a.shard);
    expect(shardOfOrg(b)).toBe(b.shard);
    expect(shardOfOrg(moving)).toBeUndefined();
    expect(sentAgain).toEqual([
      { body: { orgId: moving.id }, delaySeconds: MOVING_DELAY_SECONDS },
      { body: { shard: a.shard }, delaySeconds: MOVING_DELAY_SECONDS },
    ]);
    expect(consumed.flatMap((part) => part.orgs)).not.toContain('');
    expect(jobs[2]?.seen.acked).toBe(true);
    expect(jobs[2]?.seen.retried).toBe(false);
    await env.DB.prepare("UPDATE dir_orgs SET state = 'active' WHERE org_id = ?1")
      .bind(moving.id)
      .run();
  });
});

describe('the configuration', () => {
  it('refuses to serve while SHARDS names a binding the Worker lacks', () => {
    const problems = configurationProblems({ ...env, SHARDS: 'DB,SHARD_2,SHARD_9' });
    expect(problems.map((problem) => `${problem.setting} ${problem.problem}`)).toEqual([
      'SHARDS invalid',
    ]);
    expect(configurationProblems(sharded)).toEqual([]);
  });
});

describe('sender numbers across shards', () => {
  async function setWhatsApp(key: string, number: string) {
    return call('/v1/settings/messaging', {
      method: 'PUT',
      key,
      body: JSON.stringify({ whatsappSender: number }),
    });
  }

  it('refuses another shard’s organisation a number claimed, and passes on a number given up', async () => {
    // Two organisations, on two shards (placement spreads them; a claim refuses either way).
    const [a, b] = [await createOrg(), await createOrg()];
    expect(a.shard).not.toBe(b.shard);
    const number = '+14155550177';
    expect((await setWhatsApp(a.apiKey, number)).status).toBe(200);
    const refused = await setWhatsApp(b.apiKey, number);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'sender_number_taken',
    );
    // a gives it up; after the claim's minute, b may take it (the claim passes on).
    expect((await setWhatsApp(a.apiKey, '+14155550178')).status).toBe(200);
    expect(await claimNumbers(sharded, b.id, [number], Date.now() + 61_000)).toBeNull();
    expect(
      await env.DB.prepare('SELECT org_id FROM dir_sender_numbers WHERE number = ?1')
        .bind(number)
        .first<{ org_id: string }>(),
    ).toEqual({ org_id: b.id });
    // …and a, which holds +14155550178, keeps it against b.
    expect(await claimNumbers(sharded, b.id, ['+14155550178'], Date.now() + 61_000)).toBe(
      '+14155550178',
    );
  });
});

describe('a move that does not finish', () => {
  const other = (shard: string) => (shard === 'SHARD_2' ? 'SHARD_3' : 'SHARD_2');

  it('cleans up a move cut short, wherever it was going, when run again', async () => {
    const org = await createOrg();
    const candidateId = rid('cand');
    await ingest(org.apiKey, [engagement({ candidateId }), engagement({ candidateId })]);
    const first = other(org.shard);
    // As a move cut short leaves it: moving, a partial copy and its rowid map on `first`.
    await env.DB.prepare("UPDATE dir_orgs SET state = 'moving', moving_to = ?2 WHERE org_id = ?1")
      .bind(org.id, first)
      .run();
    const partial = shardDb(first);
    await partial
      .prepare("INSERT INTO organisations (id, name, created_at) VALUES (?1, 'partial', 0)")
      .bind(org.id)
      .run();
    // The map of the engagements it had copied: the same old rowids the next copy maps.
    await partial
      .prepare(
        'INSERT INTO move_rowids (org_id, old_rowid, new_rowid) SELECT ?1, value, 0 FROM json_each(?2)',
      )
      .bind(
        org.id,
        JSON.stringify(
          (
            await shardDb(org.shard)
              .prepare('SELECT rowid AS r FROM engagements WHERE org_id = ?1')
              .bind(org.id)
              .all<{ r: number }>()
          ).results.map((row) => row.r),
        ),
      )
      .run();
    forgetAllPlaces();
    // Run again, to the same shard: the stale map is no obstacle.
    const again = await moveOrganisation(sharded, org.id, first, { settleMs: 0 });
    expect(again).toMatchObject({ ok: true, to: first });
    expect(await orgRows(partial, 'engagements', 'org_id', org.id)).toBe(2);
    expect(await orgRows(partial, 'move_rowids', 'org_id', org.id)).toBe(0);
    // Cut short again on the way back, then sent to the third shard instead: the copy left on
    // `org.shard` goes.
    const third = ['DB', 'SHARD_2', 'SHARD_3'].find((name) => name !== org.shard && name !== first);
    await env.DB.prepare("UPDATE dir_orgs SET state = 'moving', moving_to = ?2 WHERE org_id = ?1")
      .bind(org.id, org.shard)
      .run();
    await shardDb(org.shard)
      .prepare("INSERT INTO organisations (id, name, created_at) VALUES (?1, 'partial', 0)")
      .bind(org.id)
      .run();
    forgetAllPlaces();
    expect(await moveOrganisation(sharded, org.id, third ?? '', { settleMs: 0 })).toMatchObject({
      ok: true,
      from: first,
      to: third,
    });
    expect(await orgRows(shardDb(org.shard), 'organisations', 'id', org.id)).toBe(0);
    expect(await orgRows(partial, 'organisations', 'id', org.id)).toBe(0);
    expect((await scoreOf(org.apiKey, candidateId)).engagementCount).toBe(2);
  });

  it('leaves the organisation where it was, working, when the copy fails', async () => {
    const org = await createOrg();
    const candidateId = rid('cand');
    await ingest(org.apiKey, [engagement({ candidateId })]);
    const to = other(org.shard);
    // A row on the target with the id of one of the organisation's: its copy cannot be inserted.
    const [key] = (
      await shardDb(org.shard)
        .prepare('SELECT id FROM api_keys WHERE org_id = ?1')
        .bind(org.id)
        .all<{ id: string }>()
    ).results;
    await shardDb(to)
      .prepare(
        `INSERT INTO organisations (id, name, created_at) VALUES ('squatter', 'x', 0)
         ON CONFLICT DO NOTHING`,
      )
      .run();
    await shardDb(to)
      .prepare(
        `INSERT INTO api_keys (id, org_id, name, prefix, key_hash, role, created_at)
         VALUES (?1, 'squatter', 'x', 'x', ?2, 'user', 0)`,
      )
      .bind(key?.id, `hash-${key?.id}`)
      .run();
    const failed = await moveOrganisation(sharded, org.id, to, { settleMs: 0 });
    expect(failed).toMatchObject({ ok: false, reason: 'failed' });
    expect(await orgRows(shardDb(to), 'organisations', 'id', org.id)).toBe(0);
    forgetAllPlaces();
    expect((await ingest(org.apiKey, [engagement({ candidateId })])).status).toBe(202);
    expect((await scoreOf(org.apiKey, candidateId)).engagementCount).toBe(2);
  });
});

describe('the cron with shards', () => {
  it('holds every shard’s run while an organisation moves, and sweeps session hints always', async () => {
    const org = await createOrg();
    await env.DB.prepare("UPDATE dir_orgs SET state = 'moving' WHERE org_id = ?1")
      .bind(org.id)
      .run();
    const now = Date.now();
    const held = await runCron(sharded, { cron: RETRY_CRON, now });
    expect(held).toMatchObject({ shards: {}, held: [org.id] });
    await env.DB.prepare("UPDATE dir_orgs SET state = 'active' WHERE org_id = ?1")
      .bind(org.id)
      .run();
    const ran = await runCron(sharded, { cron: RETRY_CRON, now });
    expect(Object.keys(ran.shards)).toEqual(['DB', 'SHARD_2', 'SHARD_3']);
    // One database: a session hint older than the longest session goes too.
    await env.DB.prepare(
      "INSERT INTO dir_sessions (token_hash, org_id, created_at) VALUES ('old-hint', 'demo', 0)",
    ).run();
    await runCron(env, { cron: RETRY_CRON, now });
    expect(await orgRows(env.DB, 'dir_sessions', 'token_hash', 'old-hint')).toBe(0);
  });
});

describe('sender number claims', () => {
  it('renews an organisation’s own claim, so another cannot pass it on while its write lands', async () => {
    const [a, b] = [await createOrg(), await createOrg()];
    const number = '+14155550188';
    const t0 = Date.now();
    expect(await claimNumbers(sharded, a.id, [number], t0)).toBeNull();
    // a adds it again a minute later (its shard does not hold it yet): the claim is renewed…
    expect(await claimNumbers(sharded, a.id, [number], t0 + 61_000)).toBeNull();
    // …so b, a second after, is refused although a's shard does not show the number yet.
    expect(await claimNumbers(sharded, b.id, [number], t0 + 62_000)).toBe(number);
  });
});

describe('rows only a shard can tell', () => {
  it('takes the newest answer across shards, or the first when answers carry no time', async () => {
    const order = ['DB', 'SHARD_2', 'SHARD_3'];
    // The newer answer on the shard asked last, so taking the first answer would be wrong.
    const [early, late] = [await createOrg(), await createOrg()].sort(
      (x, y) => order.indexOf(x.shard) - order.indexOf(y.shard),
    ) as [Awaited<ReturnType<typeof createOrg>>, Awaited<ReturnType<typeof createOrg>>];
    const answers: Record<string, { orgId: string; at: number | null }> = {
      [early.shard]: { orgId: early.id, at: 100 },
      [late.shard]: { orgId: late.id, at: 200 },
    };
    const newest = await routeFound(sharded, async (shard) => answers[shard.SHARD ?? ''] ?? null);
    expect(newest?.kind === 'shard' && newest.env.SHARD).toBe(late.shard);
    const first = await routeFound(sharded, async (shard) => {
      const found = answers[shard.SHARD ?? ''];
      return found ? { orgId: found.orgId } : null;
    });
    expect(first?.kind === 'shard' && first.env.SHARD).toBe(early.shard);
    expect(await routeFound(sharded, async () => null)).toBeNull();
    // One database: nothing is probed; the handler's own read decides.
    let probed = false;
    const one = await routeFound(env, async () => {
      probed = true;
      return null;
    });
    expect({ probed, kind: one?.kind }).toEqual({ probed: false, kind: 'shard' });
  });
});
