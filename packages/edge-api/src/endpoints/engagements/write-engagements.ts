// Writes a validated batch of server-to-server engagements so that no request has to win a race
// against concurrent ones (issue 14: one candidate's history synced in parallel, each request
// retried, got 503s once the score row's optimistic lock had lost 12 times). Four round trips:
//
// 0. Read, in one batch: which event keys are stored already (a pure retry then writes nothing)
//    and the named candidates' internal ids.
// 1. Store, in one D1 batch (all or nothing): every named candidate and its score row, created
//    where missing (INSERT … ON CONFLICT DO NOTHING: one a concurrent request created is simply
//    used), the engagements (INSERT … SELECT joining each to its candidate by external id, ON
//    CONFLICT DO NOTHING on the event key, RETURNING what was really inserted), their per-day
//    counts for the tier report (`db/engagement-days.ts`: only the rows really inserted), the
//    backlog mark of candidates left with engagements past their score's watermark, and the
//    candidates' ids.
//    No version guard: no other writer can make this batch fail. `accepted` counts the rows the
//    inserts returned, `duplicates` the rest (stored before, by a concurrent request, or twice in
//    the body).
// 2. Settle the scores of every candidate the request names (`scoring/settle.ts`, a read and a
//    guarded write): whatever is stored for them and not folded yet, this request's or another's,
//    is folded before the reply, so the score is current when the 202 arrives. Concurrent settles
//    coalesce. Settling for retries too means a retry of a request whose reply was lost (the
//    worker stopped between the steps) finishes its work.
import { type EngagementType, emptyState } from '@cxm/scoring';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
import { markBacklog } from '../../db/backlog.js';
import {
  chunks,
  type Db,
  inChunks,
  newId,
  rowsPerInsert,
  runBatchResults,
  runQueries,
  type Statement,
} from '../../db/client.js';
import { countInserted } from '../../db/engagement-days.js';
import { candidates, type EngagementSource, engagements, scores } from '../../db/schema.js';
import { modelFrom } from '../../scoring/score-row.js';
import { settleScores } from '../../scoring/settle.js';

export interface ApiEngagement {
  /** The caller's idempotency id. */
  id: string;
  /** The stored event key when not `api:<id>` (tracked email links use their own). */
  eventKey?: string;
  /**
   * Default `api`. Also the stored attribution: the caller named the candidate (`api`), or a
   * tracked email link minted for the candidate did (`email_link`).
   */
  source?: Exclude<EngagementSource, 'tracker'>;
  candidateId: string;
  type: EngagementType;
  detail: string | null;
  occurredAt: number;
  machine: boolean;
}

export interface EngagementsJob {
  orgId: string;
  scoringModel: string | null;
  items: ApiEngagement[];
  receivedAt: number;
}

export async function writeEngagements(
  db: Db,
  job: EngagementsJob,
): Promise<{ accepted: number; duplicates: number }> {
  const before = await readBefore(db, job);
  const fresh = freshItems(job, before.storedKeys);
  const stored =
    fresh.length === 0 ? { accepted: 0, candidateIds: [] } : await store(db, job, fresh);
  const settled = await settleScores(db, {
    orgId: job.orgId,
    model: modelFrom(job.scoringModel),
    candidateIds: [...new Set([...before.candidateIds, ...stored.candidateIds])],
  });
  if (settled.deferred.length > 0) {
    console.warn(`engagements: ${settled.deferred.length} scores left to a later settle`);
  }
  return { accepted: stored.accepted, duplicates: job.items.length - stored.accepted };
}

/** Caller ids live in their own namespace, apart from tracker event ids. */
export function apiEventKey(id: string): string {
  return `api:${id}`;
}

function eventKeyOf(item: ApiEngagement): string {
  return item.eventKey ?? apiEventKey(item.id);
}

/** The candidates named, by external id, as a subquery of their internal ids. */
function candidatesNamed(orgId: string, externalIds: readonly string[]): SQL {
  return sql`(SELECT ${candidates.id} FROM ${candidates} WHERE ${and(
    eq(candidates.orgId, orgId),
    inArray(candidates.externalId, [...externalIds]),
  )})`;
}

/**
 * In one round trip: which event keys are stored already, and the internal ids of the named
 * candidates that exist (settled even when all is a retry: a retry finishes a lost request).
 */
async function readBefore(db: Db, job: EngagementsJob) {
  const keyParts = inChunks(job.items.map(eventKeyOf));
  const named = inChunks(job.items.map((item) => item.candidateId));
  const results = await runQueries(db, [
    ...keyParts.map((part) =>
      db
        .select({ key: engagements.eventKey })
        .from(engagements)
        .where(and(eq(engagements.orgId, job.orgId), inArray(engagements.eventKey, part))),
    ),
    ...named.map((part) =>
      db
        .select({ id: candidates.id })
        .from(candidates)
        .where(and(eq(candidates.orgId, job.orgId), inArray(candidates.externalId, part))),
    ),
  ]);
  const keys = results.slice(0, keyParts.length) as { key: string }[][];
  const ids = results.slice(keyParts.length) as { id: string }[][];
  return {
    storedKeys: new Set(keys.flat().map((row) => row.key)),
    candidateIds: ids.flat().map((row) => row.id),
  };
}

/**
 * The items whose event key is not stored yet, each key once. Read before, to spare a pure retry
 * the write; the insert's ON CONFLICT decides (a concurrent request may store one meanwhile).
 */
function freshItems(job: EngagementsJob, storedKeys: ReadonlySet<string>): ApiEngagement[] {
  const seen = new Set(storedKeys);
  const fresh: ApiEngagement[] = [];
  for (const item of job.items) {
    const key = eventKeyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(item);
  }
  return fresh;
}

/**
 * Step 1, one batch: how many engagements were inserted, and the internal ids of their
 * candidates (read at the end of the batch: created by it or by a concurrent request).
 */
async function store(db: Db, job: EngagementsJob, fresh: readonly ApiEngagement[]) {
  const { orgId } = job;
  const externalIds = [...new Set(fresh.map((item) => item.candidateId))];
  const parts = inChunks(externalIds);
  const rows = fresh.map((item) => ({ ...item, rowId: newId() }));
  const inserts = insertStatements(job, rows);
  const created = candidateStatements(db, job, externalIds);
  const results = await runBatchResults(db, [
    ...created,
    ...inserts,
    ...countInserted(
      db,
      orgId,
      rows.map((row) => row.rowId),
    ),
    ...parts.map((part) =>
      markBacklog(db, { orgId, candidateIds: candidatesNamed(orgId, part), now: job.receivedAt }),
    ),
    ...parts.map((part) => sql`SELECT id FROM ${candidatesNamed(orgId, part)}`),
  ]);
  const inserted = results.slice(created.length, created.length + inserts.length);
  return {
    // One row per engagement really inserted (RETURNING).
    accepted: inserted.reduce((sum, result) => sum + (result.results?.length ?? 0), 0),
    candidateIds: results
      .slice(results.length - parts.length)
      .flatMap((result) => result.results ?? [])
      .map((row) => String(row.id)),
  };
}

/**
 * The candidates, created where missing, each with a score row (every candidate has one, empty
 * until settled). Both inserts do nothing for rows that exist, whoever created them.
 */
function candidateStatements(db: Db, job: EngagementsJob, externalIds: string[]): Statement[] {
  const { orgId } = job;
  const rows = externalIds.map((externalId) => ({ id: newId(), orgId, externalId }));
  const empty = JSON.stringify(emptyState());
  // Every named candidate, existing ones too (a no-op for them): one purged since the read
  // before is then created afresh instead of its engagements being skipped.
  return [
    ...chunks(rows, rowsPerInsert(candidates)).map((part) =>
      db.insert(candidates).values(part).onConflictDoNothing(),
    ),
    ...inChunks(externalIds).map((part) =>
      db
        .insert(scores)
        .select(
          db
            .select({
              candidateId: candidates.id,
              orgId: candidates.orgId,
              state: sql`${empty}`.as('state'),
              sortKey: sql`NULL`.as('sort_key'),
              tier: sql`'inactive'`.as('tier'),
              tierChangedAt: sql`NULL`.as('tier_changed_at'),
              lastEngagedAt: sql`NULL`.as('last_engaged_at'),
              lastContactedAt: sql`NULL`.as('last_contacted_at'),
              engagementCount: sql`0`.as('engagement_count'),
              updatedAt: sql`${job.receivedAt}`.as('updated_at'),
              version: sql`1`.as('version'),
              scoredThrough: sql`0`.as('scored_through'),
            })
            .from(candidates)
            .where(and(eq(candidates.orgId, orgId), inArray(candidates.externalId, part))),
        )
        .onConflictDoNothing(),
    ),
  ];
}

/** Parameters each engagement binds in `insertStatements` (each statement binds 2 more). */
const PER_ROW = 8;

/**
 * Multi-row inserts of the engagements, each joined to its candidate by external id (the batch
 * created any missing one before) and attributed as its source says (`api`, `email_link`),
 * skipping event keys stored already, returning the rows inserted. Raw SQL: a VALUES list joined in an INSERT … SELECT is beyond the query builder.
 */
function insertStatements(
  job: EngagementsJob,
  fresh: readonly (ApiEngagement & { rowId: string })[],
): SQL[] {
  const perStatement = Math.floor((OPTIONS.maxBoundParameters - 2) / PER_ROW);
  return chunks(fresh, perStatement).map((part) => {
    const values = sql.join(
      part.map(
        (item) =>
          sql`(${item.rowId}, ${item.candidateId}, ${item.type}, ${item.detail}, ${item.occurredAt}, ${item.source ?? 'api'}, ${item.machine ? 1 : 0}, ${eventKeyOf(item)})`,
      ),
      sql`, `,
    );
    return sql`INSERT INTO engagements (id, org_id, candidate_id, visitor_id, site_id, type, detail,
        occurred_at, received_at, source, attribution, machine, event_key)
      SELECT v.column1, c.org_id, c.id, NULL, NULL, v.column3, v.column4, v.column5,
        ${job.receivedAt}, v.column6, v.column6, v.column7, v.column8
      FROM (VALUES ${values}) AS v
      JOIN candidates c ON c.org_id = ${job.orgId} AND c.external_id = v.column2
      WHERE true
      ON CONFLICT DO NOTHING
      RETURNING candidate_id`;
  });
}
