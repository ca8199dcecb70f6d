import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from './model.js';
import { emptyState, foldEngagement, scoreState, settleTier } from './state.js';
import { tierFor, tierWithHysteresis } from './tier.js';

describe('tiers', () => {
  it('reaches a tier exactly at its threshold', () => {
    expect(tierFor(4.999, DEFAULT_MODEL)).toBe('inactive');
    expect(tierFor(5, DEFAULT_MODEL)).toBe('engaged');
    expect(tierFor(15, DEFAULT_MODEL)).toBe('highly_engaged');
  });

  it('keeps a stored tier until points fall 10 % below its threshold', () => {
    expect(tierWithHysteresis(4.6, 'engaged', DEFAULT_MODEL)).toBe('engaged');
    expect(tierWithHysteresis(4.49, 'engaged', DEFAULT_MODEL)).toBe('inactive');
    expect(tierWithHysteresis(14, 'highly_engaged', DEFAULT_MODEL)).toBe('highly_engaged');
    expect(tierWithHysteresis(13, 'highly_engaged', DEFAULT_MODEL)).toBe('engaged');
    expect(tierWithHysteresis(1, 'highly_engaged', DEFAULT_MODEL)).toBe('inactive');
  });

  it('rises at once', () => {
    expect(tierWithHysteresis(15, 'inactive', DEFAULT_MODEL)).toBe('highly_engaged');
  });

  it('does not flap for a candidate hovering at the threshold, and still decays to inactive', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const day = 86_400_000;
    let state = emptyState();
    const folded = foldEngagement(state, {
      type: 'register_event',
      detail: 'Fair',
      occurredAt: start,
    });
    if (!folded.ok) throw new Error('fold refused');
    state = settleTier(folded.state, start);
    expect(state.tier).toBe('engaged');
    // 6 points decay below 5 after ~7.9 days and below 4.5 after ~12.5 days.
    const tierOn = (d: number) => settleTier(state, start + d * day).tier;
    expect(scoreState(state, { now: start + 10 * day }).tier).toBe('inactive');
    expect(tierOn(10)).toBe('engaged');
    expect(tierOn(13)).toBe('inactive');
  });
});
