// Tracker visitors and their link to a candidate: the visitor row writes both the beacon and the
// link API make, and the relink that moves a visitor's unidentified past to the first candidate
// it joins. A visitor linked to one candidate and identified as another switches without taking
// the first one's past along: linking never merges two identified people.
//
// A visitor recognised by its fingerprint only (`link_source = 'fingerprint'`, see
// `fingerprints.ts`) is not identified: identifying it moves its anonymous past and what the
// fingerprint attributed (to the fingerprint's candidate, maybe someone else) to the candidate it
// is identified as; a candidate that loses rows is rebuilt without them.
import { and, eq, isNull, or } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../db/client.js';
import { auditLog, candidates, engagements, visitors } from '../db/schema.js';
import { candidateHistory, scoredEngagementColumns, storedScore } from '../db/score-rows.js';
import type { ScoredEngagement } from '../db/stored-score.js';
import type { ScoreUpdate } from '../scoring/pipeline.js';
import { afterIdentified } from './fingerprints.js';

/** A visitor as the writers read it; `version` guards their update against a concurrent one. */
export interface StoredVisitor {
  id: string;
  candidateId: string | null;
  /** How it got its candidate (`LinkSource`); null while anonymous. */
  linkSource: string | null;
  /** The FingerprintJS id it was last seen with. */
  fp: string | null;
  version: number;
  lastSeenAt: number;
}

/**
 * How a visitor got linked (`visitors.link_source`, the audit entry's `via`): identified by an
 * identity token or the link API, or recognised by its fingerprint (provisional).
 */
export type LinkSource = 'identity_token' | 'api' | 'fingerprint';

/**
 * Linked by an identity token or the link API, not only provisionally by its fingerprint: its
 * past is its candidate's and never moves.
 */
export function isIdentified(visitor: Pick<StoredVisitor, 'candidateId' | 'linkSource'>): boolean {
  return visitor.candidateId !== null && visitor.linkSource !== 'fingerprint';
}

/** Visitor columns a writer sets besides the keys, the first sighting and the version. */
export type VisitorColumns = Partial<
  Pick<
    typeof visitors.$inferInsert,
    'lastSeenAt' | 'kind' | 'fingerprintVersion' | 'candidateId' | 'linkSource' | 'linkedAt'
  >
>;

/** The query reading a `StoredVisitor` (its rows: none or one), to run alone or in a batch. */
export function visitorQuery(db: Db, orgId: string, deviceId: string) {
  return db
    .select({
      id: visitors.id,
      candidateId: visitors.candidateId,
      linkSource: visitors.linkSource,
      fp: visitors.fp,
      version: visitors.version,
      lastSeenAt: visitors.lastSeenAt,
    })
    .from(visitors)
    .where(and(eq(visitors.orgId, orgId), eq(visitors.deviceId, deviceId)));
}

export async function findVisitor(
  db: Db,
  orgId: string,
  deviceId: string,
): Promise<StoredVisitor | null> {
  return (await visitorQuery(db, orgId, deviceId))[0] ?? null;
}

/**
 * The stored visitor updated with `set` and its version bumped (the guard trigger refuses the
 * batch if it moved since it was read), or a new visitor first seen `at`.
 */
export function writeVisitor(
  db: Db,
  input: {
    orgId: string;
    deviceId: string;
    visitor: Pick<StoredVisitor, 'id' | 'version'> | null;
    at: number;
    set: VisitorColumns;
  },
): { visitorId: string; statement: Statement } {
  const { orgId, visitor, set } = input;
  if (visitor) {
    return {
      visitorId: visitor.id,
      statement: db
        .update(visitors)
        .set({ ...set, version: visitor.version + 1 })
        .where(and(eq(visitors.orgId, orgId), eq(visitors.id, visitor.id))),
    };
  }
  const visitorId = newId();
  return {
    visitorId,
    statement: db.insert(visitors).values({
      id: visitorId,
      orgId,
      deviceId: input.deviceId,
      firstSeenAt: input.at,
      lastSeenAt: input.at,
      ...set,
    }),
  };
}

export interface RelinkInput {
  orgId: string;
  deviceId: string;
  /** As read; null: not seen yet, so it is created already linked. */
  visitor: Pick<StoredVisitor, 'id' | 'candidateId' | 'linkSource' | 'version'> | null;
  candidateId: string;
  via: LinkSource;
  /** Who linked, for the audit log (`tracker:<site>`, `key:<id>`). */
  actor: string;
  at: number;
  /** What the caller's own visitor write sets alongside the link (the beacon: what it saw). */
  seen?: VisitorColumns;
  /**
   * For the audit entry: the candidate's external id (the one it replaces, if any, is read here,
   * so every way of linking records it alike).
   */
  audit: { candidate: string };
}

export interface Relinked {
  visitorId: string;
  /** The engagements the batch moves to the candidate from elsewhere (for its score). */
  past: ScoredEngagement[];
  /** Candidates the batch takes recognised rows from, rebuilt without them (`scoreStatements`). */
  losers: ScoreUpdate[];
  /**
   * Visitor write, the move of the past, the `visitor.link` audit entry, and (when identified)
   * what it tells the visitor's fingerprint.
   */
  statements: Statement[];
}

/**
 * Links the visitor to the candidate; its anonymous past (no candidate yet) and what its
 * fingerprint attributed move with it while it is not identified. An identified visitor switches:
 * its events from now on are this candidate's, the other's stay theirs (two identified people are
 * never merged), and the audit entry names the candidate it had (`previousCandidate`, an external
 * id; null when it had none).
 */
export async function relinkVisitor(db: Db, input: RelinkInput): Promise<Relinked> {
  const { orgId, visitor, candidateId, at } = input;
  const link = { candidateId, linkSource: input.via, linkedAt: at };
  const { visitorId, statement } = writeVisitor(db, {
    orgId,
    deviceId: input.deviceId,
    visitor,
    at,
    set: { ...input.seen, ...link },
  });
  const [moved, previousCandidate] = await Promise.all([
    // An identified visitor's past is its candidate's: a switch moves nothing.
    unidentifiedPast(db, {
      orgId,
      visitorId: visitor && !isIdentified(visitor) ? visitor.id : null,
      candidateId,
      attribution: input.via === 'fingerprint' ? 'fingerprint' : 'link',
    }),
    externalIdOf(db, orgId, visitor?.candidateId ?? null),
  ]);
  const { past } = moved;
  const audit = db.insert(auditLog).values({
    id: newId(),
    orgId,
    at,
    actor: input.actor,
    action: 'visitor.link',
    subject: input.deviceId,
    details: JSON.stringify({
      candidate: input.audit.candidate,
      via: input.via,
      previousCandidate,
      linkedEngagements: past.length,
    }),
  });
  const identified =
    input.via === 'fingerprint' ? [] : afterIdentified(db, { orgId, deviceId: input.deviceId, at });
  return {
    visitorId,
    past,
    losers: moved.losers,
    statements: [statement, ...moved.statements, audit, ...identified],
  };
}

/**
 * The unidentified visitor's engagements that are not the candidate's: anonymous ones, and ones a
 * fingerprint attributed to someone (maybe this candidate: those only change attribution). The
 * statement gives them all to the candidate with `attribution` (`link`: they are the candidate's
 * only through it; `fingerprint` for a recognition's). The visitor's version, which its beacons
 * bump while it is unidentified, guards the rows read against one stored meanwhile.
 */
async function unidentifiedPast(
  db: Db,
  input: {
    orgId: string;
    visitorId: string | null;
    candidateId: string;
    attribution: 'link' | 'fingerprint';
  },
): Promise<{ past: ScoredEngagement[]; losers: ScoreUpdate[]; statements: Statement[] }> {
  const { orgId, visitorId, candidateId } = input;
  if (visitorId === null) return { past: [], losers: [], statements: [] };
  // A recognition takes the anonymous rows only: what another fingerprint gave the profile
  // before stays where it is until the profile is identified.
  const unidentified = and(
    eq(engagements.orgId, orgId),
    eq(engagements.visitorId, visitorId),
    input.attribution === 'fingerprint'
      ? isNull(engagements.candidateId)
      : or(isNull(engagements.candidateId), eq(engagements.attribution, 'fingerprint')),
  );
  const rows = await db
    .select({ ...scoredEngagementColumns, candidateId: engagements.candidateId })
    .from(engagements)
    .where(unidentified);
  const past = rows
    .filter((row) => row.candidateId !== candidateId)
    .map(({ candidateId: _, ...row }) => row);
  const losers = await loserUpdates(db, orgId, rows, candidateId);
  const move = db
    .update(engagements)
    .set({ candidateId, attribution: input.attribution })
    .where(unidentified);
  return { past, losers, statements: [move] };
}

/**
 * Each other candidate the move takes rows from, rebuilt from its history without them (its
 * score row's version guards the history read).
 */
async function loserUpdates(
  db: Db,
  orgId: string,
  rows: readonly (ScoredEngagement & { candidateId: string | null })[],
  candidateId: string,
): Promise<ScoreUpdate[]> {
  const taken = new Map<string, Set<number | undefined>>();
  for (const row of rows) {
    if (row.candidateId === null || row.candidateId === candidateId) continue;
    const rowids = taken.get(row.candidateId) ?? new Set();
    rowids.add(row.rowid);
    taken.set(row.candidateId, rowids);
  }
  return Promise.all(
    [...taken].map(async ([loser, rowids]): Promise<ScoreUpdate> => {
      // The row first: a settle between the two reads then fails the rebuild's version guard,
      // instead of the rebuild missing what that settle folded.
      const previous = await storedScore(db, orgId, loser);
      const history = await candidateHistory(db, orgId, loser);
      return {
        candidateId: loser,
        previous,
        added: [],
        rebuild: true,
        history: history.filter((row) => !rowids.has(row.rowid)),
      };
    }),
  );
}

/**
 * The organisation's own id of a candidate (never the internal id: the audit log must not hold
 * ids a purge cannot find). Null for none, and for a candidate purged since the visitor was read
 * (the purge deleted or unlinked the visitor too).
 */
export async function externalIdOf(
  db: Db,
  orgId: string,
  candidateId: string | null,
): Promise<string | null> {
  if (candidateId === null) return null;
  const rows = await db
    .select({ externalId: candidates.externalId })
    .from(candidates)
    .where(and(eq(candidates.orgId, orgId), eq(candidates.id, candidateId)));
  return rows[0]?.externalId ?? null;
}
