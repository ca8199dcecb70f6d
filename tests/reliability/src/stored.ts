// What the database holds after a run, read from the local D1 the worker wrote, against what the
// traffic plan says it must hold: each event once, under its key, on its owner.
import { read } from '@cxm/test-support/d1';
import { expect } from 'vitest';
import type { Expected, Source } from './traffic.js';

/** One engagement row of `demo`, with its candidate and visitor by the ids the traffic used. */
export interface Row {
  key: string;
  detail: string | null;
  /** The candidate's external id; null: anonymous. */
  candidate: string | null;
  /** The visitor's device id (the beacon's `visitor.id`); null for API rows. */
  visitor: string | null;
  /** How it came to be the candidate's (`engagements.attribution`); null while anonymous. */
  attribution: string | null;
}

export interface Stored {
  rows: Row[];
  /** Candidates whose score row counts a different number of engagements than are stored. */
  scoreMismatches: { candidate: string; counted: number; stored: number }[];
}

export function stored(persist: string): Stored {
  const rows = read<Row>(
    persist,
    `SELECT e.event_key AS key, e.detail AS detail, c.external_id AS candidate,
            v.device_id AS visitor, e.attribution AS attribution
       FROM engagements e
       LEFT JOIN candidates c ON c.id = e.candidate_id
       LEFT JOIN visitors v ON v.id = e.visitor_id
      WHERE e.org_id = 'demo'`,
  );
  // The score row is settled from its candidate's rows: a doubled, lost or misplaced fold shows
  // here as a count that disagrees with the rows (candidates without rows included: their count
  // must be 0).
  const scoreMismatches = read<{ candidate: string; counted: number | null; stored: number }>(
    persist,
    `SELECT c.external_id AS candidate, s.engagement_count AS counted, COUNT(e.id) AS stored
       FROM candidates c
       LEFT JOIN engagements e ON e.org_id = c.org_id AND e.candidate_id = c.id
       LEFT JOIN scores s ON s.candidate_id = c.id
      WHERE c.org_id = 'demo'
      GROUP BY c.id
     HAVING counted IS NULL OR counted != stored`,
  ).map((row) => ({ ...row, counted: row.counted ?? 0 }));
  return { rows, scoreMismatches };
}

/** An event stored on someone else, or as something else, than the plan says. */
export interface Misplaced {
  key: string;
  source: Source;
  expected: string;
  stored: string;
}

const describe = (event: {
  detail: string | null;
  candidate: string | null;
  visitor: string | null;
}) =>
  `${event.detail} on ${event.candidate ?? 'nobody (anonymous)'} via ${event.visitor ?? 'the API'}`;

/**
 * Whether the row is where the plan puts the event: its candidate, visitor and detail; or, for an
 * anonymous profile of a shared device, one of the device's candidates by fingerprint recognition.
 */
export function placedRight(event: Expected, row: Row): boolean {
  if (row.visitor !== event.visitor || row.detail !== event.detail) return false;
  if (row.candidate === event.candidate) return true;
  return (
    row.attribution === 'fingerprint' &&
    row.candidate !== null &&
    (event.recognisable ?? []).includes(row.candidate)
  );
}

/**
 * Events expected but missing, keys stored more than once, rows no event explains, and events
 * stored on another candidate or visitor (or with another detail) than their plan's.
 */
export function compare(expected: readonly Expected[], actual: readonly Row[]) {
  const byKey = new Map<string, Row[]>();
  for (const row of actual) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  const wanted = new Map(expected.map((event) => [event.key, event]));
  const missing: Expected[] = [];
  const misplaced: Misplaced[] = [];
  for (const event of expected) {
    const rows = byKey.get(event.key);
    if (!rows) {
      missing.push(event);
      continue;
    }
    for (const row of rows) {
      if (!placedRight(event, row)) {
        misplaced.push({
          key: event.key,
          source: event.source,
          expected: describe(event),
          stored: describe(row),
        });
      }
    }
  }
  const doubled = [...byKey].filter(([, rows]) => rows.length > 1).map(([key]) => key);
  const unexpected = actual.filter((row) => !wanted.has(row.key));
  return { missing, doubled, unexpected, misplaced };
}

/** How many of `items` each source has, for a failure's summary. */
function bySource(items: readonly { source: Source }[]): Partial<Record<Source, number>> {
  const out: Partial<Record<Source, number>> = {};
  for (const item of items) out[item.source] = (out[item.source] ?? 0) + 1;
  return out;
}

/**
 * What a run left against what it sent, as one value to compare with `exactly(n)`: the rows,
 * and each kind of problem counted by source with a few examples (ten of each shown).
 */
export function storedAgainst(persist: string, expected: readonly Expected[]) {
  const db = stored(persist);
  const { missing, doubled, unexpected, misplaced } = compare(expected, db.rows);
  return {
    rows: db.rows.length,
    recognised: db.rows.filter((row) => row.attribution === 'fingerprint').length,
    missing: { bySource: bySource(missing), examples: missing.slice(0, 10) },
    doubled: doubled.slice(0, 10),
    unexpected: unexpected.slice(0, 10),
    misplaced: { bySource: bySource(misplaced), examples: misplaced.slice(0, 10) },
    scoreMismatches: db.scoreMismatches.slice(0, 10),
  };
}

/** `storedAgainst` for a run that stored exactly `expected`, once each, each on its owner. */
export function exactly(count: number) {
  return {
    rows: count,
    recognised: expect.any(Number),
    missing: { bySource: {}, examples: [] },
    doubled: [],
    unexpected: [],
    misplaced: { bySource: {}, examples: [] },
    scoreMismatches: [],
  };
}
