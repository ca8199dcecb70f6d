// Twilio's wire format, as the stand-in speaks it: request signatures, error bodies, the Message
// resource, the checks Twilio makes before it accepts a message, and segment counting.
// Sources: twilio.com/docs/usage/security (signatures), /docs/messaging/api/message-resource,
// /docs/iam/test-credentials (magic numbers), /docs/api/errors/<code>.
import { createHmac, randomBytes } from 'node:crypto';

export const API_VERSION = '2010-04-01';

/**
 * X-Twilio-Signature: base64 HMAC-SHA1 keyed by the auth token over the full URL the request is
 * sent to, followed by every POST parameter's name and value, sorted by name (byte order, as
 * Twilio's "Unix-style case-sensitive" sort; equal names by value).
 * @param {string} authToken
 * @param {string} url
 * @param {Iterable<[string, string]>} params
 */
export function twilioSignature(authToken, url, params) {
  const sorted = [...params].sort(([a, x], [b, y]) => compare(a, b) || compare(x, y));
  const data = url + sorted.map(([name, value]) => name + value).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** @param {string} a @param {string} b */
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A new resource id: two letters (SM for messages) and 32 hex digits. */
export function newSid(prefix = 'SM') {
  return prefix + randomBytes(16).toString('hex');
}

/** Twilio's dates are RFC 2822 in UTC: `Tue, 01 Dec 2026 10:00:00 +0000`. */
export function rfc2822(ms) {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/**
 * Twilio's JSON error body. `detail` is only in some of Twilio's answers, so only when given.
 * @param {number} code @param {string} message @param {number} status @param {string} [detail]
 */
export function twilioError(code, message, status = 400, detail) {
  return {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
    ...(detail ? { detail } : {}),
  };
}

/** The 401 for missing or wrong credentials, with Twilio's own wording. */
export const AUTHENTICATE = twilioError(
  20003,
  'Authenticate',
  401,
  'Your AccountSid or AuthToken was incorrect.',
);

const E164 = /^\+[1-9]\d{6,14}$/;
/** Alphanumeric sender IDs (SMS only): up to 11 letters, digits and spaces, at least one letter. */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const WHATSAPP = 'whatsapp:';

/**
 * Twilio's magic test numbers (test credentials) as recipients, with the error Twilio answers.
 * The stand-in honours them with its one set of credentials, SMS and WhatsApp alike.
 */
export const MAGIC_TO = Object.freeze({
  '+15005550001': [21211, (to) => `The 'To' number ${to} is not a valid phone number.`],
  '+15005550002': [21612, (to) => `The 'To' phone number: ${to}, is not currently reachable.`],
  '+15005550003': [
    21408,
    (to) =>
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
  ],
  '+15005550004': [21610, () => 'Attempt to send to unsubscribed recipient'],
  '+15005550009': [21614, (to) => `'To' number ${to} is not a valid mobile number`],
});
/** The magic sender that is invalid (21212), like Twilio's with test credentials. */
export const MAGIC_INVALID_FROM = '+15005550001';

/** @param {string} address `+E164` or `whatsapp:+E164` */
export function channelOf(address) {
  return address.startsWith(WHATSAPP) ? 'whatsapp' : 'sms';
}

/** The phone number of an address, without the `whatsapp:` prefix. */
export function numberOf(address) {
  return address.startsWith(WHATSAPP) ? address.slice(WHATSAPP.length) : address;
}

/** A plausible recipient: `+E164`, or `whatsapp:+E164`. */
export function isPhoneAddress(address) {
  return E164.test(numberOf(address));
}

/** @param {string} from */
function isValidSender(from) {
  if (numberOf(from) === MAGIC_INVALID_FROM) return false;
  return E164.test(numberOf(from)) || (channelOf(from) === 'sms' && ALPHANUMERIC_SENDER.test(from));
}

/**
 * The checks Twilio makes before it queues a message, in its order: the first failure as a
 * Twilio error body (400), or null. Opt-outs are the caller's (they need the provider's state).
 * @param {{ to: string, from: string, serviceSid: string, body: string, contentSid: string, contentVariables: string }} send
 */
export function refuseSend({ to, from, serviceSid, body, contentSid, contentVariables }) {
  if (!to) return twilioError(21604, "A 'To' phone number is required.");
  if (!from && !serviceSid) return twilioError(21603, "A 'From' phone number is required.");
  if (!body && !contentSid) return twilioError(21602, 'Message body is required.');
  if (!isPhoneAddress(to)) {
    return twilioError(21211, `The 'To' number ${to} is not a valid phone number.`);
  }
  if (from && !isValidSender(from)) {
    return twilioError(
      21212,
      `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
    );
  }
  if (from && channelOf(from) !== channelOf(to)) {
    return twilioError(
      21910,
      'Invalid From and To pair. From and To should be of the same channel',
    );
  }
  if (body.length > 1600) {
    return twilioError(21617, 'The concatenated message body exceeds the 1600 character limit.');
  }
  if (contentSid && !/^HX[0-9a-f]{32}$/.test(contentSid)) {
    return twilioError(21655, 'The ContentSid is Invalid.');
  }
  if (contentVariables && !isJsonObject(contentVariables)) {
    return twilioError(21656, 'The ContentVariables Parameter is invalid.');
  }
  const magic = MAGIC_TO[numberOf(to)];
  return magic ? twilioError(magic[0], magic[1](to)) : null;
}

/** @param {string} text */
function isJsonObject(text) {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

// GSM 03.38: the basic set costs one septet, the extension set two (escape + character).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/**
 * How many SMS segments a body takes: GSM-7 fits 160 septets in one, 153 per part when
 * concatenated; anything else is UCS-2, 70 code units in one, 67 per part. WhatsApp is one.
 * @param {string} body @param {'sms' | 'whatsapp'} channel
 */
export function segmentCount(body, channel) {
  if (channel === 'whatsapp' || body.length === 0) return 1;
  let septets = 0;
  for (const char of body) {
    if (GSM_BASIC.includes(char)) septets += 1;
    else if (GSM_EXTENDED.includes(char)) septets += 2;
    else return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

/**
 * The Message resource as Twilio's REST API returns it (JSON), from the stand-in's record.
 * @param {import('./provider.mjs').MessageRecord} message
 */
export function messageResource(message) {
  const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}`;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.createdAt),
    date_sent: message.sentAt === null ? null : rfc2822(message.sentAt),
    date_updated: rfc2822(message.updatedAt),
    direction: message.direction,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    // Through a Messaging Service without a From, Twilio picks the sender after `accepted`.
    from: message.status === 'accepted' ? null : message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: '0',
    num_segments: String(message.numSegments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${uri}/Media.json` },
    to: message.to,
    uri: `${uri}.json`,
  };
}
