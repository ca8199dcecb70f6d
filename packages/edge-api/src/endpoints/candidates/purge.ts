// Purging a candidate (right to erasure): everything stored about them goes in one D1 batch, and
// the audit log keeps who purged and when, with a salted hash of the id instead of the id, so a
// later "was cand-42 purged?" can be answered without keeping the id itself.

import { and, eq, isNull, sql } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
import type { CandidateRef } from '../../db/candidates.js';
import { type Db, newId, runBatch } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import {
  auditLog,
  candidates,
  candidateTags,
  engagements,
  scores,
  trackedLinks,
  visitors,
  webhookDeliveries,
} from '../../db/schema.js';
import { sha256Hex } from '../../utils/encoding.js';

export interface PurgeReport {
  engagements: number;
  trackedLinks: number;
  tags: number;
  scores: number;
  visitors: number;
  webhookDeliveries: number;
}

/** What the audit log stores for a purged candidate: not the id, a keyed hash of it. */
export async function purgedSubject(orgId: string, externalId: string): Promise<string> {
  return `sha256:${await sha256Hex(`cxm-purge:${orgId}:${externalId}`)}`;
}

export function purgeCandidate(
  db: Db,
  input: { orgId: string; candidate: CandidateRef; actor: string; now: number },
): Promise<PurgeReport> {
  return withRetries(() => attempt(db, input), OPTIONS.writeAttempts);
}

/**
 * `engagements.visitor_id` is one of the candidate's linked devices, as a subquery: a candidate
 * may have any number of devices, and D1 binds at most 100 parameters per statement.
 */
function linkedDevice(orgId: string, candidateId: string) {
  return sql`${engagements.visitorId} IN (SELECT ${visitors.id} FROM ${visitors} WHERE ${visitors.orgId} = ${orgId} AND ${visitors.candidateId} = ${candidateId})`;
}

async function attempt(
  db: Db,
  input: { orgId: string; candidate: CandidateRef; actor: string; now: number },
): Promise<PurgeReport> {
  const { orgId, candidate } = input;
  const id = candidate.id;
  const linkedVisitors = await db
    .select({ id: visitors.id })
    .from(visitors)
    .where(and(eq(visitors.orgId, orgId), eq(visitors.candidateId, id)));
  const visitorIds = linkedVisitors.map((row) => row.id);
  const count = async (query: Promise<{ n: number }[]>) => (await query)[0]?.n ?? 0;
  const n = sql<number>`COUNT(*)`.mapWith(Number);
  const [engagementCount, anonymousCount, linkCount, tagCount, scoreCount, deliveryCount] =
    await Promise.all([
      count(
        db
          .select({ n })
          .from(engagements)
          .where(and(eq(engagements.orgId, orgId), eq(engagements.candidateId, id))),
      ),
      visitorIds.length === 0
        ? 0
        : count(
            db
              .select({ n })
              .from(engagements)
              .where(
                and(
                  eq(engagements.orgId, orgId),
                  linkedDevice(orgId, id),
                  isNull(engagements.candidateId),
                ),
              ),
          ),
      count(
        db
          .select({ n })
          .from(trackedLinks)
          .where(and(eq(trackedLinks.orgId, orgId), eq(trackedLinks.candidateId, id))),
      ),
      count(
        db
          .select({ n })
          .from(candidateTags)
          .where(and(eq(candidateTags.orgId, orgId), eq(candidateTags.candidateId, id))),
      ),
      count(
        db
          .select({ n })
          .from(scores)
          .where(and(eq(scores.orgId, orgId), eq(scores.candidateId, id))),
      ),
      count(
        db
          .select({ n })
          .from(webhookDeliveries)
          .where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.candidateId, id))),
      ),
    ]);
  const report: PurgeReport = {
    engagements: engagementCount + anonymousCount,
    trackedLinks: linkCount,
    tags: tagCount,
    scores: scoreCount,
    visitors: visitorIds.length,
    webhookDeliveries: deliveryCount,
  };
  const subject = await purgedSubject(orgId, candidate.externalId);

  await runBatch(db, [
    db
      .delete(engagements)
      .where(and(eq(engagements.orgId, orgId), eq(engagements.candidateId, id))),
    // The linked devices' own anonymous rows (normally none: a link moves them to the candidate).
    ...(visitorIds.length === 0
      ? []
      : [
          db
            .delete(engagements)
            .where(
              and(
                eq(engagements.orgId, orgId),
                linkedDevice(orgId, id),
                isNull(engagements.candidateId),
              ),
            ),
        ]),
    // A device linked to the candidate is the candidate's: it goes, unless rows of another
    // candidate still point at it (it was relinked), in which case only the link goes.
    db
      .update(visitors)
      .set({
        candidateId: null,
        linkSource: null,
        linkedAt: null,
        version: sql`${visitors.version} + 1`,
      })
      .where(
        and(
          eq(visitors.orgId, orgId),
          eq(visitors.candidateId, id),
          sql`EXISTS (SELECT 1 FROM engagements e WHERE e.visitor_id = ${visitors.id})`,
        ),
      ),
    db.delete(visitors).where(and(eq(visitors.orgId, orgId), eq(visitors.candidateId, id))),
    db
      .delete(trackedLinks)
      .where(and(eq(trackedLinks.orgId, orgId), eq(trackedLinks.candidateId, id))),
    db
      .delete(candidateTags)
      .where(and(eq(candidateTags.orgId, orgId), eq(candidateTags.candidateId, id))),
    db
      .delete(webhookDeliveries)
      .where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.candidateId, id))),
    db.delete(scores).where(and(eq(scores.orgId, orgId), eq(scores.candidateId, id))),
    db.delete(candidates).where(and(eq(candidates.orgId, orgId), eq(candidates.id, id))),
    // Earlier audit entries named the candidate (visitor links): they keep the event, not the id.
    db
      .update(auditLog)
      .set({ details: sql`json_set(${auditLog.details}, '$.candidate', ${subject})` })
      .where(
        and(
          eq(auditLog.orgId, orgId),
          sql`json_valid(${auditLog.details})`,
          sql`json_extract(${auditLog.details}, '$.candidate') = ${candidate.externalId}`,
        ),
      ),
    db.insert(auditLog).values({
      id: newId(),
      orgId,
      at: input.now,
      actor: input.actor,
      action: 'candidate.purge',
      subject,
      details: JSON.stringify({ removed: report }),
    }),
  ]);
  return report;
}
