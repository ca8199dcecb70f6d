// The pure rules of texting candidates: no I/O, no clock (every time rule takes `now`), refusals
// as values. What sends messages composes these; nothing here knows Twilio's API or the database.
export {
  type CandidateInitiated,
  candidateInitiatedAllowed,
  type SmsRoute,
  type SmsSenders,
  smsRoute,
  type WhatsappRoute,
  type WhatsappSenders,
  whatsappRoute,
} from './channels.js';
export {
  type CountryCode,
  CRIMEA_PREFIXES,
  callingCode,
  countryName,
  type E164,
  isCrimeanNumber,
  phoneCountry,
  SMS_COUNTRIES,
  type SmsTier,
  smsTier,
  WHATSAPP_EMBARGOED,
  whatsappEmbargo,
} from './countries.js';
export {
  classifyInbound,
  HELP_KEYWORDS,
  helpReply,
  type InboundKind,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
} from './keywords.js';
export {
  CONTACT_GAP_MS,
  type ContactDecision,
  type ContactInputs,
  type ContactPeriod,
  contactDecision,
  periodOf,
  renewsAt,
  usesContact,
} from './monthly-contacts.js';
export {
  isValidZone,
  type NarrowedWindow,
  narrowWindow,
  SEND_HOURS,
  type SendHours,
  type SendWindow,
  SINGLE_ZONE_COUNTRIES,
  sendWindow,
  type ZoneChoice,
  type ZoneInputs,
  zoneFor,
} from './quiet-hours.js';
export { type Refusal, refuse } from './result.js';
export {
  REPLY_WINDOW_MS,
  type WhatsappContent,
  type WhatsappContentResult,
  whatsappContentRule,
  whatsappFreeformAllowed,
  withinReplyWindow,
} from './whatsapp-window.js';
