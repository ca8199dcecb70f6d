// Writes one validated beacon: the visitor, its events (deduped), a link to a candidate when
// the beacon carried a valid identity token, and that candidate's score, in one D1 batch.
// The job is plain JSON so the same function serves the direct path and the queue consumer.
import { and, eq, gte, inArray, isNull, lte, or } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
import {
  bumpCollectStats,
  type Db,
  inChunks,
  insertRows,
  newId,
  runBatch,
  type Statement,
  upsertScores,
  utcDay,
} from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import {
  auditLog,
  candidates,
  type EngagementInsertRow,
  engagements,
  visitors,
} from '../../db/schema.js';
import {
  type ScoredEngagement,
  scoredEngagementColumns,
  storedScore,
} from '../../db/score-rows.js';
import { foldAll, modelFrom, nextScoreRow, rebuild, startState } from '../../scoring/score-row.js';
import { outboxStatements, tierChanges } from '../../webhooks/outbox.js';
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

interface VisitorRow {
  id: string;
  candidateId: string | null;
  version: number;
  lastSeenAt: number;
}

export function writeBeacon(db: Db, job: BeaconJob): Promise<BeaconOutcome> {
  return withRetries(() => attempt(db, job), OPTIONS.writeAttempts);
}

async function attempt(db: Db, job: BeaconJob): Promise<BeaconOutcome> {
  const { orgId } = job;
  const now = Date.now();
  const model = modelFrom(job.scoringModel);
  const keys = job.events.map((event) => event.eventKey);
  const times = job.events.map((event) => event.occurredAt);
  const widest = Math.max(job.windows.visitMs, job.windows.formMs);

  const [visitorRows, identityRows, storedKeys] = await Promise.all([
    db
      .select({
        id: visitors.id,
        candidateId: visitors.candidateId,
        version: visitors.version,
        lastSeenAt: visitors.lastSeenAt,
      })
      .from(visitors)
      .where(and(eq(visitors.orgId, orgId), eq(visitors.deviceId, job.visitor.deviceId))),
    job.identityCandidate === null
      ? Promise.resolve([])
      : db
          .select({ id: candidates.id })
          .from(candidates)
          .where(
            and(eq(candidates.orgId, orgId), eq(candidates.externalId, job.identityCandidate)),
          ),
    storedEventKeys(db, orgId, keys),
  ]);
  const visitor: VisitorRow | undefined = visitorRows[0];
  const nearby: Occurrence[] =
    visitor && job.events.length > 0
      ? await db
          .select({
            type: engagements.type,
            detail: engagements.detail,
            occurredAt: engagements.occurredAt,
          })
          .from(engagements)
          .where(
            and(
              eq(engagements.orgId, orgId),
              eq(engagements.visitorId, visitor.id),
              gte(engagements.occurredAt, Math.min(...times) - widest),
              lte(engagements.occurredAt, Math.max(...times) + widest),
              inArray(engagements.type, ['visit_landing_page', 'submit_form']),
            ),
          )
      : [];

  const { fresh, repeats } = splitFresh(job.events, storedKeys, nearby, job.windows);

  // The candidate these events belong to: the token's, else the visitor's existing link.
  const identityId = identityRows[0]?.id ?? null;
  const createCandidate = job.identityCandidate !== null && identityId === null;
  const candidateId =
    job.identityCandidate !== null ? (identityId ?? newId()) : (visitor?.candidateId ?? null);
  const relink = job.identityCandidate !== null && visitor?.candidateId !== candidateId;

  const statements: Statement[] = [];
  const stats = {
    orgId,
    siteId: job.siteId,
    day: utcDay(job.receivedAt),
    accepted: fresh.length,
    duplicates: repeats,
    droppedBots: job.droppedBots,
    ignoredTokens: job.ignoredTokens,
  };

  if (fresh.length === 0 && !relink) {
    // Nothing new: do not touch the visitor row, so retries of a stored beacon do not contend.
    if (repeats + job.droppedBots + job.ignoredTokens > 0) {
      statements.push(bumpCollectStats(db, stats));
    }
    await runBatch(db, statements);
    return { accepted: 0, duplicates: repeats };
  }

  if (createCandidate && candidateId !== null && job.identityCandidate !== null) {
    statements.push(
      db.insert(candidates).values({ id: candidateId, orgId, externalId: job.identityCandidate }),
    );
  }

  const visitorId = visitor?.id ?? newId();
  const lastSeen = Math.max(visitor?.lastSeenAt ?? 0, job.receivedAt);
  const link = relink
    ? { candidateId, linkSource: 'identity_token', linkedAt: job.receivedAt }
    : {};
  if (visitor) {
    statements.push(
      db
        .update(visitors)
        .set({
          lastSeenAt: lastSeen,
          kind: job.visitor.kind,
          fingerprintVersion: job.visitor.fingerprintVersion,
          version: visitor.version + 1,
          ...link,
        })
        .where(and(eq(visitors.orgId, orgId), eq(visitors.id, visitor.id))),
    );
  } else {
    statements.push(
      db.insert(visitors).values({
        id: visitorId,
        orgId,
        deviceId: job.visitor.deviceId,
        kind: job.visitor.kind,
        fingerprintVersion: job.visitor.fingerprintVersion,
        firstSeenAt: job.receivedAt,
        lastSeenAt: job.receivedAt,
        ...link,
      }),
    );
  }

  let linkedPast: ScoredEngagement[] = [];
  if (relink && visitor && candidateId !== null) {
    // The visitor's anonymous past now belongs to the candidate.
    linkedPast = await db
      .select(scoredEngagementColumns)
      .from(engagements)
      .where(
        and(
          eq(engagements.orgId, orgId),
          eq(engagements.visitorId, visitor.id),
          isNull(engagements.candidateId),
        ),
      );
    statements.push(
      db
        .update(engagements)
        .set({ candidateId })
        .where(
          and(
            eq(engagements.orgId, orgId),
            eq(engagements.visitorId, visitor.id),
            isNull(engagements.candidateId),
          ),
        ),
    );
  }
  if (relink) {
    statements.push(
      db.insert(auditLog).values({
        id: newId(),
        orgId,
        at: job.receivedAt,
        actor: `tracker:${job.siteId}`,
        action: 'visitor.link',
        subject: job.visitor.deviceId,
        details: JSON.stringify({
          candidate: job.identityCandidate,
          via: 'identity_token',
          linkedEngagements: linkedPast.length,
        }),
      }),
    );
  }

  const rows: EngagementInsertRow[] = fresh.map((event) => ({
    id: newId(),
    orgId,
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
  statements.push(...insertRows(db, engagements, rows));

  if (candidateId !== null) {
    const added: ScoredEngagement[] = [
      ...linkedPast,
      ...fresh.map((event) => ({ ...event, machine: false })),
    ];
    const previous = createCandidate ? null : await storedScore(db, orgId, candidateId);
    let state = linkedPast.length === 0 ? foldAll(startState(previous), added, model) : null;
    if (state === null) {
      // Out of order (or a link brought in older visits): rebuild from everything stored.
      const history = createCandidate ? [] : await candidateHistory(db, orgId, candidateId);
      state = rebuild([...history, ...added], startState(previous).tier, model);
    }
    const row = nextScoreRow({
      orgId,
      candidateId,
      previous,
      state,
      engagementCount: (previous?.engagementCount ?? 0) + added.length,
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
    );
  }

  statements.push(bumpCollectStats(db, stats));
  await runBatch(db, statements);
  return { accepted: fresh.length, duplicates: repeats };
}

/** Counts what a site's beacons dropped without storing anything else (bots, automation). */
export function countDropped(
  db: Db,
  input: { orgId: string; siteId: string; receivedAt: number; droppedBots: number },
): Promise<void> {
  return runBatch(db, [
    bumpCollectStats(db, {
      orgId: input.orgId,
      siteId: input.siteId,
      day: utcDay(input.receivedAt),
      accepted: 0,
      duplicates: 0,
      droppedBots: input.droppedBots,
      ignoredTokens: 0,
    }),
  ]);
}

/** Which of `keys` are already stored for the organisation. */
export async function storedEventKeys(
  db: Db,
  orgId: string,
  keys: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of inChunks(keys)) {
    const rows = await db
      .select({ key: engagements.eventKey })
      .from(engagements)
      .where(and(eq(engagements.orgId, orgId), inArray(engagements.eventKey, part)));
    for (const row of rows) found.add(row.key);
  }
  return found;
}

/** Every stored engagement of a candidate, for a rebuild. */
export function candidateHistory(
  db: Db,
  orgId: string,
  candidateId: string,
  alsoVisitorId?: string,
): Promise<ScoredEngagement[]> {
  const ofCandidate = eq(engagements.candidateId, candidateId);
  return db
    .select(scoredEngagementColumns)
    .from(engagements)
    .where(
      and(
        eq(engagements.orgId, orgId),
        alsoVisitorId === undefined
          ? ofCandidate
          : or(
              ofCandidate,
              and(eq(engagements.visitorId, alsoVisitorId), isNull(engagements.candidateId)),
            ),
      ),
    );
}
