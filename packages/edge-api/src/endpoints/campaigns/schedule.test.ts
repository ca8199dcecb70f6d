import { describe, expect, it } from 'vitest';
import { localDate, runDue, sendInstant } from './schedule.js';

const at = (iso: string) => Date.parse(iso);
const NY = 'America/New_York';

describe('localDate', () => {
  it("is the organisation's calendar date, not UTC's", () => {
    expect(localDate(at('2026-03-04T23:30:00Z'), 'UTC')).toBe('2026-03-04');
    expect(localDate(at('2026-03-04T23:30:00Z'), 'Pacific/Auckland')).toBe('2026-03-05');
    expect(localDate(at('2026-03-05T03:30:00Z'), NY)).toBe('2026-03-04');
  });
});

describe('runDue', () => {
  it('is not due before the send time, and says when it will be', () => {
    expect(runDue(at('2026-03-04T13:59:59Z'), NY, '09:00', null)).toEqual({
      due: false,
      next: at('2026-03-04T14:00:00Z'),
    });
  });

  it('is due at the send time and any time after it that local day, until it has run', () => {
    for (const now of ['2026-03-04T14:00:00Z', '2026-03-04T20:00:00Z', '2026-03-05T04:59:59Z']) {
      expect(runDue(at(now), NY, '09:00', '2026-03-03'), now).toEqual({
        due: true,
        date: '2026-03-04',
        at: at('2026-03-04T14:00:00Z'),
      });
    }
  });

  it('is not due again the same local day once it ran, whatever the cron does; tomorrow it is', () => {
    expect(runDue(at('2026-03-04T22:00:00Z'), NY, '09:00', '2026-03-04')).toEqual({
      due: false,
      next: at('2026-03-05T14:00:00Z'),
    });
    // Local midnight has passed in New York: a new day, a new run (at 09:00).
    expect(runDue(at('2026-03-05T05:00:00Z'), NY, '09:00', '2026-03-04')).toEqual({
      due: false,
      next: at('2026-03-05T14:00:00Z'),
    });
  });

  it('runs a campaign that never ran as soon as its send time has passed', () => {
    expect(runDue(at('2026-03-04T15:00:00Z'), 'UTC', '09:30', null)).toMatchObject({
      due: true,
      date: '2026-03-04',
    });
  });

  it('crosses month and year ends', () => {
    expect(runDue(at('2026-01-31T12:00:00Z'), 'UTC', '09:00', '2026-01-31')).toEqual({
      due: false,
      next: at('2026-02-01T09:00:00Z'),
    });
    expect(runDue(at('2026-12-31T12:00:00Z'), 'UTC', '09:00', '2026-12-31')).toEqual({
      due: false,
      next: at('2027-01-01T09:00:00Z'),
    });
  });
});

describe('daylight-saving days', () => {
  it('keeps 09:00 local on both sides of a change: the days between runs are 23 and 25 hours', () => {
    // New York springs forward on 8 March 2026 and falls back on 1 November 2026.
    expect(sendInstant('2026-03-07', '09:00', NY)).toBe(at('2026-03-07T14:00:00Z'));
    expect(sendInstant('2026-03-08', '09:00', NY)).toBe(at('2026-03-08T13:00:00Z'));
    expect(sendInstant('2026-10-31', '09:00', NY)).toBe(at('2026-10-31T13:00:00Z'));
    expect(sendInstant('2026-11-01', '09:00', NY)).toBe(at('2026-11-01T14:00:00Z'));
  });

  it('runs a send time the clocks skip when they jump past it, and one they repeat the first time', () => {
    // 02:30 does not exist on 8 March in New York: the run goes at 03:30 EDT.
    expect(sendInstant('2026-03-08', '02:30', NY)).toBe(at('2026-03-08T07:30:00Z'));
    // 01:30 happens twice on 1 November: the first, EDT.
    expect(sendInstant('2026-11-01', '01:30', NY)).toBe(at('2026-11-01T05:30:00Z'));
    // The repeated hour does not make it due twice: the second 01:30 is the same local date.
    expect(runDue(at('2026-11-01T06:30:00Z'), NY, '01:30', '2026-11-01')).toMatchObject({
      due: false,
    });
  });

  it('uses the day after a change correctly for the next run', () => {
    expect(runDue(at('2026-03-08T20:00:00Z'), NY, '09:00', '2026-03-08')).toEqual({
      due: false,
      next: at('2026-03-09T13:00:00Z'),
    });
  });
});
