// Issue 14, "A hot candidate is not an error": many writes at once for one candidate (an ATS
// syncing one person's history in parallel, retried by its clients; a campaign's clicks arriving
// together; one visitor's beacons) all answer 202, store each engagement once, and leave a score
// row equal to one recomputed from the stored engagements.
//
// The requests reach D1 through `withLatency`: a Worker talks to D1 over the network, a few
// milliseconds each way, while the test's local D1 answers in the same process. Without the delay
// the requests run almost one after the other and the race production loses is barely run. With
// it, the writers of before (score row written with the engagements under its version guard)
// answered 503 to 84 of the 150 engagement requests and to 38 of the 50 beacons.
import { env } from 'cloudflare:workers';
import {
  DEFAULT_MODEL,
  type Engagement,
  type EngagementType,
  type ScoreState,
  score,
  scoreState,
  stateFromEngagements,
} from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import { newCandidateStatements } from '../db/candidates.js';
import { database, insertRows, newId, runBatch } from '../db/client.js';
import { engagements } from '../db/schema.js';
import {
  createOrg,
  engagement,
  postJson,
  request,
  rid,
  rows,
  sendBeacon,
  type TestOrg,
  visit,
} from '../test/client.js';
import { settleScores } from './settle.js';

const HOUR = 3600_000;
const TYPES = ['open_email', 'click_email', 'visit_landing_page', 'register_event'] as const;

/** 1 to 6 ms, as a Worker's round trip to D1 takes some milliseconds each way. */
function networkDelay(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 5));
}

/**
 * The test's D1 with a network delay before and after every query and batch (the statements
 * themselves run unchanged; a batch gets back the real statements it was given).
 */
function withLatency(db: D1Database): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const delayed = async <T>(run: () => Promise<T>): Promise<T> => {
    await networkDelay();
    const result = await run();
    await networkDelay();
    return result;
  };
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, key) {
        if (key === 'bind') {
          return (...values: unknown[]) => wrap(target.bind(...values));
        }
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== 'function') return value;
        if (key === 'first' || key === 'all' || key === 'run' || key === 'raw') {
          return (...args: unknown[]) =>
            delayed(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    real.set(proxy, statement);
    return proxy;
  };
  return new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (key === 'batch') {
        return (statements: D1PreparedStatement[]) =>
          delayed(() => target.batch(statements.map((s) => real.get(s) ?? s)));
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

const REMOTE_D1 = { DB: withLatency(env.DB) };

/** A fixed shuffle (the same order every run), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed = 14): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface StoredRow {
  type: string;
  detail: string | null;
  occurred_at: number;
  machine: number;
}

/** The candidate's stored engagements and score row, by its external id. */
async function storedOf(orgId: string, externalId: string) {
  const engagements = await rows<StoredRow>(
    `SELECT e.type, e.detail, e.occurred_at, e.machine FROM engagements e
     JOIN candidates c ON c.id = e.candidate_id WHERE c.org_id = ? AND c.external_id = ?`,
    orgId,
    externalId,
  );
  const [row] = await rows<{ state: string; tier: string; engagement_count: number }>(
    `SELECT s.state, s.tier, s.engagement_count FROM scores s
     JOIN candidates c ON c.id = s.candidate_id WHERE c.org_id = ? AND c.external_id = ?`,
    orgId,
    externalId,
  );
  return { engagements, row };
}

/**
 * The stored row against a recomputation from the stored engagements with `@cxm/scoring`: the
 * same points, per-type counts, tier and engagement count. Points only rose during the burst, so
 * the stored tier (with hysteresis) is the plain tier of the points.
 */
async function expectScoreRecomputes(orgId: string, externalId: string, expectedRows: number) {
  const { engagements, row } = await storedOf(orgId, externalId);
  expect(engagements).toHaveLength(expectedRows);
  expect(row).toBeDefined();
  const history: Engagement[] = engagements.map((e) => ({
    type: e.type as EngagementType,
    detail: e.detail ?? undefined,
    occurredAt: e.occurred_at,
    machine: e.machine === 1,
  }));
  const now = Date.now();
  const recomputed = score(history, { now, model: DEFAULT_MODEL });
  const state = JSON.parse(row!.state) as ScoreState;
  const stored = scoreState(state, { now, model: DEFAULT_MODEL });
  expect(stored.points).toBeCloseTo(recomputed.points, 6);
  expect(state.counts).toEqual(stateFromEngagements(history, DEFAULT_MODEL).counts);
  expect(row!.tier).toBe(recomputed.tier);
  expect(row!.engagement_count).toBe(expectedRows);
}

function sum(replies: readonly Record<string, number>[], key: string): number {
  return replies.reduce((total, reply) => total + (reply[key] ?? 0), 0);
}

/** Sends all at once; every reply's status and body, and how long the burst took. */
async function burst(sends: readonly (() => Response | Promise<Response>)[]) {
  const started = performance.now();
  const replies = await Promise.all(
    sends.map(async (send) => {
      const response = await send();
      return { status: response.status, body: (await response.json()) as Record<string, number> };
    }),
  );
  const ms = Math.round(performance.now() - started);
  const statuses: Record<number, number> = {};
  for (const reply of replies) statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
  console.log(`hot candidate: ${sends.length} requests in ${ms} ms, ${JSON.stringify(statuses)}`);
  return { replies, statuses, ms };
}

describe('a hot candidate: concurrent writes for one candidate', () => {
  it('150 concurrent POST /v1/engagements (50 distinct, each sent 3 times): all 202, each stored once, the score recomputes', async () => {
    const org = await createOrg();
    const candidateId = rid('cand');
    const start = Date.now() - 60 * HOUR;
    // Times spread over 50 hours and sent shuffled: folds meet older engagements and rebuild.
    const items = Array.from({ length: 50 }, (_, i) =>
      engagement({
        candidateId,
        type: TYPES[i % TYPES.length],
        detail: `Hot ${i}`,
        occurredAt: new Date(start + i * HOUR).toISOString(),
      }),
    );
    const sends = shuffled(items.flatMap((item) => [item, item, item])).map(
      (item) => () =>
        request(
          '/v1/engagements',
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${org.keys.user}`,
            },
            body: JSON.stringify({ engagements: [item] }),
          },
          REMOTE_D1,
        ),
    );
    const { replies, statuses } = await burst(sends);

    expect(statuses).toEqual({ 202: 150 });
    const bodies = replies.map((reply) => reply.body);
    expect(sum(bodies, 'accepted')).toBe(50);
    expect(sum(bodies, 'duplicates')).toBe(100);
    expect(bodies.every((body) => (body.accepted ?? 0) + (body.duplicates ?? 0) === 1)).toBe(true);
    const keys = await rows<{ event_key: string }>(
      'SELECT event_key FROM engagements WHERE org_id = ?',
      org.orgId,
    );
    expect(keys.map((row) => row.event_key).sort()).toEqual(
      items.map((item) => `api:${item.id}`).sort(),
    );
    await expectScoreRecomputes(org.orgId, candidateId, 50);
  }, 60_000);

  it('50 concurrent beacons of one visitor linked to a candidate: all 202, each stored once, the score recomputes', async () => {
    const org: TestOrg = await createOrg();
    const candidateId = rid('cand');
    const visitor = { id: rid('v'), kind: 'stored' as const };
    const link = await postJson(`/v1/visitors/${visitor.id}/link`, { candidateId }, org.keys.user);
    expect(link.status).toBe(200);
    const start = Date.now() - 10 * HOUR;
    // 50 distinct pages, so no beacon is a window repeat of another.
    const sends = shuffled(Array.from({ length: 50 }, (_, i) => i)).map(
      (i) => () =>
        sendBeacon(
          {
            v: 1,
            site: org.siteKey,
            visitor,
            events: [visit(`${org.origin}/jobs/${i}`, start + i * 60_000)],
          },
          { origin: org.origin, bindings: REMOTE_D1 },
        ),
    );
    const { replies, statuses } = await burst(sends);

    expect(statuses).toEqual({ 202: 50 });
    const bodies = replies.map((reply) => reply.body);
    expect(sum(bodies, 'accepted')).toBe(50);
    expect(sum(bodies, 'duplicates')).toBe(0);
    const details = await rows<{ detail: string }>(
      'SELECT detail FROM engagements WHERE org_id = ?',
      org.orgId,
    );
    expect(new Set(details.map((row) => row.detail)).size).toBe(50);
    await expectScoreRecomputes(org.orgId, candidateId, 50);
  }, 60_000);
});

describe('a hot candidate: settles racing each other', () => {
  /** A candidate with 40 stored engagements that no settle has folded yet. */
  async function unsettledCandidate() {
    const org = await createOrg();
    const id = newId();
    const externalId = rid('cand');
    const db = database(env.DB);
    const start = Date.now() - 40 * HOUR;
    await runBatch(db, [
      ...newCandidateStatements(db, { orgId: org.orgId, id, externalId, now: Date.now() }),
      ...insertRows(
        db,
        engagements,
        shuffled(Array.from({ length: 40 }, (_, i) => i)).map((i) => ({
          id: newId(),
          orgId: org.orgId,
          candidateId: id,
          type: TYPES[i % TYPES.length]!,
          detail: `Stored ${i}`,
          occurredAt: start + i * HOUR,
          receivedAt: Date.now(),
          source: 'api' as const,
          eventKey: `api:${newId()}`,
        })),
      ),
    ]);
    return { org, id, externalId };
  }

  it('8 settles at once over a remote D1: they race, one writes, nothing is counted twice', async () => {
    const { org, id, externalId } = await unsettledCandidate();
    const db = database(REMOTE_D1.DB);
    const input = { orgId: org.orgId, model: DEFAULT_MODEL, candidateIds: [id] };
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => settleScores(db, input)));
    // More than one guarded write was tried: the settles really raced.
    expect(outcomes.reduce((n, outcome) => n + outcome.tried, 0)).toBeGreaterThan(1);
    expect(outcomes.reduce((n, outcome) => n + outcome.written, 0)).toBe(1);
    expect(outcomes.flatMap((outcome) => outcome.deferred)).toEqual([]);
    await expectScoreRecomputes(org.orgId, externalId, 40);
  });

  it('settles that give up after one lost race answer without an error and count nothing twice', async () => {
    const { org, id, externalId } = await unsettledCandidate();
    const db = database(REMOTE_D1.DB);
    const input = { orgId: org.orgId, model: DEFAULT_MODEL, candidateIds: [id] };
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => settleScores(db, input, 1)));
    expect(outcomes.reduce((n, outcome) => n + outcome.written, 0)).toBe(1);
    expect(outcomes.some((outcome) => outcome.deferred.length > 0)).toBe(true);
    await expectScoreRecomputes(org.orgId, externalId, 40);
  });
});
