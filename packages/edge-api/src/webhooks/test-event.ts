// The `webhook.test` event a manager sends to check a receiver (`POST /v1/webhook-deliveries/test`):
// shaped like every other event (`id`, `type`, `orgId`, `occurredAt`, as `candidate.tier_changed`
// has them) and about no candidate, so a receiver's verification and dedupe code runs on it as is.
import type { webhookDeliveries } from '../db/schema.js';
import { leasedFrom } from './deliver.js';
import { WEBHOOK_TEST } from './event-types.js';

/** The outbox row of a test event, leased to its sender, who posts it at once (`deliverClaimed`). */
export function testEventRow(id: string, orgId: string, now: number) {
  const payload = { id, type: WEBHOOK_TEST, orgId, occurredAt: new Date(now).toISOString() };
  return {
    id,
    orgId,
    candidateId: null,
    payload: JSON.stringify(payload),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: leasedFrom(now),
    createdAt: now,
  } satisfies typeof webhookDeliveries.$inferInsert;
}
