// Delivery to `POST {collector}/v1/collect`: small batches, `fetch` keepalive with a text body (no
// CORS preflight), `sendBeacon` where keepalive is missing, and bounded retries with backoff; a
// 429 waits at least the `Retry-After` the collector names.
import {
  type BeaconEvent,
  type BeaconPayload,
  type CollectReply,
  MAX_BEACON_BYTES,
  MAX_BEACON_EVENTS,
} from './wire.js';

export type Envelope = Omit<BeaconPayload, 'events'>;
/** What became of one post (numbers rather than names: this is the size-budgeted core). */
export const SENT = 0;
export const RETRY = 1;
export const DROP = 2;
/** Delivered, and the reply says the site's tracking is off. */
export const OFF = 3;
/**
 * Or, for a 429, the milliseconds its `Retry-After` asks to wait (at least 1000, so never one of
 * the above): a retry timed by the collector rather than by the backoff alone.
 */
export type Outcome = typeof SENT | typeof RETRY | typeof DROP | typeof OFF | number;
/** May return the outcome itself, and may throw: the transport treats a throw as a network error. */
export type Post = (url: string, body: string) => Outcome | Promise<Outcome>;

/** Events waiting for a retry, at most; the oldest go first when it overflows. */
export const MAX_QUEUED = 40;
/** Retry rounds in a row at most, 1 s, 2 s, 4 s, 8 s, 16 s apart; a delivery resets the count. */
export const MAX_RETRIES = 5;
export const FIRST_BACKOFF_MS = 1000;

/**
 * At most the UTF-8 length of the value's JSON: one UTF-16 unit is at most 3 bytes of UTF-8 (a
 * surrogate pair, 2 units, is 4; JSON escapes lone surrogates). Cheaper than encoding, and errs on
 * the safe side (ASCII bodies are cut at a third of the limit, still 5 KB: enough for 20 events
 * with ordinary URLs).
 */
const bytes = (value: unknown) => JSON.stringify(value).length * 3;

/**
 * Splits events into batches whose body has at most 20 events and 16 KB. Browsers share one 64 KB
 * budget across a page's in-flight keepalive requests, so several small bodies beat one big one.
 * One event always fits: URLs and tokens are cut at 2 KB before they get here.
 */
export function toBatches(envelope: Envelope, events: BeaconEvent[]): BeaconEvent[][] {
  const base = bytes({ ...envelope, events: [] });
  let batch: BeaconEvent[] = [];
  let size = base;
  const batches = [batch];
  for (const event of events) {
    const more = bytes(event) + 1; // and a comma
    if (batch.length === MAX_BEACON_EVENTS || size + more > MAX_BEACON_BYTES) {
      batch = [];
      batches.push(batch);
      size = base;
    }
    batch.push(event);
    size += more;
  }
  return batches.filter((b) => b.length);
}

/**
 * What a collector's reply means. A 2xx is delivered (`tracking: false` in the reply: the site
 * switched tracking off); 5xx is worth a retry, and 429 one after its `Retry-After` (seconds: the
 * collector sends no dates; missing or unreadable, 1 s); other 4xx are not.
 */
export const outcomeOf = (r: Response): Outcome | Promise<Outcome> =>
  r.ok
    ? r.json().then(
        (reply: Partial<CollectReply>) => (reply.tracking === false ? OFF : SENT),
        () => SENT,
      )
    : r.status === 429
      ? Math.max(1000, 1000 * Number(r.headers.get('retry-after')) || 0)
      : r.status > 499
        ? RETRY
        : DROP;

/**
 * The browser's own way of posting. A string body gets `Content-Type: text/plain;charset=UTF-8`,
 * a CORS-safelisted type, so there is no preflight; the default credentials mode sends no cookies
 * to a collector on another origin. The reply is read by `outcomeOf`; a network error rejects, and
 * the transport retries it (see `send`). Keepalive is missing in Firefox before 133: there
 * `sendBeacon` queues the body, even during unload, but tells nothing about the reply.
 */
export const browserPost: Post = (url, body) =>
  'keepalive' in Request.prototype
    ? fetch(url, { method: 'POST', body, keepalive: true }).then(outcomeOf)
    : navigator.sendBeacon(url, body)
      ? SENT
      : RETRY;

/** `send`, and `clear`: forget everything queued and stop retrying (consent withdrawn). */
export type Transport = [send: (events: BeaconEvent[]) => void, clear: () => void];

/** `envelope()` gives the current site, visitor and identity, or nothing when sending is not allowed. */
export function createTransport(
  url: string,
  envelope: () => Envelope | false | undefined,
  onOff: () => void,
  post: Post,
): Transport {
  let queue: BeaconEvent[] = [];
  let retries = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;

  const send = (events: BeaconEvent[]) => {
    const env = envelope();
    if (!env) return;
    const mine = generation;
    for (const batch of toBatches(env, events)) {
      // A network error rejects; a page's `fetch` wrapper may throw instead, and a browser may lack
      // both keepalive and `sendBeacon`: all are a failed send, retried, and never the page's error.
      (async () => post(url, JSON.stringify({ ...env, events: batch })))()
        .catch(() => RETRY as Outcome)
        .then((outcome) => {
          if (mine !== generation) return;
          if (outcome === OFF) return onOff();
          if (outcome === SENT) retries = 0;
          if (outcome === SENT || outcome === DROP || retries >= MAX_RETRIES) return;
          queue = [...queue, ...batch].slice(-MAX_QUEUED);
          // A 429 moves a retry already due sooner to no earlier than the collector asked.
          if (timer && outcome === RETRY) return;
          clearTimeout(timer);
          timer = setTimeout(
            () => {
              timer = undefined;
              send(queue.splice(0));
            },
            Math.max(outcome, FIRST_BACKOFF_MS * 2 ** retries++) + Math.random() * 250,
          );
        });
    }
  };

  return [
    send,
    () => {
      // A pending retry timer may still fire: it finds an empty queue.
      generation++;
      queue = [];
    },
  ];
}
