// Writes a validated batch of server-to-server engagements: new candidates, the engagements
// not seen before, and each touched candidate's score, all in one D1 batch (all or nothing).
import type { EngagementType } from '@cxm/scoring';
import { and, eq, inArray } from 'drizzle-orm';
import { OPTIONS } from '../../config.js';
import {
  type Db,
  inChunks,
  insertRows,
  newId,
  runBatch,
  type Statement,
  upsertScores,
} from '../../db/client.js';
import { withRetries } from '../../db/retry.js';
import {
  candidates,
  type EngagementInsertRow,
  type EngagementSource,
  engagements,
  type ScoreInsertRow,
} from '../../db/schema.js';
import { type ScoredEngagement, storedScores } from '../../db/score-rows.js';
import { foldAll, modelFrom, nextScoreRow, rebuild, startState } from '../../scoring/score-row.js';
import { outboxStatements, tierChanges } from '../../webhooks/outbox.js';
import { candidateHistory, storedEventKeys } from '../collect/write-beacon.js';

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
  const now = Date.now();
  const model = modelFrom(job.scoringModel);

  const stored = await storedEventKeys(db, orgId, job.items.map(eventKeyOf));
  const seen = new Set(stored);
  const fresh: ApiEngagement[] = [];
  for (const item of job.items) {
    const key = eventKeyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(item);
  }
  const duplicates = job.items.length - fresh.length;
  if (fresh.length === 0) return { accepted: 0, duplicates };

  // Candidates by external id: the known ones, and ids for the rest.
  const externalIds = [...new Set(fresh.map((item) => item.candidateId))];
  const known = new Map<string, string>();
  for (const part of inChunks(externalIds)) {
    const rows = await db
      .select({ id: candidates.id, externalId: candidates.externalId })
      .from(candidates)
      .where(and(eq(candidates.orgId, orgId), inArray(candidates.externalId, part)));
    for (const row of rows) known.set(row.externalId, row.id);
  }
  const idOf = new Map(known);
  const created = externalIds
    .filter((externalId) => !known.has(externalId))
    .map((externalId) => {
      const id = newId();
      idOf.set(externalId, id);
      return { id, orgId, externalId };
    });

  const previous = await storedScores(db, orgId, [...known.values()]);
  const added = new Map<string, ScoredEngagement[]>();
  const rows: EngagementInsertRow[] = fresh.map((item) => {
    const candidateId = idOf.get(item.candidateId)!;
    const list = added.get(candidateId) ?? [];
    list.push({
      type: item.type,
      detail: item.detail,
      occurredAt: item.occurredAt,
      machine: item.machine,
    });
    added.set(candidateId, list);
    return {
      id: newId(),
      orgId,
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
  });

  const scoreRows: ScoreInsertRow[] = [];
  for (const [candidateId, list] of added) {
    const before = previous.get(candidateId) ?? null;
    let state = foldAll(startState(before), list, model);
    if (state === null) {
      // Older than what was folded (a backfill): rebuild from the stored history.
      const history = await candidateHistory(db, orgId, candidateId);
      state = rebuild([...history, ...list], startState(before).tier, model);
    }
    scoreRows.push(
      nextScoreRow({
        orgId,
        candidateId,
        previous: before,
        state,
        engagementCount: (before?.engagementCount ?? 0) + list.length,
        model,
        now,
      }),
    );
  }

  const statements: Statement[] = [
    ...insertRows(db, candidates, created),
    ...insertRows(db, engagements, rows),
    ...upsertScores(db, scoreRows),
    ...outboxStatements(
      db,
      orgId,
      tierChanges(scoreRows, (id) => previous.get(id)?.tier, { now, model, reason: 'engagement' }),
      now,
    ),
  ];
  await runBatch(db, statements);
  return { accepted: fresh.length, duplicates };
}
