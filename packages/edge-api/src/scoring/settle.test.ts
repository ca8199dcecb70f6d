// The settle: stored engagements past a score row's watermark are folded exactly once, however
// many settles run at once, and what a settle leaves (a writer stopped between storing and
// settling) is in the backlog, which the cron and the next write of the candidate settle.
import { env } from 'cloudflare:workers';
import {
  DEFAULT_MODEL,
  type EngagementType,
  type ScoreState,
  score,
  scoreState,
} from '@cxm/scoring';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { markBacklog } from '../db/backlog.js';
import { newCandidateStatements } from '../db/candidates.js';
import { database, insertRows, newId, runBatch } from '../db/client.js';
import { engagements } from '../db/schema.js';
import { RETRY_CRON, runScheduled } from '../jobs/cron.js';
import {
  createOrg,
  DAY_MS,
  postJson,
  rid,
  rows,
  sendBeacon,
  sendEngagements,
  type TestOrg,
  visit,
} from '../test/client.js';
import { settleDecay } from './decay.js';
import { rescoreInline, startRescore } from './rescore.js';
import { settleScores } from './settle.js';

const db = database(env.DB);
const HOUR = 3600_000;
const TYPES: EngagementType[] = ['open_email', 'click_email', 'attend_event', 'submit_form'];

async function newCandidate(orgId: string) {
  const id = newId();
  const externalId = rid('cand');
  await runBatch(db, newCandidateStatements(db, { orgId, id, externalId, now: Date.now() }));
  return { id, externalId };
}

/** Stores engagements as a writer's first step does, without settling them. */
function store(orgId: string, candidateId: string, times: readonly number[]) {
  return runBatch(db, [
    ...insertRows(
      db,
      engagements,
      times.map((at, i) => ({
        id: newId(),
        orgId,
        candidateId,
        type: TYPES[i % TYPES.length]!,
        detail: `Detail ${rid('d')}`,
        occurredAt: at,
        receivedAt: Date.now(),
        source: 'api' as const,
        eventKey: `api:${newId()}`,
      })),
    ),
    markBacklog(db, {
      orgId,
      candidateIds: sql`(SELECT ${candidateId})`,
      now: Date.now(),
    }),
  ]);
}

function settle(orgId: string, candidateId: string, attempts?: number) {
  return settleScores(db, { orgId, model: DEFAULT_MODEL, candidateIds: [candidateId] }, attempts);
}

/**
 * The row equals a recomputation from the stored engagements, its watermark is the highest rowid
 * of the candidate, and the backlog no longer names it.
 */
async function expectSettled(candidateId: string) {
  const stored = await rows<{
    type: string;
    detail: string | null;
    occurred_at: number;
    machine: number;
    rowid: number;
  }>(
    'SELECT rowid, type, detail, occurred_at, machine FROM engagements WHERE candidate_id = ?',
    candidateId,
  );
  const [row] = await rows<{ state: string; engagement_count: number; scored_through: number }>(
    'SELECT state, engagement_count, scored_through FROM scores WHERE candidate_id = ?',
    candidateId,
  );
  const now = Date.now();
  const recomputed = score(
    stored.map((e) => ({
      type: e.type as EngagementType,
      detail: e.detail ?? undefined,
      occurredAt: e.occurred_at,
      machine: e.machine === 1,
    })),
    { now, model: DEFAULT_MODEL },
  );
  const state = JSON.parse(row!.state) as ScoreState;
  expect(scoreState(state, { now, model: DEFAULT_MODEL }).points).toBeCloseTo(recomputed.points, 6);
  expect(row!.engagement_count).toBe(stored.length);
  expect(row!.scored_through).toBe(Math.max(0, ...stored.map((e) => e.rowid)));
  expect(
    await rows('SELECT 1 FROM score_backlog WHERE candidate_id = ?', candidateId),
  ).toHaveLength(0);
}

describe('settleScores', () => {
  it('two settles racing fold the stored engagements once: one writes, the other finds them folded', async () => {
    const { orgId } = await createOrg();
    const { id } = await newCandidate(orgId);
    const start = Date.now() - 20 * DAY_MS;
    await store(
      orgId,
      id,
      Array.from({ length: 12 }, (_, i) => start + i * DAY_MS),
    );
    const outcomes = await Promise.all([settle(orgId, id), settle(orgId, id)]);
    expect(outcomes.map((outcome) => outcome.deferred)).toEqual([[], []]);
    expect(outcomes[0]!.written + outcomes[1]!.written).toBe(1);
    await expectSettled(id);
  });

  it('never double-counts when settles race new engagements, older ones among them (rebuilds)', async () => {
    const { orgId } = await createOrg();
    const { id } = await newCandidate(orgId);
    const start = Date.now() - 30 * DAY_MS;
    for (let round = 0; round < 5; round++) {
      // Each round some times are later and some earlier than what is folded: folds and rebuilds.
      const times = Array.from(
        { length: 6 },
        (_, i) => start + ((round * 7 + i * 11) % 29) * DAY_MS + round * HOUR,
      );
      await Promise.all([
        settle(orgId, id),
        store(orgId, id, times.slice(0, 3)),
        settle(orgId, id),
        store(orgId, id, times.slice(3)),
        settle(orgId, id),
      ]);
    }
    // Whatever the last racing settles did not see yet, one more settle folds.
    await settle(orgId, id);
    await expectSettled(id);
    const [{ n } = { n: 0 }] = await rows<{ n: number }>(
      'SELECT COUNT(*) AS n FROM engagements WHERE candidate_id = ?',
      id,
    );
    expect(n).toBe(30);
  });

  it('leaves a candidate it did not settle in the backlog, and the cron settles it', async () => {
    const { orgId } = await createOrg();
    const { id } = await newCandidate(orgId);
    // A writer stored these, then stopped before its settle (or the settle gave up).
    await store(orgId, id, [Date.now() - 3 * HOUR, Date.now() - 2 * HOUR]);
    expect(await rows('SELECT 1 FROM score_backlog WHERE candidate_id = ?', id)).toHaveLength(1);
    const [before] = await rows<{ engagement_count: number }>(
      'SELECT engagement_count FROM scores WHERE candidate_id = ?',
      id,
    );
    expect(before?.engagement_count).toBe(0);

    const run = await runScheduled(env, { cron: RETRY_CRON, now: Date.now() });
    expect(run.backlog.deferred).toBe(0);
    expect(run.backlog.candidates).toBeGreaterThanOrEqual(1);
    await expectSettled(id);
  });

  it('settles what a stopped request stored when the client retries it', async () => {
    const org = await createOrg();
    const { id, externalId } = await newCandidate(org.orgId);
    const item = {
      id: rid('evt'),
      candidateId: externalId,
      type: 'attend_event',
      detail: 'Fair',
      occurredAt: new Date(Date.now() - HOUR).toISOString(),
    };
    // The first send's insert landed but its reply (and settle) were lost.
    await runBatch(db, [
      db.insert(engagements).values({
        id: newId(),
        orgId: org.orgId,
        candidateId: id,
        type: item.type,
        detail: item.detail,
        occurredAt: Date.parse(item.occurredAt),
        receivedAt: Date.now(),
        source: 'api',
        eventKey: `api:${item.id}`,
      }),
    ]);
    const retry = await postJson('/v1/engagements', { engagements: [item] }, org.keys.user);
    expect(await retry.json()).toEqual({ accepted: 0, duplicates: 1 });
    await expectSettled(id);
  });
});

/** The internal id of a candidate named by the organisation's own id. */
async function internalId(orgId: string, externalId: string): Promise<string> {
  const [row] = await rows<{ id: string }>(
    'SELECT id FROM candidates WHERE org_id = ? AND external_id = ?',
    orgId,
    externalId,
  );
  return row!.id;
}

function beaconOf(org: TestOrg, deviceId: string, page: string, at: number) {
  return sendBeacon(
    {
      v: 1,
      site: org.siteKey,
      visitor: { id: deviceId, kind: 'stored' },
      events: [visit(`${org.origin}${page}`, at)],
    },
    { origin: org.origin },
  );
}

describe('the watermark through links, rescoring and decay', () => {
  it('a link counts the moved anonymous past once, and later visits after it', async () => {
    const org = await createOrg();
    const externalId = rid('cand');
    const deviceId = rid('v');
    await sendEngagements(org.keys.user, externalId, [
      { type: 'attend_event', ago: 2 * HOUR },
      { type: 'open_email', ago: HOUR },
    ]);
    // Anonymous visits, stored after the candidate's engagements (larger rowids), some older.
    for (const [i, ago] of [5, 3, 0.5].entries()) {
      await beaconOf(org, deviceId, `/jobs/${i}`, Date.now() - ago * HOUR);
    }
    const link = await postJson(
      `/v1/visitors/${deviceId}/link`,
      { candidateId: externalId },
      org.keys.user,
    );
    expect(await link.json()).toMatchObject({ linkedEngagements: 3 });
    const id = await internalId(org.orgId, externalId);
    await expectSettled(id);
    await beaconOf(org, deviceId, '/jobs/after', Date.now() - 60_000);
    await expectSettled(id);
    const [row] = await rows<{ engagement_count: number }>(
      'SELECT engagement_count FROM scores WHERE candidate_id = ?',
      id,
    );
    expect(row?.engagement_count).toBe(6);
  });

  it('a rescore rebuilds up to the history it read: engagements stored but not settled count once', async () => {
    const org = await createOrg();
    const { id } = await newCandidate(org.orgId);
    await store(org.orgId, id, [Date.now() - 4 * DAY_MS, Date.now() - 3 * DAY_MS]);
    await settle(org.orgId, id);
    // Stored, not settled yet when the rescore runs: the rebuild folds them from the history.
    await store(org.orgId, id, [Date.now() - 2 * DAY_MS, Date.now() - 5 * DAY_MS]);
    const rescore = startRescore(db, org.orgId, Date.now());
    await runBatch(db, [rescore.statement]);
    await rescoreInline(db, rescore.job, { now: Date.now() });
    // The writer's settle comes late: nothing is left past the watermark, nothing is added twice.
    const late = await settle(org.orgId, id);
    expect(late.written).toBe(0);
    const [row] = await rows<{ engagement_count: number }>(
      'SELECT engagement_count FROM scores WHERE candidate_id = ?',
      id,
    );
    expect(row?.engagement_count).toBe(4);
    // The cron clears the backlog entry the second store left.
    await runScheduled(env, { cron: RETRY_CRON, now: Date.now() });
    await expectSettled(id);
  });

  it('decay moves the tier and keeps the watermark; the next write folds only what is new', async () => {
    const org = await createOrg();
    const externalId = rid('cand');
    await sendEngagements(
      org.keys.user,
      externalId,
      Array.from({ length: 8 }, (_, i) => ({ type: 'attend_event', ago: (i + 1) * HOUR })),
    );
    const id = await internalId(org.orgId, externalId);
    const [before] = await rows<{ tier: string; scored_through: number }>(
      'SELECT tier, scored_through FROM scores WHERE candidate_id = ?',
      id,
    );
    expect(before?.tier).not.toBe('inactive');
    await settleDecay(db, { now: Date.now() + 400 * DAY_MS });
    const [decayed] = await rows<{ tier: string; scored_through: number }>(
      'SELECT tier, scored_through FROM scores WHERE candidate_id = ?',
      id,
    );
    expect(decayed?.tier).not.toBe(before?.tier);
    expect(decayed?.scored_through).toBe(before?.scored_through);
    await sendEngagements(org.keys.user, externalId, [{ type: 'open_email', ago: 60_000 }]);
    const [after] = await rows<{ engagement_count: number }>(
      'SELECT engagement_count FROM scores WHERE candidate_id = ?',
      id,
    );
    expect(after?.engagement_count).toBe(9);
    const [count] = await rows<{ n: number }>(
      'SELECT COUNT(*) AS n FROM engagements WHERE candidate_id = ?',
      id,
    );
    expect(count?.n).toBe(9);
  });
});
