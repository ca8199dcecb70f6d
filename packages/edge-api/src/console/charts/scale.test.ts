import { describe, expect, it } from 'vitest';
import { axis, daysBetween, logAxis, niceStep, shortDate } from './scale.js';

describe('chart scales', () => {
  it('picks round tick steps', () => {
    expect(niceStep(18)).toBe(5);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(0)).toBe(1);
    expect(niceStep(1200)).toBe(500);
  });

  it('tops the axis at a tick at or above the largest value', () => {
    expect(axis(18)).toEqual({ top: 20, ticks: [0, 5, 10, 15, 20] });
    expect(axis(0).top).toBe(1);
  });

  it('puts 0, 1, 10, 100… one step apart on a log axis, so a spike does not flatten the rest', () => {
    const log = logAxis(1500);
    expect(log.ticks).toEqual([0, 1, 10, 100, 1000, 10000]);
    expect(log.top).toBe(10000);
    expect(log.share(0)).toBe(0);
    expect(log.share(1)).toBeCloseTo(1 / 5);
    expect(log.share(10)).toBeCloseTo(2 / 5);
    expect(log.share(1000)).toBeCloseTo(4 / 5);
    // Linear, 3 next to 1500 is 0.2 % of the height; on the log axis it is over a third of it.
    expect(log.share(3) / log.share(1500)).toBeGreaterThan(0.35);
    expect(logAxis(0).ticks).toEqual([0, 1, 10]);
    expect(logAxis(100).ticks).toEqual([0, 1, 10, 100]);
  });

  it('lists every day between two dates, both included', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });

  it('names days the short way', () => {
    expect(shortDate('2026-11-05')).toBe('5 Nov');
  });
});
