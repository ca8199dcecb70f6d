// Which incoming events are repeats. Two rules:
//
// 1. Event ids. The same id (per organisation; tracker ids per visitor) is stored once: a UNIQUE
//    index on `engagements(org_id, event_key)` and the insert's ON CONFLICT DO NOTHING.
// 2. Windows (tracker only). A page view is a repeat when the same visitor has a counted view
//    of the same stored URL less than `visit window` before or after it; a form submit when the
//    same visitor has a counted submit of the same form on the same page less than `form
//    window` away. A sliding window anchored on counted events: views at 0, 20 and 40 minutes
//    count at 0 and 40.
//
// Both are decided inside the insert itself (`insertUnlessRepeat`: INSERT … SELECT … WHERE NOT
// EXISTS a counted event in the window, ON CONFLICT DO NOTHING), one statement per event in time
// order, in the writer's batch. D1 runs one write at a time, so the check and the insert are
// atomic: concurrent beacons (retries with the same ids, reloads with new ones) cannot both
// count, and no lock on the visitor is needed (it used to be its row version, which made one
// visitor's concurrent beacons fail each other). `splitFresh` is the same rule in JavaScript,
// which the writer uses to skip a write that can store nothing (a pure retry).

import type { EngagementType } from '@cxm/scoring';
import { type SQL, sql } from 'drizzle-orm';

export interface Occurrence {
  type: string;
  detail: string | null;
  occurredAt: number;
}

export interface Windows {
  visitMs: number;
  formMs: number;
}

/** The window of a type, 0 for types without one. */
export function windowOf(type: EngagementType | string, windows: Windows): number {
  if (type === 'visit_landing_page') return windows.visitMs;
  if (type === 'submit_form') return windows.formMs;
  return 0;
}

/** True when `candidate` falls within its type's window of an event in `counted`. */
export function isWindowRepeat(
  candidate: Occurrence,
  counted: readonly Occurrence[],
  windows: Windows,
): boolean {
  const window = windowOf(candidate.type, windows);
  if (window <= 0) return false;
  return counted.some(
    (other) =>
      other.type === candidate.type &&
      other.detail === candidate.detail &&
      Math.abs(other.occurredAt - candidate.occurredAt) < window,
  );
}

export interface Keyed {
  eventKey: string;
}

/**
 * Splits incoming events into fresh ones and repeats, given the event keys already stored
 * and the visitor's counted events near them. Events are considered in time order, so of
 * several repeats in one beacon the earliest counts.
 */
export function splitFresh<T extends Occurrence & Keyed>(
  incoming: readonly T[],
  storedKeys: ReadonlySet<string>,
  storedNearby: readonly Occurrence[],
  windows: Windows,
): { fresh: T[]; repeats: number } {
  const fresh: T[] = [];
  const seen = new Set(storedKeys);
  const counted: Occurrence[] = [...storedNearby];
  const ordered = [...incoming].sort((a, b) => a.occurredAt - b.occurredAt);
  for (const event of ordered) {
    if (seen.has(event.eventKey) || isWindowRepeat(event, counted, windows)) continue;
    seen.add(event.eventKey);
    counted.push(event);
    fresh.push(event);
  }
  return { fresh, repeats: incoming.length - fresh.length };
}

/** One tracker event as `insertUnlessRepeat` stores it. */
export interface TrackerEventRow {
  id: string;
  orgId: string;
  siteId: string;
  /** The visitor, by the tracker's device id (the row this batch created or updated). */
  deviceId: string;
  eventKey: string;
  type: string;
  detail: string;
  occurredAt: number;
  receivedAt: number;
  /**
   * The candidate (internal id) a verified identity token on the event's beacon names; absent or
   * null when the beacon carried none.
   */
  identityCandidateId?: string | null;
}

/**
 * How the inserted event is attributed, decided from the visitor row the insert reads, like its
 * candidate: none while the visitor is anonymous; `identity_token` when the visitor's candidate is
 * the one the beacon's token names; `fingerprint` while the visitor is linked only by its
 * fingerprint's recognition; otherwise the visitor was already linked (`visitor`), also when a
 * concurrent link switched it to another candidate than the token's before this batch ran.
 */
function attributionOf(event: TrackerEventRow): SQL {
  const token =
    event.identityCandidateId == null
      ? sql``
      : sql`WHEN v.candidate_id = ${event.identityCandidateId} THEN 'identity_token'`;
  return sql`CASE WHEN v.candidate_id IS NULL THEN NULL ${token}
    WHEN v.link_source = 'fingerprint' THEN 'fingerprint' ELSE 'visitor' END`;
}

/**
 * The insert of one tracker event for the visitor's current candidate (its link as the batch
 * sees it, null when anonymous), unless its event key is stored or it is a window repeat of one
 * of the visitor's counted events for that same candidate: after a device switched from A to B,
 * B's view of a page A just viewed is B's, not a repeat of A's (never merge two people). Its
 * attribution comes from the same visitor row (`attributionOf`).
 * Returns the inserted row's `candidate_id` (no row: a repeat).
 */
export function insertUnlessRepeat(event: TrackerEventRow, windows: Windows): SQL {
  const window = windowOf(event.type, windows);
  const repeat =
    window > 0
      ? sql`AND NOT EXISTS (SELECT 1 FROM engagements e
          WHERE e.org_id = v.org_id AND e.visitor_id = v.id AND e.type = ${event.type}
            AND e.candidate_id IS v.candidate_id AND e.detail = ${event.detail}
            AND e.occurred_at > ${event.occurredAt - window}
            AND e.occurred_at < ${event.occurredAt + window})`
      : sql``;
  return sql`INSERT INTO engagements (id, org_id, candidate_id, visitor_id, site_id, type, detail,
      occurred_at, received_at, source, attribution, machine, event_key)
    SELECT ${event.id}, v.org_id, v.candidate_id, v.id, ${event.siteId}, ${event.type},
      ${event.detail}, ${event.occurredAt}, ${event.receivedAt}, 'tracker', ${attributionOf(event)},
      0, ${event.eventKey}
    FROM visitors v
    WHERE v.org_id = ${event.orgId} AND v.device_id = ${event.deviceId} ${repeat}
    ON CONFLICT DO NOTHING
    RETURNING candidate_id`;
}
