// After a scoring model change every stored state is stale (a state belongs to the model that
// built it): each candidate is rebuilt from their stored engagements under the new model, page
// by page, each page one guarded batch (retried on contention like every writer). Tier changes
// go to the webhook outbox with reason `model_change`.
import type { ScoringModel } from '@cxm/scoring';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { OPTIONS } from '../config.js';
import { type Db, runBatch, upsertScores } from '../db/client.js';
import { withRetries } from '../db/retry.js';
import { engagements, scores } from '../db/schema.js';
import { type ScoredEngagement, scoredEngagementColumns, storedScores } from '../db/score-rows.js';
import { outboxStatements, tierChanges } from '../webhooks/outbox.js';
import { nextScoreRow, rebuild, startState } from './score-row.js';

const PAGE = 50;

export async function rescoreOrganisation(
  db: Db,
  input: { orgId: string; model: ScoringModel; now: number },
): Promise<number> {
  let after = '';
  let total = 0;
  for (;;) {
    const ids = await db
      .select({ id: scores.candidateId })
      .from(scores)
      .where(and(eq(scores.orgId, input.orgId), gt(scores.candidateId, after)))
      .orderBy(asc(scores.candidateId))
      .limit(PAGE);
    if (ids.length === 0) return total;
    const page = ids.map((row) => row.id);
    await withRetries(() => rescorePage(db, input, page), OPTIONS.writeAttempts);
    total += page.length;
    after = page.at(-1)!;
  }
}

async function rescorePage(
  db: Db,
  input: { orgId: string; model: ScoringModel; now: number },
  candidateIds: string[],
): Promise<void> {
  const { orgId, model, now } = input;
  const [storedById, history] = await Promise.all([
    storedScores(db, orgId, candidateIds),
    db
      .select({ candidateId: engagements.candidateId, ...scoredEngagementColumns })
      .from(engagements)
      .where(and(eq(engagements.orgId, orgId), inArray(engagements.candidateId, candidateIds))),
  ]);
  const byCandidate = new Map<string, ScoredEngagement[]>();
  for (const row of history) {
    if (row.candidateId === null) continue;
    const list = byCandidate.get(row.candidateId) ?? [];
    list.push(row);
    byCandidate.set(row.candidateId, list);
  }
  const stored = [...storedById.values()];
  const rows = stored.map((previous) => {
    const list = byCandidate.get(previous.candidateId) ?? [];
    return nextScoreRow({
      orgId,
      candidateId: previous.candidateId,
      previous,
      state: rebuild(list, startState(previous).tier, model),
      engagementCount: list.length,
      model,
      now,
    });
  });
  const tierOf = new Map(stored.map((row) => [row.candidateId, row.tier]));
  await runBatch(db, [
    ...upsertScores(db, rows),
    ...outboxStatements(
      db,
      orgId,
      tierChanges(rows, (id) => tierOf.get(id), { now, model, reason: 'model_change' }),
      now,
    ),
  ]);
}
