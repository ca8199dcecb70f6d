// A person's automatic reply (their profile's `autoReply`, users issue): when a candidate writes
// back and the last text they got was a person's (not the API's, a campaign's or the system's),
// that recruiter answers at once with their own words, from the number
// the candidate wrote to. Only within a conversation already paid for (that recruiter texted
// them in the last 45 days, so it never uses a monthly contact), only for an active person who
// still holds a messaging licence, and at most once a day per candidate and person, so two
// auto-responders cannot talk to each other forever. It is an ordinary text after that: quiet
// hours hold it, an opt-out cancels it, and once sent it is a contact. (Campaigns' own
// auto-responses, next issue, will take precedence.)
import type { Channel } from '../../db/schema.js';
import { CONTACT_GAP_MS } from '../../messaging/rules/index.js';
import { AUTO_REPLY_PREFIX, SYSTEM_REPLY } from '../../messaging/sent-by.js';
import { enqueueMessage } from '../messages/queue-message.js';

const ONCE_PER_MS = 24 * 60 * 60 * 1000;

export interface AutoReplyInput {
  orgId: string;
  candidateId: string;
  channel: Channel;
  /** The number the candidate wrote to: the reply comes from it. */
  from: string;
  /** The candidate's address. */
  to: string;
  now: number;
  callbackBase: string;
}

/**
 * Queues the automatic reply of the person who last texted the candidate, if one is due; the
 * new message's id, or null. The insert carries every condition, so two texts from the
 * candidate arriving together produce one reply, not two.
 */
export async function sendAutoReply(
  db: D1Database,
  queue: Queue,
  input: AutoReplyInput,
): Promise<string | null> {
  const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
  const inserted = await db
    .prepare(
      `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
         body, status, sent_by, created_at, updated_at)
       SELECT ?1, ?2, ?3, 'outbound', ?4, ?5, ?6, trim(u.auto_reply), 'queued', ?7 || 'user:' || u.id,
         ?8, ?8
       FROM (SELECT sent_by, created_at FROM messages
             WHERE org_id = ?2 AND candidate_id = ?3 AND direction = 'outbound'
               AND sent_by <> ?11 AND sent_by NOT LIKE ?7 || '%'
             ORDER BY created_at DESC LIMIT 1) AS last
       JOIN users u ON u.org_id = ?2 AND last.sent_by = 'user:' || u.id
       WHERE u.deactivated_at IS NULL AND u.licence = 1
         AND trim(COALESCE(u.auto_reply, '')) <> ''
         AND last.created_at >= ?8 - ?9
         AND NOT EXISTS (SELECT 1 FROM messages r
                         WHERE r.org_id = ?2 AND r.candidate_id = ?3
                           AND r.sent_by = ?7 || 'user:' || u.id AND r.created_at > ?8 - ?10)
       RETURNING id`,
    )
    .bind(
      id,
      input.orgId,
      input.candidateId,
      input.channel,
      input.from,
      input.to,
      AUTO_REPLY_PREFIX,
      input.now,
      CONTACT_GAP_MS,
      ONCE_PER_MS,
      SYSTEM_REPLY,
    )
    .first<{ id: string }>();
  if (!inserted) return null;
  await enqueueMessage(
    queue,
    { kind: 'send', messageId: id, orgId: input.orgId, callbackBase: input.callbackBase },
    null,
    input.now,
  );
  return id;
}
