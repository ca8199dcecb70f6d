// Quiet hours at send time, against a real D1 with a frozen clock: a text outside 08:00–20:00 on
// the candidate's clock is stored `scheduled` for the next 08:00 and queued with that delay (at
// most the queue's 12 hours), never refused; across the US daylight-saving changes; the zone is
// the candidate's, else their number's single zone, else the organisation's; an organisation's
// narrower day is kept.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addCandidate,
  type CandidateDetails,
  freezeClock,
  HOUR_MS,
  messageRow,
  messagingOrg,
  sendOk,
  sms,
  thawClock,
} from '../../test/messaging.js';
import { MAX_QUEUE_DELAY_S } from './queue-message.js';

afterEach(() => thawClock());

/** New York wall-clock time in March 2026 before the DST change (EST, UTC-5). */
const est = (day: number, hour: number, minute = 0) => Date.UTC(2026, 2, day, hour + 5, minute);
/** New York in EDT (UTC-4). */
const edt = (month: number, day: number, hour: number, minute = 0) =>
  Date.UTC(2026, month - 1, day, hour + 4, minute);

async function sendAt(
  now: number,
  details: CandidateDetails = {},
  org: { zone?: string; startHour?: number; endHour?: number } = {},
) {
  freezeClock(now);
  const messaging = await messagingOrg({
    zone: org.zone ?? 'UTC',
    senderCountries: ['US', 'PL', 'GB'],
  });
  if (org.startHour !== undefined || org.endHour !== undefined) {
    await env.DB.prepare(
      'UPDATE organisations SET quiet_start_hour = ?1, quiet_end_hour = ?2 WHERE id = ?3',
    )
      .bind(org.startHour ?? 8, org.endHour ?? 20, messaging.orgId)
      .run();
  }
  const candidate = await addCandidate(messaging, details);
  const sent = await sendOk(messaging.keys.user, sms(candidate));
  const row = await messageRow(sent.reply.id);
  return { ...sent, row: row!, candidate };
}

function expectScheduled(sent: Awaited<ReturnType<typeof sendAt>>, now: number, opensAt: number) {
  expect(sent.reply.status).toBe('scheduled');
  expect(sent.reply.scheduledFor).toBe(new Date(opensAt).toISOString());
  expect(sent.row.status).toBe('scheduled');
  expect(sent.row.scheduled_for).toBe(opensAt);
  const delay = Math.min(MAX_QUEUE_DELAY_S, Math.ceil((opensAt - now) / 1000));
  expect(sent.job.delaySeconds).toBe(delay);
  expect(sent.job.delaySeconds).toBeLessThanOrEqual(12 * 60 * 60);
}

function expectQueued(sent: Awaited<ReturnType<typeof sendAt>>) {
  expect(sent.reply.status).toBe('queued');
  expect(sent.reply.scheduledFor).toBeNull();
  expect(sent.row.status).toBe('queued');
  expect(sent.row.scheduled_for).toBeNull();
  expect(sent.job.delaySeconds).toBe(0);
}

describe('quiet hours on the candidate clock (America/New_York)', () => {
  it('07:59 local: 202 scheduled for 08:00 local, queued 60 s later', async () => {
    const now = est(4, 7, 59);
    const sent = await sendAt(now);
    expectScheduled(sent, now, est(4, 8));
    expect(sent.job.delaySeconds).toBe(60);
  });

  it('08:00 local: queued at once', async () => {
    expectQueued(await sendAt(est(4, 8)));
  });

  it('19:59 local: queued at once', async () => {
    expectQueued(await sendAt(est(4, 19, 59)));
  });

  it('20:00 local: the next day at 08:00, a 12-hour delay', async () => {
    const now = est(4, 20);
    const sent = await sendAt(now);
    expectScheduled(sent, now, est(5, 8));
    expect(sent.job.delaySeconds).toBe(12 * 60 * 60);
  });

  it('03:00 local: 08:00 the same day', async () => {
    const now = est(4, 3);
    expectScheduled(await sendAt(now), now, est(4, 8));
  });

  it('across the spring change (2026-03-08): 20:00 EST on the 7th waits for 08:00 EDT on the 8th (11 hours)', async () => {
    const now = est(7, 20);
    const opens = edt(3, 8, 8);
    expect(opens - now).toBe(11 * HOUR_MS);
    const sent = await sendAt(now);
    expectScheduled(sent, now, opens);
    expect(sent.reply.scheduledFor).toBe('2026-03-08T12:00:00.000Z');
    expect(sent.job.delaySeconds).toBe(11 * 60 * 60);
  });

  it('on the change night itself: 03:30 EDT (01:30 EST skipped to) waits for 08:00 EDT', async () => {
    const now = edt(3, 8, 3, 30);
    const sent = await sendAt(now);
    expectScheduled(sent, now, edt(3, 8, 8));
  });

  it('08:00 EDT on the 8th is open', async () => {
    expectQueued(await sendAt(edt(3, 8, 8)));
  });

  it('across the autumn change (2026-11-01): 20:00 EDT waits 13 hours for 08:00 EST; the queue delay is capped at 12 h', async () => {
    const now = edt(10, 31, 20);
    const opens = Date.UTC(2026, 10, 1, 13, 0);
    expect(opens - now).toBe(13 * HOUR_MS);
    const sent = await sendAt(now);
    expectScheduled(sent, now, opens);
    expect(sent.job.delaySeconds).toBe(MAX_QUEUE_DELAY_S);
  });
});

describe('which clock', () => {
  it('no zone of their own, a Polish number: Europe/Warsaw (07:59 there waits for 08:00 there)', async () => {
    // 06:59 UTC = 07:59 in Warsaw (CET); the organisation's New York would say 01:59.
    const now = Date.UTC(2026, 2, 4, 6, 59);
    const sent = await sendAt(
      now,
      { phone: '+48512345678', timeZone: null },
      { zone: 'America/New_York' },
    );
    expectScheduled(sent, now, Date.UTC(2026, 2, 4, 7, 0));
  });

  it('no zone of their own, a Polish number, 08:00 in Warsaw: queued (night in the org zone)', async () => {
    const sent = await sendAt(
      Date.UTC(2026, 2, 4, 7, 0),
      { phone: '+48512345678', timeZone: null },
      { zone: 'America/New_York' },
    );
    expectQueued(sent);
  });

  it('no zone, a number of a country with several zones (US): the organisation zone', async () => {
    // 07:59 in London; 02:59 in New York. The organisation is in London.
    const now = Date.UTC(2026, 2, 4, 7, 59);
    const sent = await sendAt(now, { timeZone: null }, { zone: 'Europe/London' });
    expectScheduled(sent, now, Date.UTC(2026, 2, 4, 8, 0));
  });

  it("the candidate's own zone wins over their number's country", async () => {
    // A Polish number whose owner lives in New York: 09:00 in Warsaw but 03:00 in New York.
    const now = Date.UTC(2026, 2, 4, 8, 0);
    const sent = await sendAt(now, { phone: '+48512345678', timeZone: 'America/New_York' });
    expectScheduled(sent, now, est(4, 8));
  });

  it("an organisation's narrower day (09:00–17:00) holds 08:30 until 09:00", async () => {
    const now = est(4, 8, 30);
    const sent = await sendAt(now, {}, { startHour: 9, endHour: 17 });
    expectScheduled(sent, now, est(4, 9));
  });

  it("an organisation's narrower day ends at 17:00: 17:00 waits for 09:00 the next day", async () => {
    const now = est(4, 17);
    const sent = await sendAt(now, {}, { startHour: 9, endHour: 17 });
    expectScheduled(sent, now, est(5, 9));
  });
});
