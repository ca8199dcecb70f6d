// The load test's traffic and its checks, without a worker (a second): the plan holds what the load
// test exists for (shared devices whose people view the same page at nearly the same time, old
// cached trackers), holds nothing a correct collector may drop (no event is a window repeat of its
// own visitor's), gives every event one owner, and the comparison with the stored rows reports the
// failures it is there for: a collector that took the fingerprint for the person would fail it.
import { describe, expect, it } from 'vitest';
import { SIZE } from './size.js';
import { compare, type Row } from './stored.js';
import { type Expected, LOAD, type Planned, plan, population } from './traffic.js';

const PEOPLE = population(LOAD.population);
const REQUESTS = plan({
  events: SIZE.loadEvents,
  seed: LOAD.seed,
  maxPerRequest: 3,
  population: PEOPLE,
  candidates: LOAD.candidates,
});
const EVENTS = REQUESTS.flatMap((request) => request.events);

/** The org's default windows (README: dedupe rules 2 and 3); the plan keeps clear of both. */
const VISIT_WINDOW_MS = 30 * 60_000;
const FORM_WINDOW_MS = 5 * 60_000;

interface Sent extends Expected {
  at: number;
  type: string;
  /** The beacon's fingerprint: `visitor.fp`, or the id of an old-style beacon; null: none sent. */
  fp: string | null;
}

/** Every tracker event with what its beacon said. */
function sentEvents(requests: readonly Planned[]): Sent[] {
  return requests
    .filter((request) => request.kind === 'collect')
    .flatMap((request) => {
      const body = JSON.parse(request.body) as {
        visitor: { id: string; kind: string; fp?: string };
        events: { id: string; type: string; at: number }[];
      };
      const fp = body.visitor.kind === 'fingerprint' ? body.visitor.id : (body.visitor.fp ?? null);
      return request.events.map((event) => {
        const sent = body.events.find((item) => event.key === `trk:${body.visitor.id}:${item.id}`);
        if (!sent) throw new Error(`${event.key} is not in its beacon`);
        return { ...event, at: sent.at, type: sent.type, fp };
      });
    });
}

const SENT = sentEvents(REQUESTS);

describe('the load traffic', () => {
  it('has one key per event and exactly the planned number of events', () => {
    expect(EVENTS.length).toBe(SIZE.loadEvents);
    expect(new Set(EVENTS.map((event) => event.key)).size).toBe(SIZE.loadEvents);
  });

  it('links each linked profile to a candidate of its own, each shared device to 2 or more', () => {
    const linked = PEOPLE.profiles.filter((profile) => profile.candidate !== null);
    expect(new Set(linked.map((profile) => profile.candidate)).size).toBe(linked.length);
    expect(PEOPLE.groups.length).toBe(LOAD.population.sharedDevices);
    for (const group of PEOPLE.groups) {
      const people = group.filter((profile) => profile.kind === 'stored');
      expect(people.filter((profile) => profile.candidate !== null).length).toBeGreaterThanOrEqual(
        2,
      );
      expect(new Set(group.map((profile) => profile.fp)).size).toBe(1);
      expect(new Set(group.map((profile) => profile.id)).size).toBe(group.length);
      // An old tracker's visitor on a shared device is never linked: that would merge its people.
      for (const profile of group) {
        if (profile.kind === 'fingerprint') expect(profile.candidate).toBeNull();
      }
    }
    // Tracker events carry the owner of their profile, API events their own candidate.
    const owner = new Map(PEOPLE.profiles.map((profile) => [profile.id, profile.candidate]));
    for (const event of EVENTS) {
      if (event.visitor !== null) expect(event.candidate).toBe(owner.get(event.visitor));
    }
  });

  it('has no event its own visitor repeats within a dedupe window', () => {
    const byVisitorPage = new Map<string, Sent[]>();
    for (const event of SENT) {
      const key = `${event.visitor} ${event.detail}`;
      byVisitorPage.set(key, [...(byVisitorPage.get(key) ?? []), event]);
    }
    const repeats = [...byVisitorPage].filter(([, events]) =>
      events.some((a) =>
        events.some(
          (b) =>
            a !== b &&
            Math.abs(a.at - b.at) < (a.type === 'submit_form' ? FORM_WINDOW_MS : VISIT_WINDOW_MS),
        ),
      ),
    );
    expect(repeats.map(([key]) => key).slice(0, 10)).toEqual([]);
  });

  it('puts the people of one device on one page within two minutes, each with the same fp', () => {
    const moments = new Map<string, Sent[]>();
    for (const event of SENT) {
      if (event.source !== 'shared-moment') continue;
      moments.set(event.detail, [...(moments.get(event.detail) ?? []), event]);
    }
    let views = 0;
    let linkedPairs = 0;
    let withOldStyle = 0;
    let forms = 0;
    for (const [page, events] of moments) {
      expect(events.length, page).toBeGreaterThanOrEqual(2);
      expect(new Set(events.map((event) => event.visitor)).size, page).toBe(events.length);
      const times = events.map((event) => event.at);
      expect(Math.max(...times) - Math.min(...times), page).toBeLessThan(2 * 60_000);
      // One device: every fingerprint sent with the moment's beacons is the same one (a moment
      // whose beacons all went before FingerprintJS answered shows none).
      expect(new Set(events.flatMap((event) => event.fp ?? [])).size, page).toBeLessThanOrEqual(1);
      const candidates = events.flatMap((event) => event.candidate ?? []);
      expect(new Set(candidates).size, page).toBe(candidates.length);
      views += events.length;
      if (candidates.length >= 2) linkedPairs += 1;
      if (events.some((event) => event.visitor === event.fp)) withOldStyle += 1;
      if (events[0]?.type === 'submit_form') forms += 1;
    }
    console.log(
      `plan: ${moments.size} shared-device moments (${forms} on one form), ${views} views; ` +
        `${linkedPairs} with two or more candidates, ${withOldStyle} with an old tracker's beacon`,
    );
    // A real share of the load, with every kind of moment in it.
    expect(views).toBeGreaterThan(SIZE.loadEvents / 20);
    expect(linkedPairs).toBeGreaterThan(moments.size / 2);
    expect(withOldStyle).toBeGreaterThan(0);
    expect(forms).toBeGreaterThan(0);
    // Some stored beacons go before FingerprintJS answered (no fp), most with it.
    const stored = SENT.filter((event) => event.visitor !== event.fp);
    expect(stored.some((event) => event.fp === null)).toBe(true);
    expect(stored.filter((event) => event.fp !== null).length).toBeGreaterThan(stored.length / 2);
  });

  it('has old-style beacons from single devices and from shared ones', () => {
    const sources = new Set(EVENTS.map((event) => event.source));
    for (const source of [
      'api',
      'single',
      'old-style',
      'shared-device',
      'shared-moment',
      'shared-old-style',
    ] as const) {
      expect(sources.has(source), source).toBe(true);
    }
  });
});

describe('the load test checks', () => {
  const rowOf = (event: Expected): Row => ({
    key: event.key,
    detail: event.detail,
    candidate: event.candidate,
    visitor: event.visitor,
    attribution: event.candidate === null ? null : 'visitor',
  });

  it('pass the rows a correct collector stores', () => {
    const result = compare(EVENTS, EVENTS.map(rowOf));
    expect(result).toEqual({ missing: [], doubled: [], unexpected: [], misplaced: [] });
  });

  it('report a collector that takes the fingerprint for the person', () => {
    // Such a collector keys a shared device's events by its fp: one visitor per device, owned by
    // whoever the device was first linked to, and the same page within the window counted once.
    const firstOwner = new Map<string, string | null>();
    for (const group of PEOPLE.groups) {
      firstOwner.set(
        group[0]?.fp ?? '',
        group.find((p) => p.candidate !== null)?.candidate ?? null,
      );
    }
    const counted = new Map<string, Sent[]>();
    const rows: Row[] = [];
    for (const event of [...SENT].sort((a, b) => a.at - b.at)) {
      const device = event.fp !== null && firstOwner.has(event.fp) ? event.fp : null;
      if (device === null) {
        rows.push(rowOf(event));
        continue;
      }
      const seen = counted.get(`${device} ${event.detail}`) ?? [];
      if (seen.some((other) => Math.abs(other.at - event.at) < VISIT_WINDOW_MS)) continue;
      counted.set(`${device} ${event.detail}`, [...seen, event]);
      rows.push({ ...rowOf(event), visitor: device, candidate: firstOwner.get(device) ?? null });
    }
    rows.push(...EVENTS.filter((event) => event.visitor === null).map(rowOf));

    const result = compare(EVENTS, rows);
    const sources = (list: readonly { source: string }[]) => new Set(list.map((e) => e.source));
    // Views of one page by two people of one device: one of them dropped as the other's repeat.
    expect(sources(result.missing)).toEqual(new Set(['shared-moment']));
    // The rest on the device's first candidate and visitor, not on their own.
    expect(sources(result.misplaced).has('shared-device')).toBe(true);
    expect(sources(result.misplaced).has('shared-moment')).toBe(true);
    expect(result.misplaced[0]?.stored).toMatch(/ via relfp-shared-/);
  });

  it("accept an anonymous shared-device profile recognised as one of its device's candidates, and nothing else", () => {
    const anonymous = EVENTS.find((event) => (event.recognisable ?? []).length > 0);
    const single = EVENTS.find((event) => event.source === 'single' && event.candidate === null);
    if (!anonymous || !single) throw new Error('no anonymous profile of a shared device');
    const candidate = anonymous.recognisable![0]!;
    const recognised = { ...rowOf(anonymous), candidate, attribution: 'fingerprint' };
    // The same candidate without the recognition's mark, another device's candidate, or a profile
    // alone on its device "recognised": each one misplaced.
    const rows = EVENTS.map((event) =>
      event === anonymous
        ? recognised
        : event === single
          ? { ...rowOf(single), candidate, attribution: 'fingerprint' }
          : rowOf(event),
    );
    expect(compare(EVENTS, rows).misplaced.map((item) => item.key)).toEqual([single.key]);
    const unmarked = rows.map((row) =>
      row === recognised ? { ...row, attribution: 'visitor' } : row,
    );
    expect(
      compare(EVENTS, unmarked)
        .misplaced.map((item) => item.key)
        .sort(),
    ).toEqual([anonymous.key, single.key].sort());
    const elsewhere = rows.map((row) =>
      row === recognised ? { ...row, candidate: 'rel-cand-of-another-device' } : row,
    );
    expect(compare(EVENTS, elsewhere).misplaced.map((item) => item.key)).toContain(anonymous.key);
  });

  it('report events doubled, lost, unexpected or on another candidate', () => {
    const [first, second, third, fourth] = EVENTS.filter((event) => event.candidate !== null);
    if (!first || !second || !third || !fourth) throw new Error('too few linked events');
    const rows = EVENTS.filter((event) => event !== second).map(rowOf);
    rows.push(rowOf(first));
    rows.push({ ...rowOf(third), key: 'trk:someone:else' });
    const at = rows.findIndex((row) => row.key === fourth.key);
    rows[at] = { ...rowOf(fourth), candidate: 'rel-cand-somebody-else' };
    const result = compare(EVENTS, rows);
    expect(result.doubled).toEqual([first.key]);
    expect(result.missing).toEqual([second]);
    expect(result.unexpected.map((row) => row.key)).toEqual(['trk:someone:else']);
    expect(result.misplaced.map((item) => item.key)).toEqual([fourth.key]);
  });
});
