import { describe, expect, it } from 'vitest';
import { axis, daysBetween, niceStep, shortDate } from './scale.js';

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
