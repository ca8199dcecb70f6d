// Candidates per tier from the sort-key buckets (`score_key_counts`, migration 0019) equal what
// classifying every score row gives, at thresholds on and beside bucket edges, at other times,
// after score rows move, and through the writers, a rescore and a purge.
import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL, type ScoringModel, TIERS, type Tier, thresholdKey } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import { scored } from '../../test/campaigns.js';
import {
  api,
  createOrg,
  DAY_MS,
  json,
  rid,
  rows,
  sendEngagements,
  type TestOrg,
} from '../../test/client.js';
import { rescoreDone } from '../../test/rescore.js';
import { KEY_BUCKETS_PER_HALF_LIFE, tierKeyCounts, tierOfKey } from './audience-sql.js';

/** The largest double below `x` (x > 0): a key a hair under a threshold or bucket edge. */
function below(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

/** Every score row of the organisation classified one by one: what the buckets must give. */
async function classified(orgId: string, now: number, model: ScoringModel) {
  const keys = await rows<{ key: number | null }>(
    'SELECT sort_key AS key FROM scores WHERE org_id = ?',
    orgId,
  );
  const counts: Record<Tier, number> = { inactive: 0, engaged: 0, highly_engaged: 0 };
  for (const { key } of keys) counts[tierOfKey(key, now, model)] += 1;
  return counts;
}

/** The buckets as the triggers keep them, and as JavaScript's floor puts the stored keys. */
async function bucketsKeptAndCounted(orgId: string) {
  const kept = await rows<{ bucket: number; n: number }>(
    'SELECT bucket, n FROM score_key_counts WHERE org_id = ? ORDER BY bucket',
    orgId,
  );
  const keys = await rows<{ key: number | null }>(
    'SELECT sort_key AS key FROM scores WHERE org_id = ?',
    orgId,
  );
  const byBucket = new Map<number, number>();
  for (const { key } of keys) {
    const bucket = key === null ? -2147483648 : Math.floor(key * KEY_BUCKETS_PER_HALF_LIFE);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + 1);
  }
  const counted = [...byBucket].sort(([a], [b]) => a - b).map(([bucket, n]) => ({ bucket, n }));
  return { kept, counted };
}

/** Candidates whose keys sit on, just under and beside the thresholds and bucket edges at `now`. */
async function edgeCandidates(org: TestOrg, now: number): Promise<string[]> {
  const engaged = thresholdKey(DEFAULT_MODEL.thresholds.engaged, now, DEFAULT_MODEL);
  const highly = thresholdKey(DEFAULT_MODEL.thresholds.highlyEngaged, now, DEFAULT_MODEL);
  const edge = (key: number) =>
    Math.floor(key * KEY_BUCKETS_PER_HALF_LIFE) / KEY_BUCKETS_PER_HALF_LIFE;
  const keys: (number | null)[] = [
    engaged,
    below(engaged),
    highly,
    below(highly),
    edge(engaged),
    below(edge(engaged)),
    edge(engaged) + 1 / KEY_BUCKETS_PER_HALF_LIFE,
    below(edge(engaged) + 1 / KEY_BUCKETS_PER_HALF_LIFE),
    edge(highly) + 1 / KEY_BUCKETS_PER_HALF_LIFE,
    engaged + 0.1,
    highly + 3,
    highly + 3,
    engaged - 5,
    -0.3,
    null,
    null,
  ];
  const ids: string[] = [];
  for (const sortKey of keys) {
    ids.push(
      await scored(org, {
        lastContactedAt: null,
        ...(sortKey === null ? { points: null } : { sortKey }),
      }),
    );
  }
  return ids;
}

describe('tier counts from the sort-key buckets', () => {
  it('equal classifying every candidate, on and beside every edge, at other times too', async () => {
    const now = Date.now();
    const [org, other] = [await createOrg(), await createOrg()];
    await edgeCandidates(org, now);
    // Another organisation's candidates, all Highly Engaged, count only there.
    for (let i = 0; i < 3; i++) {
      await scored(other, { lastContactedAt: null, points: 100 });
    }
    for (const at of [now, now + 1, now - 3 * DAY_MS, now + DAY_MS, now + 40 * DAY_MS]) {
      const counts = await tierKeyCounts(env.DB, org.orgId, at, DEFAULT_MODEL);
      expect(counts, new Date(at).toISOString()).toEqual(
        await classified(org.orgId, at, DEFAULT_MODEL),
      );
    }
    // The fixture spans all three tiers now (each candidate's tier is checked above).
    const atNow = await tierKeyCounts(env.DB, org.orgId, now, DEFAULT_MODEL);
    expect(Math.min(atNow.inactive, atNow.engaged, atNow.highly_engaged)).toBeGreaterThan(2);
    expect(await tierKeyCounts(env.DB, other.orgId, now, DEFAULT_MODEL)).toEqual({
      inactive: 0,
      engaged: 0,
      highly_engaged: 3,
    });
    const buckets = await bucketsKeptAndCounted(org.orgId);
    expect(buckets.kept).toEqual(buckets.counted);
    // -0.3 is in bucket -5 (a floor, not a truncation towards 0), never engaged in their own.
    expect(buckets.kept).toContainEqual({ bucket: -5, n: 1 });
    expect(buckets.kept).toContainEqual({ bucket: -2147483648, n: 2 });
  });

  it('follow score rows that move within and across buckets, and drop emptied buckets', async () => {
    const now = Date.now();
    const org = await createOrg();
    const ids = await edgeCandidates(org, now);
    const highly = thresholdKey(DEFAULT_MODEL.thresholds.highlyEngaged, now, DEFAULT_MODEL);
    // Up across buckets, down within one, from no key to one and back, and gone.
    await env.DB.batch([
      env.DB.prepare(
        'UPDATE scores SET sort_key = ?, version = version + 1 WHERE candidate_id = ?',
      ).bind(highly + 1, ids[1]),
      env.DB.prepare(
        'UPDATE scores SET sort_key = sort_key - 1e-9, version = version + 1 WHERE candidate_id = ?',
      ).bind(ids[9]),
      env.DB.prepare(
        'UPDATE scores SET sort_key = ?, version = version + 1 WHERE candidate_id = ?',
      ).bind(highly, ids[14]),
      env.DB.prepare(
        'UPDATE scores SET sort_key = NULL, version = version + 1 WHERE candidate_id = ?',
      ).bind(ids[0]),
      env.DB.prepare('DELETE FROM scores WHERE candidate_id = ?').bind(ids[13]),
    ]);
    let buckets = await bucketsKeptAndCounted(org.orgId);
    expect(buckets.kept).toEqual(buckets.counted);
    expect(await tierKeyCounts(env.DB, org.orgId, now, DEFAULT_MODEL)).toEqual(
      await classified(org.orgId, now, DEFAULT_MODEL),
    );

    await env.DB.prepare('DELETE FROM scores WHERE org_id = ?').bind(org.orgId).run();
    buckets = await bucketsKeptAndCounted(org.orgId);
    expect(buckets.kept).toEqual([]);
    expect(await tierKeyCounts(env.DB, org.orgId, now, DEFAULT_MODEL)).toEqual({
      inactive: 0,
      engaged: 0,
      highly_engaged: 0,
    });
  });

  it('stay exact through the writers, a rescore after a model change, and a purge', async () => {
    const org = await createOrg();
    const people = [rid('cand'), rid('cand'), rid('cand'), rid('cand')];
    await sendEngagements(org.keys.user, people[0]!, [{ type: 'attend_event', ago: DAY_MS }]);
    await sendEngagements(org.keys.user, people[1]!, [{ type: 'open_email', ago: 2 * DAY_MS }]);
    await sendEngagements(org.keys.user, people[2]!, [
      { type: 'register_event', ago: 40 * DAY_MS },
      { type: 'click_email', ago: 3 * DAY_MS },
    ]);
    await sendEngagements(org.keys.user, people[3]!, [{ type: 'submit_form', ago: 90 * DAY_MS }]);
    const report = async () =>
      (
        await json<{ tiers: Record<Tier, number> }>(
          api('GET', '/v1/reports/tiers', org.keys.reporter),
        )
      ).tiers;
    const check = async (model: ScoringModel) => {
      const buckets = await bucketsKeptAndCounted(org.orgId);
      expect(buckets.kept).toEqual(buckets.counted);
      const expected = await classified(org.orgId, Date.now(), model);
      expect(await report()).toEqual(expected);
      return expected;
    };
    const before = await check(DEFAULT_MODEL);
    expect(TIERS.reduce((sum, tier) => sum + before[tier], 0)).toBe(4);

    // A shorter half-life moves every key; the rescore rewrites them through the triggers.
    const model = { ...DEFAULT_MODEL, halfLifeDays: 3 };
    const saved = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      scoringModel: model,
    });
    expect(saved.status).toBe(200);
    await rescoreDone(org);
    await check(model);

    expect((await api('DELETE', `/v1/candidates/${people[0]}`, org.keys.admin)).status).toBe(200);
    const after = await check(model);
    expect(TIERS.reduce((sum, tier) => sum + after[tier], 0)).toBe(3);
  });
});
