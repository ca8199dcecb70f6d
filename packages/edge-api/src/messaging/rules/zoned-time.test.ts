import { describe, expect, it } from 'vitest';
import { isValidZone, offsetAt, wallClock, zonedEpoch } from './zoned-time.js';

const at = Date.parse;
const HOUR = 3_600_000;

describe('isValidZone', () => {
  it('accepts IANA names Intl knows', () => {
    for (const zone of [
      'UTC',
      'Europe/London',
      'America/New_York',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
    ]) {
      expect([zone, isValidZone(zone)]).toEqual([zone, true]);
    }
  });

  it('refuses unknown names, empty strings and fixed offsets', () => {
    for (const zone of [
      '',
      'Mars/Olympus_Mons',
      'Europe/Londres',
      'GMT+25',
      '+01:00',
      '-05:00',
      ' ',
    ]) {
      expect([zone, isValidZone(zone)]).toEqual([zone, false]);
    }
  });
});

describe('wallClock and offsetAt', () => {
  it('read the local clock, midnight as 0', () => {
    expect(wallClock(at('2026-01-01T05:00:00Z'), 'America/New_York')).toEqual({
      year: 2026,
      month: 1,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
    });
    expect(offsetAt(at('2026-07-01T00:00:00Z'), 'Europe/London')).toBe(HOUR);
    expect(offsetAt(at('2026-01-01T00:00:00Z'), 'Europe/London')).toBe(0);
    expect(offsetAt(at('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(offsetAt(at('2026-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe(5.75 * HOUR);
  });
});

describe('zonedEpoch', () => {
  it('finds ordinary local times, with days that overflow into the next month', () => {
    expect(zonedEpoch({ year: 2026, month: 6, day: 15, hour: 8 }, 'Europe/London')).toBe(
      at('2026-06-15T07:00:00Z'),
    );
    expect(zonedEpoch({ year: 2026, month: 3, day: 32, hour: 8 }, 'Europe/London')).toBe(
      at('2026-04-01T07:00:00Z'),
    );
    expect(zonedEpoch({ year: 2026, month: 12, day: 32 }, 'UTC')).toBe(at('2027-01-01T00:00:00Z'));
  });

  it('takes the first of a time that happens twice (clocks going back)', () => {
    // 01:30 on 2026-11-01 in New York is first EDT (05:30Z), then EST (06:30Z).
    expect(
      zonedEpoch({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York'),
    ).toBe(at('2026-11-01T05:30:00Z'));
  });

  it('takes the instant the clock jumps past a time that never happens (clocks going forward)', () => {
    // 02:30 on 2026-03-08 in New York does not exist: 07:30Z shows 03:30 EDT.
    expect(
      zonedEpoch({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York'),
    ).toBe(at('2026-03-08T07:30:00Z'));
    // Chile moves from 24:00 to 01:00 on 2026-09-06: that day starts at 04:00Z, showing 01:00.
    const start = zonedEpoch({ year: 2026, month: 9, day: 6 }, 'America/Santiago');
    expect(start).toBe(at('2026-09-06T04:00:00Z'));
    expect(wallClock(start, 'America/Santiago')).toMatchObject({ day: 6, hour: 1, minute: 0 });
  });
});
