// Links a tracker visitor to a candidate (by API): the visitor's anonymous past moves to the
// candidate, future visits follow, and the candidate's score is rebuilt, in one D1 batch.
// A visitor links to one candidate at a time; linking it elsewhere moves its future only.
import { and, eq, isNull } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
import { type Db, newId, runBatch, type Statement, upsertScores } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import { auditLog, candidates, engagements, visitors } from '../../db/schema.js';
import {
  type ScoredEngagement,
  scoredEngagementColumns,
  storedScore,
} from '../../db/score-rows.js';
import { modelFrom, nextScoreRow, rebuild, startState } from '../../scoring/score-row.js';
import { outboxStatements, tierChanges } from '../../webhooks/outbox.js';
import { candidateHistory } from '../collect/write-beacon.js';

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
  const model = modelFrom(job.scoringModel);
  const [visitorRows, candidateRows] = await Promise.all([
    db
      .select({ id: visitors.id, candidateId: visitors.candidateId, version: visitors.version })
      .from(visitors)
      .where(and(eq(visitors.orgId, orgId), eq(visitors.deviceId, job.deviceId))),
    db
      .select({ id: candidates.id })
      .from(candidates)
      .where(and(eq(candidates.orgId, orgId), eq(candidates.externalId, job.candidateExternalId))),
  ]);
  const visitor = visitorRows[0];
  const candidateId = candidateRows[0]?.id ?? newId();
  const candidateKnown = candidateRows[0] !== undefined;
  const previous = candidateKnown ? await storedScore(db, orgId, candidateId) : null;

  if (visitor?.candidateId === candidateId) {
    return {
      visitorKnown: true,
      alreadyLinked: true,
      linkedEngagements: 0,
      tier: previous?.tier ?? 'inactive',
    };
  }

  const statements: Statement[] = [];
  if (!candidateKnown) {
    statements.push(
      db.insert(candidates).values({ id: candidateId, orgId, externalId: job.candidateExternalId }),
    );
  }
  const link = { candidateId, linkSource: 'api', linkedAt: now };
  const history = candidateKnown ? await candidateHistory(db, orgId, candidateId) : [];
  let anonymousPast: ScoredEngagement[] = [];
  if (visitor) {
    const anonymous = and(
      eq(engagements.orgId, orgId),
      eq(engagements.visitorId, visitor.id),
      isNull(engagements.candidateId),
    );
    anonymousPast = await db.select(scoredEngagementColumns).from(engagements).where(anonymous);
    statements.push(
      db
        .update(visitors)
        .set({ ...link, version: visitor.version + 1 })
        .where(and(eq(visitors.orgId, orgId), eq(visitors.id, visitor.id))),
      db.update(engagements).set({ candidateId }).where(anonymous),
    );
  } else {
    // Linked before the tracker reported it (e.g. the id came in a form's hidden field).
    statements.push(
      db.insert(visitors).values({
        id: newId(),
        orgId,
        deviceId: job.deviceId,
        firstSeenAt: now,
        lastSeenAt: now,
        ...link,
      }),
    );
  }
  const all = [...history, ...anonymousPast];
  const state = rebuild(all, startState(previous).tier, model);
  const row = nextScoreRow({
    orgId,
    candidateId,
    previous,
    state,
    engagementCount: all.length,
    model,
    now,
  });
  statements.push(
    ...upsertScores(db, [row]),
    ...outboxStatements(
      db,
      orgId,
      tierChanges([row], () => previous?.tier, { now, model, reason: 'engagement' }),
      now,
    ),
    db.insert(auditLog).values({
      id: newId(),
      orgId,
      at: now,
      actor: job.actor,
      action: 'visitor.link',
      subject: job.deviceId,
      details: JSON.stringify({
        candidate: job.candidateExternalId,
        via: 'api',
        previousCandidate: visitor?.candidateId ?? null,
        linkedEngagements: anonymousPast.length,
      }),
    }),
  );
  await runBatch(db, statements);
  return {
    visitorKnown: visitor !== undefined,
    alreadyLinked: false,
    linkedEngagements: anonymousPast.length,
    tier: row.tier,
  };
}
