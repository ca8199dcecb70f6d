import { DEFAULT_MODEL, emptyState, type ScoreState } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import { MAX_STORED_SUM, modelFrom, nextScoreRow } from './score-row.js';

const NOW = Date.UTC(2026, 10, 20);

function rowFor(state: ScoreState) {
  return nextScoreRow({
    orgId: 'org',
    candidateId: 'cand',
    previous: null,
    state,
    engagementCount: 1,
    model: DEFAULT_MODEL,
    now: NOW,
  });
}

describe('nextScoreRow: never a non-finite number in a row', () => {
  it('keeps the sort key finite when the sums add up past the largest double', () => {
    const state: ScoreState = {
      ...emptyState(),
      ref: NOW,
      window: 1,
      lastEngagedAt: NOW,
      sums: Array.from({ length: 6 }, () => Number.MAX_VALUE),
      counts: [1, 1, 1, 1, 1, 1],
    };
    const row = rowFor(state);
    expect(Number.isFinite(row.sortKey)).toBe(true);
    const stored = JSON.parse(row.state) as ScoreState;
    for (const sum of stored.sums) {
      expect(Number.isFinite(sum)).toBe(true);
      expect(sum).toBeLessThanOrEqual(MAX_STORED_SUM);
    }
  });

  it('stores finite sums and contributions instead of Infinity or NaN (which JSON makes null)', () => {
    const state: ScoreState = {
      ...emptyState(),
      ref: NOW,
      window: 1,
      lastEngagedAt: NOW,
      sums: [Number.POSITIVE_INFINITY, Number.NaN, 1, 0, 0, 0],
      counts: [1, 1, 1, 0, 0, 0],
      kept: [[0, 7, Number.POSITIVE_INFINITY]],
    };
    const row = rowFor(state);
    expect(row.sortKey === null || Number.isFinite(row.sortKey)).toBe(true);
    const stored = JSON.parse(row.state) as ScoreState;
    expect(stored.sums.every((sum) => typeof sum === 'number' && Number.isFinite(sum))).toBe(true);
    expect(stored.kept.every(([, , value]) => Number.isFinite(value))).toBe(true);
    expect(stored.sums[1]).toBe(0);
  });

  it('leaves ordinary rows as they were', () => {
    const row = rowFor(emptyState());
    expect(row.sortKey).toBeNull();
    expect(JSON.parse(row.state)).toMatchObject({ sums: [0, 0, 0, 0, 0, 0, 0] });
  });
});

describe('modelFrom: a stored model', () => {
  it('from before click_message keeps its own values and takes the new type at its default', () => {
    const custom = structuredClone(DEFAULT_MODEL) as {
      weights: Record<string, number>;
      window: { caps: Record<string, number> };
      halfLifeDays: number;
    };
    custom.weights.attend_event = 20;
    custom.halfLifeDays = 14;
    delete custom.weights.click_message;
    delete custom.window.caps.click_message;
    const model = modelFrom(JSON.stringify(custom));
    expect(model.weights.attend_event).toBe(20);
    expect(model.halfLifeDays).toBe(14);
    expect(model.weights.click_message).toBe(DEFAULT_MODEL.weights.click_message);
    expect(model.window.caps.click_message).toBe(DEFAULT_MODEL.window.caps.click_message);
  });

  it('that is broken falls back to the default rather than stopping ingestion', () => {
    expect(modelFrom('{"weights": 1')).toBe(DEFAULT_MODEL);
    expect(modelFrom(JSON.stringify({ ...DEFAULT_MODEL, halfLifeDays: -1 }))).toBe(DEFAULT_MODEL);
  });
});
