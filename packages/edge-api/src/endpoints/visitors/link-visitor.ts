// Links a tracker visitor to a candidate (by API): the visitor's anonymous past moves to the
// candidate, future visits follow, and the candidate's score is rebuilt, in one D1 batch.
// A visitor links to one candidate at a time; linking it elsewhere moves its future only (the
// other candidate keeps its past and its score), and the audit entry names that other candidate.
// A visitor only recognised by its fingerprint is not linked yet: its past moves like an
// anonymous one's (`identity/relink.ts`).
import { OPTIONS } from '../../config.js';
import { findCandidate } from '../../db/candidates.js';
import { type Db, newId, runBatch } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import { candidates } from '../../db/schema.js';
import { storedScore } from '../../db/score-rows.js';
import { findVisitor, isIdentified, relinkVisitor } from '../../identity/relink.js';
import { scoreStatements } from '../../scoring/pipeline.js';
import { modelFrom } from '../../scoring/score-row.js';

export interface LinkJob {
  orgId: string;
  scoringModel: string | null;
  deviceId: string;
  candidateExternalId: string;
  /** Who asked, for the audit log (`key:<id>`). */
  actor: string;
}

export interface LinkOutcome {
  /** Visitor was seen before (by the tracker or an earlier link). */
  visitorKnown: boolean;
  /** It was already linked to this candidate: nothing changed. */
  alreadyLinked: boolean;
  /** Past anonymous engagements that now count for the candidate. */
  linkedEngagements: number;
  tier: string;
}

export function linkVisitor(db: Db, job: LinkJob): Promise<LinkOutcome> {
  return withRetries(() => attempt(db, job), OPTIONS.writeAttempts);
}

async function attempt(db: Db, job: LinkJob): Promise<LinkOutcome> {
  const { orgId } = job;
  const now = Date.now();
  const [visitor, known] = await Promise.all([
    findVisitor(db, orgId, job.deviceId),
    findCandidate(db, orgId, job.candidateExternalId),
  ]);
  const candidateId = known?.id ?? newId();
  const previous = known ? await storedScore(db, orgId, candidateId) : null;
  // Recognised by its fingerprint as this candidate is not linked yet: the link confirms it.
  if (visitor?.candidateId === candidateId && isIdentified(visitor)) {
    const tier = previous?.tier ?? 'inactive';
    return { visitorKnown: true, alreadyLinked: true, linkedEngagements: 0, tier };
  }

  // A visitor not seen yet (e.g. its id came in a form's hidden field) is created already linked.
  const link = await relinkVisitor(db, {
    orgId,
    deviceId: job.deviceId,
    visitor,
    candidateId,
    via: 'api',
    actor: job.actor,
    at: now,
    audit: { candidate: job.candidateExternalId },
  });
  // Always a rebuild: the linked past may be older than anything the candidate has.
  const score = await scoreStatements(
    db,
    { orgId, model: modelFrom(job.scoringModel), now, reason: 'engagement' },
    [
      { candidateId, previous, added: link.past, rebuild: true, history: known ? undefined : [] },
      ...link.losers,
    ],
  );
  const newCandidate = { id: candidateId, orgId, externalId: job.candidateExternalId };
  await runBatch(db, [
    ...(known ? [] : [db.insert(candidates).values(newCandidate)]),
    ...link.statements,
    ...score.statements,
  ]);
  return {
    visitorKnown: visitor !== null,
    alreadyLinked: false,
    linkedEngagements: link.past.length,
    tier: score.rows[0]!.tier,
  };
}
