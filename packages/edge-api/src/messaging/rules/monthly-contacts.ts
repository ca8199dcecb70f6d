// Monthly contacts: the allowance an organisation's plan counts. Writing to a candidate uses one
// the first time, and again when they have not been written to for more than 45 days; within
// those 45 days the conversation is already paid for. The allowance renews with each calendar
// month on the organisation's clock.
import { type Refusal, refuse } from './result.js';
import { wallClock, zonedEpoch } from './zoned-time.js';

const DAY = 24 * 60 * 60 * 1000;

/**
 * "More than 45 days" is more than 45 × 24 hours of elapsed time, to the millisecond: exactly
 * 45 days later is still the same contact, 45 days and 1 ms later is a new one. Elapsed time,
 * not calendar days, so it does not depend on anyone's time zone or a daylight-saving change.
 */
export const CONTACT_GAP_MS = 45 * DAY;

/**
 * Whether a message at `now` uses a monthly contact. Never messaged (null, or not a number)
 * uses one. A last message a little ahead of `now` (two machines' clocks) is a recent one.
 */
export function usesContact(lastMessagedAt: number | null, now: number): boolean {
  if (lastMessagedAt === null || !Number.isFinite(lastMessagedAt)) return true;
  return now - lastMessagedAt > CONTACT_GAP_MS;
}

export interface ContactPeriod {
  /** Local midnight starting the 1st of the month, epoch ms. */
  start: number;
  /** Exclusive: the next month's start, when the allowance renews. */
  end: number;
  /** `YYYY-MM` on the organisation's calendar. */
  label: string;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** The calendar month containing `now` on `zone`'s clock (an unknown zone throws, as Intl does). */
export function periodOf(now: number, zone: string): ContactPeriod {
  const { year, month } = wallClock(now, zone);
  const start = zonedEpoch({ year, month, day: 1 }, zone);
  const end = zonedEpoch(
    month === 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: month + 1, day: 1 },
    zone,
  );
  return { start, end, label: `${pad(year, 4)}-${pad(month)}` };
}

/** When the allowance of the period containing `now` renews: that period's end. */
export function renewsAt(now: number, zone: string): number {
  return periodOf(now, zone).end;
}

export interface ContactInputs {
  lastMessagedAt: number | null;
  now: number;
  /** Contacts used so far in the current period. */
  used: number;
  /** Contacts the plan allows per period. */
  allowance: number;
  /** The organisation's IANA zone. */
  zone: string;
}

export type ContactDecision = { ok: true; usesContact: boolean } | Refusal<'contacts_exhausted'>;

/**
 * Whether the message may go, and whether it uses a contact. A candidate already in the
 * 45 days costs nothing, so they can be written to even when the allowance is spent.
 */
export function contactDecision(inputs: ContactInputs): ContactDecision {
  const { lastMessagedAt, now, used, allowance, zone } = inputs;
  if (!usesContact(lastMessagedAt, now)) return { ok: true, usesContact: false };
  if (used < allowance) return { ok: true, usesContact: true };
  const period = periodOf(now, zone);
  const renewal = wallClock(period.end, zone);
  const date = `${pad(renewal.year, 4)}-${pad(renewal.month)}-${pad(renewal.day)}`;
  return refuse(
    'contacts_exhausted',
    `All ${allowance} monthly contacts for ${period.label} are used; the allowance renews on ${date} (${zone}). Candidates messaged in the last 45 days can still be written to`,
  );
}
