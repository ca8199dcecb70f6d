// Purging a candidate (right to erasure): everything stored about them goes in one D1 batch, and
// the audit log keeps who purged and when, with a keyed hash of the id instead of the id, so a
// later "was cand-42 purged?" can be answered without keeping the id itself. The key is the
// Worker secret SECRETS_KEY: without it, nobody holding a copy of the audit log can test guessed
// ids against it (a fixed salt would let them).

import { and, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { OPTIONS } from '../../config.js';
import type { CandidateRef } from '../../db/candidates.js';
import { type Db, newId, runBatch, type Statement } from '../../db/client.js';
import { dropEmptyDays, uncount } from '../../db/engagement-days.js';
import { withRetries } from '../../db/retry.js';
import {
  auditLog,
  candidateContactDetails,
  candidates,
  candidateTags,
  contacts,
  contactUsage,
  engagements,
  fingerprints,
  identityCodeClaims,
  messages,
  scores,
  trackedLinks,
  visitors,
  webhookDeliveries,
} from '../../db/schema.js';
import { unlinkVisitors } from '../../db/visitors.js';
import { purgedFingerprints } from '../../identity/fingerprints.js';
import { hex, hmacSha256 } from '../../utils/encoding.js';

export interface PurgeReport {
  engagements: number;
  trackedLinks: number;
  tags: number;
  scores: number;
  visitors: number;
  webhookDeliveries: number;
  /** Messaging (issue 16): contacts (outbound touches), texts both ways, the number and consent. */
  contacts: number;
  messages: number;
  contactDetails: number;
  /** The monthly contacts the candidate used (so the period's count goes down by as many). */
  contactUsage: number;
}

/**
 * What the audit log stores for a purged candidate: not the id, its HMAC-SHA256 under `key` (the
 * Worker's SECRETS_KEY). After SECRETS_KEY is rotated, earlier entries match under the previous
 * key. (Entries written before this used `sha256:` of a fixed salt and the id.)
 */
export async function purgedSubject(
  key: string,
  orgId: string,
  externalId: string,
): Promise<string> {
  return `hmac-sha256:${hex(await hmacSha256(key, `cxm-purge:${orgId}:${externalId}`))}`;
}

interface PurgeInput {
  orgId: string;
  /** The key of the audit entry's hash (SECRETS_KEY). */
  auditKey: string;
  candidate: CandidateRef;
  actor: string;
  now: number;
}

export function purgeCandidate(db: Db, input: PurgeInput): Promise<PurgeReport> {
  return withRetries(() => attempt(db, input), OPTIONS.writeAttempts);
}

/** One table's rows of the candidate: counted for the report, then deleted in the batch. */
interface Selection {
  table: SQLiteTable;
  where: SQL | undefined;
  /** What must run before the rows go, in the same batch. */
  before?: (db: Db) => Statement;
}

/**
 * `engagements.visitor_id` is one of the candidate's linked devices, as a subquery: a candidate
 * may have any number of devices, and D1 binds at most 100 parameters per statement.
 */
function linkedDevice(orgId: string, candidateId: string) {
  return sql`${engagements.visitorId} IN (SELECT ${visitors.id} FROM ${visitors} WHERE ${visitors.orgId} = ${orgId} AND ${visitors.candidateId} = ${candidateId})`;
}

/**
 * A device linked to the candidate is the candidate's: it goes, unless rows of another candidate
 * still point at it (it was relinked), in which case only the link goes. Runs after the
 * candidate's engagements are gone, so the rows it finds are other candidates'.
 */
function unlinkRelinkedDevices(db: Db, linked: SQL | undefined): Statement {
  return unlinkVisitors(
    db,
    and(linked, sql`EXISTS (SELECT 1 FROM engagements e WHERE e.visitor_id = ${visitors.id})`),
  );
}

/** Everything stored about the candidate, by the report's count each selection adds to. */
type CandidateRows = Record<keyof PurgeReport, Selection[]>;

/** The batch deletes in this order: engagements before the devices they point at. */
function candidateRows(db: Db, orgId: string, candidate: CandidateRef): CandidateRows {
  const { id, externalId } = candidate;
  const ofCandidate = (table: { orgId: SQLiteColumn; candidateId: SQLiteColumn }) =>
    and(eq(table.orgId, orgId), eq(table.candidateId, id));
  const linked = ofCandidate(visitors);
  const fingerprintsOf = purgedFingerprints(db, {
    orgId,
    candidateId: id,
    devices: sql`(SELECT ${visitors.id} FROM ${visitors} WHERE ${linked})`,
  });
  // The tier report's per-day counts go down by what each delete takes (`db/engagement-days.ts`).
  const counted = (where: SQL | undefined): Selection => ({
    table: engagements,
    where,
    before: (db) => uncount(db, where),
  });
  return {
    engagements: [
      counted(ofCandidate(engagements)),
      // The linked devices' own anonymous rows (normally none: a link moves them to the candidate).
      counted(
        and(eq(engagements.orgId, orgId), linkedDevice(orgId, id), isNull(engagements.candidateId)),
      ),
    ],
    visitors: [
      // Fingerprints linked to the candidate, or last seen with one of its devices: device hints
      // that would otherwise still point at them. Before the devices, which they select by.
      {
        table: fingerprints,
        where: fingerprintsOf.where,
        before: () => fingerprintsOf.keepShared,
      },
      { table: visitors, where: linked, before: (db) => unlinkRelinkedDevices(db, linked) },
    ],
    trackedLinks: [
      {
        table: trackedLinks,
        where: ofCandidate(trackedLinks),
        // The identity codes its links' clicks gave that a device has used (an hour's worth).
        before: (db) =>
          db
            .delete(identityCodeClaims)
            .where(
              and(
                eq(identityCodeClaims.orgId, orgId),
                eq(identityCodeClaims.externalId, externalId),
              ),
            ),
      },
    ],
    tags: [{ table: candidateTags, where: ofCandidate(candidateTags) }],
    webhookDeliveries: [{ table: webhookDeliveries, where: ofCandidate(webhookDeliveries) }],
    contacts: [{ table: contacts, where: ofCandidate(contacts) }],
    messages: [{ table: messages, where: ofCandidate(messages) }],
    contactDetails: [
      { table: candidateContactDetails, where: ofCandidate(candidateContactDetails) },
    ],
    contactUsage: [{ table: contactUsage, where: ofCandidate(contactUsage) }],
    scores: [{ table: scores, where: ofCandidate(scores) }],
  };
}

const COUNT = sql<number>`COUNT(*)`.mapWith(Number);

async function countOf(db: Db, selection: Selection): Promise<number> {
  const rows = await db.select({ n: COUNT }).from(selection.table).where(selection.where);
  return rows[0]?.n ?? 0;
}

/** The report: every selection counted, all at once, before anything is deleted. */
async function countAll(db: Db, selected: CandidateRows): Promise<PurgeReport> {
  // The reply's field order.
  const report: PurgeReport = {
    engagements: 0,
    trackedLinks: 0,
    tags: 0,
    scores: 0,
    visitors: 0,
    webhookDeliveries: 0,
    contacts: 0,
    messages: 0,
    contactDetails: 0,
    contactUsage: 0,
  };
  const keys = Object.keys(selected) as (keyof PurgeReport)[];
  const counted = await Promise.all(
    keys.flatMap((key) => selected[key].map(async (s) => [key, await countOf(db, s)] as const)),
  );
  for (const [key, n] of counted) report[key] += n;
  return report;
}

function deleteAll(db: Db, selected: CandidateRows): Statement[] {
  return Object.values(selected).flatMap((list) =>
    list.flatMap((s) => [...(s.before ? [s.before(db)] : []), db.delete(s.table).where(s.where)]),
  );
}

/**
 * Earlier audit entries named the candidate (visitor links): they keep the event, not the id.
 * Then the purge's own entry, under the same hash.
 */
function auditStatements(
  db: Db,
  input: PurgeInput,
  subject: string,
  report: PurgeReport,
): Statement[] {
  const { orgId, candidate } = input;
  // Earlier entries name the candidate as the one linked (`candidate`) or the one a visitor was
  // switched away from (`previousCandidate`): both get the hash in place of the id.
  const replaceId = (field: '$.candidate' | '$.previousCandidate') =>
    db
      .update(auditLog)
      .set({ details: sql`json_set(${auditLog.details}, ${field}, ${subject})` })
      .where(
        and(
          eq(auditLog.orgId, orgId),
          sql`json_valid(${auditLog.details})`,
          sql`json_extract(${auditLog.details}, ${field}) = ${candidate.externalId}`,
        ),
      );
  return [
    replaceId('$.candidate'),
    replaceId('$.previousCandidate'),
    db.insert(auditLog).values({
      id: newId(),
      orgId,
      at: input.now,
      actor: input.actor,
      action: 'candidate.purge',
      subject,
      details: JSON.stringify({ removed: report }),
    }),
  ];
}

/** Counts, then deletes everything and writes the audit in one batch (all or nothing). */
async function attempt(db: Db, input: PurgeInput): Promise<PurgeReport> {
  const { orgId, candidate } = input;
  const selected = candidateRows(db, orgId, candidate);
  const [report, subject] = await Promise.all([
    countAll(db, selected),
    purgedSubject(input.auditKey, orgId, candidate.externalId),
  ]);
  await runBatch(db, [
    ...deleteAll(db, selected),
    dropEmptyDays(db, orgId),
    db.delete(candidates).where(and(eq(candidates.orgId, orgId), eq(candidates.id, candidate.id))),
    ...auditStatements(db, input, subject, report),
  ]);
  return report;
}
