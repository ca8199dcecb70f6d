// The demo seed's story (scripts/demo-history.mjs): a year of history that fills the reports and
// filters without changing who is hot, warm or cold in the demo, and tags to filter by.
import { DEFAULT_MODEL, type Engagement, score, type Tier } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types.
import { demoEngagements, PEOPLE } from '../../../scripts/demo-history.mjs';

interface DemoEngagement extends Engagement {
  id: string;
  candidateId: string;
  occurredAt: string;
}

const people = PEOPLE as [string, string, string[]][];
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3, 6);
const all = demoEngagements(NOW) as DemoEngagement[];
const earlier = (item: DemoEngagement) => /-h\d+$/.test(item.id);

function tierOf(items: DemoEngagement[]): Tier {
  return score(items, { now: NOW, model: DEFAULT_MODEL }).tier;
}

describe('the demo history', () => {
  it('leaves every candidate in the tier the recent weeks give them', () => {
    const tiers: Record<string, Tier> = {};
    for (const [candidateId] of people) {
      const theirs = all.filter((item) => item.candidateId === candidateId);
      tiers[candidateId] = tierOf(theirs);
      expect(tiers[candidateId], candidateId).toBe(tierOf(theirs.filter((i) => !earlier(i))));
    }
    const count = (tier: Tier) => Object.values(tiers).filter((t) => t === tier).length;
    expect([count('highly_engaged'), count('engaged'), count('inactive')]).toEqual([7, 9, 4]);
    expect(tiers['ada-lovelace']).toBe('highly_engaged');
    expect(tiers['donald-knuth']).toBe('inactive');
  });

  it('covers twelve months for every candidate, with ids that do not depend on the day', () => {
    for (const [candidateId] of people) {
      const oldest = Math.min(
        ...all.filter((i) => i.candidateId === candidateId).map((i) => Date.parse(i.occurredAt)),
      );
      expect(NOW - oldest, candidateId).toBeGreaterThan(270 * DAY);
    }
    const months = new Set(all.map((item) => item.occurredAt.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(12);
    expect(Math.min(...all.map((i) => NOW - Date.parse(i.occurredAt)))).toBeGreaterThanOrEqual(0);
    const ids = all.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((demoEngagements(NOW + 40 * DAY) as DemoEngagement[]).map((i) => i.id)).toEqual(ids);
  });

  it('tags everyone so that tag filters (all of them, any of them) find several', () => {
    const withTag = (tag: string) => people.filter(([, , tags]) => tags.includes(tag)).length;
    for (const [, , tags] of people) expect(tags.length).toBeGreaterThanOrEqual(3);
    expect(withTag('backend')).toBeGreaterThan(5);
    expect(withTag('london')).toBeGreaterThan(3);
    expect(
      people.filter(([, , tags]) => tags.includes('backend') && tags.includes('java')).length,
    ).toBe(4);
  });
});
