import { describe, expect, it } from 'vitest';
import {
  CONTACT_GAP_MS,
  contactDecision,
  periodOf,
  renewsAt,
  usesContact,
} from './monthly-contacts.js';

const DAY = 24 * 3_600_000;
const at = Date.parse;
const NOW = at('2026-04-20T12:00:00Z');

describe('usesContact', () => {
  it('uses one for a first message', () => {
    expect(usesContact(null, NOW)).toBe(true);
    expect(usesContact(Number.NaN, NOW)).toBe(true);
  });

  it('uses one only after more than 45 × 24 hours', () => {
    expect(CONTACT_GAP_MS).toBe(45 * DAY);
    expect(usesContact(NOW, NOW)).toBe(false);
    expect(usesContact(NOW - 44 * DAY, NOW)).toBe(false);
    expect(usesContact(NOW - 45 * DAY, NOW)).toBe(false);
    expect(usesContact(NOW - 45 * DAY - 1, NOW)).toBe(true);
    expect(usesContact(NOW - 46 * DAY, NOW)).toBe(true);
    expect(usesContact(NOW - 400 * DAY, NOW)).toBe(true);
  });

  it('counts elapsed hours, not calendar days, across a clock change', () => {
    // 2026-03-29 is 23 hours long in Europe; 45 × 24 h after 2026-03-01T12:00Z is still 12:00Z.
    const last = at('2026-03-01T12:00:00Z');
    expect(usesContact(last, at('2026-04-15T12:00:00Z'))).toBe(false);
    expect(usesContact(last, at('2026-04-15T12:00:00.001Z'))).toBe(true);
  });

  it('takes a last message slightly ahead of now as recent', () => {
    expect(usesContact(NOW + 1000, NOW)).toBe(false);
  });
});

describe('periodOf', () => {
  it("is the calendar month on the organisation's clock, end exclusive", () => {
    expect(periodOf(at('2026-06-15T12:00:00Z'), 'UTC')).toEqual({
      start: at('2026-06-01T00:00:00Z'),
      end: at('2026-07-01T00:00:00Z'),
      label: '2026-06',
    });
    expect(periodOf(at('2026-06-01T00:00:00Z'), 'UTC').label).toBe('2026-06');
    expect(periodOf(at('2026-06-30T23:59:59.999Z'), 'UTC').label).toBe('2026-06');
    expect(periodOf(at('2026-07-01T00:00:00Z'), 'UTC').label).toBe('2026-07');
  });

  it('turns at local midnight, not UTC midnight', () => {
    const zone = 'America/New_York';
    // 23:59:59.999 on 31 December in New York is already January in UTC.
    expect(periodOf(at('2026-01-01T04:59:59.999Z'), zone)).toEqual({
      start: at('2025-12-01T00:00:00-05:00'),
      end: at('2026-01-01T00:00:00-05:00'),
      label: '2025-12',
    });
    expect(periodOf(at('2026-01-01T05:00:00Z'), zone).label).toBe('2026-01');
    // Tokyo's new year comes nine hours before UTC's.
    expect(periodOf(at('2026-12-31T15:00:00Z'), 'Asia/Tokyo')).toEqual({
      start: at('2027-01-01T00:00:00+09:00'),
      end: at('2027-02-01T00:00:00+09:00'),
      label: '2027-01',
    });
    expect(periodOf(at('2026-12-31T14:59:59.999Z'), 'Asia/Tokyo').label).toBe('2026-12');
  });

  it('spans a daylight-saving change (a month an hour short or long)', () => {
    const march = periodOf(at('2026-03-15T12:00:00Z'), 'Europe/London');
    expect(march).toEqual({
      start: at('2026-03-01T00:00:00Z'),
      end: at('2026-04-01T00:00:00+01:00'),
      label: '2026-03',
    });
    expect(march.end - march.start).toBe(31 * DAY - 3_600_000);
    // 00:30 on 1 April in London is 23:30Z on 31 March.
    expect(periodOf(at('2026-03-31T23:30:00Z'), 'Europe/London').label).toBe('2026-04');
    expect(periodOf(at('2026-03-31T22:59:59.999Z'), 'Europe/London').label).toBe('2026-03');
    const november = periodOf(at('2026-11-15T12:00:00Z'), 'America/New_York');
    expect(november).toEqual({
      start: at('2026-11-01T00:00:00-04:00'),
      end: at('2026-12-01T00:00:00-05:00'),
      label: '2026-11',
    });
    expect(november.end - november.start).toBe(30 * DAY + 3_600_000);
  });

  it('handles February of a leap year and a half-hour zone', () => {
    expect(periodOf(at('2028-02-29T12:00:00Z'), 'UTC')).toEqual({
      start: at('2028-02-01T00:00:00Z'),
      end: at('2028-03-01T00:00:00Z'),
      label: '2028-02',
    });
    expect(periodOf(at('2026-05-31T18:30:00Z'), 'Asia/Kolkata')).toMatchObject({
      start: at('2026-06-01T00:00:00+05:30'),
      label: '2026-06',
    });
  });

  it('renews at the end of the period', () => {
    expect(renewsAt(at('2026-04-20T12:00:00Z'), 'Europe/London')).toBe(
      at('2026-05-01T00:00:00+01:00'),
    );
  });
});

describe('contactDecision', () => {
  const zone = 'Europe/London';

  it('lets a first message through and counts it while contacts remain', () => {
    expect(
      contactDecision({ lastMessagedAt: null, now: NOW, used: 0, allowance: 500, zone }),
    ).toEqual({
      ok: true,
      usesContact: true,
    });
    expect(
      contactDecision({ lastMessagedAt: null, now: NOW, used: 499, allowance: 500, zone }),
    ).toEqual({
      ok: true,
      usesContact: true,
    });
  });

  it('lets a recent conversation through without counting, even when the allowance is spent', () => {
    expect(
      contactDecision({
        lastMessagedAt: NOW - 45 * DAY,
        now: NOW,
        used: 500,
        allowance: 500,
        zone,
      }),
    ).toEqual({ ok: true, usesContact: false });
    expect(
      contactDecision({ lastMessagedAt: NOW - DAY, now: NOW, used: 0, allowance: 0, zone }),
    ).toEqual({ ok: true, usesContact: false });
  });

  it('refuses a new contact once the allowance is spent, saying when it renews', () => {
    expect(
      contactDecision({ lastMessagedAt: null, now: NOW, used: 500, allowance: 500, zone }),
    ).toEqual({
      ok: false,
      code: 'contacts_exhausted',
      message:
        'All 500 monthly contacts for 2026-04 are used; the allowance renews on 2026-05-01 (Europe/London). Candidates messaged in the last 45 days can still be written to',
    });
    expect(
      contactDecision({
        lastMessagedAt: NOW - 45 * DAY - 1,
        now: NOW,
        used: 501,
        allowance: 500,
        zone,
      }),
    ).toMatchObject({ ok: false, code: 'contacts_exhausted' });
    expect(
      contactDecision({ lastMessagedAt: null, now: NOW, used: 0, allowance: 0, zone }),
    ).toMatchObject({
      code: 'contacts_exhausted',
    });
  });

  it("names the renewal date on the organisation's calendar", () => {
    // 31 January 20:00 in Los Angeles is 1 February in UTC; the allowance renews on 1 February.
    expect(
      contactDecision({
        lastMessagedAt: null,
        now: at('2026-01-31T20:00:00-08:00'),
        used: 10,
        allowance: 10,
        zone: 'America/Los_Angeles',
      }),
    ).toMatchObject({
      message: expect.stringContaining('for 2026-01 are used; the allowance renews on 2026-02-01'),
    });
    // December renews in the next year.
    expect(
      contactDecision({
        lastMessagedAt: null,
        now: at('2026-12-10T00:00:00Z'),
        used: 1,
        allowance: 1,
        zone,
      }),
    ).toMatchObject({ message: expect.stringContaining('renews on 2027-01-01') });
  });
});
