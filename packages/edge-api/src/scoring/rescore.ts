// After a scoring model change every stored state is stale (a state belongs to the model that
// built it): each candidate is rebuilt from their stored engagements under the new model, page
// by page, each page one guarded batch (retried on contention like every writer). Tier changes
// go to the webhook outbox with reason `model_change`. A rebuilt row's watermark is the highest
// rowid of the history it read: engagements stored after that read stay past it, for the settle
// of the write that stored them (and a settle that moved the row meanwhile fails the guard).
import type { ScoringModel } from '@cxm/scoring';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { OPTIONS } from '../config.js';
import { type Db, runBatch } from '../db/client.js';
import { withRetries } from '../db/retry.js';
import { engagements, scores } from '../db/schema.js';
import { scoredEngagementColumns, storedScores } from '../db/score-rows.js';
import type { ScoredEngagement } from '../db/stored-score.js';
import { scoreStatements } from './pipeline.js';

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
  const { orgId } = input;
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
  // Every candidate with a stored row, rebuilt from its whole history under the new model.
  const updates = [...storedById.values()].map((previous) => ({
    candidateId: previous.candidateId,
    previous,
    added: [],
    rebuild: true,
    history: byCandidate.get(previous.candidateId) ?? [],
  }));
  const score = await scoreStatements(db, { ...input, reason: 'model_change' }, updates);
  await runBatch(db, score.statements);
}
