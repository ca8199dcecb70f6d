import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL, type EngagementType, score, type Tier } from '@cxm/scoring';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, createOrg, DAY_MS, errorOf, json, rid, sendEngagements } from '../../test/client.js';
import { dropDaySql } from './tier-history.js';

interface History {
  from: string;
  to: string;
  days: ({ date: string } & Record<Tier, number>)[];
}

/** Noon UTC on 15 June 2026: the fake clock every day of these tests is counted from. */
const T0 = Date.UTC(2026, 5, 15, 12);
const TODAY = Date.UTC(2026, 5, 15);

afterEach(() => {
  vi.useRealTimers();
});

type Sent = { type: EngagementType; ago: number; detail: string };

/** Each candidate's engagements, as sent (ms before T0), for the oracle. */
const people: Record<string, Sent[]> = {
  // Highly engaged ten weeks ago, then silent: decays through Engaged to Inactive in the range.
  quiet: [
    { type: 'attend_event', ago: 76 * DAY_MS, detail: 'Open day' },
    { type: 'register_event', ago: 75 * DAY_MS, detail: 'Meetup' },
    { type: 'attend_event', ago: 74 * DAY_MS, detail: 'Meetup' },
  ],
  // Engaged now and then across the range: replayed from its engagements.
  active: [
    { type: 'attend_event', ago: 90 * DAY_MS, detail: 'Fair' },
    { type: 'register_event', ago: 50 * DAY_MS, detail: 'Fair 2' },
    { type: 'attend_event', ago: 20 * DAY_MS, detail: 'Fair 2' },
    { type: 'click_email', ago: 19 * DAY_MS, detail: 'Roles' },
    { type: 'submit_form', ago: 3 * DAY_MS, detail: 'Talent network' },
    { type: 'open_email', ago: 2 * 60 * 60 * 1000, detail: 'Roles' },
  ],
  // Only a page visit long ago: Inactive on every day.
  cold: [{ type: 'visit_landing_page', ago: 200 * DAY_MS, detail: '/jobs' }],
  // First seen in the middle of the range: Inactive before, not missing.
  late: [
    { type: 'attend_event', ago: 10 * DAY_MS, detail: 'Fair 3' },
    { type: 'submit_form', ago: 10 * DAY_MS - 1000, detail: 'Apply' },
  ],
};

/** The tier of each candidate at `end`, straight from `score()` over what had happened by then. */
function oracle(end: number): Record<Tier, number> {
  const counts: Record<Tier, number> = { inactive: 0, engaged: 0, highly_engaged: 0 };
  for (const sent of Object.values(people)) {
    const happened = sent
      .filter((item) => T0 - item.ago <= end)
      .map((item) => ({ type: item.type, detail: item.detail, occurredAt: T0 - item.ago }));
    counts[score(happened, { now: end, model: DEFAULT_MODEL }).tier] += 1;
  }
  return counts;
}

async function seeded() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  const org = await createOrg();
  for (const sent of Object.values(people)) await sendEngagements(org.keys.user, rid('c'), sent);
  return org;
}

describe('GET /v1/reports/tier-history', () => {
  it("counts each day's tiers as score() would at the day's end, across a range, today as now", async () => {
    const org = await seeded();
    const from = new Date(TODAY - 59 * DAY_MS).toISOString().slice(0, 10);
    const reply = await json<History>(
      api('GET', `/v1/reports/tier-history?from=${from}&to=2026-06-15`, org.keys.reporter),
    );
    expect(reply.from).toBe(from);
    expect(reply.days).toHaveLength(60);
    reply.days.forEach((day, d) => {
      const end = Math.min(TODAY - (59 - d) * DAY_MS + DAY_MS - 1, T0);
      expect({ ...day, date: undefined }, day.date).toEqual({ ...oracle(end), date: undefined });
    });
    // The story in numbers: the quiet candidate starts the range highly engaged and ends it
    // inactive; the late one is inactive until it engages; everyone is counted on every day.
    expect(reply.days[0]).toEqual({ date: from, inactive: 3, engaged: 0, highly_engaged: 1 });
    for (const day of reply.days) expect(day.inactive + day.engaged + day.highly_engaged).toBe(4);
    const now = await json<{ tiers: Record<Tier, number> }>(
      api('GET', '/v1/reports/tiers', org.keys.reporter),
    );
    expect(reply.days.at(-1)).toEqual({ date: '2026-06-15', ...now.tiers });
  });

  it('gives the last 30 days by default, and days after today as today', async () => {
    const org = await seeded();
    const reply = await json<History>(api('GET', '/v1/reports/tier-history', org.keys.reporter));
    expect(reply.days.map((day) => day.date)).toEqual(
      Array.from({ length: 30 }, (_, d) =>
        new Date(TODAY - (29 - d) * DAY_MS).toISOString().slice(0, 10),
      ),
    );
    const ahead = await json<History>(
      api('GET', '/v1/reports/tier-history?from=2026-06-14&to=2026-06-16', org.keys.reporter),
    );
    expect(ahead.days[2]).toEqual({ ...ahead.days[1], date: '2026-06-16' });
  });

  it('refuses a backwards or too long range, and a bad date, naming the parameter', async () => {
    const org = await createOrg();
    const backwards = await api(
      'GET',
      '/v1/reports/tier-history?from=2026-02-01&to=2026-01-01',
      org.keys.reporter,
    );
    expect(backwards.status).toBe(400);
    expect((await errorOf(backwards)).issues?.[0]).toMatchObject({
      path: 'to',
      message: 'must not be before from',
    });
    const long = await api(
      'GET',
      '/v1/reports/tier-history?from=2024-01-01&to=2025-06-01',
      org.keys.reporter,
    );
    expect(long.status).toBe(400);
    expect((await errorOf(long)).issues?.[0]?.path).toBe('to');
    const bad = await api('GET', '/v1/reports/tier-history?from=2026-13-01', org.keys.reporter);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).issues?.[0]?.path).toBe('from');
  });

  it("needs the reporter role and counts only the caller's organisation", async () => {
    const org = await seeded();
    const other = await createOrg();
    expect((await api('GET', '/v1/reports/tier-history', org.keys.user)).status).toBe(403);
    const theirs = await json<History>(api('GET', '/v1/reports/tier-history', other.keys.reporter));
    for (const day of theirs.days) {
      expect(day.inactive + day.engaged + day.highly_engaged).toBe(0);
    }
  });

  it("reads quiet candidates' drop days through (org_id, last_engaged_at), not every row", async () => {
    const query = dropDaySql('demo', {
      first: TODAY - 30 * DAY_MS,
      days: 30,
      threshold: 5,
      model: DEFAULT_MODEL,
    });
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join('\n');
    expect(details).toMatch(
      /USING INDEX scores_org_last_engaged \(org_id=\? AND last_engaged_at<\?\)/,
    );
  });
});
