// Which channel may carry a message and from which number. SMS goes from a number in the
// recipient's own country (a local sender is what carriers deliver reliably and what candidates
// recognise and answer); WhatsApp goes from the organisation's one WhatsApp sender, anywhere
// but the embargoed places; Messenger and WeChat may only answer a candidate who wrote first.
import {
  type CountryCode,
  callingCode,
  countryName,
  type E164,
  phoneCountry,
  type SmsTier,
  smsTier,
  whatsappEmbargo,
} from './countries.js';
import { type Refusal, refuse } from './result.js';
import { REPLY_WINDOW_MS, withinReplyWindow } from './whatsapp-window.js';

function invalidNumber(e164: E164): Refusal<'invalid_number'> {
  return refuse(
    'invalid_number',
    `${e164} is not a phone number we can place in a country; write it in international form, e.g. +14155552671`,
  );
}

export interface SmsSenders {
  /** The organisation's SMS numbers by country, in order of preference. */
  orgSenders: Readonly<Partial<Record<CountryCode, readonly E164[]>>>;
  /** The sending user's own number, if they have one. */
  userSender?: E164 | null;
}

export type SmsRoute =
  | { ok: true; from: E164; country: CountryCode; tier: SmsTier }
  | Refusal<'invalid_number' | 'sms_unsupported_country' | 'no_sender_number'>;

/**
 * The number an SMS to `recipient` goes from: the user's own number when it is in the
 * recipient's country (the candidate then sees the recruiter's number), otherwise the
 * organisation's first number for that country. A sender in another country is never used.
 */
export function smsRoute(recipient: E164, senders: SmsSenders): SmsRoute {
  const country = phoneCountry(recipient);
  if (!country) return invalidNumber(recipient);
  const tier = smsTier(country);
  if (tier === null) {
    const embargo = whatsappEmbargo(recipient);
    const code = callingCode(recipient);
    return refuse(
      'sms_unsupported_country',
      embargo
        ? `SMS to ${embargo} (${code}) is not supported, and WhatsApp is not available there either`
        : `SMS to ${countryName(country)} (${code}) is not supported; use WhatsApp`,
    );
  }
  const user = senders.userSender;
  if (user && phoneCountry(user) === country) return { ok: true, from: user, country, tier };
  const from = senders.orgSenders[country]?.[0];
  if (!from) {
    return refuse(
      'no_sender_number',
      `The organisation has no sender number in ${countryName(country)}; a manager adds one`,
    );
  }
  return { ok: true, from, country, tier };
}

export interface WhatsappSenders {
  /** The organisation's WhatsApp Business number, if it has one. */
  whatsappSender: E164 | null;
}

export type WhatsappRoute =
  | { ok: true; from: E164; country: CountryCode }
  | Refusal<'invalid_number' | 'whatsapp_unavailable' | 'no_sender_number'>;

/** WhatsApp goes from the organisation's one WhatsApp number to any country not embargoed. */
export function whatsappRoute(recipient: E164, senders: WhatsappSenders): WhatsappRoute {
  // The embargo is checked before validity: a Crimean number is refused for where it is, even
  // if the metadata would not call it valid.
  const embargo = whatsappEmbargo(recipient);
  if (embargo) {
    return refuse(
      'whatsapp_unavailable',
      `WhatsApp is not available in ${embargo}: trade sanctions keep Meta from serving numbers there`,
    );
  }
  const country = phoneCountry(recipient);
  if (!country) return invalidNumber(recipient);
  if (!senders.whatsappSender) {
    return refuse(
      'no_sender_number',
      'The organisation has no WhatsApp sender number; a manager adds one',
    );
  }
  return { ok: true, from: senders.whatsappSender, country };
}

export type CandidateInitiated = { ok: true } | Refusal<'reply_window_closed'>;

/**
 * Messenger and WeChat let a business only reply, within 24 hours of the person's last
 * message (the same half-open window as WhatsApp's: exactly 24 hours later is too late).
 */
export function candidateInitiatedAllowed(
  lastInboundAt: number | null,
  now: number,
): CandidateInitiated {
  if (withinReplyWindow(lastInboundAt, now)) return { ok: true };
  const hours = REPLY_WINDOW_MS / 3_600_000;
  return refuse(
    'reply_window_closed',
    lastInboundAt === null
      ? `Messenger and WeChat allow only replies, and the candidate has not written; wait for their message`
      : `Messenger and WeChat allow a reply only within ${hours} hours of the candidate's last message, and that was longer ago; wait for their next message`,
  );
}
