// Wrong types and values: well-formed JSON (or query strings) that the route's schema refuses.
// Most schemas are not strict (unknown fields are dropped, not refused), so "extra field" cases
// are only made where the schema is strict: the settings update.
import { text } from './bodies.js';
import {
  ARCHIVE_CAMPAIGN,
  AUDIENCE_EXPORT,
  AUDIENCES,
  AUDIT,
  beacon,
  CAMPAIGN_RUNS,
  CANDIDATE_ENGAGEMENTS,
  CANDIDATE_MESSAGES,
  COLLECT,
  CONTACTS,
  CREATE_CAMPAIGN,
  CREATE_KEY,
  CREATE_USER,
  DEACTIVATE_USER,
  DISABLE_CAMPAIGN,
  DRAFT_ESTIMATE,
  draft,
  ENABLE_CAMPAIGN,
  ENGAGEMENTS,
  ESTIMATE_CAMPAIGN,
  type Fixture,
  GET_CAMPAIGN,
  GET_CONTACT,
  GET_USER,
  IDENTITY,
  JSON_ENDPOINTS,
  json,
  LINK_VISITOR,
  LINKS,
  LIST_CAMPAIGNS,
  PREVIEW_MODEL,
  PURGE,
  PUT_CONTACT,
  PUT_MESSAGING_SETTINGS,
  PUT_SETTINGS,
  PUT_SIGN_IN,
  REDELIVER_WEBHOOK,
  REPORTS,
  REVOKE_KEY,
  refusal,
  SCORE,
  SCORE_HISTORY,
  SCORES,
  SEND_MESSAGE,
  SITE_ORIGIN,
  TAG_CHANGES,
  TAGS,
  TIER_HISTORY,
  TRACKER_SCRIPT,
  TRACKING_CODE,
  UPDATE_CAMPAIGN,
  UPDATE_USER,
  USAGE,
  VALID_AT,
  WEBHOOK_DELIVERIES,
} from './endpoints.js';
import type { Case } from './rng.js';
import { type Body, badUrls, long, MISSING, type Spoil, spoiled } from './spoil.js';

const EVENT = (beacon().events as Body[])[0] as Body;
const eventId = (i: number) => `evt_rel_${String(i).padStart(8, '0')}`;
const first = (key: string) => (_r: unknown, valid: Body) => (valid[key] as Body[])[0] as Body;

const COLLECT_SPOILS: Spoil[] = [
  ['v is 2', 'invalid_request', { v: 2 }],
  ['v is a string', 'invalid_request', { v: '1' }],
  ['no v', 'invalid_request', { v: MISSING }],
  ['site is a number', 'invalid_request', { site: 5 }],
  ['site is empty', 'invalid_request', { site: '' }],
  ['site over 100 characters', 'invalid_request', { site: long(101) }],
  ['visitor is null', 'invalid_request', { visitor: null }],
  ['visitor is an array', 'invalid_request', { visitor: [] }],
  ['visitor id is a number', 'invalid_request', { 'visitor.id': 12345678 }],
  ['visitor id too short', 'invalid_request', { 'visitor.id': 'abc1234' }],
  ['visitor id over 64 characters', 'invalid_request', { 'visitor.id': long(65) }],
  ['visitor kind unknown', 'invalid_request', { 'visitor.kind': 'cookie' }],
  ['visitor version over 32 characters', 'invalid_request', { 'visitor.version': long(33) }],
  ['visitor confidence above 1', 'invalid_request', { 'visitor.confidence': 1.5 }],
  ['visitor confidence is a string', 'invalid_request', { 'visitor.confidence': '1' }],
  ['identity is a number', 'invalid_request', { identity: 5 }],
  ['identity over 2048 characters', 'invalid_request', { identity: long(2049) }],
  ['automation is a string', 'invalid_request', { automation: 'yes' }],
  ['events is an object', 'invalid_request', { events: {} }],
  ['events is a string', 'invalid_request', { events: 'visit' }],
  [
    'more than 20 events',
    'invalid_request',
    { events: Array.from({ length: 21 }, (_, i) => ({ ...EVENT, id: eventId(i) })) },
  ],
  ['an event is a number', 'invalid_request', { events: [5] }],
  ['an event is null', 'invalid_request', { events: [null] }],
  ['event id is a number', 'invalid_request', { 'events.0.id': 12345678 }],
  ['event id too short', 'invalid_request', { 'events.0.id': 'evt_1' }],
  ['event url is empty', 'invalid_request', { 'events.0.url': '' }],
  ['event url is a number', 'invalid_request', { 'events.0.url': 42 }],
  [
    'event url over 2048 characters',
    'invalid_request',
    { 'events.0.url': `${SITE_ORIGIN}/${long(2048)}` },
  ],
  ['event at is a string', 'invalid_request', { 'events.0.at': String(VALID_AT) }],
  ['event at is fractional', 'invalid_request', { 'events.0.at': VALID_AT + 0.5 }],
  ['event at is null', 'invalid_request', { 'events.0.at': null }],
  ['no event at', 'invalid_request', { 'events.0.at': MISSING }],
  ['submit_form without form', 'invalid_request', { 'events.0.type': 'submit_form' }],
  [
    'form over 200 characters',
    'invalid_request',
    { 'events.0.type': 'submit_form', 'events.0.form': long(201) },
  ],
  ['form is a number', 'invalid_request', { 'events.0.type': 'submit_form', 'events.0.form': 7 }],
  ['event type unknown', 'unknown_type', { 'events.0.type': 'page_view' }],
  ['event type collect does not take', 'unknown_type', { 'events.0.type': 'open_email' }],
  ['no event type', 'unknown_type', { 'events.0.type': MISSING }],
  ['event type is a number', 'unknown_type', { 'events.0.type': 1 }],
  ['event at is 0', 'date_out_of_range', { 'events.0.at': 0 }],
  ['event at before 2000', 'date_out_of_range', { 'events.0.at': Date.UTC(1999, 11, 31) }],
  ['event at in 2999', 'date_out_of_range', { 'events.0.at': Date.UTC(2999, 0, 1) }],
  ['event at negative', 'date_out_of_range', { 'events.0.at': -1 }],
  [
    'problems of two kinds',
    'invalid_request',
    {
      events: [
        { ...EVENT, type: 'page_view' },
        { ...EVENT, id: eventId(2), at: 0 },
      ],
    },
  ],
];

const ENGAGEMENT_SPOILS: Spoil[] = [
  ['engagements is an object', 'invalid_request', { engagements: {} }],
  ['engagements is a string', 'invalid_request', { engagements: 'x' }],
  ['engagements is null', 'invalid_request', { engagements: null }],
  ['no engagements', 'invalid_request', { engagements: MISSING }],
  ['no items', 'invalid_request', { engagements: [] }],
  [
    'more than 500 items',
    'invalid_request',
    {
      engagements: (r: unknown, valid: Body) =>
        Array.from({ length: 501 }, (_, i) => ({
          ...first('engagements')(r, valid),
          id: `rel-${i}`,
        })),
    },
  ],
  ['id is a number', 'invalid_request', { 'engagements.0.id': 5 }],
  ['id is empty', 'invalid_request', { 'engagements.0.id': '' }],
  ['id over 128 characters', 'invalid_request', { 'engagements.0.id': long(129) }],
  ['no id', 'invalid_request', { 'engagements.0.id': MISSING }],
  ['candidateId is an array', 'invalid_request', { 'engagements.0.candidateId': ['x'] }],
  ['candidateId is null', 'invalid_request', { 'engagements.0.candidateId': null }],
  ['candidateId is empty', 'invalid_request', { 'engagements.0.candidateId': '' }],
  ['no candidateId', 'invalid_request', { 'engagements.0.candidateId': MISSING }],
  ['occurredAt is epoch ms', 'invalid_request', { 'engagements.0.occurredAt': VALID_AT }],
  [
    'occurredAt without offset',
    'invalid_request',
    { 'engagements.0.occurredAt': '2025-06-01T12:00:00' },
  ],
  ['occurredAt is a date only', 'invalid_request', { 'engagements.0.occurredAt': '2025-06-01' }],
  ['occurredAt is not a date', 'invalid_request', { 'engagements.0.occurredAt': 'yesterday' }],
  [
    'occurredAt month 13',
    'invalid_request',
    { 'engagements.0.occurredAt': '2025-13-01T00:00:00Z' },
  ],
  // Days Date.parse would roll over into the next month (issue 19).
  [
    'occurredAt on 30 February',
    'invalid_request',
    { 'engagements.0.occurredAt': '2026-02-30T12:00:00Z' },
  ],
  [
    'occurredAt on 29 February of a common year',
    'invalid_request',
    { 'engagements.0.occurredAt': '2025-02-29T12:00:00Z' },
  ],
  ['no occurredAt', 'invalid_request', { 'engagements.0.occurredAt': MISSING }],
  ['machine is a string', 'invalid_request', { 'engagements.0.machine': 'true' }],
  ['machine is 1', 'invalid_request', { 'engagements.0.machine': 1 }],
  ['detail is an object', 'invalid_request', { 'engagements.0.detail': {} }],
  ['detail over 2048 characters', 'invalid_request', { 'engagements.0.detail': long(2049) }],
  ['type unknown', 'unknown_type', { 'engagements.0.type': 'page_view' }],
  ['type in capitals', 'unknown_type', { 'engagements.0.type': 'ATTEND_EVENT' }],
  ['no type', 'unknown_type', { 'engagements.0.type': MISSING }],
  ['type is a number', 'unknown_type', { 'engagements.0.type': 5 }],
  [
    'second of two items has an unknown type',
    'unknown_type',
    {
      'engagements.1': (r: unknown, valid: Body) => ({
        ...first('engagements')(r, valid),
        id: 'rel-2',
        type: 'tweet',
      }),
    },
  ],
  [
    'occurredAt before 2000',
    'date_out_of_range',
    { 'engagements.0.occurredAt': '1999-12-31T23:59:59Z' },
  ],
  [
    'occurredAt in 1970',
    'date_out_of_range',
    { 'engagements.0.occurredAt': '1970-01-01T00:00:00Z' },
  ],
  [
    'occurredAt in 2999',
    'date_out_of_range',
    { 'engagements.0.occurredAt': '2999-01-01T00:00:00Z' },
  ],
  [
    'problems of two kinds',
    'invalid_request',
    { 'engagements.0.type': 'tweet', 'engagements.0.occurredAt': '1999-01-01T00:00:00Z' },
  ],
];

const candidateIdSpoils = (key: string): Spoil[] => [
  [`${key} is a number`, 'invalid_request', { [key]: 5 }],
  [`${key} is null`, 'invalid_request', { [key]: null }],
  [`${key} is empty`, 'invalid_request', { [key]: '' }],
  [`${key} over 128 characters`, 'invalid_request', { [key]: long(129) }],
  [`no ${key}`, 'invalid_request', { [key]: MISSING }],
];

const KEY_SPOILS: Spoil[] = [
  ['name is empty', 'invalid_request', { name: '' }],
  ['name is only spaces', 'invalid_request', { name: '   ' }],
  ['name is a number', 'invalid_request', { name: 5 }],
  ['name over 100 characters', 'invalid_request', { name: long(101) }],
  ['no name', 'invalid_request', { name: MISSING }],
  ['role unknown', 'invalid_request', { role: 'owner' }],
  ['role in capitals', 'invalid_request', { role: 'USER' }],
  ['role is a number', 'invalid_request', { role: 1 }],
  ['role is null', 'invalid_request', { role: null }],
  ['no role', 'invalid_request', { role: MISSING }],
];

const TAG_SPOILS: Spoil[] = [
  ['tags is a string', 'invalid_request', { tags: 'java,berlin' }],
  ['a tag is a number', 'invalid_request', { tags: [5] }],
  ['a tag is null', 'invalid_request', { tags: [null] }],
  ['a tag has a comma', 'invalid_request', { tags: ['java,berlin'] }],
  ['a tag is empty', 'invalid_request', { tags: [''] }],
  ['a tag is only spaces', 'invalid_request', { tags: ['   '] }],
  ['a tag over 64 characters', 'invalid_request', { tags: [long(65)] }],
  [
    'more than 100 tags',
    'invalid_request',
    { tags: Array.from({ length: 101 }, (_, i) => `t${i}`) },
  ],
  ['tags is an object', 'invalid_request', { tags: {} }],
  ['tags is null', 'invalid_request', { tags: null }],
  ['no tags', 'invalid_request', { tags: MISSING }],
];

const SCORES_SPOILS: Spoil[] = [
  ['no candidate ids', 'invalid_request', { candidateIds: [] }],
  ['candidateIds is a string', 'invalid_request', { candidateIds: 'rel-cand-1' }],
  ['a candidate id is a number', 'invalid_request', { candidateIds: [5] }],
  ['a candidate id is empty', 'invalid_request', { candidateIds: [''] }],
  ['a candidate id over 128 characters', 'invalid_request', { candidateIds: [long(129)] }],
  [
    'more than 1000 candidate ids',
    'invalid_request',
    { candidateIds: Array.from({ length: 1001 }, (_, i) => `c${i}`) },
  ],
  ['candidateIds is null', 'invalid_request', { candidateIds: null }],
  ['no candidateIds', 'invalid_request', { candidateIds: MISSING }],
];

const LINKS_SPOILS: Spoil[] = [
  ...candidateIdSpoils('candidateId'),
  ['subject is empty', 'invalid_request', { subject: '' }],
  ['subject over 500 characters', 'invalid_request', { subject: long(501) }],
  ['subject is a number', 'invalid_request', { subject: 5 }],
  ['no subject', 'invalid_request', { subject: MISSING }],
  ['no destinations', 'invalid_request', { destinations: [] }],
  ['destinations is a string', 'invalid_request', { destinations: `${SITE_ORIGIN}/x` }],
  ['a destination is a number', 'invalid_request', { destinations: [5] }],
  [
    'more than 20 destinations',
    'invalid_request',
    { destinations: Array.from({ length: 21 }, (_, i) => `${SITE_ORIGIN}/e/${i}`) },
  ],
  [
    'a destination over 1000 characters',
    'invalid_request',
    { destinations: [`${SITE_ORIGIN}/${long(1000)}`] },
  ],
  ['no destinations field', 'invalid_request', { destinations: MISSING }],
];

const IDENTITY_SPOILS: Spoil[] = [
  ...candidateIdSpoils('candidateId'),
  ['ttlSeconds under 60', 'invalid_request', { ttlSeconds: 59 }],
  ['ttlSeconds over a day', 'invalid_request', { ttlSeconds: 86_401 }],
  ['ttlSeconds is fractional', 'invalid_request', { ttlSeconds: 600.5 }],
  ['ttlSeconds is a string', 'invalid_request', { ttlSeconds: '600' }],
  ['ttlSeconds is null', 'invalid_request', { ttlSeconds: null }],
  ['ttlSeconds is negative', 'invalid_request', { ttlSeconds: -600 }],
];

const SETTINGS_BODIES: [string, Body][] = [
  ['trackingEnabled is a string', { trackingEnabled: 'true' }],
  ['trackingEnabled is 1', { trackingEnabled: 1 }],
  ['trackingEnabled is null', { trackingEnabled: null }],
  ['allowedOrigins is a string', { allowedOrigins: 'https://careers.example.com' }],
  ['an allowed origin is a number', { allowedOrigins: [5] }],
  ['an allowed origin has a path', { allowedOrigins: ['https://careers.example.com/jobs'] }],
  ['an allowed origin is a wildcard', { allowedOrigins: ['https://*.example.com'] }],
  ['a link-allowlist origin is a wildcard', { linkAllowlist: ['https://events.example.*'] }],
  [
    'more than 50 allowed origins',
    { allowedOrigins: Array.from({ length: 51 }, (_, i) => `https://s${i}.example.com`) },
  ],
  ['consentMode unknown', { consentMode: 'always' }],
  ['consentMode is a number', { consentMode: 5 }],
  ['onetrustCategory too short', { onetrustCategory: 'C04' }],
  ['onetrustCategory lower case', { onetrustCategory: 'c0004' }],
  ['onetrustCategory is a number', { onetrustCategory: 4 }],
  ['dedupe minutes negative', { dedupe: { visitMinutes: -1 } }],
  ['dedupe minutes over a day', { dedupe: { formMinutes: 1441 } }],
  ['dedupe minutes fractional', { dedupe: { visitMinutes: 1.5 } }],
  ['dedupe is an array', { dedupe: [] }],
  ['dedupe is a string', { dedupe: '30' }],
  ['dedupe is null', { dedupe: null }],
  ['scoringModel is an array', { scoringModel: [] }],
  ['scoringModel is a string', { scoringModel: 'default' }],
  ['scoringModel is a number', { scoringModel: 5 }],
  ['scoringModel is empty', { scoringModel: {} }],
  [
    'scoringModel has null parts',
    { scoringModel: { weights: null, thresholds: null, window: null } },
  ],
  ['scoringModel out of bounds', { scoringModel: { halfLifeDays: -1, machineFactor: 1e308 } }],
  ['webhookUrl is a number', { webhookUrl: 5 }],
  ['webhookUrl is ftp', { webhookUrl: 'ftp://hooks.example.com/cxm' }],
  ['webhookUrl is an IP address', { webhookUrl: 'https://10.0.0.1/cxm' }],
  ['webhookUrl is a single-label host', { webhookUrl: 'https://intranet/cxm' }],
  ['webhookUrl carries credentials', { webhookUrl: 'https://user:pw@hooks.example.com/cxm' }],
  ['webhookUrl over 2000 characters', { webhookUrl: `https://hooks.example.com/${long(2000)}` }],
  ['webhookUrl is not a URL', { webhookUrl: 'not a url' }],
  ['rotateWebhookSecret is false', { rotateWebhookSecret: false }],
  ['rotateWebhookSecret is a string', { rotateWebhookSecret: 'true' }],
  ['linkAllowlist is a string', { linkAllowlist: 'https://events.example.com' }],
  ['a link-allowlist origin has a path', { linkAllowlist: ['https://events.example.com/x'] }],
  ['extra field where the schema is strict', { trackingEnabld: true }],
  ['read-only field siteKey', { siteKey: 'pk_hostile' }],
  ['read-only field webhookSecret', { webhookSecret: 'whsec_hostile' }],
  ['read-only field sites', { sites: [] }],
  ['extra field beside valid ones', { consentMode: 'manual', admin: true }],
];

const USER_SPOILS: Spoil[] = [
  ['email is not an email', 'invalid_request', { email: 'not an email' }],
  ['email is a number', 'invalid_request', { email: 5 }],
  ['email over 254 characters', 'invalid_request', { email: `${long(250)}@demo.test` }],
  ['no email', 'invalid_request', { email: MISSING }],
  ['displayName is only spaces', 'invalid_request', { displayName: '   ' }],
  ['displayName over 100 characters', 'invalid_request', { displayName: long(101) }],
  ['no displayName', 'invalid_request', { displayName: MISSING }],
  ['role unknown', 'invalid_request', { role: 'owner' }],
  ['licence is a string', 'invalid_request', { licence: 'yes' }],
  ['senderPhone without +', 'invalid_request', { senderPhone: '4155550123' }],
  ['senderPhone is not a number', 'invalid_request', { senderPhone: '+1 CALL ME' }],
  ['senderPhone over 32 characters', 'invalid_request', { senderPhone: `+1${'4'.repeat(40)}` }],
  ['autoReply is empty', 'invalid_request', { autoReply: '' }],
  ['autoReply over 1600 characters', 'invalid_request', { autoReply: long(1601) }],
  ['extra field where the schema is strict', 'invalid_request', { admin: true }],
  ['read-only field id', 'invalid_request', { id: 'usr_hostile' }],
];

const USER_UPDATE_BODIES: [string, Body][] = [
  ['nothing to change', {}],
  ['displayName is empty', { displayName: '' }],
  ['role is null', { role: null }],
  ['role unknown', { role: 'root' }],
  ['licence is 1', { licence: 1 }],
  ['active is false', { active: false }],
  ['senderPhone is a number', { senderPhone: 14155550123 }],
  ['senderPhone is not valid', { senderPhone: '+1 000' }],
  ['autoReply is only spaces', { autoReply: '   ' }],
  ['extra field where the schema is strict', { email: 'takeover@evil.test' }],
  ['read-only field orgId', { orgId: 'other' }],
];

const SIGN_IN_SPOILS: Spoil[] = [
  ['issuer is empty', 'invalid_request', { issuer: '' }],
  ['issuer is a number', 'invalid_request', { issuer: 5 }],
  ['issuer over 500 characters', 'invalid_request', { issuer: `https://${long(500)}.test` }],
  ['no issuer', 'invalid_request', { issuer: MISSING }],
  // Refused before any discovery fetch: not https, a private or local address, a query.
  ['issuer is http', 'invalid_request', { issuer: 'http://login.example.com' }],
  ['issuer is an IP address', 'invalid_request', { issuer: 'https://10.0.0.1' }],
  ['issuer is the metadata address', 'invalid_request', { issuer: 'https://169.254.169.254' }],
  ['issuer has credentials', 'invalid_request', { issuer: 'https://u:p@login.example.com' }],
  ['issuer has a query', 'invalid_request', { issuer: 'https://login.example.com/?x=1' }],
  ['issuer is not a URL', 'invalid_request', { issuer: 'login' }],
  ['clientId is only spaces', 'invalid_request', { clientId: '   ' }],
  ['clientId over 300 characters', 'invalid_request', { clientId: long(301) }],
  ['no clientId', 'invalid_request', { clientId: MISSING }],
  ['clientSecret is empty', 'invalid_request', { clientSecret: '' }],
  ['clientSecret over 1000 characters', 'invalid_request', { clientSecret: long(1001) }],
  ['emailClaim with spaces', 'invalid_request', { emailClaim: 'e mail' }],
  ['emailClaim with a quote', 'invalid_request', { emailClaim: "email'--" }],
  ['autoProvision is a string', 'invalid_request', { autoProvision: 'true' }],
  ['extra field where the schema is strict', 'invalid_request', { clientSecretSet: true }],
];

const MESSAGING_SPOILS: Spoil[] = [
  ['allowance is negative', 'invalid_request', { monthlyContactAllowance: -1 }],
  ['allowance is a fraction', 'invalid_request', { monthlyContactAllowance: 0.5 }],
  ['allowance is a string', 'invalid_request', { monthlyContactAllowance: '500' }],
  ['allowance over a million', 'invalid_request', { monthlyContactAllowance: 1_000_001 }],
  ['allowance is 1e308', 'invalid_request', { monthlyContactAllowance: 1e308 }],
  ['allowance is null', 'invalid_request', { monthlyContactAllowance: null }],
  ['timeZone unknown', 'invalid_request', { timeZone: 'Mars/Olympus_Mons' }],
  ['timeZone is an offset', 'invalid_request', { timeZone: '+01:00' }],
  ['timeZone is a number', 'invalid_request', { timeZone: 0 }],
  ['timeZone over 64 characters', 'invalid_request', { timeZone: long(65) }],
  // An organisation may narrow 08:00-20:00, never widen it.
  ['send hours widened to 07:00', 'invalid_request', { sendHours: { start: 7, end: 20 } }],
  ['send hours widened to 21:00', 'invalid_request', { sendHours: { start: 8, end: 21 } }],
  ['send hours end before start', 'invalid_request', { sendHours: { start: 18, end: 9 } }],
  ['send hours start equals end', 'invalid_request', { sendHours: { start: 12, end: 12 } }],
  ['send hours in half hours', 'invalid_request', { sendHours: { start: 8.5, end: 20 } }],
  ['send hours without an end', 'invalid_request', { sendHours: { start: 9 } }],
  [
    'send hours with an extra field',
    'invalid_request',
    { sendHours: { start: 9, end: 18, days: 5 } },
  ],
  ['send hours as text', 'invalid_request', { sendHours: '09-18' }],
  [
    'a sender number of another country',
    'invalid_request',
    { senderNumbers: { GB: '+14155550123' } },
  ],
  [
    'a sender number where SMS does not go',
    'invalid_request',
    { senderNumbers: { DE: '+4930123456' } },
  ],
  [
    'a sender number under no country',
    'invalid_request',
    { senderNumbers: { XX: '+447400123456' } },
  ],
  ['a sender number that is not one', 'invalid_request', { senderNumbers: { GB: '+44 CALL ME' } }],
  ['a sender number as a JSON number', 'invalid_request', { senderNumbers: { GB: 447400123456 } }],
  ['senderNumbers as a list', 'invalid_request', { senderNumbers: ['+447400123456'] }],
  ['whatsappSender is not a number', 'invalid_request', { whatsappSender: '+1 000' }],
  ['whatsappSender as a JSON number', 'invalid_request', { whatsappSender: 14155550199 }],
  ['extra field where the schema is strict', 'invalid_request', { seats: 1000 }],
  ['read-only field used', 'invalid_request', { used: 0 }],
];

// Sent with a manager's key (the From rule: only a manager's key may name the sender).
const CAMPAIGN_SPOILS: Spoil[] = [
  ['no name', 'invalid_request', { name: MISSING }],
  ['name blank', 'invalid_request', { name: '   ' }],
  ['name over 120 characters', 'invalid_request', { name: long(121) }],
  ['name is a number', 'invalid_request', { name: 42 }],
  ['no reengagement', 'invalid_request', { reengagement: MISSING }],
  // Only re-engagement campaigns so far: a standard one is refused in words.
  ['a standard campaign', 'invalid_request', { reengagement: false }],
  ['reengagement is a string', 'invalid_request', { reengagement: 'yes' }],
  ['no timeframe', 'invalid_request', { timeframe: MISSING }],
  ['timeframe of 10 days', 'invalid_request', { timeframe: { notContactedForDays: 10 } }],
  ['timeframe days as text', 'invalid_request', { timeframe: { notContactedForDays: '30' } }],
  ['timeframe empty', 'invalid_request', { timeframe: {} }],
  [
    'timeframe both ways',
    'invalid_request',
    { timeframe: { notContactedForDays: 30, neverContacted: true } },
  ],
  ['neverContacted false', 'invalid_request', { timeframe: { neverContacted: false } }],
  ['timeframe as a number', 'invalid_request', { timeframe: 30 }],
  ['more than 20 tags', 'invalid_request', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
  ['a tag with a comma', 'invalid_request', { tags: ['java,london'] }],
  ['tags as a string', 'invalid_request', { tags: 'java' }],
  ['tagsMode unknown', 'invalid_request', { tagsMode: 'some' }],
  ['no sendTime', 'invalid_request', { sendTime: MISSING }],
  ['sendTime 24:00', 'invalid_request', { sendTime: '24:00' }],
  ['sendTime without its zero', 'invalid_request', { sendTime: '9:30' }],
  ['sendTime with seconds', 'invalid_request', { sendTime: '10:00:00' }],
  ['sendTime as a number', 'invalid_request', { sendTime: 930 }],
  // The organisation's send hours are 08:00-20:00: nothing could go then.
  ['sendTime before send hours', 'invalid_request', { sendTime: '07:30' }],
  ['sendTime after send hours', 'invalid_request', { sendTime: '21:00' }],
  ['channel unknown', 'invalid_request', { channel: 'email' }],
  ['channel in capitals', 'invalid_request', { channel: 'SMS' }],
  ['SMS without a message', 'invalid_request', { message: MISSING }],
  ['message over 1600 characters', 'invalid_request', { message: long(1601) }],
  ['message with an unknown placeholder', 'invalid_request', { message: 'Hi {{lastName}}' }],
  ['{{url}} without a url', 'invalid_request', { url: MISSING }],
  ['WhatsApp with a message only', 'invalid_request', { channel: 'whatsapp' }],
  ['SMS with a template', 'invalid_request', { templateId: 'HX0001' }],
  ['templateVariables without a template', 'invalid_request', { templateVariables: { '1': 'x' } }],
  ['url off the organisation’s origins', 'url_not_allowed', { url: 'https://evil.test/jobs' }],
  ['url not http(s)', 'url_not_allowed', { url: 'javascript:alert(1)' }],
  ['url as a number', 'invalid_request', { url: 1 }],
  ['autoResponse over 1600 characters', 'invalid_request', { autoResponse: long(1601) }],
  ['code over 40 characters', 'invalid_request', { code: long(41) }],
  // A key is nobody: it must name the sender, an active licensed user of its organisation.
  ['no fromUserId from a key', 'invalid_request', { fromUserId: MISSING }],
  ['fromUserId nobody has', 'invalid_request', { fromUserId: 'usr_nobody' }],
  ['fromUserId over 100 characters', 'invalid_request', { fromUserId: long(101) }],
  ['state archived at creation', 'invalid_request', { state: 'archived' }],
  [
    'extra field where the schema is strict',
    'invalid_request',
    { createdBy: 'user:usr_demo_admin' },
  ],
];

/** Edits of the fixture's campaign with a user's key, each refused: nothing changes. */
const CAMPAIGN_UPDATE_SPOILS: Spoil[] = [
  ['nothing to change', 'invalid_request', { name: MISSING, tags: MISSING }],
  ['name blank', 'invalid_request', { name: '' }],
  ['turned into a standard campaign', 'invalid_request', { reengagement: false }],
  ['state set by PATCH', 'invalid_request', { state: 'archived' }],
  ['sendTime after send hours', 'invalid_request', { sendTime: '20:00' }],
  ['WhatsApp keeping the SMS message', 'invalid_request', { channel: 'whatsapp' }],
  ['message removed from SMS', 'invalid_request', { message: null }],
  ['url off the organisation’s origins', 'url_not_allowed', { url: 'https://evil.test/' }],
  ['timeframe of 45 days', 'invalid_request', { timeframe: { notContactedForDays: 45 } }],
  // Only a manager or admin may choose someone other than themselves; a key is nobody.
  ['a user’s key naming another sender', 'forbidden', { fromUserId: 'usr_demo_manager' }],
];

const CONTACT_SPOILS: Spoil[] = [
  ['contacts is an object', 'invalid_request', { contacts: {} }],
  ['no contacts', 'invalid_request', { contacts: MISSING }],
  ['no items', 'invalid_request', { contacts: [] }],
  [
    'more than 500 items',
    'invalid_request',
    {
      contacts: (r: unknown, valid: Body) =>
        Array.from({ length: 501 }, (_, i) => ({ ...first('contacts')(r, valid), id: `c-${i}` })),
    },
  ],
  ['id is empty', 'invalid_request', { 'contacts.0.id': '' }],
  ['id over 128 characters', 'invalid_request', { 'contacts.0.id': long(129) }],
  ['candidateId is null', 'invalid_request', { 'contacts.0.candidateId': null }],
  ['candidateId over 128 characters', 'invalid_request', { 'contacts.0.candidateId': long(129) }],
  ['kind unknown', 'invalid_request', { 'contacts.0.kind': 'fax' }],
  ['kind is a number', 'invalid_request', { 'contacts.0.kind': 1 }],
  ['no kind', 'invalid_request', { 'contacts.0.kind': MISSING }],
  ['occurredAt is epoch ms', 'invalid_request', { 'contacts.0.occurredAt': VALID_AT }],
  ['occurredAt is not a date', 'invalid_request', { 'contacts.0.occurredAt': 'yesterday' }],
  ['occurredAt in 1970', 'date_out_of_range', { 'contacts.0.occurredAt': '1970-01-01T00:00:00Z' }],
  ['occurredAt in 2999', 'date_out_of_range', { 'contacts.0.occurredAt': '2999-01-01T00:00:00Z' }],
];

const CONTACT_DETAILS_BODIES: [string, Body][] = [
  ['nothing to change', {}],
  ['phone without +', { phone: '07400123456' }],
  ['phone with letters', { phone: '+44 7400 CALLME' }],
  ['phone with an extension', { phone: '+44 20 7946 0958 ext 12' }],
  ['phone is a number', { phone: 447400123456 }],
  ['phone over 32 characters', { phone: `+44${'7'.repeat(40)}` }],
  ['phone is a freephone number', { phone: '+800 1234 5678' }],
  ['timeZone unknown', { timeZone: 'Mars/Olympus' }],
  ['timeZone is an offset', { timeZone: '+01:00' }],
  ['timeZone is a path', { timeZone: '../../etc/passwd' }],
  ['firstName is a number', { firstName: 5 }],
  ['smsConsent is a string', { smsConsent: 'yes' }],
  ['smsConsent without source', { smsConsent: { at: '2025-06-01T12:00:00Z' } }],
  ['smsConsent at is not a date', { smsConsent: { source: 'form', at: 'today' } }],
  ['smsConsent at 30 February', { smsConsent: { source: 'form', at: '2026-02-30T12:00:00Z' } }],
  [
    'smsConsent with an extra field',
    { smsConsent: { source: 'f', at: '2025-06-01T12:00:00Z', by: 'x' } },
  ],
  ['whatsappOptIn is true', { whatsappOptIn: true }],
  ['opt-out written here', { smsOptedOut: false }],
  ['read-only field phoneCountry', { phoneCountry: 'US' }],
];

const MESSAGE_SPOILS: Spoil[] = [
  ...candidateIdSpoils('candidateId'),
  ['channel unknown', 'invalid_request', { channel: 'carrier-pigeon' }],
  ['channel in capitals', 'invalid_request', { channel: 'SMS' }],
  ['no channel', 'invalid_request', { channel: MISSING }],
  ['body is empty', 'invalid_request', { body: '' }],
  ['body is only spaces', 'invalid_request', { body: '   ' }],
  ['body over 1600 characters', 'invalid_request', { body: long(1601) }],
  ['body is a number', 'invalid_request', { body: 5 }],
  ['neither body nor templateId', 'invalid_request', { body: MISSING }],
  ['both body and templateId', 'invalid_request', { templateId: 'tpl_welcome' }],
  ['variables without templateId', 'invalid_request', { variables: { name: 'x' } }],
  [
    'a variable over 500 characters',
    'invalid_request',
    { body: MISSING, templateId: 'tpl_welcome', variables: { name: long(501) } },
  ],
  [
    'a variable is a number',
    'invalid_request',
    { body: MISSING, templateId: 'tpl_welcome', variables: { name: 5 } },
  ],
  ['extra field where the schema is strict', 'invalid_request', { from: '+14155550100' }],
];

const NON_OBJECTS = ['[]', '"string"', '123', 'null', 'true', '[{}]', '0', '""', 'false'];

export function wrongTypes(fixture: Fixture): Case[] {
  const f = fixture;
  const engagementsUrl = (query: string) => `/v1/candidates/${f.candidate}/engagements?${query}`;
  const historyUrl = (query: string) => `/v1/candidates/${f.candidate}/score-history?${query}`;
  return [
    ...JSON_ENDPOINTS.map(
      (endpoint): Case =>
        (r) =>
          draft(endpoint, f, 'body is not an object', refusal('invalid_request'), {
            body: text(r.pick(NON_OBJECTS)),
          }),
    ),
    ...spoiled(COLLECT, f, COLLECT_SPOILS),
    ...spoiled(ENGAGEMENTS, f, ENGAGEMENT_SPOILS),
    ...spoiled(LINK_VISITOR, f, candidateIdSpoils('candidateId')),
    ...badUrls(LINK_VISITOR, f, [
      ['visitorId too short', 'invalid_request', LINK_VISITOR.url(f, 'abc')],
      ['visitorId over 64 characters', 'invalid_request', LINK_VISITOR.url(f, long(65))],
      ['visitorId with dots', 'invalid_request', LINK_VISITOR.url(f, 'visitor.rel.0001')],
      ['visitorId with spaces', 'invalid_request', LINK_VISITOR.url(f, 'visitor rel 0001')],
    ]),
    ...spoiled(CREATE_KEY, f, KEY_SPOILS),
    ...badUrls(REVOKE_KEY, f, [
      ['key id over 100 characters', 'invalid_request', REVOKE_KEY.url(f, long(101))],
    ]),
    ...badUrls(CANDIDATE_ENGAGEMENTS, f, [
      ['limit 0', 'invalid_request', engagementsUrl('limit=0')],
      ['limit over 200', 'invalid_request', engagementsUrl('limit=201')],
      ['limit not a number', 'invalid_request', engagementsUrl('limit=ten')],
      ['limit fractional', 'invalid_request', engagementsUrl('limit=1.5')],
      ['limit negative', 'invalid_request', engagementsUrl('limit=-1')],
      ['limit empty', 'invalid_request', engagementsUrl('limit=')],
      ['limit in exponent form', 'invalid_request', engagementsUrl('limit=1e2')],
      ['limit given twice', 'invalid_request', engagementsUrl('limit=1&limit=2')],
      ['cursor given twice', 'invalid_request', engagementsUrl('cursor=abc&cursor=def')],
      ['from not a date', 'invalid_request', engagementsUrl('from=yesterday')],
      ['from month 13', 'invalid_request', engagementsUrl('from=2025-13-01')],
      ['from 30 February', 'invalid_request', engagementsUrl('from=2026-02-30')],
      ['to at 24:00', 'invalid_request', engagementsUrl('to=2026-02-28T24:00:00Z')],
      ['from without offset', 'invalid_request', engagementsUrl('from=2025-06-01T12:00')],
      ['to with slashes', 'invalid_request', engagementsUrl('to=2025%2F06%2F01')],
      ['type unknown', 'unknown_type', engagementsUrl('type=page_view')],
      ['type in capitals', 'unknown_type', engagementsUrl('type=ATTEND_EVENT')],
      [
        'candidateId over 128 characters',
        'invalid_request',
        CANDIDATE_ENGAGEMENTS.url(f, long(129)),
      ],
    ]),
    ...badUrls(SCORE, f, [
      ['candidateId over 128 characters', 'invalid_request', SCORE.url(f, long(129))],
      ['candidateId of 1000 characters', 'invalid_request', SCORE.url(f, long(1000))],
    ]),
    ...badUrls(SCORE_HISTORY, f, [
      ['days 0', 'invalid_request', historyUrl('days=0')],
      ['days over 366', 'invalid_request', historyUrl('days=367')],
      ['days not a number', 'invalid_request', historyUrl('days=ninety')],
      ['days fractional', 'invalid_request', historyUrl('days=1.5')],
      ['days negative', 'invalid_request', historyUrl('days=-5')],
      ['days empty', 'invalid_request', historyUrl('days=')],
      ['days given twice', 'invalid_request', historyUrl('days=1&days=2')],
      ['candidateId over 128 characters', 'invalid_request', SCORE_HISTORY.url(f, long(129))],
    ]),
    ...spoiled(TAGS, f, TAG_SPOILS),
    ...spoiled(TAG_CHANGES, f, [
      ['no candidateIds', 'invalid_request', { candidateIds: MISSING }],
      ['candidateIds empty', 'invalid_request', { candidateIds: [] }],
      [
        '501 candidateIds',
        'invalid_request',
        { candidateIds: Array.from({ length: 501 }, (_, i) => `c${i}`) },
      ],
      ['a candidateId over 128 characters', 'invalid_request', { candidateIds: [long(129)] }],
      ['nothing to add or remove', 'invalid_request', { add: [], remove: MISSING }],
      ['a tag both added and removed', 'invalid_request', { add: ['java'], remove: ['java'] }],
      ['a tag with a comma', 'invalid_request', { add: ['java,berlin'] }],
      ['21 tags to add', 'invalid_request', { add: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
      ['an unknown field', 'invalid_request', { tags: ['java'] }],
    ]),
    () =>
      draft(TAGS, f, 'candidateId over 128 characters', refusal('invalid_request'), {
        url: TAGS.url(f, long(129)),
      }),
    ...badUrls(PURGE, f, [
      ['candidateId over 128 characters', 'invalid_request', PURGE.url(f, long(129))],
    ]),
    ...spoiled(SCORES, f, SCORES_SPOILS),
    ...badUrls(AUDIENCES, f, [
      ['tier unknown', 'invalid_request', '/v1/audiences?tier=hot'],
      ['tier in capitals', 'invalid_request', '/v1/audiences?tier=ENGAGED'],
      [
        'tier given 11 times',
        'invalid_request',
        `/v1/audiences?${'tier=engaged&'.repeat(11)}limit=5`,
      ],
      [
        'lastEngagedBefore not a date',
        'invalid_request',
        '/v1/audiences?lastEngagedBefore=yesterday',
      ],
      ['lastEngagedAfter month 13', 'invalid_request', '/v1/audiences?lastEngagedAfter=2025-13-01'],
      [
        'lastContactedBefore 31 April',
        'invalid_request',
        '/v1/audiences?lastContactedBefore=2026-04-31T10:00:00Z',
      ],
      [
        'more than 20 tags',
        'invalid_request',
        `/v1/audiences?tags=${Array.from({ length: 21 }, (_, i) => `t${i}`).join(',')}`,
      ],
      ['tags over 1000 characters', 'invalid_request', `/v1/audiences?tags=${long(1001)}`],
      ['tagMatch unknown', 'invalid_request', '/v1/audiences?tags=java&tagMatch=some'],
      ['limit 0', 'invalid_request', '/v1/audiences?limit=0'],
      ['limit over 500', 'invalid_request', '/v1/audiences?limit=501'],
      ['limit not a number', 'invalid_request', '/v1/audiences?limit=all'],
      ['limit given twice', 'invalid_request', '/v1/audiences?limit=1&limit=2'],
      ['sort unknown', 'invalid_request', '/v1/audiences?sort=points'],
    ]),
    ...badUrls(AUDIENCE_EXPORT, f, [
      ['format unknown', 'invalid_request', '/v1/audiences/export?format=xlsx'],
      ['format in capitals', 'invalid_request', '/v1/audiences/export?format=CSV'],
      ['sort unknown', 'invalid_request', '/v1/audiences/export?sort=newest'],
      ['tier unknown', 'invalid_request', '/v1/audiences/export?tier=hot'],
      [
        'lastContactedAfter after lastContactedBefore',
        'invalid_request',
        '/v1/audiences/export?lastContactedAfter=2025-06-01&lastContactedBefore=2025-01-01',
      ],
      [
        'more than 100 ids',
        'invalid_request',
        `/v1/audiences/export?ids=${Array.from({ length: 101 }, (_, i) => `c${i}`).join(',')}`,
      ],
      [
        'neverContacted with a range',
        'invalid_request',
        '/v1/audiences/export?neverContacted=true&lastContactedBefore=2025-01-01',
      ],
    ]),
    ...badUrls(REPORTS, f, [
      ['from not zero-padded', 'invalid_request', '/v1/reports/tiers?from=2025-1-1'],
      ['from month 13', 'invalid_request', '/v1/reports/tiers?from=2025-13-01'],
      ['from 30 February', 'invalid_request', '/v1/reports/tiers?from=2026-02-30'],
      ['to 29 February of a common year', 'invalid_request', '/v1/reports/tiers?to=2025-02-29'],
      ['from with a time', 'invalid_request', '/v1/reports/tiers?from=2025-01-01T00:00:00Z'],
      ['to before from', 'invalid_request', '/v1/reports/tiers?from=2025-06-01&to=2025-01-01'],
      ['range over 366 days', 'invalid_request', '/v1/reports/tiers?from=2024-01-01&to=2025-06-01'],
      ['from given twice', 'invalid_request', '/v1/reports/tiers?from=2025-01-01&from=2025-02-01'],
    ]),
    ...badUrls(TIER_HISTORY, f, [
      ['to not a date', 'invalid_request', '/v1/reports/tier-history?to=yesterday'],
      ['to 30 February', 'invalid_request', '/v1/reports/tier-history?to=2026-02-30'],
      [
        'to before from',
        'invalid_request',
        '/v1/reports/tier-history?from=2025-06-01&to=2025-01-01',
      ],
      [
        'range over 366 days',
        'invalid_request',
        '/v1/reports/tier-history?from=2024-01-01&to=2025-06-01',
      ],
    ]),
    ...spoiled(LINKS, f, LINKS_SPOILS),
    ...spoiled(IDENTITY, f, IDENTITY_SPOILS),
    ...SETTINGS_BODIES.map(
      ([label, body]): Case =>
        () =>
          draft(PUT_SETTINGS, f, label, refusal('invalid_request'), { body: json(body) }),
    ),
    ...badUrls(TRACKING_CODE, f, [
      [
        'consent unknown',
        'invalid_request',
        '/v1/settings/engagement/tracking-code?consent=always',
      ],
      [
        'consent in capitals',
        'invalid_request',
        '/v1/settings/engagement/tracking-code?consent=ONETRUST',
      ],
      ['consent empty', 'invalid_request', '/v1/settings/engagement/tracking-code?consent='],
      [
        'consent given twice',
        'invalid_request',
        '/v1/settings/engagement/tracking-code?consent=none&consent=onetrust',
      ],
    ]),
    ...spoiled(CREATE_USER, f, USER_SPOILS),
    ...USER_UPDATE_BODIES.map(
      ([label, body]): Case =>
        () =>
          draft(UPDATE_USER, f, label, refusal('invalid_request'), { body: json(body) }),
    ),
    ...[GET_USER, UPDATE_USER, DEACTIVATE_USER].map(
      (endpoint): Case =>
        () =>
          draft(endpoint, f, 'user id over 100 characters', refusal('invalid_request'), {
            url: endpoint.url(f, long(101)),
          }),
    ),
    ...spoiled(PUT_SIGN_IN, f, SIGN_IN_SPOILS),
    ...spoiled(PUT_MESSAGING_SETTINGS, f, MESSAGING_SPOILS),
    ...spoiled(CREATE_CAMPAIGN, f, CAMPAIGN_SPOILS),
    ...spoiled(UPDATE_CAMPAIGN, f, CAMPAIGN_UPDATE_SPOILS),
    ...spoiled(DRAFT_ESTIMATE, f, [
      ['no timeframe', 'invalid_request', { timeframe: MISSING }],
      ['timeframe of 10 days', 'invalid_request', { timeframe: { notContactedForDays: 10 } }],
      ['no channel', 'invalid_request', { channel: MISSING }],
      ['channel messenger', 'invalid_request', { channel: 'messenger' }],
      ['a tag with a comma', 'invalid_request', { tags: ['java,london'] }],
      ['an unknown field', 'invalid_request', { colour: 'red' }],
      // Another organisation's person, or nobody: a 400 at the field, never their number's reach.
      ['fromUserId of nobody here', 'invalid_request', { fromUserId: 'usr_nobody_here' }],
    ]),
    ...spoiled(PREVIEW_MODEL, f, [
      ['no scoringModel', 'invalid_request', { scoringModel: MISSING }],
      ['scoringModel as a JSON string', 'invalid_request', { scoringModel: '{}' }],
      ['scoringModel an array', 'invalid_request', { scoringModel: [] }],
      ['scoringModel half-life 0', 'invalid_request', { scoringModel: { halfLifeDays: 0 } }],
      ['an unknown field', 'invalid_request', { colour: 'red' }],
    ]),
    ...badUrls(CAMPAIGN_RUNS, f, [
      ['limit 0', 'invalid_request', `/v1/campaigns/${f.campaign}/runs?limit=0`],
      ['limit over 100', 'invalid_request', `/v1/campaigns/${f.campaign}/runs?limit=101`],
      [
        'cursor not made by the API',
        'invalid_request',
        `/v1/campaigns/${f.campaign}/runs?cursor=eyJ4IjoxfQ`,
      ],
    ]),
    ...badUrls(LIST_CAMPAIGNS, f, [
      // A bad value of a field named `type` is `unknown_type`, as everywhere in the API.
      ['type unknown', 'unknown_type', '/v1/campaigns?type=drip'],
      ['state unknown', 'invalid_request', '/v1/campaigns?state=paused'],
      ['state given twice', 'invalid_request', '/v1/campaigns?state=enabled&state=archived'],
      ['name over 120 characters', 'invalid_request', `/v1/campaigns?name=${long(121)}`],
      ['code over 40 characters', 'invalid_request', `/v1/campaigns?code=${long(41)}`],
      ['limit 0', 'invalid_request', '/v1/campaigns?limit=0'],
      ['limit over 200', 'invalid_request', '/v1/campaigns?limit=201'],
      ['cursor not made by the API', 'invalid_request', '/v1/campaigns?cursor=eyJ4IjoxfQ'],
      ['cursor over 512 characters', 'invalid_request', `/v1/campaigns?cursor=${long(513)}`],
    ]),
    ...[
      GET_CAMPAIGN,
      UPDATE_CAMPAIGN,
      ENABLE_CAMPAIGN,
      DISABLE_CAMPAIGN,
      ARCHIVE_CAMPAIGN,
      ESTIMATE_CAMPAIGN,
      CAMPAIGN_RUNS,
    ].map(
      (endpoint): Case =>
        () =>
          draft(endpoint, f, 'campaign id over 100 characters', refusal('invalid_request'), {
            url: endpoint.url(f, long(101)),
          }),
    ),
    () =>
      draft(PUT_MESSAGING_SETTINGS, f, 'nothing to change', refusal('invalid_request'), {
        body: json({}),
      }),
    ...badUrls(AUDIT, f, [
      ['action in capitals', 'invalid_request', '/v1/audit?action=KEY.CREATE'],
      ['action with a space', 'invalid_request', '/v1/audit?action=key%20create'],
      ['from an impossible date', 'invalid_request', '/v1/audit?from=2026-02-30'],
      ['from after to', 'invalid_request', '/v1/audit?from=2026-03-02&to=2026-03-01'],
      ['a cursor not made here', 'invalid_request', '/v1/audit?cursor=bm9wZQ'],
      ['limit 0', 'invalid_request', '/v1/audit?limit=0'],
    ]),
    ...badUrls(WEBHOOK_DELIVERIES, f, [
      ['status unknown', 'invalid_request', '/v1/webhook-deliveries?status=lost'],
      ['type unknown', 'unknown_type', '/v1/webhook-deliveries?type=candidate.hired'],
      ['limit 0', 'invalid_request', '/v1/webhook-deliveries?limit=0'],
      ['limit over 200', 'invalid_request', '/v1/webhook-deliveries?limit=201'],
      ['a cursor not made here', 'invalid_request', '/v1/webhook-deliveries?cursor=bm9wZQ'],
    ]),
    ...badUrls(REDELIVER_WEBHOOK, f, [
      ['delivery id over 100 characters', 'invalid_request', REDELIVER_WEBHOOK.url(f, long(101))],
    ]),
    ...badUrls(USAGE, f, [
      ['period not zero-padded', 'invalid_request', '/v1/usage?period=2025-6'],
      ['period month 13', 'invalid_request', '/v1/usage?period=2025-13'],
      ['period is a date', 'invalid_request', '/v1/usage?period=2025-06-01'],
      ['period in words', 'invalid_request', '/v1/usage?period=june'],
      ['period before 2000', 'invalid_request', '/v1/usage?period=1999-12'],
      ['period in the future', 'invalid_request', '/v1/usage?period=2999-01'],
      ['period given twice', 'invalid_request', '/v1/usage?period=2025-06&period=2025-05'],
      ['limit 0', 'invalid_request', '/v1/usage?limit=0'],
      ['limit over 1000', 'invalid_request', '/v1/usage?limit=1001'],
      ['cursor not made by the API', 'invalid_request', '/v1/usage?cursor=eyJ4IjoxfQ'],
      ['cursor over 512 characters', 'invalid_request', `/v1/usage?cursor=${long(513)}`],
    ]),
    ...spoiled(CONTACTS, f, CONTACT_SPOILS),
    ...CONTACT_DETAILS_BODIES.map(
      ([label, body]): Case =>
        () =>
          draft(PUT_CONTACT, f, label, refusal('invalid_request'), { body: json(body) }),
    ),
    ...spoiled(SEND_MESSAGE, f, MESSAGE_SPOILS),
    ...[GET_CONTACT, PUT_CONTACT, CANDIDATE_MESSAGES].map(
      (endpoint): Case =>
        () =>
          draft(endpoint, f, 'candidateId over 128 characters', refusal('invalid_request'), {
            url: endpoint.url(f, long(129)),
          }),
    ),
    ...badUrls(TRACKER_SCRIPT, f, [
      ['site key over 100 characters', 'invalid_request', `/t.js?site=${long(101)}`],
      ['site key given twice', 'invalid_request', '/t.js?site=pk_rel&site=pk_demo'],
    ]),
  ];
}
