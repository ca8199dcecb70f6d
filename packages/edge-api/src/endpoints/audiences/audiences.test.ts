import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import { api, createOrg, DAY_MS, errorOf, json, rid, sendEngagements } from '../../test/client.js';
import {
  type AudienceFilter,
  audienceCountSql,
  audiencePageSql,
  engagementDaysSql,
  engagementsPerDaySql,
} from './audience-sql.js';

interface Audience {
  candidates: {
    candidateId: string;
    tier: string;
    points: number;
    lastEngagedAt: string | null;
    lastContactedAt: string | null;
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
      lastContactedBefore: null,
      lastContactedAfter: null,
      neverContacted: false,
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

/** Instant `days` ago, as an ISO string. */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * DAY_MS).toISOString();
}

/**
 * The population above, contacted at various times: hot 2 days ago, warm 20, cold 40, warmOld
 * and never not at all, and one candidate known only from a contact 10 days ago.
 */
async function contactedPopulation() {
  const { org, ids } = await population();
  const contactedOnly = rid('contacted');
  const contacted: [string, number][] = [
    [ids.hot, 2],
    [ids.warm, 20],
    [ids.cold, 40],
    [contactedOnly, 10],
  ];
  const reply = await api('POST', '/v1/contacts', org.keys.user, {
    contacts: contacted.map(([candidateId, days]) => ({
      id: rid('ct'),
      candidateId,
      kind: 'phone_call',
      occurredAt: daysAgo(days),
    })),
  });
  expect(reply.status).toBe(202);
  return { org, ids: { ...ids, contactedOnly } };
}

describe('GET /v1/audiences by last contact', () => {
  it('selects by last contacted before and after, never contacted, and combines them with tiers, tags and last engaged', async () => {
    const { org, ids } = await contactedPopulation();
    const members = async (query: string) => {
      const page = await json<Audience>(api('GET', `/v1/audiences?${query}`, org.keys.reporter));
      expect(page.total, query).toBe(page.candidates.length);
      return page.candidates.map((c) => c.candidateId).sort();
    };
    const sorted = (...list: string[]) => [...list].sort();
    const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

    expect(await members(q({ lastContactedBefore: daysAgo(15) }))).toEqual(
      sorted(ids.warm, ids.cold),
    );
    expect(await members(q({ lastContactedAfter: daysAgo(15) }))).toEqual(
      sorted(ids.hot, ids.contactedOnly),
    );
    expect(
      await members(q({ lastContactedAfter: daysAgo(30), lastContactedBefore: daysAgo(5) })),
    ).toEqual(sorted(ids.warm, ids.contactedOnly));
    // A date is midnight UTC, as for last engaged.
    expect(await members(q({ lastContactedAfter: daysAgo(15).slice(0, 10) }))).toEqual(
      sorted(ids.hot, ids.contactedOnly),
    );
    expect(await members('neverContacted=true')).toEqual(sorted(ids.warmOld, ids.never));
    expect(await members('neverContacted=false')).toHaveLength(6);

    // With tiers.
    expect(await members(`tier=engaged&${q({ lastContactedBefore: daysAgo(15) })}`)).toEqual([
      ids.warm,
    ]);
    expect(await members(`tier=inactive&${q({ lastContactedBefore: daysAgo(15) })}`)).toEqual([
      ids.cold,
    ]);
    expect(await members('tier=engaged&neverContacted=true')).toEqual([ids.warmOld]);
    expect(await members('tier=inactive&neverContacted=true')).toEqual([ids.never]);
    expect(
      await members(`tier=engaged&tier=highly_engaged&${q({ lastContactedAfter: daysAgo(30) })}`),
    ).toEqual(sorted(ids.hot, ids.warm));
    // With tags.
    expect(await members('tags=java&neverContacted=true')).toEqual([ids.never]);
    expect(await members(`tags=java&${q({ lastContactedAfter: daysAgo(30) })}`)).toEqual([
      ids.warm,
    ]);
    expect(await members('tags=berlin,java&tagMatch=any&neverContacted=true')).toEqual(
      sorted(ids.warmOld, ids.never),
    );
    // With last engaged: engaged in the last 10 days but not contacted in the last 15.
    expect(
      await members(q({ lastEngagedAfter: daysAgo(10), lastContactedBefore: daysAgo(15) })),
    ).toEqual(sorted(ids.warm, ids.cold));
    expect(await members(`${q({ lastEngagedBefore: daysAgo(10) })}&neverContacted=true`)).toEqual([
      ids.warmOld,
    ]);
  });

  it("returns each member's last contacted (null: never)", async () => {
    const { org, ids } = await contactedPopulation();
    const all = await json<Audience>(api('GET', '/v1/audiences', org.keys.reporter));
    const last = new Map(all.candidates.map((c) => [c.candidateId, c.lastContactedAt]));
    expect(last.get(ids.warmOld)).toBeNull();
    expect(last.get(ids.never)).toBeNull();
    for (const [id, days] of [
      [ids.hot, 2],
      [ids.warm, 20],
      [ids.cold, 40],
      [ids.contactedOnly, 10],
    ] as const) {
      const ms = Date.parse(last.get(id)!);
      expect(Math.abs(ms - (Date.now() - days * DAY_MS)), id).toBeLessThan(60_000);
    }
  });

  it('pages a last-contacted audience with a cursor through every member exactly once', async () => {
    const { org } = await contactedPopulation();
    for (const filter of ['neverContacted=true', `lastContactedBefore=${daysAgo(1)}`]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let total = 0;
      do {
        const page: Audience = await json<Audience>(
          api(
            'GET',
            `/v1/audiences?${filter}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
            org.keys.reporter,
          ),
        );
        total = page.total;
        seen.push(...page.candidates.map((c) => c.candidateId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen, filter).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(total).toBeGreaterThan(1);
    }
  });

  it('refuses neverContacted with a last-contacted range, and bad instants or values', async () => {
    const org = await createOrg();
    for (const query of [
      `neverContacted=true&lastContactedBefore=${daysAgo(1)}`,
      `neverContacted=true&lastContactedAfter=${daysAgo(1).slice(0, 10)}`,
    ]) {
      const response = await api('GET', `/v1/audiences?${query}`, org.keys.reporter);
      expect(response.status, query).toBe(400);
      const error = await errorOf(response);
      expect(error.issues?.map((issue) => issue.path)).toEqual(['neverContacted']);
    }
    for (const query of [
      'neverContacted=yes',
      'lastContactedBefore=last-week',
      'lastContactedAfter=2026-13-45',
    ]) {
      const response = await api('GET', `/v1/audiences?${query}`, org.keys.reporter);
      expect(response.status, query).toBe(400);
    }
    // neverContacted=false is no filter, so it combines with anything.
    const ok = await api(
      'GET',
      `/v1/audiences?neverContacted=false&lastContactedBefore=${daysAgo(1)}`,
      org.keys.reporter,
    );
    expect(ok.status).toBe(200);
  });
});

describe('audience query plans for last contacted', () => {
  const base: AudienceFilter = {
    orgId: 'demo',
    tiers: [],
    now: Date.now(),
    model: DEFAULT_MODEL,
    lastEngagedBefore: null,
    lastEngagedAfter: null,
    lastContactedBefore: null,
    lastContactedAfter: null,
    neverContacted: false,
    tags: [],
    tagMatch: 'all',
  };

  /** The plans of the first page, a later page and the count, one text each. */
  async function plans(filter: AudienceFilter): Promise<string[]> {
    const queries = [
      audiencePageSql(filter, null, 101),
      audiencePageSql(filter, { k: 3.5, id: 'x' }, 101),
      audiencePageSql(filter, { k: null, id: 'x' }, 101),
      audienceCountSql(filter),
    ];
    return Promise.all(
      queries.map(async (query) => {
        const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
          .bind(...query.params)
          .all<{ detail: string }>();
        return plan.results.map((row) => row.detail).join('\n');
      }),
    );
  }

  it('walks (org_id, last_contacted_at) as a range without tiers: before, after, both, with tags or last engaged', async () => {
    const now = Date.now();
    const cases: [Partial<AudienceFilter>, RegExp][] = [
      [{ lastContactedBefore: now }, /\(org_id=\? AND last_contacted_at<\?\)/],
      [{ lastContactedAfter: now }, /\(org_id=\? AND last_contacted_at>\?\)/],
      [
        { lastContactedAfter: now - 30 * DAY_MS, lastContactedBefore: now },
        /\(org_id=\? AND last_contacted_at>\? AND last_contacted_at<\?\)/,
      ],
      [{ lastContactedBefore: now, tags: ['java'] }, /\(org_id=\? AND last_contacted_at<\?\)/],
      [
        { lastContactedBefore: now, lastEngagedAfter: now - 30 * DAY_MS },
        /\(org_id=\? AND last_contacted_at<\?\)/,
      ],
    ];
    for (const [filter, range] of cases) {
      for (const details of await plans({ ...base, ...filter })) {
        expect(details, `${JSON.stringify(filter)}:\n${details}`).toMatch(
          new RegExp(`SEARCH s USING (COVERING )?INDEX scores_org_last_contacted ${range.source}`),
        );
        expect(details).not.toMatch(/SCAN s\b/);
        expect(details).not.toMatch(/scores_org_sort_key/);
      }
    }
  });

  it('finds the never contacted through the same index, as an equality on NULL', async () => {
    for (const filter of [
      { neverContacted: true },
      { neverContacted: true, tags: ['java'] },
      { neverContacted: true, lastEngagedBefore: Date.now() },
    ]) {
      for (const details of await plans({ ...base, ...filter })) {
        expect(details, `${JSON.stringify(filter)}:\n${details}`).toMatch(
          /SEARCH s USING (COVERING )?INDEX scores_org_last_contacted \(org_id=\? AND last_contacted_at=\?\)/,
        );
        expect(details).not.toMatch(/SCAN s\b/);
      }
    }
  });

  it('lets the tier ranges drive with tiers, last contacted being a filter on their rows', async () => {
    for (const tiers of [['engaged'], ['inactive'], ['engaged', 'highly_engaged']] as const) {
      for (const filter of [
        { lastContactedBefore: Date.now() },
        { lastContactedAfter: Date.now() - 30 * DAY_MS },
        { neverContacted: true },
      ]) {
        for (const details of await plans({ ...base, ...filter, tiers })) {
          expect(details, `${tiers.join('+')} ${JSON.stringify(filter)}:\n${details}`).toMatch(
            /SEARCH s USING (COVERING )?INDEX scores_org_sort_key \(org_id=\? AND sort_key[<>=]/,
          );
          expect(details).not.toMatch(/scores_org_last_contacted/);
          expect(details).not.toMatch(/SCAN s\b/);
        }
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

  it("reads the report's engagements per day from the daily counts' primary key, never the engagements", async () => {
    const query = engagementDaysSql('demo', Date.now() - 30 * DAY_MS, Date.now());
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join('\n');
    expect(details).toMatch(
      /SEARCH engagement_days USING INDEX sqlite_autoindex_engagement_days_1 \(org_id=\? AND day>\? AND day<\?\)/,
    );
    expect(details).not.toMatch(/engagements|TEMP B-TREE/);
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
