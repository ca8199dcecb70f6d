// Writing a decided send and handing it to the delivery queue. One D1 batch, in order on one
// connection: take the monthly contact if the plan uses one (guarded by the period's count, and
// a candidate's second message in the period finds their row and takes none), insert the message
// only if its contact is there, and move the candidate's `last_messaged_at`. Then the queue job;
// the job carries only ids, the consumer reads the rest (it may run hours later, quiet hours).
import type { Channel } from '../../db/schema.js';
import { AUTO_REPLY_PREFIX, SYSTEM_REPLY } from '../../messaging/sent-by.js';
import type { SendPlan } from './send-message.js';

/** A queue job: deliver this message (at-least-once: the consumer claims before it sends). */
export interface OutboundJob {
  kind: 'send';
  messageId: string;
  orgId: string;
  /** The origin the provider calls back (status callbacks). */
  callbackBase: string;
}

/** Queues delay a message by at most 12 hours; a longer wait is re-delayed by the consumer. */
export const MAX_QUEUE_DELAY_S = 12 * 60 * 60;

export function queueDelaySeconds(scheduledFor: number | null, now: number): number {
  if (scheduledFor === null || scheduledFor <= now) return 0;
  return Math.min(MAX_QUEUE_DELAY_S, Math.ceil((scheduledFor - now) / 1000));
}

export interface NewMessage {
  orgId: string;
  candidateId: string;
  channel: Channel;
  plan: SendPlan;
  body: string | null;
  templateId: string | null;
  variables: Record<string, string> | null;
  sentBy: string;
  campaignId?: string | null;
  /** The tracked link in the body, if the send has a `url`. */
  link?: { code: string; url: string } | null;
  now: number;
}

export type Stored = { ok: true; id: string; usesContact: boolean } | { ok: false };

export async function storeMessage(db: D1Database, input: NewMessage): Promise<Stored> {
  const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
  const { plan, now } = input;
  const statements: D1PreparedStatement[] = [];
  if (plan.usesContact) {
    statements.push(
      db
        .prepare(
          `INSERT INTO contact_usage (org_id, period, candidate_id, message_id, used_at)
           SELECT ?1, ?2, ?3, ?4, ?5
           WHERE (SELECT count(*) FROM contact_usage WHERE org_id = ?1 AND period = ?2) < (
             SELECT monthly_contact_allowance FROM organisations WHERE id = ?1)
           ON CONFLICT DO NOTHING`,
        )
        .bind(input.orgId, plan.period, input.candidateId, id, now),
    );
  }
  const guard = plan.usesContact
    ? 'EXISTS (SELECT 1 FROM contact_usage WHERE org_id = ?2 AND period = ?16 AND candidate_id = ?3)'
    : '1';
  statements.push(
    db
      .prepare(
        `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
           body, template_id, template_variables, status, scheduled_for, sent_by, campaign_id,
           uses_contact, created_at, updated_at, link_id, link_url)
         SELECT ?1, ?2, ?3, 'outbound', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
           EXISTS (SELECT 1 FROM contact_usage WHERE org_id = ?2 AND period = ?16 AND message_id = ?1),
           ?14, ?15, ?17, ?18
         WHERE ${guard}
         RETURNING uses_contact`,
      )
      .bind(
        id,
        input.orgId,
        input.candidateId,
        input.channel,
        plan.from,
        plan.to,
        input.body,
        input.templateId,
        input.variables ? JSON.stringify(input.variables) : null,
        plan.scheduledFor === null ? 'queued' : 'scheduled',
        plan.scheduledFor,
        input.sentBy,
        input.campaignId ?? null,
        now,
        now,
        plan.period,
        input.link?.code ?? null,
        input.link?.url ?? null,
      ),
    db
      .prepare(
        `UPDATE candidate_contact_details SET last_messaged_at = MAX(COALESCE(last_messaged_at, 0), ?2)
         WHERE candidate_id = ?1 AND EXISTS (SELECT 1 FROM messages WHERE id = ?3)`,
      )
      .bind(input.candidateId, now, id),
  );
  const results = await db.batch<{ uses_contact: number }>(statements);
  const inserted = results[plan.usesContact ? 1 : 0]?.results[0];
  if (!inserted) return { ok: false };
  return { ok: true, id, usesContact: inserted.uses_contact === 1 };
}

export async function enqueueMessage(
  queue: Queue,
  job: OutboundJob,
  scheduledFor: number | null,
  now: number,
): Promise<void> {
  await queue.send(job, { delaySeconds: queueDelaySeconds(scheduledFor, now) });
}

/**
 * Takes back a stored message the queue would not take (the send answers 503): it is failed, not
 * left waiting for a job that does not exist, gives back the monthly contact it took, and puts
 * the candidate's last messaged time back to their latest other text (the 45-day rule must not
 * count a text that never went).
 */
export async function withdrawMessage(db: D1Database, id: string, now: number): Promise<void> {
  await db.batch([
    db.prepare('DELETE FROM contact_usage WHERE message_id = ?1').bind(id),
    db
      .prepare(
        `UPDATE candidate_contact_details SET last_messaged_at = (
           SELECT max(m.created_at) FROM messages m
           WHERE m.candidate_id = candidate_contact_details.candidate_id AND m.id <> ?1
             AND m.direction = 'outbound' AND m.sent_by <> ?2 AND m.sent_by NOT LIKE ?3 || '%')
         WHERE candidate_id = (SELECT candidate_id FROM messages WHERE id = ?1)`,
      )
      .bind(id, SYSTEM_REPLY, AUTO_REPLY_PREFIX),
    db
      .prepare(
        `UPDATE messages SET status = 'failed', error_code = 'queue_unavailable', uses_contact = 0,
           error_message = 'Texting was unavailable for a moment; nothing was sent.', updated_at = ?2
         WHERE id = ?1`,
      )
      .bind(id, now),
  ]);
}
