// Writes one validated beacon: the visitor, its events (deduped), a link to a candidate when
// the beacon carried a valid identity token, and that candidate's score, in one D1 batch.
// The job is plain JSON so the same function serves the direct path and the queue consumer.
import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
import { type CandidateRef, findCandidate } from '../../db/candidates.js';
import {
  bumpCollectStats,
  type Db,
  insertRows,
  newId,
  runBatch,
  type Statement,
  storedEventKeys,
  utcDay,
} from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import { candidates, type EngagementInsertRow, engagements } from '../../db/schema.js';
import { storedScore } from '../../db/score-rows.js';
import type { ScoredEngagement } from '../../db/stored-score.js';
import {
  findVisitor,
  relinkVisitor,
  type StoredVisitor,
  writeVisitor,
} from '../../identity/relink.js';
import { type ScoreContext, type ScoreUpdate, scoreStatements } from '../../scoring/pipeline.js';
import { modelFrom } from '../../scoring/score-row.js';
import { type Occurrence, splitFresh, type Windows } from './dedupe.js';

export interface BeaconEventJob {
  eventKey: string;
  type: 'visit_landing_page' | 'submit_form';
  detail: string;
  occurredAt: number;
}

export interface BeaconJob {
  orgId: string;
  siteId: string;
  /** The organisation's scoring model JSON (null: default). */
  scoringModel: string | null;
  windows: Windows;
  visitor: { deviceId: string; kind: string; fingerprintVersion: string | null };
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

export interface BeaconOutcome {
  accepted: number;
  duplicates: number;
}

export function writeBeacon(db: Db, job: BeaconJob): Promise<BeaconOutcome> {
  return withRetries(() => attempt(db, job), OPTIONS.writeAttempts);
}

async function attempt(db: Db, job: BeaconJob): Promise<BeaconOutcome> {
  const read = await readBeacon(db, job);
  const { fresh, repeats } = splitFresh(job.events, read.storedKeys, read.nearby, job.windows);
  const target = targetOf(job, read.visitor, read.identity);
  const stats = statsOf(job, fresh.length, repeats);
  if (fresh.length === 0 && !target.relink) {
    // Nothing new: do not touch the visitor row, so retries of a stored beacon do not contend.
    const counted = repeats + job.droppedBots + job.ignoredTokens > 0;
    await runBatch(db, counted ? [bumpCollectStats(db, stats)] : []);
    return { accepted: 0, duplicates: repeats };
  }
  const visitor = await visitorStatements(db, job, read.visitor, target);
  await runBatch(db, [
    ...candidateStatements(db, job, target),
    ...visitor.statements,
    ...insertRows(db, engagements, eventRows(job, fresh, target.candidateId, visitor.visitorId)),
    ...(await candidateScore(db, job, target, visitor.past, fresh)),
    bumpCollectStats(db, stats),
  ]);
  return { accepted: fresh.length, duplicates: repeats };
}

/** What a beacon's write depends on: the visitor, the token's candidate, what is stored already. */
async function readBeacon(db: Db, job: BeaconJob) {
  const { orgId } = job;
  const [visitor, identity, storedKeys] = await Promise.all([
    findVisitor(db, orgId, job.visitor.deviceId),
    job.identityCandidate === null ? null : findCandidate(db, orgId, job.identityCandidate),
    storedEventKeys(
      db,
      orgId,
      job.events.map((event) => event.eventKey),
    ),
  ]);
  const nearby = visitor && job.events.length > 0 ? await nearbyEvents(db, job, visitor.id) : [];
  return { visitor, identity, storedKeys, nearby };
}

/** The visitor's counted views and submits within a window of the beacon's events (dedupe). */
function nearbyEvents(db: Db, job: BeaconJob, visitorId: string): Promise<Occurrence[]> {
  const times = job.events.map((event) => event.occurredAt);
  const widest = Math.max(job.windows.visitMs, job.windows.formMs);
  return db
    .select({
      type: engagements.type,
      detail: engagements.detail,
      occurredAt: engagements.occurredAt,
    })
    .from(engagements)
    .where(
      and(
        eq(engagements.orgId, job.orgId),
        eq(engagements.visitorId, visitorId),
        gte(engagements.occurredAt, Math.min(...times) - widest),
        lte(engagements.occurredAt, Math.max(...times) + widest),
        inArray(engagements.type, ['visit_landing_page', 'submit_form']),
      ),
    );
}

/** The candidate the beacon's events belong to. */
interface Target {
  /** The token's candidate, else the visitor's existing link (null: anonymous). */
  candidateId: string | null;
  /** The token names a candidate not stored yet: this batch creates it. */
  created: boolean;
  /** The token links the visitor to a candidate it is not linked to yet. */
  relink: boolean;
}

function targetOf(
  job: BeaconJob,
  visitor: StoredVisitor | null,
  identity: CandidateRef | null,
): Target {
  if (job.identityCandidate === null) {
    return { candidateId: visitor?.candidateId ?? null, created: false, relink: false };
  }
  const candidateId = identity?.id ?? newId();
  return { candidateId, created: identity === null, relink: visitor?.candidateId !== candidateId };
}

function candidateStatements(db: Db, job: BeaconJob, target: Target): Statement[] {
  if (!target.created || target.candidateId === null || job.identityCandidate === null) return [];
  const row = { id: target.candidateId, orgId: job.orgId, externalId: job.identityCandidate };
  return [db.insert(candidates).values(row)];
}

/** The visitor seen now; relinked (with its anonymous past) when the token names a new candidate. */
async function visitorStatements(
  db: Db,
  job: BeaconJob,
  visitor: StoredVisitor | null,
  target: Target,
): Promise<{ visitorId: string; past: ScoredEngagement[]; statements: Statement[] }> {
  const seen = {
    lastSeenAt: Math.max(visitor?.lastSeenAt ?? 0, job.receivedAt),
    kind: job.visitor.kind,
    fingerprintVersion: job.visitor.fingerprintVersion,
  };
  const common = { orgId: job.orgId, deviceId: job.visitor.deviceId, visitor, at: job.receivedAt };
  if (target.relink && target.candidateId !== null && job.identityCandidate !== null) {
    return relinkVisitor(db, {
      ...common,
      candidateId: target.candidateId,
      via: 'identity_token',
      actor: `tracker:${job.siteId}`,
      seen,
      audit: { candidate: job.identityCandidate },
    });
  }
  const { visitorId, statement } = writeVisitor(db, { ...common, set: seen });
  return { visitorId, past: [], statements: [statement] };
}

function eventRows(
  job: BeaconJob,
  fresh: readonly BeaconEventJob[],
  candidateId: string | null,
  visitorId: string,
): EngagementInsertRow[] {
  return fresh.map((event) => ({
    id: newId(),
    orgId: job.orgId,
    candidateId,
    visitorId,
    siteId: job.siteId,
    type: event.type,
    detail: event.detail,
    occurredAt: event.occurredAt,
    receivedAt: job.receivedAt,
    source: 'tracker',
    machine: false,
    eventKey: event.eventKey,
  }));
}

/** The candidate's next score: folded, or rebuilt when a link brought in its older past. */
async function candidateScore(
  db: Db,
  job: BeaconJob,
  target: Target,
  past: readonly ScoredEngagement[],
  fresh: readonly BeaconEventJob[],
): Promise<Statement[]> {
  const { orgId } = job;
  const { candidateId, created } = target;
  if (candidateId === null) return [];
  const previous = created ? null : await storedScore(db, orgId, candidateId);
  const context: ScoreContext = {
    orgId,
    model: modelFrom(job.scoringModel),
    now: Date.now(),
    reason: 'engagement',
  };
  const update: ScoreUpdate = {
    candidateId,
    previous,
    added: [...past, ...fresh.map((event) => ({ ...event, machine: false }))],
    rebuild: past.length > 0,
    history: created ? [] : undefined,
  };
  return (await scoreStatements(db, context, [update])).statements;
}

/** The site's counters for today: what a beacon stored, repeated and dropped. */
function statsOf(
  job: Pick<BeaconJob, 'orgId' | 'siteId' | 'receivedAt' | 'droppedBots' | 'ignoredTokens'>,
  accepted: number,
  duplicates: number,
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
