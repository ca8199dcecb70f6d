// The score endpoints against a real D1: one candidate's score and history equal to `score()`
// over the same engagements, and many candidates at once.
import { score } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import { api, createOrg, DAY_MS, json, rid, sendEngagements } from '../../test/client.js';

describe('GET /v1/candidates/{id}/score and POST /v1/scores', () => {
  it('scores with decay to the moment of the request, equal to score() over the same engagements', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const items = [
      { type: 'register_event', ago: 20 * DAY_MS, detail: 'Fair' },
      { type: 'attend_event', ago: 7 * DAY_MS, detail: 'Fair' },
      { type: 'open_email', ago: 21 * DAY_MS, detail: 'Invite' },
    ];
    const before = Date.now();
    await sendEngagements(org.keys.user, cand, items);
    const reply = await json<{
      candidateId: string;
      tier: string;
      points: number;
      asOf: string;
      breakdown: { type: string; points: number; count: number }[];
      lastEngagedAt: string;
    }>(api('GET', `/v1/candidates/${cand}/score`, org.keys.user));
    const expected = score(
      items.map((item) => ({
        type: item.type as 'open_email',
        detail: item.detail,
        occurredAt: before - item.ago,
      })),
      { now: Date.parse(reply.asOf) },
    );
    expect(reply.candidateId).toBe(cand);
    expect(reply.tier).toBe('engaged');
    expect(reply.points).toBeCloseTo(expected.points, 2);
    expect(reply.breakdown.find((b) => b.type === 'attend_event')).toMatchObject({ count: 1 });
    expect(Math.abs(Date.parse(reply.asOf) - Date.now())).toBeLessThan(10_000);
    expect(reply.lastEngagedAt).not.toBeNull();
  });

  it('answers many ids at once and lists the unknown ones', async () => {
    const org = await createOrg();
    const a = rid('cand');
    const b = rid('cand');
    await sendEngagements(org.keys.user, a, [{ type: 'attend_event', ago: DAY_MS }]);
    await sendEngagements(org.keys.user, b, [{ type: 'open_email', ago: DAY_MS }]);
    const reply = await json<{
      scores: { candidateId: string; tier: string }[];
      notFound: string[];
    }>(api('POST', '/v1/scores', org.keys.user, { candidateIds: [a, 'ghost', b] }));
    expect(reply.scores.map((s) => [s.candidateId, s.tier])).toEqual([
      [a, 'engaged'],
      [b, 'inactive'],
    ]);
    expect(reply.notFound).toEqual(['ghost']);
    const tooMany = await api('POST', '/v1/scores', org.keys.user, {
      candidateIds: Array.from({ length: 1001 }, (_, i) => `c${i}`),
    });
    expect(tooMany.status).toBe(400);
    const thousand = await api('POST', '/v1/scores', org.keys.user, {
      candidateIds: Array.from({ length: 1000 }, (_, i) => (i === 500 ? a : `c${i}`)),
    });
    const big = await json<{ scores: unknown[]; notFound: string[] }>(thousand);
    expect(big.scores).toHaveLength(1);
    expect(big.notFound).toHaveLength(999);
  });
});

describe('GET /v1/candidates/{id}/score-history', () => {
  it('gives one point per UTC day ending today, equal to score() at each day end', async () => {
    const org = await createOrg();
    const cand = rid('cand');
    const now = Date.now();
    const items = [
      { type: 'attend_event', ago: 40 * DAY_MS, detail: 'Fair' },
      { type: 'register_event', ago: 10 * DAY_MS, detail: 'Open day' },
      { type: 'click_email', ago: 2 * DAY_MS, detail: 'Hi' },
    ];
    await sendEngagements(org.keys.user, cand, items);
    const reply = await json<{
      candidateId: string;
      thresholds: { engaged: number; highlyEngaged: number };
      points: { date: string; points: number; tier: string }[];
    }>(api('GET', `/v1/candidates/${cand}/score-history?days=45`, org.keys.user));
    expect(reply.thresholds).toEqual({ engaged: 5, highlyEngaged: 15 });
    expect(reply.points).toHaveLength(45);
    expect(reply.points.at(-1)!.date).toBe(new Date().toISOString().slice(0, 10));
    for (const point of reply.points.slice(0, -1)) {
      const end = Date.parse(`${point.date}T00:00:00Z`) + DAY_MS - 1;
      const expected = score(
        items.map((item) => ({
          type: item.type as 'open_email',
          detail: item.detail,
          occurredAt: now - item.ago,
        })),
        { now: end },
      );
      // The engagements were sent a moment after `now`: allow that much drift.
      expect(point.points, point.date).toBeCloseTo(expected.points, 1);
      expect(point.tier, point.date).toBe(expected.tier);
    }
    const defaults = await json<{ points: unknown[] }>(
      api('GET', `/v1/candidates/${cand}/score-history`, org.keys.user),
    );
    expect(defaults.points).toHaveLength(90);
  });
});
