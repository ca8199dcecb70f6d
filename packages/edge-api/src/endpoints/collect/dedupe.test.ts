import { describe, expect, it } from 'vitest';
import { splitFresh } from './dedupe.js';

const MIN = 60_000;
const windows = { visitMs: 30 * MIN, formMs: 5 * MIN };
const view = (key: string, at: number, detail = '/a') => ({
  eventKey: key,
  type: 'visit_landing_page',
  detail,
  occurredAt: at,
});

describe('splitFresh', () => {
  it('counts views of one page within 30 minutes of a counted one once (sliding, anchored on counted)', () => {
    const { fresh, repeats } = splitFresh(
      [view('a', 0), view('b', 20 * MIN), view('c', 40 * MIN), view('d', 60 * MIN)],
      new Set(),
      [],
      windows,
    );
    expect(fresh.map((event) => event.eventKey)).toEqual(['a', 'c']);
    expect(repeats).toBe(2);
  });

  it('drops ids already stored and repeats of stored events', () => {
    const { fresh } = splitFresh(
      [view('a', 0), view('b', 100 * MIN), view('c', 200 * MIN, '/b')],
      new Set(['a']),
      [{ type: 'visit_landing_page', detail: '/a', occurredAt: 90 * MIN }],
      windows,
    );
    expect(fresh.map((event) => event.eventKey)).toEqual(['c']);
  });
});
