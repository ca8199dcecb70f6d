// Distinct, valid engagements and the requests that carry them, generated from a seed: tracker
// beacons to `/v1/collect` (page visits and form submits) and API batches to `/v1/engagements`.
// Every event has a detail no other event has (its own page or subject), so no window dedupe can
// merge two of them: the database must end with exactly one row per event, however often each
// request is sent.
import { ENGAGEMENT_TYPES, type EngagementType } from '@cxm/scoring';
import { rng } from './rng.js';
import { BROWSER_UA, KEYS, SITE_KEY, SITE_ORIGIN } from './site.js';

export interface Planned {
  /** `collect` or `engagements`. */
  kind: 'collect' | 'engagements';
  /** The details of the events it carries, one each, all distinct across the run. */
  details: string[];
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface TrafficOptions {
  /** Distinct events in all. */
  events: number;
  /** Seed of the generator: the same seed makes the same traffic. */
  seed: number;
  /** Events per request at most (1 makes every reply count exactly one event). */
  maxPerRequest: number;
  /** Tracker visitors; the first `linkedVisitors` are linked to candidates before the load. */
  visitors: number;
  candidates: number;
}

export const visitorId = (n: number) => `rel-visitor-${String(n).padStart(6, '0')}`;
export const candidateId = (n: number) => `rel-cand-${n}`;

/** Requests carrying `options.events` distinct events, half from the tracker, half from the API. */
export function plan(options: TrafficOptions): Planned[] {
  const random = rng(options.seed).next;
  const pick = (n: number) => Math.floor(random() * n);
  const now = Date.now();
  const requests: Planned[] = [];
  let made = 0;
  while (made < options.events) {
    const count = Math.min(options.events - made, 1 + pick(options.maxPerRequest));
    const first = made;
    made += count;
    const at = () => now - pick(10 * 24 * 60) * 60_000;
    if (random() < 0.5) {
      const visitor = visitorId(pick(options.visitors));
      const events = Array.from({ length: count }, (_, i) => {
        const n = first + i;
        const form = random() < 0.25;
        const url = `${SITE_ORIGIN}/jobs/${n}${form ? '/apply' : ''}`;
        const id = `ev-${options.seed}-${String(n).padStart(7, '0')}`;
        return form
          ? { id, type: 'submit_form', url, form: 'apply', at: at() }
          : { id, type: 'visit_landing_page', url, at: at() };
      });
      requests.push({
        kind: 'collect',
        // A form submit's detail is its page and the form's name, as the collector stores it.
        details: events.map((event) =>
          event.type === 'submit_form' ? `${event.url} form:apply` : event.url,
        ),
        path: '/v1/collect',
        headers: { 'content-type': 'text/plain', origin: SITE_ORIGIN, 'user-agent': BROWSER_UA },
        body: JSON.stringify({
          v: 1,
          site: SITE_KEY,
          visitor: { id: visitor, kind: 'fingerprint', version: '5' },
          events,
        }),
      });
    } else {
      const engagements = Array.from({ length: count }, (_, i) => {
        const n = first + i;
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
        details: engagements.map((item) => item.detail),
        path: '/v1/engagements',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.user}` },
        body: JSON.stringify({ engagements }),
      });
    }
  }
  return requests;
}

/** Each request 1 to 3 times, in an order that puts some copies side by side and some far apart. */
export function schedule(requests: readonly Planned[], seed: number): Planned[] {
  const random = rng(seed ^ 0x5bd1e995).next;
  const sends: Planned[] = [];
  for (const request of requests) {
    const copies = 1 + Math.floor(random() * 3);
    for (let i = 0; i < copies; i++) sends.push(request);
  }
  // Fisher-Yates over windows of 256: copies land anywhere from concurrently to ~256 sends apart,
  // and a few later windows repeat whole earlier requests too (below).
  for (let start = 0; start < sends.length; start += 256) {
    const end = Math.min(sends.length, start + 256);
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.floor(random() * (i - start + 1));
      [sends[i], sends[j]] = [sends[j] as Planned, sends[i] as Planned];
    }
  }
  return sends;
}
