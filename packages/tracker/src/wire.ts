// The beacon wire format between the browser tracker and `POST /v1/collect`. Types only, so the
// tracker bundle stays free of validation code; the edge API's zod schema is checked against these
// types at compile time, and both sides' tests exercise the same payloads.

/** Hard limit on one beacon body, in bytes of UTF-8 JSON (browsers share 64 KB of keepalive). */
export const MAX_BEACON_BYTES = 16 * 1024;
/** Events in one beacon at most. */
export const MAX_BEACON_EVENTS = 20;
/** Longest page URL (and identity token) the API accepts; the tracker cuts longer URLs here. */
export const MAX_URL_LENGTH = 2048;
/** Longest form name (its id or name attribute). */
export const MAX_FORM_NAME_LENGTH = 200;
/** The query parameter that carries an identity code (or token) on landing pages. */
export const IDENTITY_PARAM = 'cxm_t';
/** The hidden form input that carries the visitor id when `data-form-visitor-field` is on. */
export const VISITOR_FIELD = 'cxm_vid';

/** How the tracker came by the visitor id. */
export type VisitorIdKind =
  /**
   * Trackers before issue 14 only: the FingerprintJS visitorId as the visitor id. A browser may
   * still run such a tracker from its cache, so the API keeps accepting it; this tracker never
   * sends it (the fingerprint is the same for every profile of a browser build on one device).
   */
  | 'fingerprint'
  /** Random id kept in first-party storage (`cxm_id`): one browser profile's. */
  | 'stored'
  /** Random id for this page view only (the browser refuses storage). */
  | 'page';

export interface BeaconVisitor {
  /** 8 to 64 characters from `[A-Za-z0-9_-]`. The visitor: a browser profile, as far as known. */
  id: string;
  kind: VisitorIdKind;
  /**
   * The FingerprintJS visitorId, beside the visitor id and never instead of it: a device hint
   * (every profile of one browser build on one device shares it), same rules as `id`. Sent once
   * the tracker knows it (after consent, once per tab session), so a session's first beacons may
   * lack it.
   */
  fp?: string;
  /** FingerprintJS version that made `fp` (or, with kind `fingerprint`, `id`), e.g. `5.2.0`. */
  version?: string;
  /** FingerprintJS confidence score, 0 to 1, of `fp` (or, with kind `fingerprint`, of `id`). */
  confidence?: number;
}

export interface VisitEvent {
  /** Random id (8 to 64 characters from `[A-Za-z0-9_-]`), for idempotent retries. */
  id: string;
  type: 'visit_landing_page';
  /** The page URL (http or https) on one of the site's allowed origins. */
  url: string;
  /** When it happened, epoch milliseconds (client clock). */
  at: number;
}

export interface FormEvent {
  id: string;
  type: 'submit_form';
  /** The page the form is on. */
  url: string;
  /** The form's id or name attribute (never a field value); empty when it has neither. */
  form: string;
  at: number;
}

export type BeaconEvent = VisitEvent | FormEvent;

/** The body of `POST /v1/collect`, sent as JSON text (`text/plain` avoids a CORS preflight). */
export interface BeaconPayload {
  /** Wire format version. */
  v: 1;
  /** The site's public key, e.g. `pk_demo`. */
  site: string;
  visitor: BeaconVisitor;
  /** An identity code (`cxm_t`) from a tracked click, or a token from `cxm('identify', token)`. */
  identity?: string;
  /** Set when the tracker ran under automation anyway (test switch); the API drops such beacons. */
  automation?: boolean;
  events: BeaconEvent[];
}

/** The body of a `202` reply from `POST /v1/collect`. */
/** What the collector says it did with `visitor.fp` (`CollectReply.fingerprint`). */
export const FINGERPRINT_USES = [
  'none',
  'noted',
  'recognised',
  'shared',
  'queued',
  'unused',
] as const;

export interface CollectReply {
  accepted: number;
  duplicates: number;
  dropped: number;
  /** False when the site has career-site tracking switched off: nothing was stored. */
  tracking: boolean;
  /**
   * What the collector did with `visitor.fp` (the events are always keyed on `visitor.id`):
   * - `none`: the beacon carried no `fp`;
   * - `noted`: kept as a hint for this profile; the events are attributed by the visitor id;
   * - `recognised`: this profile was new to the fingerprint, which was unambiguous and linked
   *   to a candidate: the profile is linked to that candidate provisionally, its events
   *   attributed `fingerprint`;
   * - `shared`: the fingerprint is shared by several profiles or people and attributes nothing;
   * - `queued`: the beacon waits on the ingest queue, so this is not known yet;
   * - `unused`: nothing was stored (tracking off, or automated traffic).
   */
  fingerprint: (typeof FINGERPRINT_USES)[number];
}
