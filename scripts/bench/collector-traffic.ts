// What the collector benchmark sends: beacons shaped exactly as the tracker sends them (its wire
// types, so a change there breaks this at compile time) and engagement batches as an email service
// or events tool would post them. Everything is random but drawn from fixed pools, so each
// scenario knows what the reply must say (stored, or answered as a duplicate).
import type { EngagementsInput } from '@cxm/edge-api/client';
import type { BeaconEvent, BeaconPayload, BeaconVisitor } from '@cxm/tracker/wire';

export const SITE_KEY = 'pk_bench';
export const SITE_ID = 'site_bench';
export const SITE_ORIGIN = 'https://careers.bench.test';

/** A tracked site of the seed's `demo` organisation (tracking on), whose API keys we use. */
export const SITE_SQL = `
INSERT INTO sites (id, org_id, public_key, name, allowed_origins, tracking_enabled)
VALUES ('${SITE_ID}', 'demo', '${SITE_KEY}', 'Bench careers', '["${SITE_ORIGIN}"]', 1);
`;

/** A desktop Chrome: the collector drops beacons whose user agent looks like a bot's. */
export const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** The headers `fetch(url, { method: 'POST', body: string, keepalive: true })` sends. */
export const BEACON_HEADERS = {
  'content-type': 'text/plain;charset=UTF-8',
  origin: SITE_ORIGIN,
  'user-agent': BROWSER_UA,
  accept: '*/*',
  'accept-language': 'en-GB,en;q=0.9',
};

const randomInt = (below: number) => Math.floor(Math.random() * below);
const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)] as T;
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** The tracker's own event and fallback ids: 128 random bits as four decimals joined by `_`. */
export function trackerId(): string {
  return crypto.getRandomValues(new Uint32Array(4)).join('_');
}

/**
 * A visitor as the tracker (issue 14) sends it: its own stored id, and beside it the FingerprintJS
 * id of its device (32 hex characters) on 85% of them, the rest without (a session's first beacon
 * goes before FingerprintJS has run; some browsers block it). Each is a device of its own, so the
 * collector notes every fingerprint and none is shared or recognises anyone.
 */
export function newVisitor(): BeaconVisitor {
  const id = trackerId();
  if (Math.random() < 0.15) return { id, kind: 'stored' };
  const fp = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('');
  return {
    id,
    kind: 'stored',
    fp,
    version: '5.2.0',
    confidence: Math.round((0.4 + Math.random() * 0.6) * 10) / 10,
  };
}

const SLUGS = [
  'senior-backend-engineer-berlin',
  'product-designer-remote',
  'data-analyst-london',
  'nurse-practitioner-night-shift',
  'warehouse-associate-hamburg',
  'account-executive-dach',
];
const CAMPAIGNS = [
  '',
  '?utm_source=linkedin&utm_medium=social&utm_campaign=spring-hiring',
  '?utm_source=newsletter&utm_medium=email',
  '?gclid=Cj0KCQiA2eKtBhDcARIsAEGTG40',
];

/** A landing page as the tracker reports it (tracking parameters included; the API strips them). */
export function landingPage(): string {
  const roll = Math.random();
  if (roll < 0.15) return `${SITE_ORIGIN}/${pick(CAMPAIGNS)}`;
  if (roll < 0.3) return `${SITE_ORIGIN}/jobs?location=berlin&page=${1 + randomInt(4)}`;
  if (roll < 0.4) return `${SITE_ORIGIN}/teams/${pick(['engineering', 'care', 'logistics'])}`;
  return `${SITE_ORIGIN}/jobs/${1000 + randomInt(400)}-${pick(SLUGS)}${pick(CAMPAIGNS)}`;
}

export function beacon(visitor: BeaconVisitor, event: BeaconEvent): string {
  const payload: BeaconPayload = { v: 1, site: SITE_KEY, visitor, events: [event] };
  return JSON.stringify(payload);
}

export function visit(url: string): BeaconEvent {
  return { id: trackerId(), type: 'visit_landing_page', url, at: Date.now() };
}

export function formSubmit(url: string, form: string): BeaconEvent {
  return { id: trackerId(), type: 'submit_form', url, form, at: Date.now() };
}

/**
 * Returning visitors: each has landed on one page (its `home`) before the scenarios that reuse
 * it, so a reload of `home` within the 30-minute visit window is answered as a duplicate.
 */
export interface PoolVisitor {
  visitor: BeaconVisitor;
  home: string;
}

export function visitorPool(size: number): PoolVisitor[] {
  return Array.from({ length: size }, (_, i) => ({
    visitor: newVisitor(),
    home: `${SITE_ORIGIN}/jobs/${1000 + (i % 400)}-${pick(SLUGS)}${pick(CAMPAIGNS)}`,
  }));
}

/**
 * A page a returning visitor has not seen: job numbers from 5000 on, never a pool visitor's
 * home, and `round` (how often the pool has been gone through) makes each one new to the visitor.
 */
export function unseenPage(round: number): string {
  return `${SITE_ORIGIN}/jobs/${5000 + round}-${pick(SLUGS)}`;
}

/** The application form of a job; `round` as above, so no visitor submits the same one twice. */
export function applyPage(round: number): string {
  return `${SITE_ORIGIN}/jobs/${5000 + round}/apply`;
}

// Engagements from other systems. Weights follow what a recruiting team's tools send most:
// email opens and clicks, then events; visits and forms from systems other than the tracker.
const TYPES = [
  ['open_email', 40],
  ['click_email', 20],
  ['visit_landing_page', 10],
  ['submit_form', 5],
  ['register_event', 15],
  ['attend_event', 10],
] as const;
type EngagementItem = EngagementsInput['engagements'][number];
type EngagementType = EngagementItem['type'];
const TYPE_TOTAL = TYPES.reduce((sum, [, weight]) => sum + weight, 0);

function engagementType(): EngagementType {
  let roll = randomInt(TYPE_TOTAL);
  for (const [type, weight] of TYPES) {
    if (roll < weight) return type;
    roll -= weight;
  }
  return 'open_email';
}

const SUBJECTS = [
  'Your application for Senior Backend Engineer: next steps',
  'New roles in Berlin that match your profile',
  'You are invited: Spring hiring fair 2026',
  'Meet the care team: night-shift open day',
];
const EVENTS = ['Spring hiring fair 2026', 'Engineering open evening', 'Graduate webinar, May'];

function detail(type: EngagementType): string | undefined {
  switch (type) {
    case 'open_email':
    case 'click_email':
      return pick(SUBJECTS);
    case 'register_event':
    case 'attend_event':
      return pick(EVENTS);
    case 'visit_landing_page':
      return `${SITE_ORIGIN}/jobs/${1000 + randomInt(400)}-${pick(SLUGS)}`;
    case 'submit_form':
      return `${SITE_ORIGIN}/talent-network form:talent-network`;
  }
}

/**
 * Candidates: 64 slices of 256. Request `seq` draws its candidates from slice `seq % 64`, so the
 * requests in flight at one time (at most the concurrency, issued in order) almost never write
 * the same candidate's score: the figures are ingestion throughput, not optimistic-lock retries.
 */
export const CANDIDATE_SLICES = 64;
export const CANDIDATES_PER_SLICE = 256;

/**
 * Names a run's engagements: ids are `<tag>-<request, 7 digits>-<item, 3 digits>` with a tag of
 * fixed width (`e0050m`: 50 per request, measured; `w` for the warm-up), so the D1 check counts
 * each run's rows by `substr(event_key, 5, 6)` (the key is `api:<id>`).
 */
export function engagementTag(size: number, warmUp: boolean): string {
  return `e${pad(size, 4)}${warmUp ? 'w' : 'm'}`;
}

/** One request's batch: unique ids, happened in the last 20 minutes (a webhook's usual lag). */
export function engagementBatch(tag: string, seq: number, size: number): EngagementsInput {
  const slice = (seq % CANDIDATE_SLICES) * CANDIDATES_PER_SLICE;
  const now = Date.now();
  return {
    engagements: Array.from({ length: size }, (_, i): EngagementItem => {
      const type = engagementType();
      const item: EngagementItem = {
        id: `${tag}-${pad(seq, 7)}-${pad(i, 3)}`,
        candidateId: `cand-${pad(slice + randomInt(CANDIDATES_PER_SLICE), 5)}`,
        type,
        occurredAt: new Date(now - randomInt(20 * 60_000)).toISOString(),
      };
      const text = detail(type);
      if (text !== undefined) item.detail = text;
      // Apple Mail privacy protection and similar proxies open a share of emails themselves.
      if (type === 'open_email' && Math.random() < 0.1) item.machine = true;
      return item;
    }),
  };
}

/**
 * The load both collector benches put on the worker (collector.ts direct, collector-queued.ts
 * through the queue), so their figures compare: enough to keep the single-threaded local worker
 * busy. Not more: latency past saturation is only queueing, and 32 batches of 500 (16,000
 * engagements in flight) would each wait longer than a whole measuring window on a loaded 2-core
 * machine.
 */
export const CONNECTIONS = 8;
export const MEASURE_S = 8;
export const WARM_UP_S = 2;
/** Returning visitors; far more than the requests in flight, so none races with itself. */
export const POOL = 200;

export type Expect = 'stored' | 'duplicate';
export type Kind = 'new' | 'returning' | 'reload' | 'form';

/**
 * Per 20 beacons, roughly a career site's traffic: most are a first page view, a quarter a
 * returning visitor's new page, a quarter reloads or back-navigation within the visit window,
 * one a form.
 */
export const MIX: readonly Kind[] = [
  ...Array<Kind>(9).fill('new'),
  ...Array<Kind>(5).fill('returning'),
  ...Array<Kind>(5).fill('reload'),
  'form',
];
