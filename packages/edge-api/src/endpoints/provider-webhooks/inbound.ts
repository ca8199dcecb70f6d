// A text from a candidate, as the provider posted it (signature already checked). It is matched
// to an organisation by the number it was sent to (an organisation's sender number, WhatsApp
// number or a user's own number) and to a candidate by the number it came from; Messenger and
// WeChat by the address the candidate wrote from before. It is stored once (the provider's id is
// unique), opens the reply window of its channel, and keywords act at once: STOP and its variants
// opt the candidate out of that channel and cancel what is still waiting to go to them; START,
// UNSTOP and YES opt back in; HELP gets the organisation's answer, sent straight back. Any other
// text may get the automatic reply of the recruiter who last texted them (`auto-reply.ts`).
import type { Channel } from '../../db/schema.js';
import { optInStatements, optOutStatements } from '../../messaging/opt-out.js';
import { classifyInbound, helpReply } from '../../messaging/rules/index.js';
import { AUTO_REPLY_PREFIX, SYSTEM_REPLY } from '../../messaging/sent-by.js';
import { enqueueMessage } from '../messages/queue-message.js';
import { sendAutoReply } from './auto-reply.js';

export interface Inbound {
  sid: string;
  from: string;
  to: string;
  body: string;
}

export type InboundOutcome =
  | { stored: false; reason: 'unknown_recipient' | 'unknown_sender' | 'duplicate' }
  | { stored: true; messageId: string; kind: ReturnType<typeof classifyInbound> };

const PREFIXES: Record<string, Channel> = {
  'whatsapp:': 'whatsapp',
  'messenger:': 'messenger',
  'wechat:': 'wechat',
};

/** `whatsapp:+44…` → whatsapp and `+44…`; a bare number is SMS. */
export function channelOf(address: string): { channel: Channel; id: string } {
  for (const [prefix, channel] of Object.entries(PREFIXES)) {
    if (address.startsWith(prefix)) return { channel, id: address.slice(prefix.length) };
  }
  return { channel: 'sms', id: address };
}

const LAST_INBOUND: Record<Channel, string> = {
  sms: 'last_inbound_sms_at',
  whatsapp: 'last_inbound_whatsapp_at',
  messenger: 'last_inbound_messenger_at',
  wechat: 'last_inbound_wechat_at',
};

interface Match {
  orgId: string;
  orgName: string;
  candidateId: string;
  /**
   * Why this match beats another (the newest wins): the sender's latest inbound text (Messenger,
   * WeChat), or the latest text to them from that number; across shards as within one.
   */
  at: number | null;
}

/** The organisation and candidate a text to `to` from `from` is for, on this database. */
export async function match(
  db: D1Database,
  from: string,
  to: string,
): Promise<Match | InboundOutcome> {
  const sender = channelOf(from);
  if (sender.channel === 'messenger' || sender.channel === 'wechat') {
    const known = await db
      .prepare(
        `SELECT m.org_id AS orgId, o.name AS orgName, m.candidate_id AS candidateId,
           m.created_at AS at
         FROM messages m JOIN organisations o ON o.id = m.org_id
         WHERE m.from_address = ?1 AND m.direction = 'inbound'
         ORDER BY m.created_at DESC LIMIT 1`,
      )
      .bind(from)
      .first<Match>();
    return known ?? { stored: false, reason: 'unknown_sender' };
  }
  // Every organisation that has the number the text was sent to (its SMS or WhatsApp number, or
  // one of its people's own), and among them the ones with a candidate at the sending number. A
  // number claimed by two organisations must not let one read the other's candidates' replies
  // (or their STOP): the text goes to the organisation that last texted that candidate from it.
  const ours = channelOf(to).id;
  const found = await db
    .prepare(
      `SELECT d.org_id AS orgId, o.name AS orgName, d.candidate_id AS candidateId,
         (SELECT max(m.created_at) FROM messages m
          WHERE m.candidate_id = d.candidate_id AND m.direction = 'outbound'
            AND m.from_address = ?3) AS at
       FROM candidate_contact_details d JOIN organisations o ON o.id = d.org_id
       WHERE d.phone = ?2 AND (
         o.whatsapp_sender = ?1
         OR EXISTS (SELECT 1 FROM json_each(o.sender_numbers) AS c, json_each(c.value) AS n
                    WHERE n.value = ?1)
         OR EXISTS (SELECT 1 FROM users u WHERE u.org_id = o.id AND u.sender_phone = ?1
                    AND u.deactivated_at IS NULL))
       ORDER BY at DESC NULLS LAST, d.updated_at DESC
       LIMIT 1`,
    )
    .bind(ours, sender.id, to)
    .first<Match>();
  if (found) return found;
  const owned = await db
    .prepare(
      `SELECT 1 FROM organisations o WHERE o.whatsapp_sender = ?1
         OR EXISTS (SELECT 1 FROM json_each(o.sender_numbers) AS c, json_each(c.value) AS n WHERE n.value = ?1)
         OR EXISTS (SELECT 1 FROM users u WHERE u.org_id = o.id AND u.sender_phone = ?1)
       LIMIT 1`,
    )
    .bind(ours)
    .first();
  return { stored: false, reason: owned ? 'unknown_sender' : 'unknown_recipient' };
}

function keywordStatements(
  db: D1Database,
  kind: ReturnType<typeof classifyInbound>,
  channel: Channel,
  candidateId: string,
  now: number,
): D1PreparedStatement[] {
  if (kind === 'opt_in') return optInStatements(db, candidateId, channel, now);
  if (kind === 'opt_out') return optOutStatements(db, candidateId, channel, now);
  return [];
}

export async function receive(
  db: D1Database,
  queue: Queue | undefined,
  inbound: Inbound,
  options: { now: number; callbackBase: string },
): Promise<InboundOutcome> {
  const found = await match(db, inbound.from, inbound.to);
  if ('stored' in found) return found;
  const { channel } = channelOf(inbound.from);
  const kind = classifyInbound(inbound.body);
  const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
  const now = options.now;
  const [inserted] = await db.batch([
    db
      .prepare(
        // A reply belongs to the campaign run of the latest text the candidate got from us
        // (automatic answers aside), so the run can count its replies and opt-outs.
        `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
           body, status, provider_sid, created_at, updated_at, keyword, campaign_run_id)
         VALUES (?1, ?2, ?3, 'inbound', ?4, ?5, ?6, ?7, 'received', ?8, ?9, ?9, ?10,
           (SELECT m.campaign_run_id FROM messages m
            WHERE m.org_id = ?2 AND m.candidate_id = ?3 AND m.direction = 'outbound'
              AND m.sent_by <> ?11 AND m.sent_by NOT LIKE ?12 || '%'
            ORDER BY m.created_at DESC LIMIT 1))
         ON CONFLICT (provider_sid) DO NOTHING RETURNING id`,
      )
      .bind(
        id,
        found.orgId,
        found.candidateId,
        channel,
        inbound.from,
        inbound.to,
        inbound.body,
        inbound.sid,
        now,
        kind === 'message' ? null : kind,
        SYSTEM_REPLY,
        AUTO_REPLY_PREFIX,
      ),
    db
      .prepare(
        `UPDATE candidate_contact_details SET ${LAST_INBOUND[channel]} = MAX(COALESCE(${LAST_INBOUND[channel]}, 0), ?2)
         WHERE candidate_id = ?1 AND changes() = 1`,
      )
      .bind(found.candidateId, now),
  ]);
  if (!inserted?.results.length) return { stored: false, reason: 'duplicate' };
  const keywords = keywordStatements(db, kind, channel, found.candidateId, now);
  // D1 refuses an empty batch: most texts are not keywords.
  if (keywords.length > 0) await db.batch(keywords);
  if (kind === 'message' && queue) {
    await sendAutoReply(db, queue, {
      orgId: found.orgId,
      candidateId: found.candidateId,
      channel,
      from: inbound.to,
      to: inbound.from,
      now,
      callbackBase: options.callbackBase,
    });
  }
  if (kind === 'help' && queue) {
    await replyNow(db, queue, {
      orgId: found.orgId,
      candidateId: found.candidateId,
      channel,
      from: inbound.to,
      to: inbound.from,
      body: helpReply(found.orgName),
      now,
      callbackBase: options.callbackBase,
    });
  }
  return { stored: true, messageId: id, kind };
}

/** A reply the system sends straight back (HELP): no contact used, no quiet hours. */
async function replyNow(
  db: D1Database,
  queue: Queue,
  reply: {
    orgId: string;
    candidateId: string;
    channel: Channel;
    from: string;
    to: string;
    body: string;
    now: number;
    callbackBase: string;
  },
): Promise<void> {
  const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
  await db
    .prepare(
      `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
         body, status, sent_by, created_at, updated_at)
       VALUES (?1, ?2, ?3, 'outbound', ?4, ?5, ?6, ?7, 'queued', ?8, ?9, ?9)`,
    )
    .bind(
      id,
      reply.orgId,
      reply.candidateId,
      reply.channel,
      reply.from,
      reply.to,
      reply.body,
      SYSTEM_REPLY,
      reply.now,
    )
    .run();
  await enqueueMessage(
    queue,
    { kind: 'send', messageId: id, orgId: reply.orgId, callbackBase: reply.callbackBase },
    null,
    reply.now,
  );
}
