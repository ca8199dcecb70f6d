// The tier report's per-day counts stay what counting the engagements would give, through every
// writer and the purge, repeats and retries included.
import { describe, expect, it } from 'vitest';
import {
  api,
  beacon,
  createOrg,
  DAY_MS,
  json,
  postJson,
  rid,
  rows,
  sendBeacon,
  sendEngagements,
  type TestOrg,
  visit,
} from '../test/client.js';

interface DayCount {
  day: number;
  type: string;
  count: number;
}

/** The organisation's `engagement_days`, and the same counted from its engagements. */
async function keptAndCounted(orgId: string) {
  const kept = await rows<DayCount>(
    'SELECT day, type, count FROM engagement_days WHERE org_id = ? ORDER BY day, type',
    orgId,
  );
  const counted = await rows<DayCount>(
    `SELECT occurred_at / 86400000 AS day, type, COUNT(*) AS count FROM engagements
     WHERE org_id = ? GROUP BY day, type ORDER BY day, type`,
    orgId,
  );
  return { kept, counted, total: kept.reduce((sum, row) => sum + row.count, 0) };
}

/** A server-to-server body with fixed ids, so sending it again is a retry. */
function apiBody(candidateId: string) {
  const at = (ago: number) => new Date(Date.now() - ago).toISOString();
  const item = (type: string, ago: number, machine = false) => ({
    id: rid('evt'),
    candidateId,
    type,
    detail: `${type} ${rid('d')}`,
    occurredAt: at(ago),
    machine,
  });
  const attended = item('attend_event', DAY_MS);
  // The same id twice in one body counts once.
  return {
    engagements: [attended, attended, item('open_email', 2 * DAY_MS, true), item('open_email', 0)],
  };
}

/** Tracker visits on the direct path (no queue): two views a minute apart count once. */
async function collectVisits(org: TestOrg, deviceId: string) {
  const url = `${org.origin}/jobs/engineer`;
  const body = beacon({
    site: org.siteKey,
    visitor: { id: deviceId, kind: 'stored' },
    events: [visit(url, Date.now() - 60_000), visit(url), visit(`${org.origin}/jobs/designer`)],
  });
  for (let i = 0; i < 2; i++) {
    const response = await sendBeacon(body, {
      origin: org.origin,
      bindings: { INGEST_QUEUE: undefined },
    });
    expect(response.status).toBe(202);
  }
}

describe('engagement_days', () => {
  it('equals counting the engagements after writes, retries, tracker visits, a link and a purge', async () => {
    const org = await createOrg();
    const [kept, purged] = [rid('cand'), rid('cand')];
    const body = apiBody(kept);
    for (let i = 0; i < 2; i++) {
      expect((await postJson('/v1/engagements', body, org.keys.user)).status).toBe(202);
    }
    await sendEngagements(org.keys.user, purged, [
      { type: 'attend_event', ago: DAY_MS },
      { type: 'register_event', ago: 3 * DAY_MS },
    ]);
    const device = rid('v');
    await collectVisits(org, device);
    // 3 API rows (a retry and a doubled id add none), 2 more, 2 visits (a repeat, a retry).
    let state = await keptAndCounted(org.orgId);
    expect(state.kept).toEqual(state.counted);
    expect(state.total).toBe(7);

    // The anonymous visits move to the purged candidate, then go with it.
    const link = await api('POST', `/v1/visitors/${device}/link`, org.keys.user, {
      candidateId: purged,
    });
    expect(link.status).toBe(200);
    expect((await keptAndCounted(org.orgId)).kept).toEqual(state.kept);
    const purge = await api('DELETE', `/v1/candidates/${purged}`, org.keys.admin);
    expect(purge.status).toBe(200);
    state = await keptAndCounted(org.orgId);
    expect(state.kept).toEqual(state.counted);
    expect(state.total).toBe(3);
    // A day left with nothing is gone, as a GROUP BY would not have it.
    expect(state.kept.every((row) => row.count > 0)).toBe(true);
  });

  it('gives the tier report the same days as counting the engagements', async () => {
    const org = await createOrg();
    await postJson('/v1/engagements', apiBody(rid('cand')), org.keys.user);
    await collectVisits(org, rid('v'));
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 2 * DAY_MS).toISOString().slice(0, 10);
    const report = await json<{ engagementsPerDay: { date: string; count: number }[] }>(
      api('GET', `/v1/reports/tiers?from=${from}&to=${today}`, org.keys.reporter),
    );
    const counted = await rows(
      `SELECT strftime('%Y-%m-%d', occurred_at / 86400000 * 86400, 'unixepoch') AS date, type,
         COUNT(*) AS count
       FROM engagements WHERE org_id = ? AND occurred_at >= ? GROUP BY date, type
       ORDER BY date, type`,
      org.orgId,
      Date.parse(`${from}T00:00:00Z`),
    );
    expect(report.engagementsPerDay).toEqual(counted);
    expect(report.engagementsPerDay.length).toBeGreaterThan(2);
  });
});
