import { describe, expect, it } from 'vitest';
import { SMS_COUNTRIES } from './countries.js';
import {
  isValidZone,
  narrowWindow,
  SEND_HOURS,
  SINGLE_ZONE_COUNTRIES,
  sendWindow,
  zoneFor,
} from './quiet-hours.js';

const at = Date.parse;

/** `sendWindow` at an ISO instant (with its offset, so the local time reads in the test). */
function windowAt(iso: string, zone: string) {
  return sendWindow(at(iso), zone);
}

function opensAt(iso: string) {
  return { open: false, opensAt: at(iso) };
}

const OPEN = { open: true };

describe('zoneFor', () => {
  it("prefers the candidate's own zone", () => {
    expect(
      zoneFor({ candidateZone: 'Asia/Tokyo', numberCountry: 'GB', orgZone: 'America/Chicago' }),
    ).toEqual({ zone: 'Asia/Tokyo', from: 'candidate' });
  });

  it("then the single zone of the number's country", () => {
    expect(zoneFor({ numberCountry: 'GB', orgZone: 'America/Chicago' })).toEqual({
      zone: 'Europe/London',
      from: 'number',
    });
    expect(
      zoneFor({ candidateZone: null, numberCountry: 'PR', orgZone: 'America/Chicago' }),
    ).toEqual({ zone: 'America/Puerto_Rico', from: 'number' });
    // An unknown candidate zone is skipped, not trusted.
    expect(zoneFor({ candidateZone: 'Nowhere/Land', numberCountry: 'IN', orgZone: 'UTC' })).toEqual(
      { zone: 'Asia/Kolkata', from: 'number' },
    );
  });

  it("then the organisation's zone, for countries with several zones or none known", () => {
    for (const numberCountry of [
      'US',
      'CA',
      'AU',
      'CL',
      'PT',
      'MX',
      'RU',
      'ES',
      'ID',
      'BR',
      null,
    ]) {
      expect(zoneFor({ numberCountry, orgZone: 'Europe/Berlin' })).toEqual({
        zone: 'Europe/Berlin',
        from: 'organisation',
      });
    }
  });

  it('falls back to UTC when even the organisation zone is unknown', () => {
    expect(zoneFor({ numberCountry: 'US', orgZone: 'Not/A_Zone' })).toEqual({
      zone: 'UTC',
      from: 'utc',
    });
  });

  it('has a zone for every SMS country that keeps one time, and only valid zones', () => {
    const several = ['US', 'CA', 'AU', 'CL', 'PT'];
    for (const country of Object.keys(SMS_COUNTRIES)) {
      expect([country, country in SINGLE_ZONE_COUNTRIES]).toEqual([
        country,
        !several.includes(country),
      ]);
    }
    for (const country of [...several, 'MX', 'RU', 'ES', 'ID', 'BR', 'NZ', 'CN', 'KZ']) {
      expect(SINGLE_ZONE_COUNTRIES[country]).toBeUndefined();
    }
    for (const [country, zone] of Object.entries(SINGLE_ZONE_COUNTRIES)) {
      expect([country, zone, isValidZone(zone)]).toEqual([country, zone, true]);
    }
  });
});

describe('sendWindow: the edges of the day', () => {
  it('opens at 08:00 and closes at 20:00 local', () => {
    const zone = 'Europe/London';
    expect(windowAt('2026-06-15T07:59:59.999+01:00', zone)).toEqual(
      opensAt('2026-06-15T08:00:00+01:00'),
    );
    expect(windowAt('2026-06-15T08:00:00+01:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-06-15T19:59:59.999+01:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-06-15T20:00:00+01:00', zone)).toEqual(
      opensAt('2026-06-16T08:00:00+01:00'),
    );
    expect(windowAt('2026-06-15T00:00:00+01:00', zone)).toEqual(
      opensAt('2026-06-15T08:00:00+01:00'),
    );
    expect(windowAt('2026-06-15T23:59:00+01:00', zone)).toEqual(
      opensAt('2026-06-16T08:00:00+01:00'),
    );
  });

  it('rolls over the end of a month and a year', () => {
    expect(windowAt('2026-12-31T21:00:00-05:00', 'America/New_York')).toEqual(
      opensAt('2027-01-01T08:00:00-05:00'),
    );
    expect(windowAt('2026-02-28T22:00:00Z', 'UTC')).toEqual(opensAt('2026-03-01T08:00:00Z'));
  });

  it('follows a narrower window', () => {
    const hours = { startHour: 9, endHour: 17 };
    const zone = 'Europe/Berlin';
    expect(sendWindow(at('2026-06-15T08:30:00+02:00'), zone, hours)).toEqual(
      opensAt('2026-06-15T09:00:00+02:00'),
    );
    expect(sendWindow(at('2026-06-15T16:59:00+02:00'), zone, hours)).toEqual(OPEN);
    expect(sendWindow(at('2026-06-15T17:00:00+02:00'), zone, hours)).toEqual(
      opensAt('2026-06-16T09:00:00+02:00'),
    );
  });

  it('throws on an unknown zone (a programming error: zoneFor answers only valid ones)', () => {
    expect(() => sendWindow(at('2026-06-15T12:00:00Z'), 'Nowhere/Land')).toThrow(RangeError);
  });
});

describe('sendWindow across daylight-saving changes', () => {
  it('New York, spring forward (2026-03-08, 23 hours)', () => {
    const zone = 'America/New_York';
    // The evening before (EST): tomorrow 08:00 is EDT, 23 hours of clock later, not 24.
    expect(windowAt('2026-03-07T21:00:00-05:00', zone)).toEqual(
      opensAt('2026-03-08T08:00:00-04:00'),
    );
    expect(windowAt('2026-03-08T01:30:00-05:00', zone)).toEqual(
      opensAt('2026-03-08T08:00:00-04:00'),
    );
    expect(windowAt('2026-03-08T03:30:00-04:00', zone)).toEqual(
      opensAt('2026-03-08T08:00:00-04:00'),
    );
    expect(windowAt('2026-03-08T07:59:00-04:00', zone)).toEqual(
      opensAt('2026-03-08T08:00:00-04:00'),
    );
    expect(windowAt('2026-03-08T08:00:00-04:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-03-08T19:59:00-04:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-03-08T20:00:00-04:00', zone)).toEqual(
      opensAt('2026-03-09T08:00:00-04:00'),
    );
    expect(windowAt('2026-03-08T23:00:00-04:00', zone)).toEqual(
      opensAt('2026-03-09T08:00:00-04:00'),
    );
    expect(at('2026-03-08T08:00:00-04:00') - at('2026-03-07T08:00:00-05:00')).toBe(23 * 3_600_000);
  });

  it('New York, fall back (2026-11-01, 25 hours)', () => {
    const zone = 'America/New_York';
    expect(windowAt('2026-10-31T22:00:00-04:00', zone)).toEqual(
      opensAt('2026-11-01T08:00:00-05:00'),
    );
    // 01:30 happens twice; both wait for the same 08:00 EST.
    expect(windowAt('2026-11-01T01:30:00-04:00', zone)).toEqual(
      opensAt('2026-11-01T08:00:00-05:00'),
    );
    expect(windowAt('2026-11-01T01:30:00-05:00', zone)).toEqual(
      opensAt('2026-11-01T08:00:00-05:00'),
    );
    expect(windowAt('2026-11-01T07:59:00-05:00', zone)).toEqual(
      opensAt('2026-11-01T08:00:00-05:00'),
    );
    expect(windowAt('2026-11-01T08:00:00-05:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-11-01T19:59:00-05:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-11-01T20:00:00-05:00', zone)).toEqual(
      opensAt('2026-11-02T08:00:00-05:00'),
    );
    expect(at('2026-11-01T08:00:00-05:00') - at('2026-10-31T08:00:00-04:00')).toBe(25 * 3_600_000);
  });

  it('London, spring forward (2026-03-29)', () => {
    const zone = 'Europe/London';
    expect(windowAt('2026-03-28T21:00:00Z', zone)).toEqual(opensAt('2026-03-29T08:00:00+01:00'));
    expect(windowAt('2026-03-29T00:30:00Z', zone)).toEqual(opensAt('2026-03-29T08:00:00+01:00'));
    expect(windowAt('2026-03-29T07:59:00+01:00', zone)).toEqual(
      opensAt('2026-03-29T08:00:00+01:00'),
    );
    expect(windowAt('2026-03-29T08:00:00+01:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-03-29T19:59:00+01:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-03-29T20:00:00+01:00', zone)).toEqual(
      opensAt('2026-03-30T08:00:00+01:00'),
    );
    expect(windowAt('2026-03-29T22:30:00+01:00', zone)).toEqual(
      opensAt('2026-03-30T08:00:00+01:00'),
    );
  });

  it('London, fall back (2026-10-25)', () => {
    const zone = 'Europe/London';
    expect(windowAt('2026-10-24T21:00:00+01:00', zone)).toEqual(opensAt('2026-10-25T08:00:00Z'));
    expect(windowAt('2026-10-25T01:30:00+01:00', zone)).toEqual(opensAt('2026-10-25T08:00:00Z'));
    expect(windowAt('2026-10-25T01:30:00Z', zone)).toEqual(opensAt('2026-10-25T08:00:00Z'));
    expect(windowAt('2026-10-25T07:59:00Z', zone)).toEqual(opensAt('2026-10-25T08:00:00Z'));
    expect(windowAt('2026-10-25T08:00:00Z', zone)).toEqual(OPEN);
    expect(windowAt('2026-10-25T19:59:00Z', zone)).toEqual(OPEN);
    expect(windowAt('2026-10-25T20:00:00Z', zone)).toEqual(opensAt('2026-10-26T08:00:00Z'));
  });

  it('Kolkata, a half-hour offset', () => {
    const zone = 'Asia/Kolkata';
    expect(windowAt('2026-06-15T07:59:00+05:30', zone)).toEqual(
      opensAt('2026-06-15T08:00:00+05:30'),
    );
    expect(windowAt('2026-06-15T08:00:00+05:30', zone)).toEqual(OPEN);
    expect(windowAt('2026-06-15T19:59:00+05:30', zone)).toEqual(OPEN);
    expect(windowAt('2026-06-15T20:00:00+05:30', zone)).toEqual(
      opensAt('2026-06-16T08:00:00+05:30'),
    );
    expect(at('2026-06-15T08:00:00+05:30')).toBe(at('2026-06-15T02:30:00Z'));
  });

  it('Lord Howe Island, where daylight saving moves the clock by 30 minutes', () => {
    const zone = 'Australia/Lord_Howe';
    // Summer time starts 2026-10-04 at 02:00 (+10:30 → +11:00).
    expect(windowAt('2026-10-03T21:00:00+10:30', zone)).toEqual(
      opensAt('2026-10-04T08:00:00+11:00'),
    );
    expect(windowAt('2026-10-04T07:59:00+11:00', zone)).toEqual(
      opensAt('2026-10-04T08:00:00+11:00'),
    );
    expect(windowAt('2026-10-04T08:00:00+11:00', zone)).toEqual(OPEN);
    expect(windowAt('2026-10-04T20:00:00+11:00', zone)).toEqual(
      opensAt('2026-10-05T08:00:00+11:00'),
    );
    // Summer time ends 2026-04-05 at 02:00 (+11:00 → +10:30).
    expect(windowAt('2026-04-04T21:00:00+11:00', zone)).toEqual(
      opensAt('2026-04-05T08:00:00+10:30'),
    );
    expect(windowAt('2026-04-05T08:00:00+10:30', zone)).toEqual(OPEN);
    expect(windowAt('2026-04-05T19:59:00+10:30', zone)).toEqual(OPEN);
  });
});

describe('narrowWindow', () => {
  it('accepts the full day and anything inside it', () => {
    expect(narrowWindow({ startHour: 8, endHour: 20 })).toEqual({ ok: true, window: SEND_HOURS });
    expect(narrowWindow({ startHour: 9, endHour: 17 })).toEqual({
      ok: true,
      window: { startHour: 9, endHour: 17 },
    });
    expect(narrowWindow({ startHour: 19, endHour: 20 })).toMatchObject({ ok: true });
  });

  it('refuses widening either end', () => {
    expect(narrowWindow({ startHour: 7, endHour: 20 })).toEqual({
      ok: false,
      code: 'invalid_send_hours',
      message:
        "Messages may not start before 08:00 on the candidate's clock; 07:00 would widen the sending hours",
    });
    expect(narrowWindow({ startHour: 8, endHour: 21 })).toEqual({
      ok: false,
      code: 'invalid_send_hours',
      message:
        "Messages must stop by 20:00 on the candidate's clock; 21:00 would widen the sending hours",
    });
    expect(narrowWindow({ startHour: 0, endHour: 24 })).toMatchObject({
      code: 'invalid_send_hours',
    });
  });

  it('refuses an empty or backwards day and fractional hours', () => {
    expect(narrowWindow({ startHour: 12, endHour: 12 })).toEqual({
      ok: false,
      code: 'invalid_send_hours',
      message: 'The start (12:00) must be before the end (12:00), or no message could ever go',
    });
    expect(narrowWindow({ startHour: 18, endHour: 9 })).toMatchObject({
      code: 'invalid_send_hours',
    });
    expect(narrowWindow({ startHour: 8.5, endHour: 20 })).toMatchObject({
      code: 'invalid_send_hours',
      message: 'Sending hours are whole hours, such as 9 for 09:00',
    });
    expect(narrowWindow({ startHour: Number.NaN, endHour: 20 })).toMatchObject({ ok: false });
  });
});
