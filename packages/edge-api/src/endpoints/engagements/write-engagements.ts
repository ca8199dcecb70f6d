// Writes a validated batch of server-to-server engagements: new candidates, the engagements
// not seen before, and each touched candidate's score, all in one D1 batch (all or nothing).
import type { EngagementType } from '@cxm/scoring';
import { OPTIONS } from '../../config.js';
import { findCandidates } from '../../db/candidates.js';
import { type Db, insertRows, newId, runBatch, storedEventKeys } from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import {
  candidates,
  type EngagementInsertRow,
  type EngagementSource,
  engagements,
} from '../../db/schema.js';
import { storedScores } from '../../db/score-rows.js';
import type { ScoredEngagement } from '../../db/stored-score.js';
import { type ScoreUpdate, scoreStatements } from '../../scoring/pipeline.js';
import { modelFrom } from '../../scoring/score-row.js';

export interface ApiEngagement {
  /** The caller's idempotency id. */
  id: string;
  /** The stored event key when not `api:<id>` (tracked email links use their own). */
  eventKey?: string;
  /** Default `api`. */
  source?: EngagementSource;
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

export function writeEngagements(
  db: Db,
  job: EngagementsJob,
): Promise<{ accepted: number; duplicates: number }> {
  return withRetries(() => attempt(db, job), OPTIONS.writeAttempts);
}

/** Caller ids live in their own namespace, apart from tracker event ids. */
export function apiEventKey(id: string): string {
  return `api:${id}`;
}

function eventKeyOf(item: ApiEngagement): string {
  return item.eventKey ?? apiEventKey(item.id);
}

async function attempt(db: Db, job: EngagementsJob) {
  const { orgId } = job;
  const { fresh, duplicates } = await freshItems(db, job);
  if (fresh.length === 0) return { accepted: 0, duplicates };
  const ids = await candidateIds(db, orgId, fresh);
  const rows = fresh.map((item) => engagementRow(job, item, ids.idOf.get(item.candidateId)!));
  const score = await scoreStatements(
    db,
    { orgId, model: modelFrom(job.scoringModel), now: Date.now(), reason: 'engagement' },
    await scoreUpdates(db, orgId, fresh, ids),
  );
  await runBatch(db, [
    ...insertRows(db, candidates, ids.created),
    ...insertRows(db, engagements, rows),
    ...score.statements,
  ]);
  return { accepted: fresh.length, duplicates };
}

/** The items not stored yet (by event key), each key once. */
async function freshItems(db: Db, job: EngagementsJob) {
  const seen = await storedEventKeys(db, job.orgId, job.items.map(eventKeyOf));
  const fresh: ApiEngagement[] = [];
  for (const item of job.items) {
    const key = eventKeyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(item);
  }
  return { fresh, duplicates: job.items.length - fresh.length };
}

/** Internal ids by external id: the stored candidates', and new ones for the rest (created). */
async function candidateIds(db: Db, orgId: string, fresh: readonly ApiEngagement[]) {
  const externalIds = [...new Set(fresh.map((item) => item.candidateId))];
  const known = await findCandidates(db, orgId, externalIds);
  const idOf = new Map([...known].map(([externalId, ref]) => [externalId, ref.id]));
  const created = externalIds
    .filter((externalId) => !known.has(externalId))
    .map((externalId) => {
      const id = newId();
      idOf.set(externalId, id);
      return { id, orgId, externalId };
    });
  return { idOf, created };
}

function engagementRow(
  job: EngagementsJob,
  item: ApiEngagement,
  candidateId: string,
): EngagementInsertRow {
  return {
    id: newId(),
    orgId: job.orgId,
    candidateId,
    visitorId: null,
    siteId: null,
    type: item.type,
    detail: item.detail,
    occurredAt: item.occurredAt,
    receivedAt: job.receivedAt,
    source: item.source ?? 'api',
    machine: item.machine,
    eventKey: eventKeyOf(item),
  };
}

/** Each touched candidate with what it gains; a created one has no stored row or history. */
async function scoreUpdates(
  db: Db,
  orgId: string,
  fresh: readonly ApiEngagement[],
  ids: { idOf: ReadonlyMap<string, string>; created: readonly { id: string }[] },
): Promise<ScoreUpdate[]> {
  const isNew = new Set(ids.created.map((row) => row.id));
  const added = new Map<string, ScoredEngagement[]>();
  for (const item of fresh) {
    const candidateId = ids.idOf.get(item.candidateId)!;
    const list = added.get(candidateId) ?? [];
    const { type, detail, occurredAt, machine } = item;
    list.push({ type, detail, occurredAt, machine });
    added.set(candidateId, list);
  }
  const known = [...added.keys()].filter((id) => !isNew.has(id));
  const previous = await storedScores(db, orgId, known);
  return [...added].map(([candidateId, list]) => ({
    candidateId,
    previous: previous.get(candidateId) ?? null,
    added: list,
    history: isNew.has(candidateId) ? [] : undefined,
  }));
}
