// Contacts: outbound touches of a candidate (a text sent here, a call or an email made elsewhere)
// and the candidate's `scores.last_contacted_at`, the latest of them, which audiences select on.
//
// Two writers share the statements below:
// - `POST /v1/contacts` (`writeContacts`): a validated batch from another system (the ATS's calls
//   and emails), stored like `POST /v1/engagements` stores engagements: read which keys are stored
//   already (a pure retry then writes nothing), then one D1 batch that cannot lose a race: the
//   named candidates created where missing, each with a score row, the contacts inserted with
//   ON CONFLICT DO NOTHING on `(org_id, contact_key)` (RETURNING what was really inserted), and
//   the candidates' last contacted moved up.
// - the message sender (`contactStatements`): an outgoing message recorded as a contact in the
//   sender's own batch, under the key `msg:<message id>`.
//
// Last contacted commutes: it is set to the larger of its value and the latest contact stored for
// the candidate (`MAX(COALESCE(last_contacted_at, 0), (SELECT MAX(occurred_at) …))`), read inside
// the writing batch, so it never goes backwards, concurrent writers in any order end at the
// latest of all their contacts, and a retried contact (a duplicate key, perhaps sent again with
// another time) cannot move it: only stored contacts count. The update touches the row only when
// the value moves, and then sets `version = version + 1`, as `scores_version_guard` demands of
// every UPDATE of a score row: a settle that read the row before it loses its guarded write and
// reads again (a settle's upsert never writes `last_contacted_at`, so nothing is lost either way).
import { DEFAULT_MODEL } from '@cxm/scoring';
import { and, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
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
import {
  type ContactKind,
  candidates,
  contacts,
  type ScoreInsertRow,
  scores,
} from '../../db/schema.js';
import { nextScoreRow, startState } from '../../scoring/score-row.js';

/** A contact as `POST /v1/contacts` gives it, validated. */
export interface ApiContact {
  /** The caller's idempotency id (stored as `api:<id>`). */
  id: string;
  /** The candidate's external id. */
  candidateId: string;
  kind: ContactKind;
  /** Epoch ms, already clamped to the time received. */
  occurredAt: number;
}

export interface ContactsJob {
  orgId: string;
  items: readonly ApiContact[];
  receivedAt: number;
}

/** Caller ids live in their own namespace, apart from the sender's `msg:<message id>`. */
export function apiContactKey(id: string): string {
  return `api:${id}`;
}

/** The key the message sender records an outgoing message under. */
export function messageContactKey(messageId: string): string {
  return `msg:${messageId}`;
}

/**
 * The score row of a candidate with no engagements, exactly as the score pipeline makes one
 * (`nextScoreRow` from the empty start state, nothing folded: `scored_through` 0, so a later
 * settle folds every engagement of the candidate). An empty state has no points under any valid
 * model (thresholds are positive), so the row (tier `inactive`, no sort key) is the same for
 * every model and the default one is used.
 */
export function emptyScoreRow(input: {
  orgId: string;
  candidateId: string;
  now: number;
}): ScoreInsertRow {
  return nextScoreRow({
    ...input,
    previous: null,
    state: startState(null),
    engagementCount: 0,
    model: DEFAULT_MODEL,
    scoredThrough: 0,
  });
}

/**
 * Moves `last_contacted_at` of the score rows `where` selects up to their candidate's latest
 * stored contact, touching (and versioning) only the rows it moves. Joins the writer's batch
 * after the contact inserts.
 */
export function lastContactedUpdate(db: Db, orgId: string, where: SQL | undefined): Statement {
  const latest = sql`(SELECT MAX(c.occurred_at) FROM contacts c
    WHERE c.org_id = ${scores.orgId} AND c.candidate_id = ${scores.candidateId})`;
  const current = sql`COALESCE(${scores.lastContactedAt}, 0)`;
  return db
    .update(scores)
    .set({
      lastContactedAt: sql`MAX(${current}, ${latest})`,
      version: sql`${scores.version} + 1`,
    })
    .where(and(eq(scores.orgId, orgId), where, sql`${current} < ${latest}`));
}

/** What the message sender records for an outgoing message (see `contactStatements`). */
export interface ContactRecord {
  orgId: string;
  /** The candidate's internal id (`candidates.id`); the candidate must exist. */
  candidateId: string;
  /** `messageContactKey(messageId)`, i.e. `msg:<message id>`: one contact per message. */
  key: string;
  kind: ContactKind;
  /** When the contact happened (epoch ms), e.g. when the provider accepted the message. */
  occurredAt: number;
  /** The time of the write (epoch ms): `received_at`, and the score row's time if it is new. */
  now: number;
}

/**
 * The statements recording one contact, for the caller's own D1 batch (drizzle query builders,
 * so both `runBatch` and `runBatchResults` take them), in this order:
 * 1. the contact, `INSERT … ON CONFLICT DO NOTHING` on `(org_id, contact_key)`: recording the same
 *    key again (a redelivered queue message) stores nothing new;
 * 2. the candidate's score row if it has none yet (`emptyScoreRow`, ON CONFLICT DO NOTHING);
 * 3. `last_contacted_at` moved up to the candidate's latest stored contact (never backwards;
 *    commutes with every other writer; a repeated key cannot move it).
 * None of them can fail on a race with another contact writer, but step 3 bumps the score row's
 * version when it moves it, so a caller that also writes the score row under its version guard in
 * the same batch must read the row's version after this (it does not normally need to).
 * A candidate purged meanwhile makes statement 1 fail its foreign key: the batch is refused.
 */
export function contactStatements(db: Db, record: ContactRecord): Statement[] {
  const { orgId, candidateId } = record;
  return [
    db
      .insert(contacts)
      .values({
        id: newId(),
        orgId,
        candidateId,
        contactKey: record.key,
        kind: record.kind,
        occurredAt: record.occurredAt,
        receivedAt: record.now,
      })
      .onConflictDoNothing(),
    db
      .insert(scores)
      .values(emptyScoreRow({ orgId, candidateId, now: record.now }))
      .onConflictDoNothing(),
    lastContactedUpdate(db, orgId, eq(scores.candidateId, candidateId)),
  ];
}

/** Stores a batch from `POST /v1/contacts`: how many were new, how many seen before. */
export async function writeContacts(
  db: Db,
  job: ContactsJob,
): Promise<{ accepted: number; duplicates: number }> {
  const stored = await storedKeys(db, job);
  const fresh = freshItems(job.items, stored);
  const accepted = fresh.length === 0 ? 0 : await store(db, job, fresh);
  return { accepted, duplicates: job.items.length - accepted };
}

/** Which of the batch's keys the organisation has stored already (one round trip). */
async function storedKeys(db: Db, job: ContactsJob): Promise<Set<string>> {
  const results = await runQueries(
    db,
    inChunks(job.items.map((item) => apiContactKey(item.id))).map((part) =>
      db
        .select({ key: contacts.contactKey })
        .from(contacts)
        .where(and(eq(contacts.orgId, job.orgId), inArray(contacts.contactKey, part))),
    ),
  );
  return new Set((results as { key: string }[][]).flat().map((row) => row.key));
}

/**
 * The items whose key is not stored yet, each key once. Read before, to spare a pure retry the
 * write; the insert's ON CONFLICT decides (a concurrent request may store one meanwhile).
 */
function freshItems(items: readonly ApiContact[], stored: ReadonlySet<string>): ApiContact[] {
  const seen = new Set(stored);
  const fresh: ApiContact[] = [];
  for (const item of items) {
    const key = apiContactKey(item.id);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(item);
  }
  return fresh;
}

/** The candidates named, by external id, as a subquery of their internal ids. */
function candidatesNamed(orgId: string, externalIds: readonly string[]): SQL {
  return sql`(SELECT ${candidates.id} FROM ${candidates} WHERE ${and(
    eq(candidates.orgId, orgId),
    inArray(candidates.externalId, [...externalIds]),
  )})`;
}

/** One batch (all or nothing); returns how many contacts it really inserted. */
async function store(db: Db, job: ContactsJob, fresh: readonly ApiContact[]): Promise<number> {
  const { orgId } = job;
  const externalIds = [...new Set(fresh.map((item) => item.candidateId))];
  const parts = inChunks(externalIds);
  const inserts = insertStatements(job, fresh);
  const results = await runBatchResults(db, [
    ...candidateStatements(db, job, externalIds),
    ...inserts,
    ...parts.map((part) =>
      lastContactedUpdate(db, orgId, sql`${scores.candidateId} IN ${candidatesNamed(orgId, part)}`),
    ),
  ]);
  const first = results.length - parts.length - inserts.length;
  return results
    .slice(first, first + inserts.length)
    .reduce((sum, result) => sum + (result.results?.length ?? 0), 0);
}

/**
 * The candidates, created where missing (a contact may be the first the system hears of one, as
 * an engagement may), each with its score row where it has none. Both inserts do nothing for
 * rows that exist, whoever created them; every named candidate is in them, so one purged since
 * the read before is created afresh.
 */
function candidateStatements(db: Db, job: ContactsJob, externalIds: string[]): Statement[] {
  const { orgId } = job;
  const rows = externalIds.map((externalId) => ({ id: newId(), orgId, externalId }));
  return [
    ...chunks(rows, rowsPerInsert(candidates)).map((part) =>
      db.insert(candidates).values(part).onConflictDoNothing(),
    ),
    // Each statement binds the empty row's values and the organisation besides the ids.
    ...chunks(externalIds, OPTIONS.maxBoundParameters - 1 - SCORE_COLUMNS).map((part) =>
      db
        .insert(scores)
        .select(
          db
            .select(emptyRowsOf(orgId, job.receivedAt))
            .from(candidates)
            .where(and(eq(candidates.orgId, orgId), inArray(candidates.externalId, part))),
        )
        .onConflictDoNothing(),
    ),
  ];
}

const SCORE_COLUMNS = Object.keys(getTableColumns(scores)).length;

/**
 * `emptyScoreRow` as the columns of an INSERT … SELECT over `candidates`: every score column in
 * table order (drizzle's insert-select checks it), the candidate's ids from the row selected and
 * the rest bound from the empty row (`last_contacted_at` NULL: the batch's update sets it next).
 */
function emptyRowsOf(orgId: string, now: number) {
  const row = emptyScoreRow({ orgId, candidateId: '', now });
  const bound = <K extends keyof ScoreInsertRow>(key: K) =>
    sql`${row[key] ?? null}`.as(scores[key].name);
  return {
    candidateId: candidates.id,
    orgId: candidates.orgId,
    state: bound('state'),
    sortKey: bound('sortKey'),
    tier: bound('tier'),
    tierChangedAt: bound('tierChangedAt'),
    lastEngagedAt: bound('lastEngagedAt'),
    lastContactedAt: bound('lastContactedAt'),
    engagementCount: bound('engagementCount'),
    updatedAt: bound('updatedAt'),
    version: bound('version'),
    scoredThrough: bound('scoredThrough'),
  };
}

/** Parameters each contact binds in `insertStatements` (each statement binds 2 more). */
const PER_ROW = 5;

/**
 * Multi-row inserts of the contacts, each joined to its candidate by external id (the batch
 * created any missing one before), skipping keys stored already, returning the rows inserted.
 * Raw SQL: a VALUES list joined in an INSERT … SELECT is beyond the query builder.
 */
function insertStatements(job: ContactsJob, fresh: readonly ApiContact[]): SQL[] {
  const perStatement = Math.floor((OPTIONS.maxBoundParameters - 2) / PER_ROW);
  return chunks(fresh, perStatement).map((part) => {
    const values = sql.join(
      part.map(
        (item) =>
          sql`(${newId()}, ${item.candidateId}, ${apiContactKey(item.id)}, ${item.kind}, ${item.occurredAt})`,
      ),
      sql`, `,
    );
    return sql`INSERT INTO contacts (id, org_id, candidate_id, contact_key, kind, occurred_at,
        received_at)
      SELECT v.column1, c.org_id, c.id, v.column3, v.column4, v.column5, ${job.receivedAt}
      FROM (VALUES ${values}) AS v
      JOIN candidates c ON c.org_id = ${job.orgId} AND c.external_id = v.column2
      WHERE true
      ON CONFLICT DO NOTHING
      RETURNING candidate_id`;
  });
}
