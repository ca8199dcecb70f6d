// Writes one validated beacon in two steps, neither of which has to win a race (issue 14: one
// visitor's beacons used to fail each other on the visitor row's version, about half of a burst
// of 50 got 503):
//
// 1. Store, in one D1 batch: the visitor seen now (an upsert whose update of `last_seen_at`,
//    `kind` and `fingerprint_version` commutes, without a version bump), its events, each
//    inserted unless stored or a window repeat in the same statement (`dedupe.ts`), for the
//    visitor's current candidate as the batch sees it (and attributed from that same row: to the
//    visitor's link, or to the beacon's identity token when it names that candidate), the tier
//    report's per-day counts of the events stored (`db/engagement-days.ts`), the backlog mark of
//    that candidate's score and the site's counters. While the visitor is not
//    identified (anonymous, or recognised by its fingerprint only) the batch also bumps its
//    version: a concurrent relink (which moves the past it read) must then read again, so no
//    event it did not read is moved. A valid identity token that links the visitor to a new
//    candidate adds the relink (`identity/relink.ts`, version-guarded: this is the only part
//    that can lose a race, and is then retried from fresh reads; the past it moves is
//    attributed to the link) and the candidate's rebuild with that past. A beacon's `fp` adds
//    what the fingerprint learns (`identity/fingerprints.ts`, in place), and a profile it
//    recognises is linked like a token's, provisionally (`via: 'fingerprint'`).
// 2. Settle the candidate's score (`scoring/settle.ts`), coalescing with concurrent settles.
//
// The job is plain JSON so the same function serves the direct path and the queue consumer.
import type { CollectReply } from '@cxm/tracker/wire';
import { and, eq, isNull, or, type SQL, sql } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
import { markBacklog } from '../../db/backlog.js';
import { type CandidateRef, candidateQuery } from '../../db/candidates.js';
import {
  bumpCollectStats,
  type Db,
  newId,
  runBatch,
  runBatchResults,
  runQueries,
  type Statement,
  storedKeyQueries,
  utcDay,
} from '../../db/client.js';
import { countInserted } from '../../db/engagement-days.js';
import { withRetries } from '../../db/retry.js';
import { candidates, engagements, visitors } from '../../db/schema.js';
import { storedScore } from '../../db/score-rows.js';
import {
  fingerprintQuery,
  fingerprintSeen,
  fingerprintState,
  recognisedAs,
  recognitionGuard,
  type StoredFingerprint,
} from '../../identity/fingerprints.js';
import {
  externalIdOf,
  isIdentified,
  type LinkSource,
  relinkVisitor,
  type StoredVisitor,
  visitorQuery,
} from '../../identity/relink.js';
import { type ScoreContext, type ScoreUpdate, scoreStatements } from '../../scoring/pipeline.js';
import { modelFrom } from '../../scoring/score-row.js';
import { settleScores } from '../../scoring/settle.js';
import { insertUnlessRepeat, splitFresh, type TrackerEventRow, type Windows } from './dedupe.js';

export interface BeaconEventJob {
  eventKey: string;
  type: 'visit_landing_page' | 'submit_form';
  detail: string;
  occurredAt: number;
}

export interface BeaconJob {
  orgId: string;
  siteId: string;
  /**
   * The organisation's scoring model JSON (null: default) the beacon is scored with: read when
   * it is written (collect's direct path, and the queue consumer for each delivery), never the
   * copy in an isolate's site cache, so no score is folded under a model a rescore replaced.
   */
  scoringModel: string | null;
  windows: Windows;
  visitor: {
    deviceId: string;
    kind: string;
    fingerprintVersion: string | null;
    /** The FingerprintJS id beside the visitor id (absent in jobs queued before it was kept). */
    fp?: string | null;
  };
  /** The candidate's external id from a verified identity token. */
  identityCandidate: string | null;
  events: BeaconEventJob[];
  receivedAt: number;
  /** Counted, not stored: events from bots, identity tokens ignored. */
  droppedBots: number;
  ignoredTokens: number;
}

/** What `/v1/collect` puts on the ingest queue (when bound) for `jobs/ingest-queue.ts`. */
export interface IngestMessage {
  kind: 'beacon';
  job: BeaconJob;
}

/**
 * What the beacon's FingerprintJS id did: nothing sent (`none`); kept as a hint for this profile
 * (`noted`); recognised the profile as the fingerprint's candidate (`recognised`); nothing, the
 * fingerprint being shared by several profiles or people (`shared`); not known yet, the beacon
 * being queued (`queued`).
 */
export type FingerprintUse = Exclude<CollectReply['fingerprint'], 'unused'>;

export interface BeaconOutcome {
  accepted: number;
  duplicates: number;
  fingerprint: FingerprintUse;
}

export async function writeBeacon(db: Db, job: BeaconJob): Promise<BeaconOutcome> {
  const stored = await withRetries(() => storeBeacon(db, job), OPTIONS.writeAttempts);
  if (stored.candidateIds.length > 0) {
    const settled = await settleScores(db, {
      orgId: job.orgId,
      model: modelFrom(job.scoringModel),
      candidateIds: stored.candidateIds,
    });
    if (settled.deferred.length > 0) console.warn('collect: a score left to a later settle');
  }
  return {
    accepted: stored.accepted,
    duplicates: stored.duplicates,
    fingerprint: stored.fingerprint,
  };
}

export interface Stored extends BeaconOutcome {
  /** The candidates whose scores the beacon may have moved (internal ids). */
  candidateIds: string[];
}

/** Step 1: one batch storing what is new (or, for a pure retry, counting it). */
async function storeBeacon(db: Db, job: BeaconJob): Promise<Stored> {
  const write = await beaconWrite(db, job, await readBeacon(db, job));
  return write.outcome(await runBatchResults(db, write.statements));
}

// --- For the ingest queue's consumer (jobs/ingest-queue.ts), which writes many beacons in one
// D1 batch: a beacon's read and write as statements, produced exactly as `storeBeacon` runs them.

type BatchResult = D1Result<Record<string, unknown>>;

/** A beacon's write batch, and what it stored, told from that batch's own results. */
export interface BeaconWrite {
  statements: (Statement | SQL)[];
  outcome(results: readonly BatchResult[]): Stored;
}

/**
 * The beacon links its visitor to a candidate (a token's or a recognised fingerprint's): the
 * version-guarded relink, which can lose a race, so the consumer writes it on its own.
 */
export function linksVisitor(job: BeaconJob, read: BeaconRead): boolean {
  return targetOf(job, read).relink;
}

/** The statements of step 1, from what `readBeacon` read. */
export async function beaconWrite(db: Db, job: BeaconJob, read: BeaconRead): Promise<BeaconWrite> {
  // Keys known stored and repeats within the beacon; the inserts decide the rest.
  const { fresh, repeats } = splitFresh(job.events, read.storedKeys, [], job.windows);
  const target = targetOf(job, read);
  const linked = target.candidateId === null ? [] : [target.candidateId];
  const fp = job.visitor.fp ?? null;
  if (fresh.length === 0 && !target.relink) {
    // Nothing new: the visitor row is left alone; the candidate is still settled, so a retry of
    // a beacon whose reply was lost finishes its work.
    const counted = repeats + job.droppedBots + job.ignoredTokens > 0;
    const state = fp === null ? [] : [fingerprintState(db, job.orgId, job.visitor.deviceId)];
    return {
      statements: [...(counted ? [bumpCollectStats(db, statsOf(job, 0, repeats))] : []), ...state],
      outcome: (results) => ({
        accepted: 0,
        duplicates: repeats,
        candidateIds: linked,
        fingerprint: fingerprintUse(fp, results.at(-1)),
      }),
    };
  }
  const rows = fresh.map((event) => eventRow(job, event, target));
  const before = [
    ...(target.relink ? await linkStatements(db, job, read, target) : []),
    ...seenStatements(db, job),
    ...(fp === null
      ? []
      : fingerprintSeen(db, {
          orgId: job.orgId,
          deviceId: job.visitor.deviceId,
          fp,
          at: job.receivedAt,
          settled: !target.relink && isSettled(read, fp),
        })),
  ];
  const statements = [
    ...before,
    ...rows.map((row) => insertUnlessRepeat(row, job.windows)),
    ...countInserted(
      db,
      job.orgId,
      rows.map((row) => row.id),
    ),
    markBacklog(db, { orgId: job.orgId, candidateIds: visitorCandidate(job), now: job.receivedAt }),
    bumpCollectStats(db, statsOf(job, ...countsOf(job, rows))),
    fingerprintState(db, job.orgId, job.visitor.deviceId),
  ];
  return { statements, outcome: (results) => storedBy(job, results, { before, rows, linked }) };
}

/** What the batch stored, from its results: each event insert returns its row if it stored one. */
function storedBy(
  job: BeaconJob,
  results: readonly BatchResult[],
  wrote: { before: readonly unknown[]; rows: readonly TrackerEventRow[]; linked: string[] },
): Stored {
  const { before, rows, linked } = wrote;
  // Each event insert returns its row if it stored one (RETURNING), with the candidate it went to.
  const inserted = results
    .slice(before.length, before.length + rows.length)
    .flatMap((result) => result.results ?? []);
  const candidateIds = new Set(linked);
  for (const row of inserted) {
    if (typeof row.candidate_id === 'string') candidateIds.add(row.candidate_id);
  }
  return {
    accepted: inserted.length,
    duplicates: job.events.length - inserted.length,
    candidateIds: [...candidateIds],
    fingerprint: fingerprintUse(job.visitor.fp ?? null, results.at(-1)),
  };
}

/**
 * The fingerprint has little to learn from this beacon: the profile was seen with it last and
 * held it when read (not new to it; its identification, if any, was told to the fingerprint by
 * the link that made it, `afterIdentified`). Most beacons are such, and write only the check for
 * a profile that took it over since (writing every statement cost 15-20% of the collector's
 * throughput in the local bench).
 */
function isSettled(read: BeaconRead, fp: string): boolean {
  return read.visitor?.fp === fp && read.fingerprint?.visitorId === read.visitor.id;
}

/** The reply's `fingerprint`, from `fingerprintState` as the batch ended. */
function fingerprintUse(
  fp: string | null,
  state: { results?: Record<string, unknown>[] } | undefined,
): FingerprintUse {
  if (fp === null) return 'none';
  const row = state?.results?.[0];
  if (row?.shared_at != null) return 'shared';
  return row?.link_source === 'fingerprint' ? 'recognised' : 'noted';
}

/** What a beacon's write depends on: the visitor, the token's candidate, what is stored already. */
/** All in one D1 batch: one round trip, one snapshot. */
async function readBeacon(db: Db, job: BeaconJob): Promise<BeaconRead> {
  return beaconRead(job, await runQueries(db, beaconReadQueries(db, job)));
}

/** `readBeacon`'s queries, which the consumer runs in one batch for many beacons. */
export function beaconReadQueries(db: Db, job: BeaconJob): Statement[] {
  const { orgId } = job;
  const fp = job.visitor.fp ?? null;
  const keys = storedKeyQueries(
    db,
    orgId,
    job.events.map((event) => event.eventKey),
  );
  return [
    visitorQuery(db, orgId, job.visitor.deviceId),
    // Reads nothing when there is nothing to read, so the results keep their places.
    candidateQuery(db, orgId, job.identityCandidate ?? ''),
    fingerprintQuery(db, orgId, fp ?? ''),
    ...keys,
  ];
}

/** What `beaconReadQueries` read, in their order. */
export function beaconRead(job: BeaconJob, results: readonly unknown[]): BeaconRead {
  const fp = job.visitor.fp ?? null;
  const [visitor, identity, fingerprint, ...stored] = results;
  const first = <T>(rows: unknown): T | null => (rows as T[])[0] ?? null;
  return {
    visitor: first<StoredVisitor>(visitor),
    identity: job.identityCandidate === null ? null : first<CandidateRef>(identity),
    fingerprint: fp === null ? null : first<StoredFingerprint>(fingerprint),
    storedKeys: new Set(stored.flatMap((rows) => (rows as { key: string }[]).map((r) => r.key))),
  };
}

export interface BeaconRead {
  visitor: StoredVisitor | null;
  /** The candidate the beacon's identity token names, if stored. */
  identity: CandidateRef | null;
  /** The beacon's fingerprint, if it carries one and it is stored. */
  fingerprint: StoredFingerprint | null;
  storedKeys: Set<string>;
}

/** The candidate the beacon's events belong to. */
interface Target {
  /**
   * The token's candidate, else the one the fingerprint recognises, else the visitor's existing
   * link (null: anonymous).
   */
  candidateId: string | null;
  /** The token names a candidate not stored yet: this batch creates it. */
  created: boolean;
  /** The beacon links the visitor to a candidate it is not linked to yet, and how. */
  relink: boolean;
  via: LinkSource;
}

function targetOf(job: BeaconJob, read: BeaconRead): Target {
  const { visitor, identity, fingerprint } = read;
  const fp = job.visitor.fp ?? null;
  if (job.identityCandidate !== null) {
    const candidateId = identity?.id ?? newId();
    // A recognised visitor is identified by the token even as the same candidate.
    const relink = visitor?.candidateId !== candidateId || !isIdentified(visitor);
    return { candidateId, created: identity === null, relink, via: 'identity_token' };
  }
  const recognised =
    fp === null ? null : recognisedAs({ fingerprint, visitor, fp, kind: job.visitor.kind });
  if (recognised !== null) {
    return { candidateId: recognised, created: false, relink: true, via: 'fingerprint' };
  }
  const candidateId = visitor?.candidateId ?? null;
  return { candidateId, created: false, relink: false, via: 'identity_token' };
}

/**
 * The link a valid identity token (or a recognition) makes: the candidate if new, the guarded
 * relink (with the move of the visitor's unidentified past), and the candidate's score rebuilt
 * with that past, whose rowids its watermark takes (a new candidate's row is created here), and
 * any candidate the past is taken from rebuilt without it. The beacon's own events are inserted
 * after, past the watermark, and settled like any others.
 */
async function linkStatements(
  db: Db,
  job: BeaconJob,
  read: BeaconRead,
  target: Target,
): Promise<Statement[]> {
  const { orgId } = job;
  const candidateId = target.candidateId!;
  const recognition = target.via === 'fingerprint';
  const externalId = recognition
    ? await externalIdOf(db, orgId, candidateId)
    : job.identityCandidate!;
  const link = await relinkVisitor(db, {
    orgId,
    deviceId: job.visitor.deviceId,
    visitor: read.visitor,
    candidateId,
    via: target.via,
    actor: `tracker:${job.siteId}`,
    at: job.receivedAt,
    seen: { kind: job.visitor.kind, fingerprintVersion: job.visitor.fingerprintVersion },
    // Null only for a candidate purged since the fingerprint was read: the link's foreign key
    // then fails the batch (the purge deleted or changed the fingerprint's row, so the guard may
    // match nothing), and the retry reads again.
    audit: { candidate: externalId ?? '' },
  });
  const guard =
    recognition && read.fingerprint
      ? [recognitionGuard(db, orgId, job.visitor.fp!, read.fingerprint)]
      : [];
  const created = target.created
    ? [db.insert(candidates).values({ id: candidateId, orgId, externalId: externalId! })]
    : [];
  if (!target.created && link.past.length === 0 && link.losers.length === 0) {
    return [...guard, ...created, ...link.statements];
  }
  const previous = target.created ? null : await storedScore(db, orgId, candidateId);
  const context: ScoreContext = {
    orgId,
    model: modelFrom(job.scoringModel),
    now: Date.now(),
    reason: 'engagement',
  };
  const update: ScoreUpdate = {
    candidateId,
    previous,
    added: link.past,
    rebuild: true,
    history: target.created ? [] : undefined,
  };
  const score = await scoreStatements(db, context, [update, ...link.losers]);
  return [...guard, ...created, ...link.statements, ...score.statements];
}

/**
 * The visitor seen now: created if new, else `last_seen_at` moved up (never back) and what the
 * tracker reports of it, in place and without a version bump, so concurrent beacons commute.
 * While it is not identified, its version goes up (see the header).
 */
function seenStatements(db: Db, job: BeaconJob): Statement[] {
  const { orgId, receivedAt } = job;
  const { deviceId, kind, fingerprintVersion } = job.visitor;
  return [
    db
      .insert(visitors)
      .values({
        id: newId(),
        orgId,
        deviceId,
        kind,
        fingerprintVersion,
        firstSeenAt: receivedAt,
        lastSeenAt: receivedAt,
      })
      .onConflictDoUpdate({
        target: [visitors.orgId, visitors.deviceId],
        set: {
          lastSeenAt: sql`max(${visitors.lastSeenAt}, excluded.last_seen_at)`,
          kind: sql`excluded.kind`,
          fingerprintVersion: sql`excluded.fingerprint_version`,
        },
      }),
    db
      .update(visitors)
      .set({ version: sql`${visitors.version} + 1` })
      .where(
        and(
          eq(visitors.orgId, orgId),
          eq(visitors.deviceId, deviceId),
          or(isNull(visitors.candidateId), eq(visitors.linkSource, 'fingerprint')),
        ),
      ),
  ];
}

/** The visitor's candidate as the batch sees it (a subquery; no row while anonymous). */
function visitorCandidate(job: BeaconJob): SQL {
  return sql`(SELECT ${visitors.candidateId} FROM ${visitors} WHERE ${visitors.orgId} = ${job.orgId}
    AND ${visitors.deviceId} = ${job.visitor.deviceId} AND ${visitors.candidateId} IS NOT NULL)`;
}

function eventRow(job: BeaconJob, event: BeaconEventJob, target: Target): TrackerEventRow {
  return {
    id: newId(),
    orgId: job.orgId,
    siteId: job.siteId,
    deviceId: job.visitor.deviceId,
    eventKey: event.eventKey,
    type: event.type,
    detail: event.detail,
    occurredAt: event.occurredAt,
    receivedAt: job.receivedAt,
    // Set whenever the beacon carries a verified token (then the target is the token's candidate).
    identityCandidateId: job.identityCandidate === null ? null : target.candidateId,
  };
}

/** The counters' accepted and duplicates, as SQL over what the batch's inserts stored. */
function countsOf(job: BeaconJob, rows: readonly TrackerEventRow[]): [SQL, SQL] {
  const ids =
    rows.length === 0
      ? sql`(NULL)`
      : sql`(${sql.join(
          rows.map((row) => sql`${row.id}`),
          sql`, `,
        )})`;
  const stored = sql`(SELECT COUNT(*) FROM ${engagements} WHERE ${engagements.orgId} = ${job.orgId} AND ${engagements.id} IN ${ids})`;
  return [stored, sql`${job.events.length} - ${stored}`];
}

/** The site's counters for today: what a beacon stored, repeated and dropped. */
function statsOf(
  job: Pick<BeaconJob, 'orgId' | 'siteId' | 'receivedAt' | 'droppedBots' | 'ignoredTokens'>,
  accepted: number | SQL,
  duplicates: number | SQL,
) {
  return {
    orgId: job.orgId,
    siteId: job.siteId,
    day: utcDay(job.receivedAt),
    accepted,
    duplicates,
    droppedBots: job.droppedBots,
    ignoredTokens: job.ignoredTokens,
  };
}

/** Counts what a site's beacons dropped without storing anything else (bots, automation). */
export function countDropped(
  db: Db,
  input: { orgId: string; siteId: string; receivedAt: number; droppedBots: number },
): Promise<void> {
  return runBatch(db, [bumpCollectStats(db, statsOf({ ...input, ignoredTokens: 0 }, 0, 0))]);
}
