// What the FingerprintJS id (`visitor.fp`) is used for: recognising a browser profile whose
// storage was cleared, and nothing else, and only while the fingerprint is unambiguous.
//
// Open-source FingerprintJS gives every profile of one browser build on one device the same id
// (measured in the tracker's browser tests: fresh profiles of one Chromium, always one id), so
// the fingerprint names a device, never a person. The visitor is the tracker's stored id; the
// fingerprint's row (`fingerprints`) remembers the profile last seen with it and the candidate an
// identified profile with it was linked to. Per beacon carrying `fp`:
//
// - A profile new to the fingerprint (storage cleared, or a new profile) takes it over. If the
//   fingerprint is unambiguous and linked to a candidate, and the profile is anonymous, it is
//   recognised: linked provisionally (`link_source = 'fingerprint'`, `write-beacon.ts` makes the
//   link), its events from then on, and its anonymous past, attributed `fingerprint`.
// - A stored id the fingerprint had given way to coming back means two profiles are in use: the
//   fingerprint is shared. So it is when profiles with it are identified as two candidates.
//   Shared is final: every provisional link it made is dropped and it never attributes again;
//   what it attributed before stays, marked `fingerprint` (the profile's identification moves it).
// - Profiles with their own link are never touched: identified people are never merged.
//
// Storage-refusing browsers send a new `page` id per page view: each is new to the fingerprint
// (and recognised while it is unambiguous); their ids coming back (a form on the same page) is
// expected and does not mark it shared. Old trackers (`kind: 'fingerprint'`, the fingerprint as
// the visitor id) send no `fp` and are not recognised: their id is the visitor.
//
// Every statement here is written in place and commutes with itself, so one device's concurrent
// beacons never fail each other; only a recognition reads and is guarded (`recognitionGuard`).
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db, Statement } from '../db/client.js';
import { fingerprints, visitors } from '../db/schema.js';
import { unlinkVisitors } from '../db/visitors.js';

export interface StoredFingerprint {
  visitorId: string;
  candidateId: string | null;
  sharedAt: number | null;
  version: number;
}

/** `link_source` of a visitor identified as a candidate (not merely recognised). */
const IDENTIFIED = sql`('api', 'identity_token')`;

/** The query reading a `StoredFingerprint` (its rows: none or one), alone or in a batch. */
export function fingerprintQuery(db: Db, orgId: string, fp: string) {
  return db
    .select({
      visitorId: fingerprints.visitorId,
      candidateId: fingerprints.candidateId,
      sharedAt: fingerprints.sharedAt,
      version: fingerprints.version,
    })
    .from(fingerprints)
    .where(and(eq(fingerprints.orgId, orgId), eq(fingerprints.fp, fp)));
}

/** The visitor as a recognition needs it (see `StoredVisitor`). */
export interface VisitorSeen {
  candidateId: string | null;
  fp: string | null;
}

/**
 * The candidate a beacon's profile is recognised as: the fingerprint's, when the fingerprint is
 * unambiguous and linked, the profile (by its stored or page id) is new to it and linked to no
 * one. Null otherwise.
 */
export function recognisedAs(input: {
  fingerprint: StoredFingerprint | null;
  visitor: VisitorSeen | null;
  fp: string;
  kind: string;
}): string | null {
  const { fingerprint, visitor } = input;
  if (!fingerprint || fingerprint.sharedAt !== null || fingerprint.candidateId === null)
    return null;
  if (input.kind !== 'stored' && input.kind !== 'page') return null;
  if (visitor && (visitor.candidateId !== null || visitor.fp === input.fp)) return null;
  return fingerprint.candidateId;
}

/**
 * Fails the recognition's batch (the guard trigger, migration 0007) when the fingerprint's
 * candidate or shared mark changed since `read`: the writer then reads again.
 */
export function recognitionGuard(
  db: Db,
  orgId: string,
  fp: string,
  read: StoredFingerprint,
): Statement {
  return db
    .update(fingerprints)
    .set({ version: read.version + 1 })
    .where(and(eq(fingerprints.orgId, orgId), eq(fingerprints.fp, fp)));
}

/** The beacon's visitor row, by its tracker id, as SQL. */
function visitorWhere(orgId: string, deviceId: string): SQL {
  return sql`${visitors.orgId} = ${orgId} AND ${visitors.deviceId} = ${deviceId}`;
}

/**
 * What a beacon carrying `fp` records, after its visitor write (and link, if any): a stored id
 * the fingerprint gave way to is back (shared); the fingerprint's row (created, or taken over by
 * this profile while unambiguous); the visitor's `fp`; then `afterIdentified`. When the beacon
 * read the profile holding the fingerprint already (`settled`), only the first and the drop of
 * provisional links it may cause: another profile may have taken the fingerprint over since.
 */
export function fingerprintSeen(
  db: Db,
  input: { orgId: string; deviceId: string; fp: string; at: number; settled: boolean },
): Statement[] {
  const { orgId, deviceId, fp, at } = input;
  const visitor = visitorWhere(orgId, deviceId);
  const returning = db
    .update(fingerprints)
    .set({ sharedAt: at, version: sql`${fingerprints.version} + 1` })
    .where(
      sql`${fingerprints.orgId} = ${orgId} AND ${fingerprints.fp} = ${fp}
        AND ${fingerprints.sharedAt} IS NULL
        AND EXISTS (SELECT 1 FROM ${visitors} WHERE ${visitor} AND ${visitors.fp} = ${fp}
          AND ${visitors.kind} = 'stored' AND ${visitors.id} <> ${fingerprints.visitorId})`,
    );
  const owner = db
    .insert(fingerprints)
    .values({
      orgId,
      fp,
      visitorId: sql`(SELECT ${visitors.id} FROM ${visitors} WHERE ${visitor})`,
      candidateId: sql`(SELECT ${visitors.candidateId} FROM ${visitors} WHERE ${visitor}
        AND ${visitors.linkSource} IN ${IDENTIFIED})`,
      firstSeenAt: at,
      lastSeenAt: at,
    })
    .onConflictDoUpdate({
      target: [fingerprints.orgId, fingerprints.fp],
      set: {
        // Not while shared: a shared fingerprint's row stays as it was when it proved so.
        visitorId: sql`CASE WHEN ${fingerprints.sharedAt} IS NULL THEN excluded.visitor_id
          ELSE ${fingerprints.visitorId} END`,
        lastSeenAt: sql`max(${fingerprints.lastSeenAt}, excluded.last_seen_at)`,
      },
    });
  const noted = db
    .update(visitors)
    .set({ fp })
    .where(sql`${visitor} AND ${visitors.fp} IS NOT ${fp}`);
  if (input.settled) return [returning, dropProvisional(db, orgId, sql`${fp}`)];
  return [returning, owner, noted, ...afterIdentified(db, { orgId, deviceId, at })];
}

/** A shared fingerprint's provisional links, dropped (version bumped: a concurrent link rereads). */
function dropProvisional(db: Db, orgId: string, fp: SQL): Statement {
  return unlinkVisitors(
    db,
    sql`${visitors.orgId} = ${orgId} AND ${visitors.fp} = ${fp}
      AND ${visitors.linkSource} = 'fingerprint'
      AND EXISTS (SELECT 1 FROM ${fingerprints} WHERE ${fingerprints.orgId} = ${orgId}
        AND ${fingerprints.fp} = ${fp} AND ${fingerprints.sharedAt} IS NOT NULL)`,
  );
}

/**
 * After a visitor may have been identified (a link, an identity token) or newly seen with a
 * fingerprint: the fingerprint (the visitor's `fp`) takes the candidate if it had none, or is
 * shared when identified profiles with it belong to two candidates; a shared fingerprint's
 * provisional links are dropped (their version bumped, so a concurrent link reads again).
 */
export function afterIdentified(
  db: Db,
  input: { orgId: string; deviceId: string; at: number },
): Statement[] {
  const { orgId, at } = input;
  const fp = sql`(SELECT ${visitors.fp} FROM ${visitors} WHERE ${visitorWhere(orgId, input.deviceId)})`;
  const identified = sql`${visitors.orgId} = ${orgId} AND ${visitors.fp} = ${fingerprints.fp}
    AND ${visitors.linkSource} IN ${IDENTIFIED}`;
  const ofFp = sql`${fingerprints.orgId} = ${orgId} AND ${fingerprints.fp} = ${fp}`;
  // Two candidates: one differs from the fingerprint's (or, while it has none, from any one).
  const twoCandidates = db
    .update(fingerprints)
    .set({ sharedAt: at, version: sql`${fingerprints.version} + 1` })
    .where(
      sql`${ofFp} AND ${fingerprints.sharedAt} IS NULL AND EXISTS (
        SELECT 1 FROM ${visitors} WHERE ${identified} AND ${visitors.candidateId} <> coalesce(
          ${fingerprints.candidateId},
          (SELECT ${visitors.candidateId} FROM ${visitors} WHERE ${identified} LIMIT 1)))`,
    );
  const firstCandidate = db
    .update(fingerprints)
    .set({
      candidateId: sql`(SELECT ${visitors.candidateId} FROM ${visitors} WHERE ${identified} LIMIT 1)`,
      version: sql`${fingerprints.version} + 1`,
    })
    .where(
      sql`${ofFp} AND ${fingerprints.sharedAt} IS NULL AND ${fingerprints.candidateId} IS NULL
        AND EXISTS (SELECT 1 FROM ${visitors} WHERE ${identified})`,
    );
  return [twoCandidates, firstCandidate, dropProvisional(db, orgId, fp)];
}

/**
 * A purged candidate's fingerprints (linked to the candidate, or last seen with one of its
 * devices, `devices` being a subquery of their visitor ids): an unambiguous one is deleted, the
 * device hint going with the person (`where`, for the purge's count and delete); a shared one is
 * kept, because it must stay shared, but without the candidate or the device (`keepShared`, to run
 * first).
 */
export function purgedFingerprints(
  db: Db,
  input: { orgId: string; candidateId: string; devices: SQL },
): { where: SQL; keepShared: Statement } {
  const { orgId, candidateId, devices } = input;
  const theirs = sql`${fingerprints.orgId} = ${orgId} AND (${fingerprints.candidateId} = ${candidateId}
    OR ${fingerprints.visitorId} IN ${devices})`;
  const keepShared = db
    .update(fingerprints)
    .set({
      candidateId: sql`CASE WHEN ${fingerprints.candidateId} = ${candidateId} THEN NULL
        ELSE ${fingerprints.candidateId} END`,
      // No visitor has an empty id: a profile coming back is never taken for this one.
      visitorId: sql`CASE WHEN ${fingerprints.visitorId} IN ${devices} THEN ''
        ELSE ${fingerprints.visitorId} END`,
      version: sql`${fingerprints.version} + 1`,
    })
    .where(sql`${theirs} AND ${fingerprints.sharedAt} IS NOT NULL`);
  return { where: sql`${theirs} AND ${fingerprints.sharedAt} IS NULL`, keepShared };
}

/** What the beacon's fingerprint did, read at the end of its batch (the collector's reply). */
export function fingerprintState(db: Db, orgId: string, deviceId: string): Statement {
  return db
    .select({ linkSource: visitors.linkSource, sharedAt: fingerprints.sharedAt })
    .from(visitors)
    .leftJoin(
      fingerprints,
      and(eq(fingerprints.orgId, visitors.orgId), eq(fingerprints.fp, visitors.fp)),
    )
    .where(visitorWhere(orgId, deviceId));
}
