import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from './model.js';
import { score } from './score.js';
import type { Engagement, ScoringModel } from './types.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW - days * DAY).toISOString();
const byType = (result: ReturnType<typeof score>) =>
  Object.fromEntries(result.breakdown.map((entry) => [entry.type, entry]));

describe('score: the README worked example', () => {
  const ada: Engagement[] = [
    { type: 'attend_event', detail: 'Spring hiring fair', occurredAt: daysAgo(7) },
    { type: 'open_email', detail: 'Join us at the Spring hiring fair', occurredAt: daysAgo(21) },
    { type: 'register_event', detail: 'Spring hiring fair', occurredAt: daysAgo(20) },
  ];

  it('gives Ada 12.90 points today: engaged', () => {
    const result = score(ada, { now: NOW });
    expect(result.tier).toBe('engaged');
    expect(result.points).toBeCloseTo(
      1 * 2 ** (-21 / 30) + 6 * 2 ** (-20 / 30) + 10 * 2 ** (-7 / 30),
      10,
    );
    expect(result.points.toFixed(2)).toBe('12.90');
    expect(byType(result).attend_event).toEqual({
      type: 'attend_event',
      points: 10 * 2 ** (-7 / 30),
      count: 1,
    });
    expect(result.asOf).toBe('2026-11-23T12:00:00.000Z');
    expect(result.lastEngagedAt).toBe(daysAgo(7));
  });

  it('lets Ada fall to inactive after 60 quiet days (3.23 points)', () => {
    const result = score(ada, { now: NOW + 60 * DAY });
    expect(result.tier).toBe('inactive');
    expect(result.points.toFixed(2)).toBe('3.23');
  });

  it('counts Ben, who opens the same newsletter five times a day for three days, three times', () => {
    const ben = Array.from({ length: 15 }, (_, i) => ({
      type: 'open_email' as const,
      detail: 'Our newsletter',
      occurredAt: NOW - Math.floor(i / 5) * DAY - i * 60_000,
    }));
    const result = score(ben, { now: NOW });
    expect(byType(result).open_email?.count).toBe(3);
    expect(result.tier).toBe('inactive');
  });
});

describe('score', () => {
  it('is inactive with zero points and no breakdown counts when there is nothing', () => {
    const result = score([], { now: NOW });
    expect(result).toMatchObject({ tier: 'inactive', points: 0, lastEngagedAt: null });
    expect(result.breakdown.map((entry) => entry.type)).toEqual([
      'open_email',
      'click_email',
      'visit_landing_page',
      'submit_form',
      'register_event',
      'attend_event',
      'click_message',
    ]);
    expect(result.breakdown.every((entry) => entry.points === 0 && entry.count === 0)).toBe(true);
  });

  it('weighs attending an event more than opening an email or visiting a page', () => {
    const at = daysAgo(1);
    const attend = score([{ type: 'attend_event', detail: 'Fair', occurredAt: at }], { now: NOW });
    const open = score([{ type: 'open_email', detail: 'Hi', occurredAt: at }], { now: NOW });
    const visit = score(
      [{ type: 'visit_landing_page', detail: 'https://x.test/', occurredAt: at }],
      { now: NOW },
    );
    expect(attend.points).toBeGreaterThan(open.points);
    expect(attend.points).toBeGreaterThan(visit.points);
  });

  it('halves an engagement after one half-life', () => {
    const result = score([{ type: 'attend_event', occurredAt: NOW - 30 * DAY }], { now: NOW });
    expect(result.points).toBeCloseTo(5, 12);
  });

  it('accepts Date, ISO string and epoch milliseconds alike', () => {
    const at = NOW - 3 * DAY;
    const forms = [new Date(at), new Date(at).toISOString(), at];
    const results = forms.map(
      (occurredAt) => score([{ type: 'click_email', occurredAt }], { now: new Date(NOW) }).points,
    );
    expect(new Set(results).size).toBe(1);
  });

  it('leaves out engagements after `now`', () => {
    const result = score([{ type: 'attend_event', occurredAt: NOW + 1 }], { now: NOW });
    expect(result.points).toBe(0);
  });

  it('caps each type per day: six different event attendances in a day count twice', () => {
    const engagements = Array.from({ length: 6 }, (_, i) => ({
      type: 'attend_event' as const,
      detail: `Event ${i}`,
      occurredAt: Date.parse('2026-11-20T08:00:00Z') + i * 3_600_000,
    }));
    const result = score(engagements, { now: NOW });
    expect(byType(result).attend_event?.count).toBe(2);
    // The two latest count, whatever the input order.
    const latestTwo = engagements
      .slice(4)
      .reduce((sum, e) => sum + 10 * 2 ** ((e.occurredAt - NOW) / (30 * DAY)), 0);
    expect(result.points).toBeCloseTo(latestTwo, 10);
  });

  it('counts machine opens as the model says', () => {
    const open: Engagement = { type: 'open_email', detail: 'Hi', occurredAt: NOW, machine: true };
    expect(score([open], { now: NOW }).points).toBe(0);
    const half: ScoringModel = { ...DEFAULT_MODEL, machineFactor: 0.5 };
    expect(score([open], { now: NOW, model: half }).points).toBeCloseTo(0.5, 12);
  });

  it('treats the same detail case- and space-insensitively', () => {
    const result = score(
      [
        { type: 'open_email', detail: 'Hello', occurredAt: NOW - 1000 },
        { type: 'open_email', detail: '  hello ', occurredAt: NOW },
      ],
      { now: NOW },
    );
    expect(byType(result).open_email?.count).toBe(1);
  });

  it('says which field is wrong for an unknown type, a bad date, a bad now or a bad model', () => {
    expect(() => score([{ type: 'tweet' as never, occurredAt: NOW }], { now: NOW })).toThrow(
      /engagements\[0\]\.type must be one of open_email, .*; got "tweet"/,
    );
    expect(() => score([{ type: 'open_email', occurredAt: 'yesterday' }], { now: NOW })).toThrow(
      /engagements\[0\]\.occurredAt must be a Date, an ISO 8601 string or epoch milliseconds; got "yesterday"/,
    );
    expect(() => score([], { now: Number.NaN })).toThrow(/^now must be/);
    expect(() => score([], { now: NOW, model: { ...DEFAULT_MODEL, halfLifeDays: -1 } })).toThrow(
      /invalid scoring model: halfLifeDays must be a number greater than 0/,
    );
  });
});
