// What a campaign needs of its organisation to decide, per candidate, what SQL cannot: whether a
// number sends to their country (the sender's own number for its country, else the
// organisation's number there; WhatsApp from the organisation's one number) and whether their
// clock is inside the send hours. The estimate asks it once per (zone, country) group and a run
// once per candidate, so both say the same.
import type { ScoringModel } from '@cxm/scoring';
import { phoneCountry } from '../../messaging/rules/countries.js';
import { type SendHours, sendWindow, zoneFor } from '../../messaging/rules/quiet-hours.js';
import { modelFrom } from '../../scoring/score-row.js';
import { parseSenders } from '../messages/load-send.js';

export interface CampaignOrg {
  id: string;
  zone: string;
  window: SendHours;
  allowance: number;
  model: ScoringModel;
  senderNumbers: Record<string, string[]>;
  whatsappSender: string | null;
  /** The campaign sender's own number, if they have one. */
  userSender: string | null;
  /** Whether the sender is an active user holding a messaging licence (a run needs one). */
  senderLicensed: boolean;
}

interface OrgRow {
  id: string;
  time_zone: string;
  quiet_start_hour: number;
  quiet_end_hour: number;
  monthly_contact_allowance: number;
  scoring_model: string | null;
  sender_numbers: string;
  whatsapp_sender: string | null;
  user_sender: string | null;
  sender_licensed: number | null;
}

/** The organisation of a campaign sent by `senderUserId` (null: nobody chosen yet). */
export async function loadCampaignOrg(
  db: D1Database,
  orgId: string,
  senderUserId: string | null,
): Promise<CampaignOrg> {
  const row = await db
    .prepare(
      `SELECT o.id, o.time_zone, o.quiet_start_hour, o.quiet_end_hour, o.monthly_contact_allowance,
         o.scoring_model, o.sender_numbers, o.whatsapp_sender,
         (SELECT u.sender_phone FROM users u WHERE u.org_id = o.id AND u.id = ?2) AS user_sender,
         (SELECT u.licence = 1 AND u.deactivated_at IS NULL FROM users u
          WHERE u.org_id = o.id AND u.id = ?2) AS sender_licensed
       FROM organisations o WHERE o.id = ?1`,
    )
    .bind(orgId, senderUserId ?? '')
    .first<OrgRow>();
  if (!row) throw new Error(`organisation ${orgId} has no row`);
  return {
    id: row.id,
    zone: row.time_zone,
    window: { startHour: row.quiet_start_hour, endHour: row.quiet_end_hour },
    allowance: row.monthly_contact_allowance,
    model: modelFrom(row.scoring_model),
    senderNumbers: parseSenders(row.sender_numbers),
    whatsappSender: row.whatsapp_sender,
    userSender: row.user_sender,
    senderLicensed: row.sender_licensed === 1,
  };
}

/**
 * The address a campaign text to a number in `country` goes from, as `POST /v1/messages` would
 * choose it (`smsRoute`, `whatsappRoute`), or null when there is none.
 */
export function senderFor(
  org: CampaignOrg,
  channel: 'sms' | 'whatsapp',
  country: string | null,
): string | null {
  if (channel === 'whatsapp') return org.whatsappSender ? `whatsapp:${org.whatsappSender}` : null;
  if (!country) return null;
  if (org.userSender && phoneCountry(org.userSender) === country) return org.userSender;
  return org.senderNumbers[country]?.[0] ?? null;
}

export type LateReason = 'noSenderNumber' | 'quietHours';

/** The first reason, after SQL's, that a candidate is not texted at `now`; null: they are. */
export function lateReason(
  org: CampaignOrg,
  channel: 'sms' | 'whatsapp',
  candidate: { zone: string | null; country: string | null },
  now: number,
): LateReason | null {
  if (senderFor(org, channel, candidate.country) === null) return 'noSenderNumber';
  const zone = zoneFor({
    candidateZone: candidate.zone,
    numberCountry: candidate.country,
    orgZone: org.zone,
  }).zone;
  return sendWindow(now, zone, org.window).open ? null : 'quietHours';
}
