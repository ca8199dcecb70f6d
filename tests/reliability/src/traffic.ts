// Distinct, valid engagements and the requests that carry them, generated from a seed: tracker
// beacons to `/v1/collect` (page visits and form submits) and API batches to `/v1/engagements`.
//
// Tracker beacons come from a population of browser profiles (`population`), as the tracker of
// issue 14 sees them: a profile's `visitor.id` is its own stored random id (`kind: 'stored'`) and
// the FingerprintJS id goes beside it as `visitor.fp`. Most profiles are alone on their device;
// shared-device groups are several profiles of one browser build on one machine (people sharing a
// computer), so they all send the same `fp`, each with its own id and each linked to a different
// candidate (one may stay anonymous). Some beacons are old-style, from a tracker cached before
// the change: `kind: 'fingerprint'` with the fingerprint as the id (the server sees one visitor
// per device for those), both from single devices and from shared ones.
//
// Every event has an owner computed from the plan: the candidate its visitor was linked to before
// the load (null while anonymous) and that visitor. One exception the plan cannot time: an
// anonymous profile of a shared device may be recognised by the device's fingerprint while that
// still looks unambiguous (before a second identified profile of the device shows up), and its
// events of that moment stored for the candidate the fingerprint pointed at, marked
// `fingerprint` (the collector's documented rule): `recognisable` lists those candidates. No event may be a window repeat of another of
// the same visitor (each has its own page, or its own moment's page), so the database must end
// with exactly one row per event on its owner, however often each request is sent. Shared-device
// "moments" put several profiles of one device on the same page within two minutes, well inside
// the dedupe windows: each of those views is its own person's and must count for that person.
import { ENGAGEMENT_TYPES, type EngagementType } from '@cxm/scoring';
import { rng } from './rng.js';
import { BROWSER_UA, KEYS, SITE_KEY, SITE_ORIGIN } from './site.js';

/** How an event reached the worker, to group failures by. */
export type Source =
  /** An API batch. */
  | 'api'
  /** A profile alone on its device, stored id (fp beside it, or not yet). */
  | 'single'
  /** An old-style beacon of a device alone: the fingerprint as the id. */
  | 'old-style'
  /** A linked or anonymous profile of a shared device, on a page of its own. */
  | 'shared-device'
  /** A profile of a shared device on the page another profile of it viewed within two minutes. */
  | 'shared-moment'
  /** An old-style beacon from a shared device (the fingerprint every profile of it sends as fp). */
  | 'shared-old-style';

/** One distinct event and where it must end up. */
export interface Expected {
  /** The key the worker stores it under, unique per organisation (README: dedupe rule 1). */
  key: string;
  /** Its detail as stored: the page, or `<page> form:<name>`, or the API item's detail. */
  detail: string;
  /** The candidate (external id) its row must carry; null: anonymous. */
  candidate: string | null;
  /** The visitor (tracker `visitor.id`) its row must carry; null for API events. */
  visitor: string | null;
  source: Source;
  /**
   * For an anonymous profile of a shared device: the candidates a fingerprint recognition may
   * have stored it for instead (attribution `fingerprint`), the device's linked profiles'.
   */
  recognisable?: readonly string[];
}

export interface Planned {
  /** `collect` or `engagements`. */
  kind: 'collect' | 'engagements';
  /** The events it carries, all distinct across the run. */
  events: Expected[];
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A browser profile as its beacons show it. */
export interface Profile {
  /** The beacon's `visitor.id`. */
  id: string;
  /** `stored`: the profile's own id; `fingerprint`: an older cached tracker's (id = fp). */
  kind: 'stored' | 'fingerprint';
  /** The device's FingerprintJS id (for kind `fingerprint`, the id itself). */
  fp: string;
  /** The candidate (external id) it is linked to before the load; null: it stays anonymous. */
  candidate: string | null;
  /** Its shared-device group, or null when it is alone on its device. */
  group: number | null;
}

export interface Population {
  profiles: Profile[];
  /** Shared-device groups: every profile (stored or old-style) sending one device's fp. */
  groups: Profile[][];
}

export interface PopulationOptions {
  seed: number;
  /** Profiles alone on their device with a stored id. */
  singles: number;
  /** Devices alone that still run an old tracker: the fingerprint as the id. */
  oldStyle: number;
  /** Share of the single profiles (stored and old-style) linked to a candidate before the load. */
  linkedShare: number;
  /**
   * Shared devices, each with 2 to 4 profiles linked to as many different candidates, and on half
   * of them an anonymous profile too and, independently, an old cached tracker (old-style).
   */
  sharedDevices: number;
  /** Candidates to link to, `candidateId(0 … candidates - 1)`, each to one profile at most. */
  candidates: number;
}

/**
 * The load test's traffic: about 2,000 profiles, as before shared devices (1,200 alone with a
 * stored id and 300 devices alone on an old tracker, a quarter of both linked; 120 shared devices
 * of 2-4 linked profiles, about 360 candidates, half with an anonymous profile too and half with
 * an old tracker), API batches over 1,000 candidates, seed 7.
 */
export const LOAD = {
  seed: 7,
  candidates: 1_000,
  population: {
    seed: 7,
    singles: 1_200,
    oldStyle: 300,
    linkedShare: 0.25,
    sharedDevices: 120,
    candidates: 1_000,
  },
} as const satisfies { seed: number; candidates: number; population: PopulationOptions };

export const visitorId = (n: number) => `rel-visitor-${String(n).padStart(6, '0')}`;
export const candidateId = (n: number) => `rel-cand-${n}`;
const deviceFp = (n: number) => `relfp-device-${String(n).padStart(6, '0')}`;
const sharedFp = (n: number) => `relfp-shared-${String(n).padStart(6, '0')}`;

/** The profiles the tracker traffic comes from, and the links made before the load. */
export function population(options: PopulationOptions): Population {
  const random = rng(options.seed ^ 0x1b873593).next;
  const profiles: Profile[] = [];
  const groups: Profile[][] = [];
  let linked = 0;
  const link = () => {
    if (linked >= options.candidates) {
      throw new Error(`more links than the ${options.candidates} candidates: some would share one`);
    }
    return candidateId(linked++);
  };
  let visitors = 0;
  for (let n = 0; n < options.singles; n++) {
    profiles.push({
      id: visitorId(visitors++),
      kind: 'stored',
      fp: deviceFp(n),
      candidate: random() < options.linkedShare ? link() : null,
      group: null,
    });
  }
  for (let n = 0; n < options.oldStyle; n++) {
    const fp = deviceFp(options.singles + n);
    profiles.push({
      id: fp,
      kind: 'fingerprint',
      fp,
      candidate: random() < options.linkedShare ? link() : null,
      group: null,
    });
  }
  for (let g = 0; g < options.sharedDevices; g++) {
    const fp = sharedFp(g);
    const members: Profile[] = [];
    const linkedMembers = 2 + Math.floor(random() * 3);
    for (let i = 0; i < linkedMembers; i++) {
      members.push({ id: visitorId(visitors++), kind: 'stored', fp, candidate: link(), group: g });
    }
    if (random() < 0.5) {
      members.push({ id: visitorId(visitors++), kind: 'stored', fp, candidate: null, group: g });
    }
    // An old tracker on this device sends the fingerprint as the id: to the server one anonymous
    // visitor whose id is every other profile's fp. Never linked: that would merge the people.
    if (random() < 0.5) {
      members.push({ id: fp, kind: 'fingerprint', fp, candidate: null, group: g });
    }
    groups.push(members);
    profiles.push(...members);
  }
  return { profiles, groups };
}

export interface TrafficOptions {
  /** Distinct events in all. */
  events: number;
  /** Seed of the generator: the same seed makes the same traffic. */
  seed: number;
  /** Events per request at most (1 makes every reply count exactly one event). */
  maxPerRequest: number;
  /** Where beacons come from. */
  population: Population;
  /** Candidates the API batches name, `candidateId(0 … candidates - 1)`. */
  candidates: number;
  /** Share of tracker steps that are shared-device moments (needs groups; default 0.2). */
  momentShare?: number;
}

type BeaconEvent =
  | { id: string; type: 'visit_landing_page'; url: string; at: number }
  | { id: string; type: 'submit_form'; url: string; form: string; at: number };

/** Share of a stored profile's beacons that carry `fp` (the first ones of a session may not). */
const FP_SHARE = 0.85;
/** Profiles of one device on the same page within this long of each other, in a moment. */
const MOMENT_SPREAD_MS = 120_000;

/**
 * Requests carrying `options.events` distinct events: half API batches, half tracker beacons, of
 * which `momentShare` of the steps are shared-device moments (one beacon per profile taking part,
 * adjacent in the plan so they are sent at nearly the same time).
 */
export function plan(options: TrafficOptions): Planned[] {
  const random = rng(options.seed).next;
  const pick = (n: number) => Math.floor(random() * n);
  const { profiles, groups } = options.population;
  const momentShare = groups.length > 0 ? (options.momentShare ?? 0.2) : 0;
  const now = Date.now();
  const at = () => now - pick(10 * 24 * 60) * 60_000;
  const requests: Planned[] = [];
  let made = 0;
  const nextEvent = () => made++;

  /** A unique event of `profile`: its own page (a visit, or a form submit on it). */
  const ownEvent = (n: number) => {
    const form = random() < 0.25;
    return visitOrForm(n, `${SITE_ORIGIN}/jobs/${n}${form ? '/apply' : ''}`, form, at());
  };
  const visitOrForm = (n: number, url: string, form: boolean, time: number): BeaconEvent => {
    const id = `ev-${options.seed}-${String(n).padStart(7, '0')}`;
    return form
      ? { id, type: 'submit_form', url, form: 'apply', at: time }
      : { id, type: 'visit_landing_page', url, at: time };
  };
  const beacon = (profile: Profile, events: BeaconEvent[], shared: BeaconEvent | null) => {
    const sourceOf = (event: BeaconEvent): Source =>
      event === shared
        ? 'shared-moment'
        : profile.group === null
          ? profile.kind === 'stored'
            ? 'single'
            : 'old-style'
          : profile.kind === 'stored'
            ? 'shared-device'
            : 'shared-old-style';
    const visitor =
      profile.kind === 'fingerprint'
        ? { id: profile.id, kind: 'fingerprint', version: '4.6.2', confidence: 0.5 }
        : random() < FP_SHARE
          ? { id: profile.id, kind: 'stored', fp: profile.fp, version: '5.2.0', confidence: 0.4 }
          : { id: profile.id, kind: 'stored' };
    const recognisable =
      profile.group !== null && profile.kind === 'stored' && profile.candidate === null
        ? { recognisable: candidatesOf(groups[profile.group] ?? []) }
        : {};
    requests.push({
      kind: 'collect',
      events: events.map((event) => ({
        key: `trk:${profile.id}:${event.id}`,
        // A form submit's detail is its page and the form's name, as the collector stores it.
        detail: event.type === 'submit_form' ? `${event.url} form:${event.form}` : event.url,
        candidate: profile.candidate,
        visitor: profile.id,
        source: sourceOf(event),
        ...recognisable,
      })),
      path: '/v1/collect',
      headers: { 'content-type': 'text/plain', origin: SITE_ORIGIN, 'user-agent': BROWSER_UA },
      body: JSON.stringify({ v: 1, site: SITE_KEY, visitor, events }),
    });
  };

  while (made < options.events) {
    const remaining = options.events - made;
    const step = random();
    if (step < 0.5) {
      const count = Math.min(remaining, 1 + pick(options.maxPerRequest));
      const engagements = Array.from({ length: count }, () => {
        const n = nextEvent();
        const type = ENGAGEMENT_TYPES[pick(ENGAGEMENT_TYPES.length)] as EngagementType;
        return {
          id: `api-${options.seed}-${n}`,
          candidateId: candidateId(pick(options.candidates)),
          type,
          detail: `${type} #${n}`,
          occurredAt: new Date(at()).toISOString(),
        };
      });
      requests.push({
        kind: 'engagements',
        events: engagements.map((item) => ({
          key: `api:${item.id}`,
          detail: item.detail,
          candidate: item.candidateId,
          visitor: null,
          source: 'api',
        })),
        path: '/v1/engagements',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.user}` },
        body: JSON.stringify({ engagements }),
      });
    } else if (step < 0.5 + momentShare / 2 && remaining >= 2) {
      // A shared-device moment: 2 or more profiles of one device (in random order) on one page,
      // or submitting one form, within two minutes; each beacon may carry events of its own too.
      const group = groups[pick(groups.length)] as Profile[];
      const taking = shuffle(group, random).slice(
        0,
        Math.min(remaining, 2 + pick(group.length - 1)),
      );
      const form = random() < 0.25;
      const page = `${SITE_ORIGIN}/jobs/${made}${form ? '/apply' : ''}`;
      const start = at() - MOMENT_SPREAD_MS;
      for (const [i, profile] of taking.entries()) {
        const shared = visitOrForm(nextEvent(), page, form, start + pick(MOMENT_SPREAD_MS));
        // Leave one event for each profile still to take part.
        const room = options.events - made - (taking.length - 1 - i);
        const extra = Math.min(room, pick(options.maxPerRequest));
        const own = Array.from({ length: extra }, () => ownEvent(nextEvent()));
        const events = shuffle([...own, shared], random);
        beacon(profile, events, shared);
      }
    } else {
      const count = Math.min(remaining, 1 + pick(options.maxPerRequest));
      const profile = profiles[pick(profiles.length)] as Profile;
      beacon(
        profile,
        Array.from({ length: count }, () => ownEvent(nextEvent())),
        null,
      );
    }
  }
  return requests;
}

/** A copy of `list` in random order (Fisher-Yates). */
function shuffle<T>(list: readonly T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Each request 1 to 3 times, in an order that puts some copies side by side and some far apart. */
export function schedule(requests: readonly Planned[], seed: number): Planned[] {
  const random = rng(seed ^ 0x5bd1e995).next;
  const sends: Planned[] = [];
  for (const request of requests) {
    const copies = 1 + Math.floor(random() * 3);
    for (let i = 0; i < copies; i++) sends.push(request);
  }
  // Fisher-Yates over windows of 256: copies (and the beacons of one shared-device moment, adjacent
  // in the plan) land anywhere from concurrently to ~256 sends apart.
  for (let start = 0; start < sends.length; start += 256) {
    const end = Math.min(sends.length, start + 256);
    sends.splice(start, end - start, ...shuffle(sends.slice(start, end), random));
  }
  return sends;
}

/** The candidates a shared device's profiles are linked to. */
function candidatesOf(group: readonly Profile[]): string[] {
  return group.flatMap((profile) => (profile.candidate === null ? [] : [profile.candidate]));
}
