// A status callback for a text we sent (signature already checked): the message moves forward
// only (`accepted` → `sent` → `delivered` | `undelivered` | `failed`; a late `sent` after
// `delivered` changes nothing), with the provider's error code. 21610 (the recipient unsubscribed
// with the carrier) also opts the candidate out of that channel. A text the sweep gave up on
// (`provider_no_answer`) takes whatever the provider reports after all: that is what happened.
import { database, runBatch } from '../../db/client.js';
import type { Channel } from '../../db/schema.js';
import { optOutStatements, UNSUBSCRIBED } from '../../messaging/opt-out.js';
import { SYSTEM_REPLY } from '../../messaging/sent-by.js';
import { contactStatements, messageContactKey } from '../contacts/write-contacts.js';

const FINAL = ['delivered', 'undelivered', 'failed'];
/** The statuses each reported status may replace. */
const MAY_REPLACE: Record<string, string[]> = {
  sent: ['accepted', 'sending'],
  delivered: ['accepted', 'sending', 'sent'],
  undelivered: ['accepted', 'sending', 'sent'],
  failed: ['accepted', 'sending', 'sent'],
};

const EXPLAINED: Record<string, string> = {
  '21610': 'The recipient unsubscribed (replied STOP); they must reply START first.',
  '21211': 'The number is not a valid phone number.',
  '63016':
    'WhatsApp allows free text only within 24 hours of the candidate’s last message; send an approved template.',
  '30003': 'The phone is unreachable or switched off.',
  '30005': 'The number is unknown or no longer exists.',
  '30006': 'The number cannot receive texts (a landline, or the carrier refused it).',
};

export interface StatusReport {
  sid: string;
  status: string;
  errorCode: string | null;
  /**
   * Our message id, from the callback URL we gave the provider (signed with it): a callback that
   * outruns the provider's answer to the send, before its sid is stored, still finds its message.
   */
  messageId: string | null;
}

/** What the sweep marks a text the provider never answered about (`messages/sweep.ts`). */
export const NO_ANSWER = 'provider_no_answer';

/** Statuses that say the text left the provider: it reached the candidate's carrier. */
const WENT = ['sent', 'delivered'];

interface Before {
  id: string;
  org_id: string;
  candidate_id: string;
  channel: Channel;
  status: string;
  error_code: string | null;
  sent_by: string | null;
}

/**
 * A text the sweep gave up on went after all: it is a contact, as it would have been had the
 * provider answered the send (the same key, so it is recorded once whatever arrives twice).
 */
async function recordLateContact(d1: D1Database, message: Before, now: number): Promise<void> {
  if (message.sent_by === SYSTEM_REPLY) return;
  if (message.channel !== 'sms' && message.channel !== 'whatsapp') return;
  const db = database(d1);
  await runBatch(
    db,
    contactStatements(db, {
      orgId: message.org_id,
      candidateId: message.candidate_id,
      key: messageContactKey(message.id),
      kind: message.channel,
      occurredAt: now,
      now,
    }),
  );
}

/** The organisation whose outgoing text a status report is about, on this database; or null. */
export async function statusOwner(
  db: D1Database,
  report: Pick<StatusReport, 'sid' | 'messageId'>,
): Promise<{ orgId: string } | null> {
  const row = await db
    .prepare(
      `SELECT org_id FROM messages
       WHERE provider_sid = ?1 OR (provider_sid IS NULL AND id = ?2 AND direction = 'outbound')`,
    )
    .bind(report.sid, report.messageId)
    .first<{ org_id: string }>();
  return row ? { orgId: row.org_id } : null;
}

export async function applyStatus(
  db: D1Database,
  report: StatusReport,
  now: number,
): Promise<'updated' | 'ignored'> {
  const replaces = MAY_REPLACE[report.status];
  if (!replaces) return 'ignored';
  const before = await db
    .prepare(
      `SELECT id, org_id, candidate_id, channel, status, error_code, sent_by FROM messages
       WHERE provider_sid = ?1 OR (provider_sid IS NULL AND id = ?2 AND direction = 'outbound')`,
    )
    .bind(report.sid, report.messageId)
    .first<Before>();
  const placeholders = replaces.map((_, i) => `?${i + 8}`).join(', ');
  const errorMessage = report.errorCode
    ? (EXPLAINED[report.errorCode] ?? `The provider reported error ${report.errorCode}.`)
    : null;
  const updated = await db
    .prepare(
      `UPDATE messages SET status = ?2, error_code = ?3, error_message = ?4, updated_at = ?5,
         provider_sid = COALESCE(provider_sid, ?1)
       WHERE (provider_sid = ?1 OR (provider_sid IS NULL AND id = ?6 AND direction = 'outbound'))
         AND (status IN (${placeholders}) OR (status = 'failed' AND error_code = ?7))
       RETURNING candidate_id, channel`,
    )
    .bind(
      report.sid,
      report.status,
      report.errorCode,
      errorMessage,
      now,
      report.messageId,
      NO_ANSWER,
      ...replaces,
    )
    .first<{ candidate_id: string; channel: Channel }>();
  if (!updated) return 'ignored';
  if (
    before?.status === 'failed' &&
    before.error_code === NO_ANSWER &&
    WENT.includes(report.status)
  ) {
    await recordLateContact(db, before, now);
  }
  if (report.errorCode === UNSUBSCRIBED && FINAL.includes(report.status)) {
    await db.batch(optOutStatements(db, updated.candidate_id, updated.channel, now));
  }
  return 'updated';
}
