// Tracker visitors and their link to a candidate: the visitor row writes both the beacon and the
// link API make, and the relink that moves a visitor's anonymous past to the candidate it joins.
import { and, eq, isNull } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../db/client.js';
import { auditLog, engagements, visitors } from '../db/schema.js';
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
  /** For the audit entry: the candidate's external id, and (API links) the one it replaces. */
  audit: { candidate: string; previousCandidate?: string | null };
}

export interface Relinked {
  visitorId: string;
  /** The visitor's anonymous engagements the batch moves to the candidate (for its score). */
  past: ScoredEngagement[];
  /** Visitor write, the move of the past, the `visitor.link` audit entry. */
  statements: Statement[];
}

/** Links the visitor to the candidate; its anonymous past (no candidate yet) moves with it. */
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
  const statements = [statement];
  let past: ScoredEngagement[] = [];
  if (visitor) {
    const anonymous = and(
      eq(engagements.orgId, orgId),
      eq(engagements.visitorId, visitor.id),
      isNull(engagements.candidateId),
    );
    past = await db.select(scoredEngagementColumns).from(engagements).where(anonymous);
    statements.push(db.update(engagements).set({ candidateId }).where(anonymous));
  }
  statements.push(
    db.insert(auditLog).values({
      id: newId(),
      orgId,
      at,
      actor: input.actor,
      action: 'visitor.link',
      subject: input.deviceId,
      // An absent `previousCandidate` (undefined) drops out of the JSON: the beacon never wrote it.
      details: JSON.stringify({
        candidate: input.audit.candidate,
        via: input.via,
        previousCandidate: input.audit.previousCandidate,
        linkedEngagements: past.length,
      }),
    }),
  );
  return { visitorId, past, statements };
}
