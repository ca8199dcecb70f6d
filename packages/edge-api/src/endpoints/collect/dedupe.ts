// Which incoming events are repeats. Two rules:
//
// 1. Event ids. The same id (per organisation; tracker ids per visitor) is stored once. The
//    writer checks first, and a UNIQUE index on `engagements(org_id, event_key)` refuses the
//    insert if a concurrent request stored it in between (the writer then retries).
// 2. Windows (tracker only). A page view is a repeat when the same visitor has a counted view
//    of the same stored URL less than `visit window` before or after it; a form submit when the
//    same visitor has a counted submit of the same form on the same page less than `form
//    window` away. A sliding window anchored on counted events: views at 0, 20 and 40 minutes
//    count at 0 and 40. The writer holds the visitor's row lock (its version) while deciding,
//    so concurrent retries cannot both count.
import type { EngagementType } from '@cxm/scoring';

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
