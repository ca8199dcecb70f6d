// Tracker visitors and their link to a candidate: the visitor row writes both the beacon and the
// link API make, and the relink that moves a visitor's anonymous past to the first candidate it
// joins. A visitor linked to one candidate and identified as another switches without taking the
// first one's past along: linking never merges two identified people.
import { and, eq, isNull } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../db/client.js';
import { auditLog, candidates, engagements, visitors } from '../db/schema.js';
import { scoredEngagementColumns } from '../db/score-rows.js';
import type { ScoredEngagement } from '../db/stored-score.js';

/** A visitor as the writers read it; `version` guards their update against a concurrent one. */
export interface StoredVisitor {
  id: string;
  candidateId: string | null;
  version: number;
  lastSeenAt: number;
}

/** How a visitor got linked (`visitors.link_source`, the audit entry's `via`). */
export type LinkSource = 'identity_token' | 'api';

/** Visitor columns a writer sets besides the keys, the first sighting and the version. */
export type VisitorColumns = Partial<
  Pick<
    typeof visitors.$inferInsert,
    'lastSeenAt' | 'kind' | 'fingerprintVersion' | 'candidateId' | 'linkSource' | 'linkedAt'
  >
>;

export async function findVisitor(
  db: Db,
  orgId: string,
  deviceId: string,
): Promise<StoredVisitor | null> {
  const rows = await db
    .select({
      id: visitors.id,
      candidateId: visitors.candidateId,
      version: visitors.version,
      lastSeenAt: visitors.lastSeenAt,
    })
    .from(visitors)
    .where(and(eq(visitors.orgId, orgId), eq(visitors.deviceId, deviceId)));
  return rows[0] ?? null;
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
  visitor: Pick<StoredVisitor, 'id' | 'candidateId' | 'version'> | null;
  candidateId: string;
  via: LinkSource;
  /** Who linked, for the audit log (`tracker:<site>`, `key:<id>`). */
  actor: string;
  at: number;
  /** What the caller's own visitor write sets alongside the link (the beacon: what it saw). */
  seen?: VisitorColumns;
  /**
   * For the audit entry: the candidate's external id (the one it replaces, if any, is read here,
   * so both ways of linking record it alike).
   */
  audit: { candidate: string };
}

export interface Relinked {
  visitorId: string;
  /** The visitor's anonymous engagements the batch moves to the candidate (for its score). */
  past: ScoredEngagement[];
  /** Visitor write, the move of the past, the `visitor.link` audit entry. */
  statements: Statement[];
}

/**
 * Links the visitor to the candidate; its anonymous past (no candidate yet) moves with it. A
 * visitor linked to another candidate switches: its events from now on are this candidate's,
 * the other's stay theirs (two identified people are never merged), and the audit entry names
 * the candidate it had (`previousCandidate`, an external id; null when it had none).
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
    // Only a visitor linked to no one has an anonymous past: a switch moves nothing.
    anonymousPast(db, orgId, visitor?.candidateId === null ? visitor.id : null, candidateId),
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
  return { visitorId, past, statements: [statement, ...moved.statements, audit] };
}

/**
 * The visitor's anonymous engagements, and the statement giving them to the candidate, attributed
 * to the link (`attribution = 'link'`).
 */
async function anonymousPast(
  db: Db,
  orgId: string,
  visitorId: string | null,
  candidateId: string,
): Promise<{ past: ScoredEngagement[]; statements: Statement[] }> {
  if (visitorId === null) return { past: [], statements: [] };
  const anonymous = and(
    eq(engagements.orgId, orgId),
    eq(engagements.visitorId, visitorId),
    isNull(engagements.candidateId),
  );
  const past = await db.select(scoredEngagementColumns).from(engagements).where(anonymous);
  // Attributed to the link: they were stored anonymous and are the candidate's only through it.
  const move = db.update(engagements).set({ candidateId, attribution: 'link' }).where(anonymous);
  return { past, statements: [move] };
}

/**
 * The organisation's own id of a candidate (never the internal id: the audit log must not hold
 * ids a purge cannot find). Null for none, and for a candidate purged since the visitor was read
 * (the purge deleted or unlinked the visitor too).
 */
async function externalIdOf(
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
