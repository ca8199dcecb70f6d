// Tier-change events into the webhook outbox (`webhook_deliveries`), as statements that join the
// writer's own batch: the event exists exactly when the change it announces was committed. The
// row is only inserted when the organisation has a webhook URL at that moment (checked in SQL,
// so writers need not read the settings), and its payload names the candidate by the
// organisation's own id, read in the same statement.
import { type ScoringModel, scoreState, type Tier } from '@cxm/scoring';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../db/client.js';
import { candidates, organisations, type ScoreInsertRow, webhookDeliveries } from '../db/schema.js';
import { parseState } from '../db/stored-score.js';
import { TIER_CHANGED } from './event-types.js';

/** Why a stored tier moved: decay (daily cron), an engagement or link, or a new scoring model. */
export type TierChangeReason = 'decay' | 'engagement' | 'model_change';

export interface TierChange {
  /** Internal candidate id. */
  candidateId: string;
  from: Tier;
  to: Tier;
  points: number;
  occurredAt: number;
  reason: TierChangeReason;
}

/** The changes between stored tiers and freshly computed rows. */
export function tierChanges(
  rows: readonly ScoreInsertRow[],
  previousTier: (candidateId: string) => string | undefined,
  input: { now: number; model: ScoringModel; reason: TierChangeReason },
): TierChange[] {
  const changes: TierChange[] = [];
  for (const row of rows) {
    const from = (previousTier(row.candidateId) ?? 'inactive') as Tier;
    if (from === row.tier) continue;
    const points = scoreState(parseState(row.state), { now: input.now, model: input.model }).points;
    changes.push({
      candidateId: row.candidateId,
      from,
      to: row.tier as Tier,
      points,
      occurredAt: input.now,
      reason: input.reason,
    });
  }
  return changes;
}

/** One INSERT ... SELECT per change; inserts nothing while the organisation has no webhook URL. */
export function outboxStatements(
  db: Db,
  orgId: string,
  changes: readonly TierChange[],
  now: number,
): Statement[] {
  return changes.map((change) => {
    const id = newId();
    const payload = sql`json_object('id', ${id}, 'type', ${TIER_CHANGED}, 'orgId', ${organisations.id},
      'candidateId', ${candidates.externalId}, 'from', ${change.from}, 'to', ${change.to},
      'points', ${change.points}, 'occurredAt', ${new Date(change.occurredAt).toISOString()},
      'reason', ${change.reason})`;
    return db.insert(webhookDeliveries).select(
      db
        .select({
          id: sql`${id}`.as('id'),
          orgId: organisations.id,
          candidateId: candidates.id,
          payload: payload.as('payload'),
          status: sql`'pending'`.as('status'),
          attempts: sql`0`.as('attempts'),
          nextAttemptAt: sql`${now}`.as('next_attempt_at'),
          createdAt: sql`${now}`.as('created_at'),
          deliveredAt: sql`NULL`.as('delivered_at'),
          lastError: sql`NULL`.as('last_error'),
        })
        .from(organisations)
        .innerJoin(
          candidates,
          and(eq(candidates.id, change.candidateId), eq(candidates.orgId, organisations.id)),
        )
        .where(and(eq(organisations.id, orgId), isNotNull(organisations.webhookUrl))),
    );
  });
}
