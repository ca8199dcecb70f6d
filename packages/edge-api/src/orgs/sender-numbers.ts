// A sender number belongs to one organisation: inbound texts find their organisation by the
// number they were sent to (endpoints/provider-webhooks/inbound.ts), so a number one organisation
// texts from (an SMS sender, its WhatsApp sender, a person's own) may not be another's. The rule
// is written once, for both writers that add sender numbers (the organisation's messaging
// settings and a user's own number): checked before the write to refuse in words, and repeated
// inside the write's statement so two organisations racing for one number cannot both get it.
import type { ErrorCode } from '../utils/errors.js';

/** SQL true when `number` is another organisation's than `org` (both SQL expressions). */
function numberElsewhere(org: string, number: string): string {
  return `(EXISTS (SELECT 1 FROM organisations o WHERE o.id != ${org} AND (o.whatsapp_sender = ${number}
      OR EXISTS (SELECT 1 FROM json_each(o.sender_numbers) AS c, json_each(c.value) AS n
                 WHERE n.value = ${number})))
    OR EXISTS (SELECT 1 FROM users u WHERE u.org_id != ${org} AND u.sender_phone = ${number}))`;
}

/**
 * SQL that is true when a number of the JSON array `numbers` is a sender number of an
 * organisation other than `org`, or the own number of one of its people (deactivated ones
 * included: they may be reactivated). Both arguments are SQL expressions, e.g. `?1`.
 */
export function heldElsewhere(org: string, numbers: string): string {
  return `EXISTS (SELECT 1 FROM json_each(${numbers}) AS mine WHERE ${numberElsewhere(org, 'mine.value')})`;
}

/** The first of `numbers` (E.164) that another organisation sends from, or null. */
export async function takenNumber(
  db: D1Database,
  orgId: string,
  numbers: readonly string[],
): Promise<string | null> {
  if (numbers.length === 0) return null;
  const taken = await db
    .prepare(
      `SELECT mine.value AS number FROM json_each(?2) AS mine
       WHERE ${numberElsewhere('?1', 'mine.value')} ORDER BY mine.key LIMIT 1`,
    )
    .bind(orgId, JSON.stringify(numbers))
    .first<{ number: string }>();
  return taken?.number ?? null;
}

export function takenRefusal(number: string): { code: ErrorCode; message: string } {
  return {
    code: 'sender_number_taken',
    message: `${number} is already a sender number elsewhere; a sender number belongs to one organisation.`,
  };
}
