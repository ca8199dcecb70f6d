// What the database holds after a run, read from the local D1 the worker wrote.
import { read } from '@cxm/test-support/d1';

export interface Stored {
  /** The detail of every engagement of `demo`, one entry per row. */
  details: string[];
  /** Candidates whose score row counts a different number of engagements than are stored. */
  scoreMismatches: { candidate: string; counted: number; stored: number }[];
}

export function stored(persist: string): Stored {
  const details = read<{ detail: string }>(
    persist,
    "SELECT detail FROM engagements WHERE org_id = 'demo'",
  ).map((row) => row.detail);
  // The score row is written in the same batch as its engagements: a doubled or lost update
  // shows here as a count that disagrees with the rows.
  const scoreMismatches = read<{ candidate: string; counted: number | null; stored: number }>(
    persist,
    `SELECT c.external_id AS candidate, s.engagement_count AS counted, COUNT(e.id) AS stored
       FROM candidates c
       JOIN engagements e ON e.org_id = c.org_id AND e.candidate_id = c.id
       LEFT JOIN scores s ON s.candidate_id = c.id
      WHERE c.org_id = 'demo'
      GROUP BY c.id
     HAVING counted IS NULL OR counted != stored`,
  ).map((row) => ({ ...row, counted: row.counted ?? 0 }));
  return { details, scoreMismatches };
}

/** Details expected but missing, and details stored more than once (at most 10 of each shown). */
export function compare(expected: readonly string[], actual: readonly string[]) {
  const seen = new Map<string, number>();
  for (const detail of actual) seen.set(detail, (seen.get(detail) ?? 0) + 1);
  const missing = expected.filter((detail) => !seen.has(detail));
  const doubled = [...seen].filter(([, n]) => n > 1).map(([detail]) => detail);
  const wanted = new Set(expected);
  const unexpected = actual.filter((detail) => !wanted.has(detail));
  return { missing, doubled, unexpected };
}

/**
 * What a run left against what it sent, as one value to compare with
 * `{ rows: n, missing: [], doubled: [], unexpected: [], scoreMismatches: [] }` (ten of each shown).
 */
export function storedAgainst(persist: string, expected: readonly string[]) {
  const db = stored(persist);
  const { missing, doubled, unexpected } = compare(expected, db.details);
  return {
    rows: db.details.length,
    missing: missing.slice(0, 10),
    doubled: doubled.slice(0, 10),
    unexpected: unexpected.slice(0, 10),
    scoreMismatches: db.scoreMismatches.slice(0, 10),
  };
}

/** `storedAgainst` for a run that stored exactly `expected`, once each. */
export function exactly(count: number) {
  return { rows: count, missing: [], doubled: [], unexpected: [], scoreMismatches: [] };
}
