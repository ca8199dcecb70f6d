import { describe, expect, it } from 'vitest';
import { emptyState, foldEngagement, type ScoreState, scoreState } from './state.js';
import type { Engagement } from './types.js';

const DAY = 24 * 60 * 60 * 1000;
const start = Date.UTC(2026, 10, 1, 12);

function foldAll(state: ScoreState, engagements: Engagement[]): ScoreState {
  let current = state;
  for (const engagement of engagements) {
    const result = foldEngagement(current, engagement);
    if (!result.ok) throw new Error('out of order');
    current = result.state;
  }
  return current;
}

describe('score states saved before a type existed', () => {
  const before: Engagement[] = [
    { type: 'attend_event', detail: 'Open day', occurredAt: start },
    { type: 'click_email', detail: 'Your application', occurredAt: start + DAY },
  ];
  const after: Engagement[] = [
    {
      type: 'click_message',
      detail: 'https://careers.example.com/jobs/1',
      occurredAt: start + 2 * DAY,
    },
  ];

  it('fold a new type exactly as a state that always had it', () => {
    const current = foldAll(emptyState(), before);
    // As stored before `click_message` was appended: six sums and six counts.
    const old: ScoreState = {
      ...current,
      sums: current.sums.slice(0, 6),
      counts: current.counts.slice(0, 6),
    };
    const now = start + 3 * DAY;
    const fromOld = scoreState(foldAll(old, after), { now });
    const fromNew = scoreState(foldAll(current, after), { now });
    expect(fromOld).toEqual(fromNew);
    const click = fromOld.breakdown.find((entry) => entry.type === 'click_message');
    expect(click?.count).toBe(1);
    expect(click?.points).toBeGreaterThan(0);
  });
});
