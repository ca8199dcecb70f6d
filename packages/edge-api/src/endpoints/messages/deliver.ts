// Delivering one queued text: at-least-once queue, at-most-once text. The consumer claims the
// message (`queued`/`scheduled` → `sending`, a guarded update) before calling the provider, so a
// redelivered job finds it claimed and sends nothing. Just before sending it looks again at what
// may have changed since the message was queued: an opt-out cancels it, quiet hours hold it. On
// acceptance the message becomes a contact (`contactStatements`, key `msg:<id>`) in the same
// batch as its status; a provider that could not be reached releases the claim and the queue
// retries with backoff; a refusal about the message is final (21610 also opts the candidate out).
import { and, eq, inArray, or } from 'drizzle-orm';
import { type Db, runBatch } from '../../db/client.js';
import { type Channel, messages } from '../../db/schema.js';
import { optOutStatements, UNSUBSCRIBED } from '../../messaging/opt-out.js';
import type { MessagingProvider, SendOutcome } from '../../messaging/provider/index.js';
import { sendWindow, zoneFor } from '../../messaging/rules/index.js';
import { SYSTEM_REPLY } from '../../messaging/sent-by.js';
import { contactStatements, messageContactKey } from '../contacts/write-contacts.js';
import { NO_ANSWER } from '../provider-webhooks/status.js';
import { MAX_QUEUE_DELAY_S, type OutboundJob } from './queue-message.js';

export type Delivery = { done: true; status: string } | { done: false; retryInSeconds: number };

interface Pending {
  id: string;
  org_id: string;
  candidate_id: string;
  channel: Channel;
  from_address: string;
  to_address: string;
  body: string | null;
  template_id: string | null;
  template_variables: string | null;
  status: string;
  sent_by: string | null;
  attempts: number;
  sms_opted_out_at: number | null;
  whatsapp_opted_out_at: number | null;
  time_zone: string | null;
  phone_country: string | null;
  org_zone: string;
  quiet_start_hour: number;
  quiet_end_hour: number;
}

function optedOut(row: Pending): boolean {
  if (row.channel === 'sms') return row.sms_opted_out_at !== null;
  if (row.channel === 'whatsapp') return row.whatsapp_opted_out_at !== null;
  return false;
}

async function readPending(d1: D1Database, messageId: string): Promise<Pending | null> {
  return d1
    .prepare(
      `SELECT m.*, d.sms_opted_out_at, d.whatsapp_opted_out_at, d.time_zone, d.phone_country,
         o.time_zone AS org_zone, o.quiet_start_hour, o.quiet_end_hour
       FROM messages m JOIN organisations o ON o.id = m.org_id
       LEFT JOIN candidate_contact_details d ON d.candidate_id = m.candidate_id
       WHERE m.id = ?1`,
    )
    .bind(messageId)
    .first<Pending>();
}

const WAITING = ['queued', 'scheduled'];

function setStatus(db: Db, id: string, values: Partial<typeof messages.$inferInsert>) {
  return db
    .update(messages)
    .set(values)
    .where(and(eq(messages.id, id), inArray(messages.status, WAITING)));
}

/** Backoff for a provider that could not be reached: 30 s, 1 min, 2 min … at most 30 min. */
export function backoffSeconds(attempts: number): number {
  return Math.min(1800, 30 * 2 ** Math.max(0, attempts - 1));
}

/** The status callback of one message: its id in the URL (which the provider signs) finds it. */
export function statusCallbackUrl(base: string, messageId: string): string {
  return `${base}/v1/providers/twilio/status?message=${encodeURIComponent(messageId)}`;
}

/**
 * What may have changed since the message was queued, before it is claimed: an opt-out cancels
 * it, quiet hours hold it (a system reply to the candidate's own message is not held). Null: go.
 */
async function holdOrCancel(db: Db, row: Pending, now: number): Promise<Delivery | null> {
  if (optedOut(row)) {
    await setStatus(db, row.id, {
      status: 'cancelled',
      errorCode: 'opted_out',
      errorMessage: 'The candidate opted out before the message went.',
      updatedAt: now,
    });
    return { done: true, status: 'cancelled' };
  }
  if (row.sent_by === SYSTEM_REPLY) return null;
  const zone = zoneFor({
    candidateZone: row.time_zone,
    numberCountry: row.phone_country,
    orgZone: row.org_zone,
  });
  const window = sendWindow(now, zone.zone, {
    startHour: row.quiet_start_hour,
    endHour: row.quiet_end_hour,
  });
  if (window.open) return null;
  await setStatus(db, row.id, {
    status: 'scheduled',
    scheduledFor: window.opensAt,
    updatedAt: now,
  });
  return {
    done: false,
    retryInSeconds: Math.min(MAX_QUEUE_DELAY_S, Math.ceil((window.opensAt - now) / 1000)),
  };
}

/** Still ours to settle: claimed, or given up by the sweep before the provider answered. */
function unsettled(id: string) {
  return and(
    eq(messages.id, id),
    or(
      eq(messages.status, 'sending'),
      and(eq(messages.status, 'failed'), eq(messages.errorCode, NO_ANSWER)),
    ),
  );
}

/** Records what the provider answered about a claimed message. */
async function settle(
  d1: D1Database,
  db: Db,
  row: Pending,
  outcome: SendOutcome,
  now: number,
): Promise<Delivery> {
  if (outcome.ok) {
    // A contact is a text sent to the candidate; an automatic answer to their own message
    // (HELP) is not one, and must not move last contacted (campaigns select on it).
    const kind =
      row.sent_by !== SYSTEM_REPLY && (row.channel === 'sms' || row.channel === 'whatsapp')
        ? row.channel
        : null;
    await runBatch(db, [
      db
        .update(messages)
        .set({
          status: 'accepted',
          providerSid: outcome.providerSid,
          errorCode: null,
          errorMessage: null,
          updatedAt: now,
        })
        .where(unsettled(row.id)),
      ...(kind
        ? contactStatements(db, {
            orgId: row.org_id,
            candidateId: row.candidate_id,
            key: messageContactKey(row.id),
            kind,
            occurredAt: now,
            now,
          })
        : []),
    ]);
    return { done: true, status: 'accepted' };
  }
  const failure = { errorCode: outcome.code, errorMessage: outcome.message, updatedAt: now };
  if (outcome.retryable) {
    await db
      .update(messages)
      .set({ status: 'queued', ...failure })
      .where(unsettled(row.id));
    return { done: false, retryInSeconds: backoffSeconds(row.attempts + 1) };
  }
  await db
    .update(messages)
    .set({ status: 'failed', ...failure })
    .where(unsettled(row.id));
  // The recipient unsubscribed with the carrier: opted out, as if they had replied STOP here.
  if (outcome.code === UNSUBSCRIBED) {
    const optOut = optOutStatements(d1, row.candidate_id, row.channel, now);
    if (optOut.length > 0) await d1.batch(optOut);
  }
  return { done: true, status: 'failed' };
}

export async function deliver(
  d1: D1Database,
  db: Db,
  provider: MessagingProvider,
  job: OutboundJob,
  now: number,
): Promise<Delivery> {
  const row = await readPending(d1, job.messageId);
  if (!row || !WAITING.includes(row.status)) return { done: true, status: row?.status ?? 'gone' };
  const held = await holdOrCancel(db, row, now);
  if (held) return held;
  const [claimed] = await setStatus(db, row.id, {
    status: 'sending',
    attempts: row.attempts + 1,
    updatedAt: now,
  }).returning({ id: messages.id });
  if (!claimed) return { done: true, status: 'claimed elsewhere' };
  const outcome = await provider.send({
    to: row.to_address,
    from: row.from_address,
    body: row.body,
    templateId: row.template_id,
    variables: row.template_variables
      ? (JSON.parse(row.template_variables) as Record<string, string>)
      : null,
    statusCallback: statusCallbackUrl(job.callbackBase, row.id),
  });
  return settle(d1, db, row, outcome, now);
}

/** The dead-letter queue's job: a message the queue gave up on is failed, not left waiting. */
export async function giveUp(db: Db, job: OutboundJob, now: number): Promise<void> {
  await db
    .update(messages)
    .set({
      status: 'failed',
      errorCode: 'gave_up',
      errorMessage: 'The provider could not be reached after several attempts.',
      updatedAt: now,
    })
    .where(and(eq(messages.id, job.messageId), inArray(messages.status, WAITING)));
}
