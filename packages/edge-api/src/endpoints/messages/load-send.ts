// What a send decides from, read in one D1 batch: the organisation's messaging settings, the
// candidate and their contact details, the last chat address they wrote from (Messenger, WeChat),
// the sending person's own number and the contacts used this period.
import type { Channel } from '../../db/schema.js';
import { periodOf } from '../../messaging/rules/index.js';
import type { SendContext } from './send-message.js';

interface OrgRow {
  id: string;
  name: string;
  monthly_contact_allowance: number;
  time_zone: string;
  quiet_start_hour: number;
  quiet_end_hour: number;
  sender_numbers: string;
  whatsapp_sender: string | null;
}

interface DetailsRow {
  phone: string | null;
  time_zone: string | null;
  phone_country: string | null;
  sms_consent_at: number | null;
  whatsapp_opt_in_at: number | null;
  sms_opted_out_at: number | null;
  whatsapp_opted_out_at: number | null;
  last_inbound_whatsapp_at: number | null;
  last_inbound_messenger_at: number | null;
  last_inbound_wechat_at: number | null;
  last_messaged_at: number | null;
}

/** `{ "GB": ["+44…"] }` as stored; anything malformed reads as no numbers. */
export function parseSenders(text: string): Record<string, string[]> {
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, string[]> = {};
    for (const [country, numbers] of Object.entries(value)) {
      if (Array.isArray(numbers)) out[country] = numbers.filter((n) => typeof n === 'string');
    }
    return out;
  } catch {
    return {};
  }
}

export async function loadSend(
  db: D1Database,
  input: {
    orgId: string;
    externalId: string;
    channel: Channel;
    userId: string | null;
    now: number;
  },
): Promise<SendContext | null> {
  const org = await db
    .prepare('SELECT * FROM organisations WHERE id = ?1')
    .bind(input.orgId)
    .first<OrgRow>();
  if (!org) return null;
  const period = periodOf(input.now, org.time_zone).label;
  const [candidateRows, detailRows, chatRows, userRows, usedRows] = await db.batch<
    Record<string, unknown>
  >([
    db
      .prepare('SELECT id, external_id FROM candidates WHERE org_id = ?1 AND external_id = ?2')
      .bind(input.orgId, input.externalId),
    db
      .prepare(
        `SELECT d.* FROM candidate_contact_details d JOIN candidates c ON c.id = d.candidate_id
         WHERE c.org_id = ?1 AND c.external_id = ?2`,
      )
      .bind(input.orgId, input.externalId),
    db
      .prepare(
        `SELECT m.from_address FROM messages m JOIN candidates c ON c.id = m.candidate_id
         WHERE c.org_id = ?1 AND c.external_id = ?2 AND m.direction = 'inbound' AND m.channel = ?3
         ORDER BY m.created_at DESC LIMIT 1`,
      )
      .bind(input.orgId, input.externalId, input.channel),
    db
      .prepare('SELECT sender_phone FROM users WHERE org_id = ?1 AND id = ?2')
      .bind(input.orgId, input.userId ?? ''),
    db
      .prepare('SELECT count(*) AS used FROM contact_usage WHERE org_id = ?1 AND period = ?2')
      .bind(input.orgId, period),
  ]);
  const candidate = candidateRows?.results[0] as { id: string; external_id: string } | undefined;
  const details = detailRows?.results[0] as DetailsRow | undefined;
  return {
    now: input.now,
    org: {
      id: org.id,
      name: org.name,
      allowance: org.monthly_contact_allowance,
      zone: org.time_zone,
      window: { startHour: org.quiet_start_hour, endHour: org.quiet_end_hour },
      senderNumbers: parseSenders(org.sender_numbers),
      whatsappSender: org.whatsapp_sender,
    },
    candidate: candidate ? { id: candidate.id, externalId: candidate.external_id } : null,
    details: details
      ? {
          phone: details.phone,
          timeZone: details.time_zone,
          phoneCountry: details.phone_country,
          smsConsentAt: details.sms_consent_at,
          whatsappOptInAt: details.whatsapp_opt_in_at,
          smsOptedOutAt: details.sms_opted_out_at,
          whatsappOptedOutAt: details.whatsapp_opted_out_at,
          lastInboundWhatsappAt: details.last_inbound_whatsapp_at,
          lastInboundMessengerAt: details.last_inbound_messenger_at,
          lastInboundWechatAt: details.last_inbound_wechat_at,
          lastMessagedAt: details.last_messaged_at,
        }
      : null,
    chatAddress:
      (chatRows?.results[0] as { from_address: string } | undefined)?.from_address ?? null,
    userSender:
      (userRows?.results[0] as { sender_phone: string | null } | undefined)?.sender_phone ?? null,
    used: (usedRows?.results[0] as { used: number } | undefined)?.used ?? 0,
  };
}
