import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import { api, createOrg, DAY_MS, errorOf, json, rid, sendEngagements } from '../../test/client.js';
import { audienceCountSql, audiencePageSql, engagementsPerDaySql } from './audience-sql.js';

interface Audience {
  candidates: {
    candidateId: string;
    tier: string;
    points: number;
    lastEngagedAt: string | null;
    tags: string[];
  }[];
  total: number;
  nextCursor: string | null;
}

/** An organisation with candidates in each tier and a few tags. */
async function population() {
  const org = await createOrg();
  const ids = {
    hot: rid('hot'),
    warm: rid('warm'),
    warmOld: rid('warmold'),
    cold: rid('cold'),
    never: rid('never'),
  };
  await sendEngagements(org.keys.user, ids.hot, [
    { type: 'attend_event', ago: DAY_MS },
    { type: 'register_event', ago: 2 * DAY_MS },
    { type: 'submit_form', ago: 3 * DAY_MS },
  ]);
  await sendEngagements(org.keys.user, ids.warm, [{ type: 'attend_event', ago: 2 * DAY_MS }]);
  // 10 points 25 days ago: 5.6 now, engaged; last engaged well before the others.
  await sendEngagements(org.keys.user, ids.warmOld, [{ type: 'attend_event', ago: 25 * DAY_MS }]);
  await sendEngagements(org.keys.user, ids.cold, [{ type: 'open_email', ago: 3 * DAY_MS }]);
  await api('PUT', `/v1/candidates/${ids.never}/tags`, org.keys.user, { tags: ['java'] });
  await api('PUT', `/v1/candidates/${ids.warm}/tags`, org.keys.user, { tags: ['java', 'berlin'] });
  await api('PUT', `/v1/candidates/${ids.warmOld}/tags`, org.keys.user, { tags: ['berlin'] });
  return { org, ids };
}

describe('GET /v1/audiences', () => {
  it('selects by tier at request time, by last engagement and by tags, with the total', async () => {
    const { org, ids } = await population();
    const key = org.keys.reporter;
    const engaged = await json<Audience>(api('GET', '/v1/audiences?tier=engaged', key));
    expect(engaged.candidates.map((c) => c.candidateId).sort()).toEqual(
      [ids.warm, ids.warmOld].sort(),
    );
    expect(engaged.total).toBe(2);
    expect(engaged.candidates.every((c) => c.tier === 'engaged' && c.points >= 5)).toBe(true);

    const all = await json<Audience>(api('GET', '/v1/audiences', key));
    expect(all.total).toBe(5);
    // Highest score first; candidates without points last.
    expect(all.candidates[0]!.candidateId).toBe(ids.hot);
    expect(all.candidates.at(-1)!.candidateId).toBe(ids.never);

    const active = await json<Audience>(
      api('GET', '/v1/audiences?tier=engaged&tier=highly_engaged', key),
    );
    expect(active.total).toBe(3);

    const lapsed = await json<Audience>(
      api(
        'GET',
        `/v1/audiences?tier=engaged&lastEngagedBefore=${new Date(Date.now() - 10 * DAY_MS).toISOString()}`,
        key,
      ),
    );
    expect(lapsed.candidates.map((c) => c.candidateId)).toEqual([ids.warmOld]);

    const recent = await json<Audience>(
      api(
        'GET',
        `/v1/audiences?lastEngagedAfter=${new Date(Date.now() - 10 * DAY_MS).toISOString().slice(0, 10)}`,
        key,
      ),
    );
    expect(recent.candidates.map((c) => c.candidateId).sort()).toEqual(
      [ids.hot, ids.warm, ids.cold].sort(),
    );

    const berlin = await json<Audience>(api('GET', '/v1/audiences?tags=berlin,java', key));
    expect(berlin.candidates.map((c) => c.candidateId)).toEqual([ids.warm]);
    expect(berlin.candidates[0]!.tags).toEqual(['berlin', 'java']);
    const either = await json<Audience>(
      api('GET', '/v1/audiences?tags=berlin,java&tagMatch=any', key),
    );
    expect(either.total).toBe(3);
    const inactiveJava = await json<Audience>(
      api('GET', '/v1/audiences?tier=inactive&tags=java', key),
    );
    expect(inactiveJava.candidates.map((c) => c.candidateId)).toEqual([ids.never]);
  });

  it('pages with a cursor through every member exactly once', async () => {
    const { org } = await population();
    const seen: string[] = [];
    let cursor: string | null = null;
    let total = 0;
    do {
      const page: Audience = await json<Audience>(
        api('GET', `/v1/audiences?limit=2${cursor ? `&cursor=${cursor}` : ''}`, org.keys.reporter),
      );
      total = page.total;
      seen.push(...page.candidates.map((c) => c.candidateId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('rejects bad parameters and needs the reporter role', async () => {
    const { org } = await population();
    for (const query of [
      'tier=lukewarm',
      'lastEngagedBefore=last-week',
      'limit=501',
      'cursor=zz%20',
    ]) {
      const response = await api('GET', `/v1/audiences?${query}`, org.keys.reporter);
      expect(response.status, query).toBe(400);
    }
    expect((await api('GET', '/v1/audiences', org.keys.user)).status).toBe(403);
  });

  it('uses the (org_id, sort_key) index for tier ranges: no full scan', async () => {
    const filter = {
      orgId: 'demo',
      now: Date.now(),
      model: DEFAULT_MODEL,
      lastEngagedBefore: Date.now() - 30 * DAY_MS,
      lastEngagedAfter: null,
      tags: [],
      tagMatch: 'all' as const,
    };
    for (const tiers of [
      ['engaged'],
      ['highly_engaged'],
      ['inactive'],
      ['engaged', 'highly_engaged'],
    ] as const) {
      const page = audiencePageSql({ ...filter, tiers }, null, 101);
      const next = audiencePageSql(
        { ...filter, tiers, tags: ['java'] },
        { k: 690.5, id: 'x' },
        101,
      );
      const count = audienceCountSql({ ...filter, tiers });
      for (const query of [page, next, count]) {
        const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
          .bind(...query.params)
          .all<{ detail: string }>();
        const details = plan.results.map((row) => row.detail).join('\n');
        expect(details, `${tiers.join('+')}:\n${details}`).toMatch(
          /SEARCH s USING (COVERING )?INDEX scores_org_sort_key \(org_id=\? AND sort_key[<>=]/,
        );
        expect(details).not.toMatch(/SCAN s\b/);
      }
    }
  });
});

describe('GET /v1/reports/tiers', () => {
  it('counts candidates per tier now and engagements per type per day', async () => {
    const { org } = await population();
    const reply = await json<{
      tiers: Record<string, number>;
      engagementsPerDay: { date: string; type: string; count: number }[];
      from: string;
      to: string;
    }>(api('GET', '/v1/reports/tiers', org.keys.reporter));
    expect(reply.tiers).toEqual({ inactive: 2, engaged: 2, highly_engaged: 1 });
    const total = reply.engagementsPerDay.reduce((sum, row) => sum + row.count, 0);
    expect(total).toBe(6);
    const day = new Date(Date.now() - 25 * DAY_MS).toISOString().slice(0, 10);
    expect(reply.engagementsPerDay).toContainEqual({ date: day, type: 'attend_event', count: 1 });
    expect(reply.to).toBe(new Date().toISOString().slice(0, 10));

    const narrow = await json<{ engagementsPerDay: unknown[] }>(
      api('GET', `/v1/reports/tiers?from=${day}&to=${day}`, org.keys.reporter),
    );
    expect(narrow.engagementsPerDay).toEqual([{ date: day, type: 'attend_event', count: 1 }]);
  });

  it('refuses a range over 366 days or backwards, with a clear 400', async () => {
    const org = await createOrg();
    const long = await api(
      'GET',
      '/v1/reports/tiers?from=2024-01-01&to=2025-06-01',
      org.keys.reporter,
    );
    expect(long.status).toBe(400);
    expect((await errorOf(long)).issues?.[0]?.path).toBe('to');
    const backwards = await api(
      'GET',
      '/v1/reports/tiers?from=2026-02-01&to=2026-01-01',
      org.keys.reporter,
    );
    expect(backwards.status).toBe(400);
    const ok = await api(
      'GET',
      '/v1/reports/tiers?from=2025-01-01&to=2025-12-31',
      org.keys.reporter,
    );
    expect(ok.status).toBe(200);
  });

  it("counts the report's engagements per day from the index alone, never the table rows", async () => {
    const query = engagementsPerDaySql('demo', Date.now() - 30 * DAY_MS, Date.now());
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join('\n');
    expect(details).toMatch(
      /SEARCH engagements USING COVERING INDEX engagements_org_time_type \(org_id=\? AND occurred_at>\? AND occurred_at<\?\)/,
    );
  });
});
