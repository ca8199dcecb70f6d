// The operations the hostile corpus aims at, each with one request the API would accept. Every
// hostile entry is that request with exactly one thing made wrong, so the refusal it expects is
// the one that thing must cause (the route checks key, then content type, size, JSON, schema).
import { ERROR_STATUS, type ErrorCode } from '@cxm/edge-api/errors';
import { BROWSER_UA, KEYS, OTHER_SITE_ORIGIN, SITE_KEY, SITE_ORIGIN } from '../site.js';

export type Role = 'user' | 'reporter' | 'manager' | 'admin';
export const ROLES: readonly Role[] = ['user', 'reporter', 'manager', 'admin'];

/** What the worker holds before the corpus runs (made through the API by the test's setup). */
export interface Fixture {
  /** A candidate of `demo` with engagements and a tracked link. */
  candidate: string;
  /** A candidate of `other`. */
  otherCandidate: string;
  /** The open pixel and click tokens the worker minted for `candidate`'s link. */
  openToken: string;
  clickToken: string;
  /** An identity token (`cxm_t`) the worker minted for `candidate`. */
  identityToken: string;
  /** A `demo` key that was created and then revoked. */
  revokedKey: string;
  /** The dev TOKEN_SECRET (edge-api scripts/dev-vars.mjs), to sign tokens as the worker does. */
  tokenSecret: string;
  /** An enabled re-engagement campaign of `demo`, from usr_demo_user. */
  campaign: string;
}

/** A body: text (sent as UTF-8), raw bytes, or a large one described and built when sent. */
export type HostileBody =
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'repeat'; head: string; unit: string; count: number; tail: string };

export interface Expected {
  status: number;
  code: ErrorCode;
}

/** One hostile request as a case makes it; the corpus adds its id and category. */
export interface Draft {
  /** What it tries, e.g. "truncated JSON": failures are grouped and shown by it. */
  label: string;
  /** The documented operation aimed at, as `METHOD /path/{param}` in the OpenAPI document. */
  operation: string;
  method: string;
  /** Path and query, percent-encoded as sent. */
  url: string;
  headers: Record<string, string>;
  body?: HostileBody;
  /** Sent without Content-Length, so the size limit has to be met on the bytes read. */
  chunked?: boolean;
  expect: Expected;
}

export function refusal(code: ErrorCode): Expected {
  return { status: ERROR_STATUS[code], code };
}

export interface JsonInput {
  maxBytes: number;
  /** The content types the route takes; the first one is sent. */
  mediaTypes: readonly string[];
  /** A body the route accepts. */
  valid: (fixture: Fixture) => Record<string, unknown>;
}

export interface Endpoint {
  operation: string;
  method: string;
  /** A concrete URL the route accepts; `param` replaces the path parameter when given. */
  url: (fixture: Fixture, param?: string) => string;
  /** The least role; none for the browser and email endpoints. */
  role?: Role;
  json?: JsonInput;
}

/** A time the API accepts for any engagement (after 2000, before now). */
export const VALID_AT = Date.UTC(2025, 5, 1, 12);
export const VISITOR_ID = 'visitor_rel_0001';

const enc = encodeURIComponent;

export function beacon(): Record<string, unknown> {
  return {
    v: 1,
    site: SITE_KEY,
    visitor: { id: VISITOR_ID, kind: 'stored' },
    events: [
      {
        id: 'evt_rel_00000001',
        type: 'visit_landing_page',
        url: `${SITE_ORIGIN}/jobs/1`,
        at: VALID_AT,
      },
    ],
  };
}

export function engagement(fixture: Fixture): Record<string, unknown> {
  return {
    id: 'rel-hostile-1',
    candidateId: fixture.candidate,
    type: 'attend_event',
    detail: 'Spring hiring fair',
    occurredAt: '2025-06-01T12:00:00Z',
  };
}

export const COLLECT: Endpoint = {
  operation: 'POST /v1/collect',
  method: 'POST',
  url: () => '/v1/collect',
  json: { maxBytes: 16 * 1024, mediaTypes: ['text/plain', 'application/json'], valid: beacon },
};

export const ENGAGEMENTS: Endpoint = {
  operation: 'POST /v1/engagements',
  method: 'POST',
  url: () => '/v1/engagements',
  role: 'user',
  json: {
    maxBytes: 512 * 1024,
    mediaTypes: ['application/json'],
    valid: (f) => ({ engagements: [engagement(f)] }),
  },
};

export const LINK_VISITOR: Endpoint = {
  operation: 'POST /v1/visitors/{visitorId}/link',
  method: 'POST',
  url: (_f, param = VISITOR_ID) => `/v1/visitors/${enc(param)}/link`,
  role: 'user',
  json: {
    maxBytes: 4096,
    mediaTypes: ['application/json'],
    valid: (f) => ({ candidateId: f.candidate }),
  },
};

export const WHOAMI: Endpoint = {
  operation: 'GET /v1/whoami',
  method: 'GET',
  url: () => '/v1/whoami',
  role: 'user',
};

export const LIST_KEYS: Endpoint = {
  operation: 'GET /v1/keys',
  method: 'GET',
  url: () => '/v1/keys',
  role: 'manager',
};

export const CREATE_KEY: Endpoint = {
  operation: 'POST /v1/keys',
  method: 'POST',
  url: () => '/v1/keys',
  role: 'manager',
  json: {
    maxBytes: 4096,
    mediaTypes: ['application/json'],
    valid: () => ({ name: 'hostile', role: 'user' }),
  },
};

export const REVOKE_KEY: Endpoint = {
  operation: 'DELETE /v1/keys/{id}',
  method: 'DELETE',
  url: (_f, param = 'key_demo_user') => `/v1/keys/${enc(param)}`,
  role: 'manager',
};

/** A rotation: a new key beside the old; the old one stays valid. */
export const ROTATE_KEY: Endpoint = {
  operation: 'POST /v1/keys/{id}/rotate',
  method: 'POST',
  url: (_f, param = 'key_demo_user') => `/v1/keys/${enc(param)}/rotate`,
  role: 'manager',
};

export const CANDIDATE_ENGAGEMENTS: Endpoint = {
  operation: 'GET /v1/candidates/{candidateId}/engagements',
  method: 'GET',
  url: (f, param = f.candidate) =>
    `/v1/candidates/${enc(param)}/engagements?type=attend_event&limit=10`,
  role: 'user',
};

export const SCORE: Endpoint = {
  operation: 'GET /v1/candidates/{candidateId}/score',
  method: 'GET',
  url: (f, param = f.candidate) => `/v1/candidates/${enc(param)}/score`,
  role: 'user',
};

export const SCORE_HISTORY: Endpoint = {
  operation: 'GET /v1/candidates/{candidateId}/score-history',
  method: 'GET',
  url: (f, param = f.candidate) => `/v1/candidates/${enc(param)}/score-history?days=30`,
  role: 'user',
};

export const GET_TAGS: Endpoint = {
  operation: 'GET /v1/candidates/{candidateId}/tags',
  method: 'GET',
  url: (f, param = f.candidate) => `/v1/candidates/${enc(param)}/tags`,
  role: 'user',
};

export const TAGS: Endpoint = {
  operation: 'PUT /v1/candidates/{candidateId}/tags',
  method: 'PUT',
  url: (f, param = f.candidate) => `/v1/candidates/${enc(param)}/tags`,
  role: 'user',
  json: {
    maxBytes: 16 * 1024,
    mediaTypes: ['application/json'],
    valid: () => ({ tags: ['java', 'berlin'] }),
  },
};

/** Tags set and taken off many candidates: the fixture's candidate, a tag added. */
export const TAG_CHANGES: Endpoint = {
  operation: 'POST /v1/tag-changes',
  method: 'POST',
  url: () => '/v1/tag-changes',
  role: 'user',
  json: {
    maxBytes: 128 * 1024,
    mediaTypes: ['application/json'],
    valid: (f) => ({ candidateIds: [f.candidate], add: ['java'], remove: ['berlin'] }),
  },
};

export const PURGE: Endpoint = {
  operation: 'DELETE /v1/candidates/{candidateId}',
  method: 'DELETE',
  url: (f, param = f.candidate) => `/v1/candidates/${enc(param)}`,
  role: 'admin',
};

export const SCORES: Endpoint = {
  operation: 'POST /v1/scores',
  method: 'POST',
  url: () => '/v1/scores',
  role: 'user',
  json: {
    maxBytes: 256 * 1024,
    mediaTypes: ['application/json'],
    valid: (f) => ({ candidateIds: [f.candidate, 'rel-unknown'] }),
  },
};

export const AUDIENCES: Endpoint = {
  operation: 'GET /v1/audiences',
  method: 'GET',
  url: () => '/v1/audiences?tier=engaged&limit=10',
  role: 'reporter',
};

/** Every match of an audience, streamed as CSV (the default) or JSON. */
export const AUDIENCE_EXPORT: Endpoint = {
  operation: 'GET /v1/audiences/export',
  method: 'GET',
  url: () => '/v1/audiences/export?tier=engaged&format=json',
  role: 'reporter',
};

export const REPORTS: Endpoint = {
  operation: 'GET /v1/reports/tiers',
  method: 'GET',
  url: () => '/v1/reports/tiers?from=2025-01-01&to=2025-06-30',
  role: 'reporter',
};

export const TIER_HISTORY: Endpoint = {
  operation: 'GET /v1/reports/tier-history',
  method: 'GET',
  url: () => '/v1/reports/tier-history?from=2025-01-01&to=2025-06-30',
  role: 'reporter',
};

export const LINKS: Endpoint = {
  operation: 'POST /v1/links',
  method: 'POST',
  url: () => '/v1/links',
  role: 'user',
  json: {
    maxBytes: 64 * 1024,
    mediaTypes: ['application/json'],
    valid: (f) => ({
      candidateId: f.candidate,
      subject: 'Join us at the Spring hiring fair',
      destinations: [`${SITE_ORIGIN}/events/spring`],
    }),
  },
};

export const OPEN: Endpoint = {
  operation: 'GET /v1/o/{token}',
  method: 'GET',
  url: (f, param = f.openToken) => `/v1/o/${enc(param)}`,
};

export const CLICK: Endpoint = {
  operation: 'GET /v1/c/{token}',
  method: 'GET',
  url: (f, param = f.clickToken) => `/v1/c/${enc(param)}`,
};

/**
 * A text message's tracked link. Its codes are random and stored with the message, so a code of
 * the right shape that no message has stands in: every hostile variant of it is a 404 as well.
 */
export const MESSAGE_LINK: Endpoint = {
  operation: 'GET /v1/m/{code}',
  method: 'GET',
  url: (_f, param = 'Unknown-Code_001') => `/v1/m/${enc(param)}`,
};

export const IDENTITY: Endpoint = {
  operation: 'POST /v1/identity-tokens',
  method: 'POST',
  url: () => '/v1/identity-tokens',
  role: 'user',
  json: {
    maxBytes: 4096,
    mediaTypes: ['application/json'],
    valid: (f) => ({ candidateId: f.candidate, ttlSeconds: 600 }),
  },
};

export const GET_SETTINGS: Endpoint = {
  operation: 'GET /v1/settings/engagement',
  method: 'GET',
  url: () => '/v1/settings/engagement',
  role: 'manager',
};

export const PUT_SETTINGS: Endpoint = {
  operation: 'PUT /v1/settings/engagement',
  method: 'PUT',
  url: () => '/v1/settings/engagement',
  role: 'manager',
  json: {
    maxBytes: 32 * 1024,
    mediaTypes: ['application/json'],
    valid: () => ({ consentMode: 'manual', dedupe: { visitMinutes: 30 } }),
  },
};

export const TRACKING_CODE: Endpoint = {
  operation: 'GET /v1/settings/engagement/tracking-code',
  method: 'GET',
  url: () => '/v1/settings/engagement/tracking-code?consent=onetrust',
  role: 'manager',
};

/** A scoring model's tier counts before saving it: counted, nothing written. */
export const PREVIEW_MODEL: Endpoint = {
  operation: 'POST /v1/settings/engagement/preview',
  method: 'POST',
  url: () => '/v1/settings/engagement/preview',
  role: 'manager',
  json: {
    maxBytes: 32 * 1024,
    mediaTypes: ['application/json'],
    valid: () => ({ scoringModel: null }),
  },
};

export const TRACKER_SCRIPT: Endpoint = {
  operation: 'GET /t.js',
  method: 'GET',
  url: () => `/t.js?site=${SITE_KEY}`,
};

export const LIST_USERS: Endpoint = {
  operation: 'GET /v1/users',
  method: 'GET',
  url: () => '/v1/users',
  role: 'manager',
};

export const CREATE_USER: Endpoint = {
  operation: 'POST /v1/users',
  method: 'POST',
  url: () => '/v1/users',
  role: 'manager',
  json: {
    maxBytes: 8192,
    mediaTypes: ['application/json'],
    valid: () => ({ email: 'hostile@demo.test', displayName: 'Hostile Invite', role: 'user' }),
  },
};

export const GET_USER: Endpoint = {
  operation: 'GET /v1/users/{id}',
  method: 'GET',
  url: (_f, param = 'usr_demo_user') => `/v1/users/${enc(param)}`,
  role: 'manager',
};

export const UPDATE_USER: Endpoint = {
  operation: 'PATCH /v1/users/{id}',
  method: 'PATCH',
  url: (_f, param = 'usr_demo_user') => `/v1/users/${enc(param)}`,
  role: 'manager',
  json: {
    maxBytes: 8192,
    mediaTypes: ['application/json'],
    valid: () => ({ displayName: 'Uma Renamed', senderPhone: '+14155550123' }),
  },
};

export const DEACTIVATE_USER: Endpoint = {
  operation: 'DELETE /v1/users/{id}',
  method: 'DELETE',
  url: (_f, param = 'usr_demo_user') => `/v1/users/${enc(param)}`,
  role: 'manager',
};

export const GET_SIGN_IN: Endpoint = {
  operation: 'GET /v1/settings/sign-in',
  method: 'GET',
  url: () => '/v1/settings/sign-in',
  role: 'manager',
};

/** Schema-valid; sent only with one thing wrong (a whole valid one would fetch the issuer). */
export const PUT_SIGN_IN: Endpoint = {
  operation: 'PUT /v1/settings/sign-in',
  method: 'PUT',
  url: () => '/v1/settings/sign-in',
  role: 'manager',
  json: {
    maxBytes: 8192,
    mediaTypes: ['application/json'],
    valid: () => ({
      issuer: 'https://login.example.com',
      clientId: 'cxm-console',
      clientSecret: 'hostile-secret',
      emailClaim: 'email',
      autoProvision: false,
    }),
  },
};

export const GET_MESSAGING_SETTINGS: Endpoint = {
  operation: 'GET /v1/settings/messaging',
  method: 'GET',
  url: () => '/v1/settings/messaging',
  role: 'manager',
};

/** The demo seed's own allowance and zone: were it ever stored, nothing would change. */
export const PUT_MESSAGING_SETTINGS: Endpoint = {
  operation: 'PUT /v1/settings/messaging',
  method: 'PUT',
  url: () => '/v1/settings/messaging',
  role: 'manager',
  json: {
    maxBytes: 8192,
    mediaTypes: ['application/json'],
    valid: () => ({ monthlyContactAllowance: 500, timeZone: 'Europe/London' }),
  },
};

export const USAGE: Endpoint = {
  operation: 'GET /v1/usage',
  method: 'GET',
  url: () => '/v1/usage?period=2025-06&limit=10',
  role: 'reporter',
};

export const AUDIT: Endpoint = {
  operation: 'GET /v1/audit',
  method: 'GET',
  url: () => '/v1/audit?action=key.&limit=10',
  role: 'manager',
};

export const WEBHOOK_DELIVERIES: Endpoint = {
  operation: 'GET /v1/webhook-deliveries',
  method: 'GET',
  url: () => '/v1/webhook-deliveries?status=failed&type=candidate.tier_changed&limit=10',
  role: 'manager',
};

/** Posts a test event: only ever sent refused here (no key, a low key, a wrong method). */
export const SEND_TEST_WEBHOOK: Endpoint = {
  operation: 'POST /v1/webhook-deliveries/test',
  method: 'POST',
  url: () => '/v1/webhook-deliveries/test',
  role: 'manager',
};

export const REDELIVER_WEBHOOK: Endpoint = {
  operation: 'POST /v1/webhook-deliveries/{id}/redeliver',
  method: 'POST',
  url: (_f, param = 'whd_nonexistent') => `/v1/webhook-deliveries/${enc(param)}/redeliver`,
  role: 'manager',
};

export const LIST_CAMPAIGNS: Endpoint = {
  operation: 'GET /v1/campaigns',
  method: 'GET',
  url: () => '/v1/campaigns?type=reengagement&name=warm&code=eng&state=enabled&limit=10',
  role: 'user',
};

/**
 * The From rule: a key is nobody, so naming the sender takes a manager's key (a user's or a
 * reporter's key is refused 403 for naming someone else, as a key below this role would be).
 */
export const CREATE_CAMPAIGN: Endpoint = {
  operation: 'POST /v1/campaigns',
  method: 'POST',
  url: () => '/v1/campaigns',
  role: 'manager',
  json: {
    maxBytes: 16 * 1024,
    mediaTypes: ['application/json'],
    valid: () => ({
      name: 'Hostile warm pool',
      reengagement: true,
      code: 'ENG-REL',
      url: `${SITE_ORIGIN}/jobs`,
      timeframe: { notContactedForDays: 30 },
      tags: ['java'],
      tagsMode: 'any',
      fromUserId: 'usr_demo_user',
      sendTime: '10:00',
      channel: 'sms',
      message: 'Hi {{firstName}}, new roles: {{url}}',
    }),
  },
};

export const GET_CAMPAIGN: Endpoint = {
  operation: 'GET /v1/campaigns/{id}',
  method: 'GET',
  url: (f, param = f.campaign) => `/v1/campaigns/${enc(param)}`,
  role: 'user',
};

/** A rename: the sender stays, so a user's key may make it. */
export const UPDATE_CAMPAIGN: Endpoint = {
  operation: 'PATCH /v1/campaigns/{id}',
  method: 'PATCH',
  url: (f, param = f.campaign) => `/v1/campaigns/${enc(param)}`,
  role: 'user',
  json: {
    maxBytes: 16 * 1024,
    mediaTypes: ['application/json'],
    valid: () => ({ name: 'Hostile warm pool, renamed', tags: ['java', 'london'] }),
  },
};

function campaignState(action: 'enable' | 'disable' | 'archive'): Endpoint {
  return {
    operation: `POST /v1/campaigns/{id}/${action}`,
    method: 'POST',
    url: (f, param = f.campaign) => `/v1/campaigns/${enc(param)}/${action}`,
    role: 'user',
  };
}

export const ENABLE_CAMPAIGN = campaignState('enable');
export const DISABLE_CAMPAIGN = campaignState('disable');
export const ARCHIVE_CAMPAIGN = campaignState('archive');

/** How many the fixture's campaign would text now: a read, nothing written. */
export const ESTIMATE_CAMPAIGN: Endpoint = {
  operation: 'GET /v1/campaigns/{id}/estimate',
  method: 'GET',
  url: (f, param = f.campaign) => `/v1/campaigns/${enc(param)}/estimate`,
  role: 'user',
};

/** The fixture campaign's runs: a read, nothing written. */
export const CAMPAIGN_RUNS: Endpoint = {
  operation: 'GET /v1/campaigns/{id}/runs',
  method: 'GET',
  url: (f, param = f.campaign) => `/v1/campaigns/${enc(param)}/runs`,
  role: 'user',
};

/** A draft campaign's estimate: counted, nothing written. */
export const DRAFT_ESTIMATE: Endpoint = {
  operation: 'POST /v1/campaign-estimates',
  method: 'POST',
  url: () => '/v1/campaign-estimates',
  role: 'user',
  json: {
    maxBytes: 16 * 1024,
    mediaTypes: ['application/json'],
    valid: () => ({
      timeframe: { notContactedForDays: 30 },
      tags: ['java'],
      tagsMode: 'any',
      channel: 'sms',
      fromUserId: 'usr_demo_user',
    }),
  },
};

export const CONTACTS: Endpoint = {
  operation: 'POST /v1/contacts',
  method: 'POST',
  url: () => '/v1/contacts',
  role: 'user',
  json: {
    maxBytes: 512 * 1024,
    mediaTypes: ['application/json'],
    valid: (f) => ({
      contacts: [
        {
          id: 'rel-contact-1',
          candidateId: f.candidate,
          kind: 'phone_call',
          occurredAt: '2025-06-01T12:00:00Z',
        },
      ],
    }),
  },
};

export const GET_CONTACT: Endpoint = {
  operation: 'GET /v1/candidates/{candidateId}/contact',
  method: 'GET',
  url: (f, param = f.candidate) => `/v1/candidates/${enc(param)}/contact`,
  role: 'user',
};

export const PUT_CONTACT: Endpoint = {
  operation: 'PUT /v1/candidates/{candidateId}/contact',
  method: 'PUT',
  url: (f, param = f.candidate) => `/v1/candidates/${enc(param)}/contact`,
  role: 'user',
  json: {
    maxBytes: 4096,
    mediaTypes: ['application/json'],
    valid: () => ({
      phone: '+44 7400 123456',
      firstName: 'Amara',
      timeZone: 'Europe/London',
      smsConsent: { source: 'career-site form', at: '2025-06-01T12:00:00Z' },
    }),
  },
};

export const SEND_MESSAGE: Endpoint = {
  operation: 'POST /v1/messages',
  method: 'POST',
  url: () => '/v1/messages',
  role: 'user',
  json: {
    maxBytes: 16 * 1024,
    mediaTypes: ['application/json'],
    valid: (f) => ({ candidateId: f.candidate, channel: 'sms', body: 'Hello from the fair' }),
  },
};

export const CANDIDATE_MESSAGES: Endpoint = {
  operation: 'GET /v1/candidates/{candidateId}/messages',
  method: 'GET',
  url: (f, param = f.candidate) => `/v1/candidates/${enc(param)}/messages`,
  role: 'user',
};

/** The provider's webhooks: no key, a form body signed with `X-Twilio-Signature`. */
export const TWILIO_STATUS: Endpoint = {
  operation: 'POST /v1/providers/twilio/status',
  method: 'POST',
  url: () => '/v1/providers/twilio/status',
};

export const TWILIO_INBOUND: Endpoint = {
  operation: 'POST /v1/providers/twilio/inbound',
  method: 'POST',
  url: () => '/v1/providers/twilio/inbound',
};

export const ENDPOINTS: readonly Endpoint[] = [
  COLLECT,
  ENGAGEMENTS,
  LINK_VISITOR,
  WHOAMI,
  LIST_KEYS,
  CREATE_KEY,
  REVOKE_KEY,
  ROTATE_KEY,
  CANDIDATE_ENGAGEMENTS,
  SCORE,
  SCORE_HISTORY,
  GET_TAGS,
  TAGS,
  TAG_CHANGES,
  PURGE,
  SCORES,
  AUDIENCES,
  AUDIENCE_EXPORT,
  REPORTS,
  TIER_HISTORY,
  LINKS,
  OPEN,
  CLICK,
  MESSAGE_LINK,
  IDENTITY,
  GET_SETTINGS,
  PUT_SETTINGS,
  TRACKING_CODE,
  PREVIEW_MODEL,
  TRACKER_SCRIPT,
  LIST_USERS,
  CREATE_USER,
  GET_USER,
  UPDATE_USER,
  DEACTIVATE_USER,
  GET_SIGN_IN,
  PUT_SIGN_IN,
  GET_MESSAGING_SETTINGS,
  PUT_MESSAGING_SETTINGS,
  USAGE,
  AUDIT,
  WEBHOOK_DELIVERIES,
  SEND_TEST_WEBHOOK,
  REDELIVER_WEBHOOK,
  LIST_CAMPAIGNS,
  CREATE_CAMPAIGN,
  GET_CAMPAIGN,
  UPDATE_CAMPAIGN,
  ENABLE_CAMPAIGN,
  DISABLE_CAMPAIGN,
  ARCHIVE_CAMPAIGN,
  ESTIMATE_CAMPAIGN,
  CAMPAIGN_RUNS,
  DRAFT_ESTIMATE,
  CONTACTS,
  GET_CONTACT,
  PUT_CONTACT,
  SEND_MESSAGE,
  CANDIDATE_MESSAGES,
  TWILIO_STATUS,
  TWILIO_INBOUND,
];

export const JSON_ENDPOINTS = ENDPOINTS.filter((endpoint) => endpoint.json !== undefined);
export const KEYED_ENDPOINTS = ENDPOINTS.filter((endpoint) => endpoint.role !== undefined);

export interface Variation {
  url?: string;
  /** `null`: no Authorization header; a string: that header; absent: a key of the route's role. */
  authorization?: string | null;
  /** `null`: no Content-Type; absent: the route's first media type when there is a body. */
  contentType?: string | null;
  /** `null`: no body; absent: the route's valid body. */
  body?: HostileBody | null;
  headers?: Record<string, string>;
  /** Headers the valid request has that this one leaves out (collect's Origin). */
  omit?: readonly string[];
  method?: string;
  /** When the method is not the route's: the operation the request names instead. */
  operation?: string;
  chunked?: boolean;
}

/** The endpoint's valid request with `variation` applied, refused with `expect`. */
export function draft(
  endpoint: Endpoint,
  fixture: Fixture,
  label: string,
  expect: Expected,
  variation: Variation = {},
): Draft {
  const headers: Record<string, string> = { 'user-agent': BROWSER_UA };
  // A beacon comes from a page on the site: its Origin is what the collector checks first.
  if (endpoint === COLLECT) headers.origin = SITE_ORIGIN;
  const authorization =
    variation.authorization === undefined
      ? endpoint.role && `Bearer ${KEYS[endpoint.role]}`
      : variation.authorization;
  if (authorization !== null && authorization !== undefined) headers.authorization = authorization;
  const body =
    variation.body === undefined
      ? endpoint.json && {
          kind: 'text' as const,
          text: JSON.stringify(endpoint.json.valid(fixture)),
        }
      : (variation.body ?? undefined);
  const contentType =
    variation.contentType === undefined ? endpoint.json?.mediaTypes[0] : variation.contentType;
  if (body && contentType !== null && contentType !== undefined)
    headers['content-type'] = contentType;
  Object.assign(headers, variation.headers);
  for (const name of variation.omit ?? []) delete headers[name];
  return {
    label,
    operation: variation.operation ?? endpoint.operation,
    method: variation.method ?? endpoint.method,
    url: variation.url ?? endpoint.url(fixture),
    headers,
    ...(body ? { body } : {}),
    ...(variation.chunked ? { chunked: true } : {}),
    expect,
  };
}

/** A valid request's body with `change` made to a copy, as JSON text. */
export function changed(
  endpoint: Endpoint,
  fixture: Fixture,
  change: (body: Record<string, unknown>) => void,
): HostileBody {
  const body = structuredClone(endpoint.json?.valid(fixture) ?? {});
  change(body);
  return json(body);
}

/** Any value as a JSON body. */
export function json(value: unknown): HostileBody {
  return { kind: 'text', text: JSON.stringify(value) };
}

export { OTHER_SITE_ORIGIN, SITE_KEY, SITE_ORIGIN };
