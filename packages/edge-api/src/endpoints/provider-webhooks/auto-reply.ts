// Automatic replies: when a candidate writes back (no keyword), whoever texted them last answers
// at once, from the number the candidate wrote to. After a person's text, that person's own
// auto-reply (their profile's `autoReply`); after a campaign's text, the campaign's automatic
// response (while it is not archived), or, when it has none, its sender's auto-reply. Never after
// a text through the API or the system's own. Only within a conversation already paid for (that
// text went in the last 45 days, so a reply never uses a monthly contact), only from a person who
// is active and still licensed, and at most once a day per candidate and replier, so two
// auto-responders cannot talk to each other forever. It is an ordinary text after that: quiet
// hours hold it, an opt-out cancels it, and once sent it is a contact.
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
 * Queues the automatic reply (the campaign's or the person's) to the candidate, if one is due; the
 * new message's id, or null. The insert carries every condition, so two texts from the
 * candidate arriving together produce one reply, not two.
 */
export async function sendAutoReply(
  db: D1Database,
  queue: Queue,
  input: AutoReplyInput,
): Promise<string | null> {
  const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
  // `last`: the latest text the candidate got from us (not an automatic one). `answer`: what
  // answers them: the campaign's own response when that text was a campaign's (while it is not
  // archived), else the person's auto-reply (the one who texted, or the campaign's sender).
  const inserted = await db
    .prepare(
      `WITH last AS (
         SELECT sent_by, created_at FROM messages
         WHERE org_id = ?2 AND candidate_id = ?3 AND direction = 'outbound'
           AND sent_by <> ?11 AND sent_by NOT LIKE ?7 || '%'
         ORDER BY created_at DESC LIMIT 1),
       campaign AS (
         SELECT c.id, c.sender_user_id,
           c.state <> 'archived' AND trim(COALESCE(c.auto_response, '')) <> '' AS answers,
           trim(c.auto_response) AS response
         FROM last JOIN campaigns c ON c.org_id = ?2 AND last.sent_by = 'campaign:' || c.id),
       answer AS (
         SELECT response AS body, 'campaign:' || id AS replier FROM campaign WHERE answers
         UNION ALL
         SELECT trim(u.auto_reply), 'user:' || u.id
         FROM last JOIN users u ON u.org_id = ?2
           AND (last.sent_by = 'user:' || u.id
                OR u.id = (SELECT sender_user_id FROM campaign WHERE NOT answers))
         WHERE u.deactivated_at IS NULL AND u.licence = 1
           AND trim(COALESCE(u.auto_reply, '')) <> '')
       INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
         body, status, sent_by, created_at, updated_at)
       SELECT ?1, ?2, ?3, 'outbound', ?4, ?5, ?6, answer.body, 'queued', ?7 || answer.replier, ?8, ?8
       FROM answer, last
       WHERE last.created_at >= ?8 - ?9
         AND NOT EXISTS (SELECT 1 FROM messages r
                         WHERE r.org_id = ?2 AND r.candidate_id = ?3
                           AND r.sent_by = ?7 || answer.replier AND r.created_at > ?8 - ?10)
       LIMIT 1
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
