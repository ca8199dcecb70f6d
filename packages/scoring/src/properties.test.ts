// Properties the edge API and recruiters rely on, checked over random histories.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from './model.js';
import { score } from './score.js';
import { sortKey, tierKeyRange } from './sort-key.js';
import {
  emptyState,
  foldEngagement,
  type ScoreState,
  scoreState,
  stateFromEngagements,
} from './state.js';
import { ENGAGEMENT_TYPES, type Engagement, type ScoringModel } from './types.js';

const START = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const SPAN = 200 * DAY;

const engagementArb: fc.Arbitrary<Engagement> = fc.record({
  type: fc.constantFrom(...ENGAGEMENT_TYPES),
  detail: fc.option(
    fc.constantFrom(
      'Spring fair',
      'Newsletter',
      'https://jobs.test/a',
      'https://jobs.test/b',
      'Signup',
    ),
    {
      nil: undefined,
    },
  ),
  // Half the histories are dense (three days), so repeats and caps within a window happen.
  occurredAt: fc.oneof(
    fc.integer({ min: START, max: START + SPAN }),
    fc.integer({ min: START + SPAN - 3 * DAY, max: START + SPAN }),
  ),
  machine: fc.boolean(),
});
const historyArb = fc.array(engagementArb, { maxLength: 60 });
/** A history plus one more engagement: random, or a near repeat of one already there (same type and detail, hours apart, maybe a machine), where the guards decide. */
const historyWithExtraArb = historyArb.chain((history) =>
  fc.tuple(
    fc.constant(history),
    history.length === 0
      ? engagementArb
      : fc.oneof(
          engagementArb,
          fc
            .tuple(
              fc.constantFrom(...history),
              fc.integer({ min: -6 * 3_600_000, max: 6 * 3_600_000 }),
              fc.boolean(),
            )
            .map(
              ([e, shift, machine]): Engagement => ({
                ...e,
                occurredAt: (e.occurredAt as number) + shift,
                machine,
              }),
            ),
        ),
  ),
);
const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const at = (e: Engagement) => e.occurredAt as number;

/** Folds in arrival order; where the state refuses a late engagement, rebuilds as the API does. */
function foldAll(arrivals: Engagement[], model: ScoringModel): ScoreState {
  let state = emptyState();
  const seen: Engagement[] = [];
  for (const engagement of arrivals) {
    seen.push(engagement);
    const result = foldEngagement(state, engagement, model);
    state = result.ok ? result.state : stateFromEngagements(seen, model);
  }
  return state;
}

/** A second model that makes every guard bite: half-weight machine opens, caps of 1, 3-day windows. */
const STRICT_MODEL: ScoringModel = {
  ...DEFAULT_MODEL,
  machineFactor: 0.5,
  window: {
    hours: 72,
    caps: {
      open_email: 1,
      click_email: 1,
      visit_landing_page: 2,
      submit_form: 1,
      register_event: 1,
      attend_event: 1,
      click_message: 1,
    },
  },
};

describe.each([
  ['default model', DEFAULT_MODEL],
  ['strict model', STRICT_MODEL],
])('scoring properties (%s)', (_name, model) => {
  it('adding an engagement never lowers the score at that moment', () => {
    fc.assert(
      fc.property(historyWithExtraArb, ([history, extra]) => {
        const now = Math.max(at(extra), ...history.map(at));
        const before = score(history, { now, model }).points;
        const after = score([...history, extra], { now, model }).points;
        expect(after).toBeGreaterThanOrEqual(before - 1e-9 * Math.max(1, before));
      }),
    );
  });

  it('with no new activity every candidate reaches inactive', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: 1000 }), (history, extraDays) => {
        // 1000 half-lives are more than any history here can hold up against.
        const now = START + SPAN + (DEFAULT_MODEL.halfLifeDays * 12 + extraDays) * DAY;
        expect(score(history, { now, model }).tier).toBe('inactive');
      }),
    );
  });

  it('input order does not matter', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) =>
          fc.tuple(
            fc.constant(h),
            fc.shuffledSubarray(h, { minLength: h.length, maxLength: h.length }),
          ),
        ),
        ([history, shuffled]) => {
          const now = START + SPAN;
          const a = score(history, { now, model });
          const b = score(shuffled, { now, model });
          expect(close(a.points, b.points)).toBe(true);
          expect(b.tier).toBe(a.tier);
          expect(b.breakdown.map((x) => x.count)).toEqual(a.breakdown.map((x) => x.count));
        },
      ),
    );
  });

  it('incremental scoring equals batch scoring, in time order and in any arrival order', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.boolean(),
        fc.integer({ min: 0, max: 400 }),
        (history, sorted, laterDays) => {
          const arrivals = sorted ? [...history].sort((x, y) => at(x) - at(y)) : history;
          const state = foldAll(arrivals, model);
          const now = START + SPAN + laterDays * DAY;
          const incremental = scoreState(state, { now, model });
          const batch = score(history, { now, model });
          expect(close(incremental.points, batch.points)).toBe(true);
          expect(incremental.tier).toBe(batch.tier);
          expect(incremental.lastEngagedAt).toBe(batch.lastEngagedAt);
          incremental.breakdown.forEach((entry, i) => {
            expect(close(entry.points, batch.breakdown[i]!.points)).toBe(true);
            expect(entry.count).toBe(batch.breakdown[i]!.count);
          });
        },
      ),
    );
  });

  it('the sort-key range selects exactly the candidates whose score is in the tier, at any now', () => {
    fc.assert(
      fc.property(
        fc.array(historyArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 300 }),
        (histories, offsetDays) => {
          const now = START + SPAN + offsetDays * DAY;
          const candidates = histories.map((history) => {
            const state = stateFromEngagements(history, model);
            return { key: sortKey(state, model), result: score(history, { now, model }) };
          });
          for (const tier of ['inactive', 'engaged', 'highly_engaged'] as const) {
            const { min, max } = tierKeyRange(tier, now, model);
            for (const { key, result } of candidates) {
              // Skip scores within float noise of a threshold, where either answer is right.
              const { engaged, highlyEngaged } = model.thresholds;
              if ([engaged, highlyEngaged].some((t) => Math.abs(result.points - t) < 1e-9 * t))
                continue;
              const inRange =
                key === null
                  ? min === null
                  : (min === null || key >= min) && (max === null || key < max);
              expect(inRange).toBe(result.tier === tier);
            }
          }
        },
      ),
    );
  });
});
