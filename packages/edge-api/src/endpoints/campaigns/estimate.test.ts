// The campaign estimate (`GET /v1/campaigns/{id}/estimate`) and the selection under it: who a
// campaign matches (timeframe edges, never contacted, tags all or any), each skip reason at its
// edge on a fake clock, wouldText + skips = matched, organisations kept apart, the query plan,
// and the run's cursor paging through the same rows the estimate counts.
import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL, thresholdKey } from '@cxm/scoring';
import { afterEach, describe, expect, it } from 'vitest';
import { campaign, estimate, messaged, NONE, scored } from '../../test/campaigns.js';
import { api, errorOf } from '../../test/client.js';
import {
  addCandidate,
  DAY_MS,
  freezeClock,
  messagingOrg,
  NOON,
  personToken,
  setClock,
  thawClock,
} from '../../test/messaging.js';
import {
  type CampaignSelection,
  type SelectionCursor,
  type SelectionRow,
  selectionCountSql,
  selectionPageSql,
} from './selection.js';

afterEach(() => thawClock());

/** A French mobile: a valid number in a country SMS does not reach (WhatsApp does). */
const FR_PHONE = '+33612345678';

/** A London mobile: GB keeps one zone, so a candidate without their own is on London's clock. */
const GB_PHONE = '+447400123456';

async function setup(options: { allowance?: number; zone?: string } = {}) {
  const org = await messagingOrg({ allowance: options.allowance ?? 100, zone: options.zone });
  const sender = await personToken(org.orgId, 'user');
  return { org, sender };
}

/** Long enough ago for a 30-day campaign. */
const LONG_AGO = 40 * DAY_MS;

describe('campaign estimate: who matches', () => {
  it('matches last contacted more than N days ago: exactly N days is not yet, N days and 1 ms is', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: NOON - 30 * DAY_MS });
    const edge = await scored(org, { lastContactedAt: NOON - 30 * DAY_MS - 1 });
    await scored(org, { lastContactedAt: NOON - DAY_MS });
    // Never contacted is the "never contacted" timeframe's, not a 30-day campaign's.
    await scored(org, { lastContactedAt: null });
    const id = await campaign(org, sender.id);
    const result = await estimate(org, id);
    expect(result).toEqual({
      campaignId: id,
      asOf: new Date(NOON).toISOString(),
      wouldText: 1,
      matched: 1,
      skipped: NONE,
    });
    const { sql, params } = selectionPageSql(
      selection(org.orgId, { now: NOON, orgZone: 'UTC' }),
      null,
      10,
    );
    const rows = await env.DB.prepare(sql)
      .bind(...params)
      .all<SelectionRow>();
    expect(rows.results.map((row) => row.candidateId)).toEqual([edge]);
  });

  it('matches only the never contacted for "never contacted"', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: null });
    await scored(org, { lastContactedAt: null });
    await scored(org, { lastContactedAt: NOON - 400 * DAY_MS });
    const id = await campaign(org, sender.id, { timeframe: { neverContacted: true } });
    expect(await estimate(org, id)).toMatchObject({ matched: 2, wouldText: 2 });
  });

  it('matches tags all or any, through the candidate tags', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    await scored(org, { lastContactedAt: NOON - LONG_AGO, tags: ['java', 'berlin'] });
    await scored(org, { lastContactedAt: NOON - LONG_AGO, tags: ['java'] });
    await scored(org, { lastContactedAt: NOON - LONG_AGO, tags: ['berlin', 'senior'] });
    await scored(org, { lastContactedAt: NOON - LONG_AGO, tags: ['go'] });
    await scored(org, { lastContactedAt: NOON - LONG_AGO });
    // Tagged but contacted yesterday: the timeframe still applies.
    await scored(org, { lastContactedAt: NOON - DAY_MS, tags: ['java', 'berlin'] });
    const all = await campaign(org, sender.id, { tags: ['java', 'berlin'], tagsMode: 'all' });
    const any = await campaign(org, sender.id, { tags: ['java', 'berlin'], tagsMode: 'any' });
    const untagged = await campaign(org, sender.id);
    expect((await estimate(org, all)).matched).toBe(1);
    expect((await estimate(org, any)).matched).toBe(3);
    expect((await estimate(org, untagged)).matched).toBe(5);
  });
});

describe('campaign estimate: skip reasons', () => {
  it('skips the Inactive tier at this moment: no points, or a key just under Engaged', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    const engagedKey = thresholdKey(DEFAULT_MODEL.thresholds.engaged, NOON, DEFAULT_MODEL);
    await scored(org, { lastContactedAt: NOON - LONG_AGO, points: null });
    await scored(org, { lastContactedAt: NOON - LONG_AGO, sortKey: engagedKey - 1e-9 });
    await scored(org, { lastContactedAt: NOON - LONG_AGO, sortKey: engagedKey });
    // Inactive comes first: an inactive candidate who also opted out counts as inactive.
    await scored(org, {
      lastContactedAt: NOON - LONG_AGO,
      points: 1,
      details: { smsOptedOutAt: NOON - DAY_MS },
    });
    const id = await campaign(org, sender.id);
    expect(await estimate(org, id)).toMatchObject({
      matched: 4,
      wouldText: 1,
      skipped: { ...NONE, inactive: 3 },
    });
  });

  it('skips the opted out and those without a number, consent or an SMS country, first reason first', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    const at = NOON - LONG_AGO;
    await scored(org, { lastContactedAt: at });
    await scored(org, { lastContactedAt: at, details: { smsOptedOutAt: NOON - DAY_MS } });
    // Opted out of WhatsApp only: SMS still goes.
    await scored(org, { lastContactedAt: at, details: { whatsappOptedOutAt: NOON - DAY_MS } });
    // Opted out and without consent: opted out comes first.
    await scored(org, {
      lastContactedAt: at,
      details: { smsOptedOutAt: NOON - DAY_MS, smsConsentAt: null },
    });
    await scored(org, { lastContactedAt: at, details: { phone: null } });
    await scored(org, { lastContactedAt: at, details: null });
    await scored(org, { lastContactedAt: at, details: { smsConsentAt: null } });
    await scored(org, { lastContactedAt: at, details: { phone: FR_PHONE, timeZone: null } });
    const sms = await campaign(org, sender.id);
    expect(await estimate(org, sms)).toMatchObject({
      matched: 8,
      wouldText: 2,
      skipped: { ...NONE, optedOut: 2, noNumberOrConsent: 4 },
    });
    // WhatsApp reads its own opt-out and opt-in (not SMS's), and reaches France.
    const whatsapp = await campaign(org, sender.id, {
      channel: 'whatsapp',
      message: undefined,
      templateId: 'HX0123456789abcdef0123456789abcdef',
    });
    expect(await estimate(org, whatsapp)).toMatchObject({
      matched: 8,
      wouldText: 5,
      skipped: { ...NONE, optedOut: 1, noNumberOrConsent: 2 },
    });
    await scored(org, { lastContactedAt: at, details: { whatsappOptInAt: null } });
    expect((await estimate(org, whatsapp)).skipped.noNumberOrConsent).toBe(3);
  });

  it("skips those already sent a campaign text since midnight on the organisation's clock", async () => {
    // 10:00 in New York; its midnight was 05:00 UTC, the UTC date's midnight five hours before.
    freezeClock(NOON);
    const { org, sender } = await setup({ zone: 'America/New_York' });
    const midnight = Date.UTC(2026, 2, 4, 5, 0, 0);
    const at = NOON - LONG_AGO;
    const other = await campaign(org, sender.id, { name: 'Another' });
    const today = await scored(org, { lastContactedAt: at });
    await messaged(org, today, midnight, other);
    const yesterday = await scored(org, { lastContactedAt: at });
    await messaged(org, yesterday, midnight - 1, other);
    // A text today that no campaign sent does not count.
    const byHand = await scored(org, { lastContactedAt: at });
    await messaged(org, byHand, midnight + 1000, null);
    const id = await campaign(org, sender.id);
    expect(await estimate(org, id)).toMatchObject({
      matched: 3,
      wouldText: 2,
      skipped: { ...NONE, textedToday: 1 },
    });
  });

  it("counts yesterday's campaign text no more once the organisation's clock passes midnight", async () => {
    // 23:59:59.999 on 4 March in New York (04:59:59.999 UTC on the 5th), then its midnight.
    const midnight = Date.UTC(2026, 2, 5, 5, 0, 0);
    freezeClock(midnight - 1);
    const { org, sender } = await setup({ zone: 'America/New_York' });
    const other = await campaign(org, sender.id, { name: 'Another' });
    const texted = await scored(org, { lastContactedAt: midnight - LONG_AGO });
    await messaged(org, texted, midnight - 2 * 60 * 60 * 1000, other);
    const id = await campaign(org, sender.id);
    expect((await estimate(org, id)).skipped).toEqual({ ...NONE, textedToday: 1 });
    // A new day: no longer texted today, but 00:00 in New York is in quiet hours.
    setClock(midnight);
    expect((await estimate(org, id)).skipped).toEqual({ ...NONE, quietHours: 1 });
  });

  it('skips candidates in quiet hours on their own clock, from 08:00 to 20:00 there', async () => {
    // 07:59:59.999 in New York (EST): its candidates wait; London's (12:59) do not.
    const early = Date.UTC(2026, 2, 4, 12, 59, 59, 999);
    freezeClock(early);
    const { org, sender } = await setup();
    const at = early - LONG_AGO;
    await scored(org, { lastContactedAt: at }); // New York, the default.
    await scored(org, { lastContactedAt: at, details: { timeZone: 'Europe/London' } });
    // No zone of their own: a GB number keeps London's clock.
    await scored(org, { lastContactedAt: at, details: { timeZone: null, phone: GB_PHONE } });
    await scored(org, { lastContactedAt: at, details: { timeZone: 'Asia/Tokyo' } });
    const id = await campaign(org, sender.id);
    expect(await estimate(org, id)).toMatchObject({
      matched: 4,
      wouldText: 2,
      skipped: { ...NONE, quietHours: 2 },
    });
    freezeClock(early + 1);
    expect(await estimate(org, id)).toMatchObject({
      wouldText: 3,
      skipped: { ...NONE, quietHours: 1 },
    });
  });

  it('skips those needing a monthly contact when fewer are left; the messaged within 45 days need none', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup({ allowance: 2 });
    // One contact already used this month: one left.
    const earlier = await addCandidate(org);
    await env.DB.prepare(
      `INSERT INTO contact_usage (org_id, period, candidate_id, message_id, used_at)
       VALUES (?1, '2026-03', ?2, 'msg_x', ?3)`,
    )
      .bind(org.orgId, earlier.id, NOON - DAY_MS)
      .run();
    const at = NOON - LONG_AGO;
    const gap = 45 * DAY_MS;
    await scored(org, { lastContactedAt: at }); // never messaged: needs one
    await scored(org, { lastContactedAt: at });
    await scored(org, { lastContactedAt: at, details: { lastMessagedAt: NOON - gap - 1 } });
    // Exactly 45 days: still the same conversation, no contact needed.
    await scored(org, { lastContactedAt: at, details: { lastMessagedAt: NOON - gap } });
    const id = await campaign(org, sender.id);
    expect(await estimate(org, id)).toMatchObject({
      matched: 4,
      wouldText: 2,
      skipped: { ...NONE, noContactsLeft: 2 },
    });
    await env.DB.prepare('UPDATE organisations SET monthly_contact_allowance = 0 WHERE id = ?1')
      .bind(org.orgId)
      .run();
    expect(await estimate(org, id)).toMatchObject({
      wouldText: 1,
      skipped: { ...NONE, noContactsLeft: 3 },
    });
  });
});

describe('campaign estimate: access', () => {
  it("is a 404 for another organisation's campaign and an unknown id; 409 once archived", async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    const other = await setup();
    const id = await campaign(org, sender.id);
    const stolen = await api('GET', `/v1/campaigns/${id}/estimate`, other.org.keys.admin);
    expect(stolen.status).toBe(404);
    expect((await errorOf(stolen)).code).toBe('not_found');
    const unknown = await api('GET', '/v1/campaigns/cmp_nonexistent/estimate', org.keys.user);
    expect(unknown.status).toBe(404);
    // A disabled campaign is estimated: that is how one decides to enable it.
    expect((await api('POST', `/v1/campaigns/${id}/disable`, org.keys.user)).status).toBe(200);
    expect((await estimate(org, id)).matched).toBe(0);
    expect((await api('POST', `/v1/campaigns/${id}/archive`, org.keys.user)).status).toBe(200);
    const archived = await api('GET', `/v1/campaigns/${id}/estimate`, org.keys.user);
    expect(archived.status).toBe(409);
    expect((await errorOf(archived)).code).toBe('campaign_archived');
  });
});

function selection(orgId: string, overrides: Partial<CampaignSelection> = {}): CampaignSelection {
  return {
    orgId,
    now: Date.now(),
    model: DEFAULT_MODEL,
    orgZone: 'America/New_York',
    channel: 'sms',
    timeframeDays: 30,
    neverContacted: false,
    tags: [],
    tagsMode: 'any',
    ...overrides,
  };
}

async function planOf(query: { sql: string; params: unknown[] }): Promise<string> {
  const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
    .bind(...query.params)
    .all<{ detail: string }>();
  return plan.results.map((row) => row.detail).join('\n');
}

describe('campaign selection: the query plan and the run cursor', () => {
  it('reads the matched set as one range of scores_campaign_selection, never scanning candidates', async () => {
    const cursor: SelectionCursor = { lastContactedAt: Date.now() - LONG_AGO, candidateId: 'c_x' };
    const cases: [Partial<CampaignSelection>, RegExp][] = [
      [{}, /\(org_id=\? AND last_contacted_at<\?\)/],
      [{ tags: ['java', 'berlin'], tagsMode: 'all' }, /\(org_id=\? AND last_contacted_at<\?\)/],
      [{ channel: 'whatsapp', tags: ['java'] }, /\(org_id=\? AND last_contacted_at<\?\)/],
      [{ neverContacted: true, timeframeDays: null }, /\(org_id=\? AND last_contacted_at=\?/],
    ];
    for (const [overrides, range] of cases) {
      const chosen = selection('demo', overrides);
      for (const query of [
        selectionCountSql(chosen),
        selectionPageSql(chosen, null, 100),
        selectionPageSql(chosen, cursor, 100),
      ]) {
        const details = await planOf(query);
        const label = `${JSON.stringify(overrides)}:\n${details}`;
        expect(details, label).toMatch(
          /SEARCH s USING COVERING INDEX scores_campaign_selection \(org_id=\? AND last_contacted_at/,
        );
        expect(details, label).toMatch(range);
        // Contact details by primary key, campaign texts by the candidate's messages since midnight.
        expect(details, label).toMatch(
          /SEARCH d USING INDEX sqlite_autoindex_candidate_contact_details_1 \(candidate_id=\?\)/,
        );
        expect(details, label).toMatch(
          /SEARCH m USING INDEX messages_org_candidate \(org_id=\? AND candidate_id=\? AND created_at>\?\)/,
        );
        expect(details, label).not.toMatch(/SCAN (s|d|m|c)\b/);
        if (query.sql.includes('LIMIT'))
          expect(details, label).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      }
    }
  });

  it('pages a run through every matched candidate once, with the reasons the estimate counts', async () => {
    freezeClock(NOON);
    const { org, sender } = await setup();
    const at = NOON - LONG_AGO;
    for (let i = 0; i < 5; i += 1) await scored(org, { lastContactedAt: at - i * 1000 });
    await scored(org, { lastContactedAt: at, points: null });
    await scored(org, { lastContactedAt: at - 2000, details: { smsOptedOutAt: NOON } });
    const id = await campaign(org, sender.id);
    const chosen = selection(org.orgId, { now: NOON });
    const seen: SelectionRow[] = [];
    let cursor: SelectionCursor | null = null;
    for (;;) {
      const { sql, params } = selectionPageSql(chosen, cursor, 2);
      const page = await env.DB.prepare(sql)
        .bind(...params)
        .all<SelectionRow>();
      if (page.results.length === 0) break;
      seen.push(...page.results);
      const last = page.results.at(-1)!;
      cursor = { lastContactedAt: last.lastContactedAt, candidateId: last.candidateId };
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((row) => row.candidateId)).size).toBe(7);
    const result = await estimate(org, id);
    expect(seen.filter((row) => row.reason === null)).toHaveLength(result.wouldText);
    expect(seen.filter((row) => row.reason === 'inactive')).toHaveLength(result.skipped.inactive);
    expect(seen.filter((row) => row.reason === 'optedOut')).toHaveLength(result.skipped.optedOut);
  });
});
