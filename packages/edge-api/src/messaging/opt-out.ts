// A candidate's opt-out of a channel, wherever it comes from: their STOP (or a variant), or the
// provider saying they unsubscribed with the carrier (error 21610). Honoured at once and the
// same way each time: the first opt-out time is kept, and nothing still waiting to go to them on
// that channel goes. Messenger and WeChat have no opt-out: they only ever answer the candidate.
import type { Channel } from '../db/schema.js';

/** Provider error: the recipient unsubscribed (replied STOP to the carrier's number). */
export const UNSUBSCRIBED = '21610';

function columnOf(channel: Channel): string | null {
  if (channel === 'sms') return 'sms_opted_out_at';
  if (channel === 'whatsapp') return 'whatsapp_opted_out_at';
  return null;
}

export function optOutStatements(
  db: D1Database,
  candidateId: string,
  channel: Channel,
  now: number,
): D1PreparedStatement[] {
  const column = columnOf(channel);
  if (!column) return [];
  return [
    db
      .prepare(
        `UPDATE candidate_contact_details SET ${column} = COALESCE(${column}, ?2), updated_at = ?2
         WHERE candidate_id = ?1`,
      )
      .bind(candidateId, now),
    db
      .prepare(
        `UPDATE messages SET status = 'cancelled', error_code = 'opted_out',
           error_message = 'The candidate opted out before the message went.', updated_at = ?3
         WHERE candidate_id = ?1 AND channel = ?2 AND direction = 'outbound'
           AND status IN ('queued', 'scheduled')`,
      )
      .bind(candidateId, channel, now),
  ];
}

/** START, UNSTOP, YES: the candidate may be texted on the channel again. */
export function optInStatements(
  db: D1Database,
  candidateId: string,
  channel: Channel,
  now: number,
): D1PreparedStatement[] {
  const column = columnOf(channel);
  if (!column) return [];
  return [
    db
      .prepare(
        `UPDATE candidate_contact_details SET ${column} = NULL, updated_at = ?2 WHERE candidate_id = ?1`,
      )
      .bind(candidateId, now),
  ];
}
