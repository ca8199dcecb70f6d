// Fills an organisation through the public API, as its ATS, email tool, career site and admins
// would: candidates with engagements of every type over months, tags, tracker visitors (one left
// anonymous, one linked by API, one by an identity token), a tracked email opened and clicked, a
// webhook, extra API keys (one revoked), users (one deactivated) and the console's identity
// provider, candidates' contact details, contacts made elsewhere, and texts both ways through the
// texting provider (one candidate answers, one replies STOP). Every value carries the
// organisation's mark, so a reply to the other organisation that contains one has leaked it.
import { ENGAGEMENT_TYPES } from '@cxm/scoring';
import { read } from '@cxm/test-support/d1';
import { until } from '@cxm/test-support/poll';
import { type Answer, type Call, call, field, list, must, text } from './http.js';
import type { Texting } from './texting.js';
import { tokenOfUrl } from './tokens.js';

const DAY = 24 * 60 * 60 * 1000;
export const TYPES = ENGAGEMENT_TYPES;

export interface OrgSpec {
  orgId: string;
  /** One key per role (the seed gives `other` only an admin key: it stands in for all four). */
  keys: { user: string; reporter: string; manager: string; admin: string };
  /** The site the fill's beacons go to, and its origin. */
  siteKey: string;
  siteOrigin: string;
  /** Marks every value the fill makes: `demo-secret` makes `demo-secret-cand-0`, ... */
  mark: string;
  candidates: number;
  /** Where its webhooks go (a receiver of the test's own). */
  hookUrl: string;
  /** What the seed gave it that no other organisation may see: key ids, site keys, its name. */
  seedTexts: string[];
  /** The seed's key ids, which other organisations try to revoke. */
  seedKeyIds: string[];
  /** Its console's identity provider (OpenID Connect issuer; `hooks.ts` publishes it). */
  issuer: string;
  /** Its candidates' phone numbers are this and two digits (a valid number of the country). */
  phonePrefix: string;
  /** The number its recruiter texts from (`senderPhone`). */
  senderPhone: string;
}

export interface OrgFixture {
  spec: OrgSpec;
  /** External ids, as the organisation names its candidates. */
  candidates: string[];
  /** The database's own ids of those candidates: never valid in another organisation's path. */
  internalCandidateIds: string[];
  /** Tracker device ids: [anonymous, linked by API, linked by identity token]. */
  deviceIds: string[];
  /** The tracker event ids each device sent, by device id. */
  beaconEventIds: Map<string, string[]>;
  /** The ids the ATS gave its engagements (`POST /v1/engagements`). */
  eventIds: string[];
  tags: string[];
  subject: string;
  destinations: string[];
  keyIds: string[];
  linkIds: string[];
  webhookSecret: string;
  /** `nextCursor`s from its own replies, which the other organisation then replays. */
  cursors: { engagements: string; audience: string };
  /** Its users' ids (the seed's and those the fill made) and emails. */
  userIds: string[];
  userEmails: string[];
  /** The client id of its identity provider (the secret is in `secrets`). */
  clientId: string;
  /** Its candidates' phone numbers (E.164), in the order of `candidates`. */
  phones: string[];
  /** The ids of the contacts it recorded (`POST /v1/contacts`). */
  contactIds: string[];
  /** The numbers it texts from: the organisation's sender numbers and its users' own. */
  senderNumbers: string[];
  /** The texting provider's ids (`SM…`) of its texts, both ways. */
  providerSids: string[];
  /** Its campaigns' ids: one enabled, one archived (none where no user holds a licence). */
  campaignIds: string[];
  /** Everything of it that must never appear in a reply to another organisation. */
  secrets: string[];
}

type Api = (request: Call, status: number, what: string) => Promise<Answer>;

/** What every step adds to: the values that are this organisation's alone. */
type Secrets = Set<string>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Settings first, so the tier changes of the steps after it go to the webhook. */
async function settings(api: Api, spec: OrgSpec, secrets: Secrets) {
  const linkAllowlist = `https://events.${spec.mark}.example`;
  const reply = await api(
    {
      method: 'PUT',
      path: '/v1/settings/engagement',
      key: spec.keys.manager,
      json: { webhookUrl: spec.hookUrl, linkAllowlist: [linkAllowlist] },
    },
    200,
    'webhook and link allowlist',
  );
  const webhookSecret = text(reply.json, 'webhookSecret');
  for (const value of [webhookSecret, spec.hookUrl, linkAllowlist]) secrets.add(value);
  return { webhookSecret, linkAllowlist };
}

/** API keys beside the seed's: one in use, one revoked. */
async function apiKeys(api: Api, spec: OrgSpec, secrets: Secrets): Promise<string[]> {
  const keyIds = [...spec.seedKeyIds];
  for (const [name, revoke] of [
    [`${spec.mark} ATS sync`, false],
    [`${spec.mark} old CRM`, true],
  ] as const) {
    const created = await api(
      {
        method: 'POST',
        path: '/v1/keys',
        key: spec.keys.manager,
        json: { name, role: 'reporter' },
      },
      201,
      'an API key',
    );
    const id = text(created.json, 'id');
    keyIds.push(id);
    for (const value of [id, name, text(created.json, 'secret'), text(created.json, 'prefix')]) {
      secrets.add(value);
    }
    if (revoke) {
      await api(
        { method: 'DELETE', path: `/v1/keys/${id}`, key: spec.keys.manager },
        200,
        'revoking a key',
      );
    }
  }
  return keyIds;
}

/** Candidates with engagements of every type over the last 80 days (a score history), tagged. */
async function history(api: Api, spec: OrgSpec, now: number, secrets: Secrets) {
  const { mark } = spec;
  const candidates = Array.from({ length: spec.candidates }, (_, i) => `${mark}-cand-${i}`);
  const items = candidates.flatMap((candidateId, i) =>
    TYPES.flatMap((type, t) =>
      [0, 1].map((round) => ({
        id: `${mark}-evt-${i}-${t}-${round}`,
        candidateId,
        type,
        detail:
          type === 'visit_landing_page' || type === 'submit_form'
            ? `${spec.siteOrigin}/jobs/${mark}-role-${t}`
            : `${mark} detail ${type}`,
        occurredAt: iso(now - (round === 0 ? 1 + i + t : 30 + 8 * t + i) * DAY),
        // A mail privacy proxy's open, which scores at the model's machine factor.
        machine: type === 'open_email' && round === 1,
      })),
    ),
  );
  await api(
    { method: 'POST', path: '/v1/engagements', key: spec.keys.user, json: { engagements: items } },
    202,
    'engagements',
  );
  const eventIds = items.map((item) => item.id);
  const tags = [`${mark}-tag-java`, `${mark}-tag-berlin`];
  for (const [i, candidateId] of candidates.entries()) {
    await api(
      {
        method: 'PUT',
        path: `/v1/candidates/${candidateId}/tags`,
        key: spec.keys.user,
        json: { tags: i % 2 === 0 ? tags : tags.slice(0, 1) },
      },
      200,
      'tags',
    );
  }
  for (const value of [...candidates, ...eventIds, ...tags]) secrets.add(value);
  secrets.add(`${mark} detail`).add(`/jobs/${mark}-role-`);
  return { candidates, eventIds, tags };
}

/**
 * Career-site visitors, as the tracker reports them: one stays anonymous, one is linked by the
 * API (a form's hidden field), one by an identity token in its beacon (a logged-in portal).
 */
async function visitors(
  api: Api,
  spec: OrgSpec,
  candidates: readonly string[],
  now: number,
  secrets: Secrets,
) {
  const { mark } = spec;
  const identity = await api(
    {
      method: 'POST',
      path: '/v1/identity-tokens',
      key: spec.keys.user,
      json: { candidateId: candidates[1] ?? candidates[0] },
    },
    201,
    'an identity token',
  );
  const deviceIds: string[] = [];
  const beaconEventIds = new Map<string, string[]>();
  for (const [d, how] of ['anon', 'api', 'token'].entries()) {
    const deviceId = `${mark}-dev-${how}`;
    deviceIds.push(deviceId);
    const events = [0, 1, 2].map((k) => ({
      id: `${mark}-bev-${d}-${k}`,
      ...(k === 2
        ? { type: 'submit_form', form: `${mark}-apply`, url: `${spec.siteOrigin}/apply` }
        : {
            type: 'visit_landing_page',
            url: `${spec.siteOrigin}/jobs/${mark}-page-${d}-${k}?utm_source=mail`,
          }),
      at: now - (30 - d * 5 - k) * 60_000,
    }));
    beaconEventIds.set(
      deviceId,
      events.map((event) => event.id),
    );
    const reply = await api(
      {
        method: 'POST',
        path: '/v1/collect',
        headers: { Origin: spec.siteOrigin },
        text: JSON.stringify({
          v: 1,
          site: spec.siteKey,
          visitor: { id: deviceId, kind: 'stored' },
          ...(how === 'token' ? { identity: text(identity.json, 'token') } : {}),
          events,
        }),
      },
      202,
      'a beacon',
    );
    if (field(reply.json, 'accepted') !== events.length) {
      throw new Error(`a beacon of ${deviceId} was not stored: ${reply.text}`);
    }
    for (const value of [deviceId, ...events.map((event) => event.id)]) secrets.add(value);
  }
  await api(
    {
      method: 'POST',
      path: `/v1/visitors/${deviceIds[1]}/link`,
      key: spec.keys.user,
      json: { candidateId: candidates[0] },
    },
    200,
    'linking a visitor',
  );
  secrets.add(`${mark}-page-`).add(`${mark}-apply`);
  return { deviceIds, beaconEventIds };
}

/** A tracked email to the first candidate, opened and clicked. */
async function trackedEmail(
  api: Api,
  spec: OrgSpec,
  candidateId: string,
  linkAllowlist: string,
  secrets: Secrets,
) {
  const subject = `${spec.mark} subject: spring hiring fair`;
  const destinations = [`${spec.siteOrigin}/events/${spec.mark}-spring`, `${linkAllowlist}/meetup`];
  const links = await api(
    {
      method: 'POST',
      path: '/v1/links',
      key: spec.keys.user,
      json: { candidateId, subject, destinations },
    },
    201,
    'tracked links',
  );
  const openUrl = text(links.json, 'openUrl');
  const clickUrl = text(links.json, 'clickUrls', destinations[0] ?? '');
  await api({ method: 'GET', path: new URL(openUrl).pathname }, 200, 'an open');
  await api({ method: 'GET', path: new URL(clickUrl).pathname }, 302, 'a click');
  const linkIds = [text(links.json, 'linkId')];
  for (const value of [subject, ...destinations, ...linkIds]) secrets.add(value);
  secrets.add(tokenOfUrl(openUrl)).add(tokenOfUrl(clickUrl));
  return { subject, destinations, linkIds };
}

/** What its own callers read back: engagement ids, score histories, cursors to continue. */
async function readBack(api: Api, spec: OrgSpec, candidates: readonly string[], secrets: Secrets) {
  for (const candidateId of candidates) {
    const page = await api(
      {
        method: 'GET',
        path: `/v1/candidates/${candidateId}/engagements?limit=200`,
        key: spec.keys.user,
      },
      200,
      'engagements read back',
    );
    for (const engagement of list(page.json, 'engagements')) secrets.add(text(engagement, 'id'));
    await api(
      {
        method: 'GET',
        path: `/v1/candidates/${candidateId}/score-history?days=90`,
        key: spec.keys.user,
      },
      200,
      'score history',
    );
  }
  const firstPage = await api(
    {
      method: 'GET',
      path: `/v1/candidates/${candidates[0]}/engagements?limit=2`,
      key: spec.keys.user,
    },
    200,
    'a first page of engagements',
  );
  const audience = await api(
    { method: 'GET', path: '/v1/audiences?limit=1', key: spec.keys.reporter },
    200,
    'a first page of the audience',
  );
  return {
    engagements: text(firstPage.json, 'nextCursor'),
    audience: text(audience.json, 'nextCursor'),
  };
}

/** Users beside the seed's: a recruiter with a number and an auto-reply, and one who left. */
async function people(api: Api, spec: OrgSpec, secrets: Secrets) {
  const { mark } = spec;
  const recruiter = await api(
    {
      method: 'POST',
      path: '/v1/users',
      key: spec.keys.manager,
      json: {
        email: `recruiter@${mark}.example`,
        displayName: `${mark} Recruiter`,
        role: 'user',
        senderPhone: spec.senderPhone,
        autoReply: `${mark} auto-reply: back on Monday`,
      },
    },
    201,
    'a user',
  );
  await api(
    {
      method: 'PATCH',
      path: `/v1/users/${text(recruiter.json, 'id')}`,
      key: spec.keys.manager,
      json: { displayName: `${mark} Recruiter (Berlin)` },
    },
    200,
    'renaming a user',
  );
  const leaver = await api(
    {
      method: 'POST',
      path: '/v1/users',
      key: spec.keys.manager,
      json: { email: `leaver@${mark}.example`, displayName: `${mark} Leaver`, role: 'reporter' },
    },
    201,
    'a user who leaves',
  );
  await api(
    { method: 'DELETE', path: `/v1/users/${text(leaver.json, 'id')}`, key: spec.keys.manager },
    200,
    'deactivating a user',
  );
  secrets.add(`${mark} Recruiter`).add(`${mark} Leaver`).add(`${mark} auto-reply`);
}

/** The console's identity provider, with its client secret (stored sealed, never returned). */
async function signIn(api: Api, spec: OrgSpec, secrets: Secrets): Promise<string> {
  const clientId = `${spec.mark}-console`;
  const clientSecret = `${spec.mark}-client-secret`;
  await api(
    {
      method: 'PUT',
      path: '/v1/settings/sign-in',
      key: spec.keys.manager,
      json: { issuer: spec.issuer, clientId, clientSecret },
    },
    200,
    'the identity provider',
  );
  for (const value of [spec.issuer, clientId, clientSecret]) secrets.add(value);
  return clientId;
}

/**
 * A zone (`Etc/GMT…`, hours from UTC) where it is about 2 pm now, so the fill's texts are inside
 * the candidates' sending hours (08:00-20:00) and go at once instead of waiting for the morning.
 */
export function afternoonZone(now: number): string {
  let offset = 14 - new Date(now).getUTCHours();
  if (offset > 12) offset -= 24;
  // Etc/GMT names count the other way round: Etc/GMT-3 is three hours ahead of UTC.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** Each candidate's number, first name, zone and SMS consent (every other one WhatsApp's too). */
async function contactDetails(
  api: Api,
  spec: OrgSpec,
  candidates: readonly string[],
  now: number,
  secrets: Secrets,
): Promise<string[]> {
  const { mark } = spec;
  const phones: string[] = [];
  for (const [i, candidateId] of candidates.entries()) {
    const consent = { source: `${mark} career-site form`, at: new Date(now - DAY).toISOString() };
    const reply = await api(
      {
        method: 'PUT',
        path: `/v1/candidates/${candidateId}/contact`,
        key: spec.keys.user,
        json: {
          phone: `${spec.phonePrefix}${String(i).padStart(2, '0')}`,
          firstName: `${mark}-first-${i}`,
          timeZone: afternoonZone(now),
          smsConsent: consent,
          ...(i % 2 === 0
            ? { whatsappOptIn: { ...consent, source: `${mark} WhatsApp opt-in` } }
            : {}),
        },
      },
      200,
      'contact details',
    );
    phones.push(text(reply.json, 'phone'));
  }
  for (const value of phones) secrets.add(value);
  secrets.add(`${mark}-first-`).add(`${mark} career-site form`).add(`${mark} WhatsApp opt-in`);
  return phones;
}

/** Calls and emails made in the ATS, recorded as contacts. */
async function contactsMade(
  api: Api,
  spec: OrgSpec,
  candidates: readonly string[],
  now: number,
  secrets: Secrets,
): Promise<string[]> {
  const kinds = ['phone_call', 'email', 'sms', 'whatsapp'];
  const contacts = candidates.flatMap((candidateId, i) =>
    [0, 1].map((k) => ({
      id: `${spec.mark}-contact-${i}-${k}`,
      candidateId,
      kind: kinds[(i + k) % kinds.length],
      occurredAt: iso(now - (2 + i + 10 * k) * DAY),
    })),
  );
  const reply = await api(
    { method: 'POST', path: '/v1/contacts', key: spec.keys.user, json: { contacts } },
    202,
    'contacts',
  );
  if (field(reply.json, 'accepted') !== contacts.length) {
    throw new Error(`the contacts were not all stored: ${reply.text}`);
  }
  const ids = contacts.map((contact) => contact.id);
  for (const id of ids) secrets.add(id);
  return ids;
}

/**
 * Texts to the first three candidates, delivered through the provider; then the first answers
 * and the second replies STOP (an opt-out), as the provider's signed inbound webhook.
 */
async function texts(
  api: Api,
  spec: OrgSpec,
  persist: string,
  texting: Texting,
  candidates: readonly string[],
  phones: readonly string[],
  secrets: Secrets,
) {
  const { mark, orgId } = spec;
  for (const [i, candidateId] of candidates.slice(0, 3).entries()) {
    const reply = await api(
      {
        method: 'POST',
        path: '/v1/messages',
        key: spec.keys.user,
        json: { candidateId, channel: 'sms', body: `${mark} text ${i}: is Tuesday good?` },
      },
      202,
      'a text',
    );
    if (field(reply.json, 'status') !== 'queued') {
      throw new Error(`a text was not sent at once (quiet hours?): ${reply.text}`);
    }
  }
  await until(
    `${orgId}'s texts to be delivered`,
    () => {
      const rows = read<{ status: string }>(
        persist,
        `SELECT status FROM messages WHERE org_id = '${orgId}' AND direction = 'outbound'`,
      );
      return rows.length === 3 && rows.every((row) => row.status === 'delivered')
        ? true
        : undefined;
    },
    60_000,
  );
  const answers: string[] = [];
  for (const [from, body] of [
    [phones[0] ?? '', `${mark} reply: Tuesday works`],
    [phones[1] ?? '', 'STOP'],
  ] as const) {
    const answer = await texting.reply(from, body);
    answers.push(`${answer.status} ${answer.text.slice(0, 600)}`);
  }
  // What the isolation cases need is in D1: both answers stored as this organisation's, the
  // STOP as an opt-out (the worker's HTTP answer to the provider is the webhooks tests' concern).
  const [row] = read<{ inbound: number; optedOut: number }>(
    persist,
    `SELECT (SELECT COUNT(*) FROM messages WHERE org_id = '${orgId}' AND direction = 'inbound') AS inbound,
            (SELECT COUNT(*) FROM candidate_contact_details WHERE org_id = '${orgId}'
               AND sms_opted_out_at IS NOT NULL) AS optedOut`,
  );
  if (row?.inbound !== 2 || row.optedOut !== 1) {
    throw new Error(
      `the answers were not stored as ${orgId}'s: ${JSON.stringify(row)}; the provider saw:\n${answers.join('\n')}`,
    );
  }
  secrets.add(`${mark} text `).add(`${mark} reply`);
}

/**
 * Two re-engagement campaigns, one archived, from a licensed active user of the organisation. The
 * seed gives `other` no licence seats, so it has none: aimed at `other`, the campaign cases still
 * check lists and that `other`'s people cannot be named as a sender.
 */
async function campaigns(api: Api, spec: OrgSpec, persist: string, secrets: Secrets) {
  const { mark, orgId } = spec;
  const [sender] = read<{ id: string }>(
    persist,
    `SELECT id FROM users WHERE org_id = '${orgId}' AND licence = 1 AND deactivated_at IS NULL
     ORDER BY id LIMIT 1`,
  );
  if (!sender) return [];
  const ids: string[] = [];
  for (const [i, state] of ['enabled', 'archived'].entries()) {
    const reply = await api(
      {
        method: 'POST',
        path: '/v1/campaigns',
        key: spec.keys.manager,
        json: {
          name: `${mark} campaign ${i}`,
          reengagement: true,
          code: `${mark}-code-${i}`,
          timeframe: { notContactedForDays: 30 },
          fromUserId: sender.id,
          sendTime: '10:00',
          channel: 'sms',
          message: `${mark} campaign text ${i}, {{firstName}}`,
          autoResponse: `${mark} campaign auto-response ${i}`,
        },
      },
      201,
      'a campaign',
    );
    const id = text(reply.json, 'id');
    if (state === 'archived') {
      await api(
        { method: 'POST', path: `/v1/campaigns/${id}/archive`, key: spec.keys.user },
        200,
        'archiving a campaign',
      );
    }
    ids.push(id);
  }
  for (const id of ids) secrets.add(id);
  secrets.add(`${mark} campaign`).add(`${mark}-code-`);
  return ids;
}

/** What the fill made that only D1 shows whole: users, numbers, the provider's message ids. */
function fromD1(persist: string, orgId: string, secrets: Secrets) {
  const users = read<{
    id: string;
    email: string;
    display_name: string;
    sender_phone: string | null;
  }>(
    persist,
    `SELECT id, email, display_name, sender_phone FROM users WHERE org_id = '${orgId}' ORDER BY id`,
  );
  const [org] = read<{ sender_numbers: string; whatsapp_sender: string | null }>(
    persist,
    `SELECT sender_numbers, whatsapp_sender FROM organisations WHERE id = '${orgId}'`,
  );
  const numbers = Object.values(
    JSON.parse(org?.sender_numbers ?? '{}') as Record<string, string[]>,
  );
  const senderNumbers = [
    ...new Set([
      ...numbers.flat(),
      ...(org?.whatsapp_sender ? [org.whatsapp_sender] : []),
      ...users.flatMap((user) => (user.sender_phone ? [user.sender_phone] : [])),
    ]),
  ];
  const providerSids = read<{ sid: string }>(
    persist,
    `SELECT provider_sid AS sid FROM messages WHERE org_id = '${orgId}' AND provider_sid IS NOT NULL`,
  ).map((row) => row.sid);
  for (const user of users) secrets.add(user.id).add(user.email).add(user.display_name);
  for (const value of [...senderNumbers, ...providerSids]) secrets.add(value);
  return {
    userIds: users.map((user) => user.id),
    userEmails: users.map((user) => user.email),
    senderNumbers,
    providerSids,
  };
}

export async function fill(
  origin: string,
  persist: string,
  spec: OrgSpec,
  texting: Texting,
): Promise<OrgFixture> {
  const api: Api = async (request, status, what) =>
    must(await call(origin, request), status, `${what} (${request.method} ${request.path})`);
  const now = Date.now();
  const secrets: Secrets = new Set(spec.seedTexts);
  const { webhookSecret, linkAllowlist } = await settings(api, spec, secrets);
  const keyIds = await apiKeys(api, spec, secrets);
  const { candidates, eventIds, tags } = await history(api, spec, now, secrets);
  const { deviceIds, beaconEventIds } = await visitors(api, spec, candidates, now, secrets);
  const email = await trackedEmail(api, spec, candidates[0] ?? '', linkAllowlist, secrets);
  await people(api, spec, secrets);
  const clientId = await signIn(api, spec, secrets);
  const phones = await contactDetails(api, spec, candidates, now, secrets);
  const contactIds = await contactsMade(api, spec, candidates, now, secrets);
  await texts(api, spec, persist, texting, candidates, phones, secrets);
  const campaignIds = await campaigns(api, spec, persist, secrets);
  const cursors = await readBack(api, spec, candidates, secrets);
  const internalCandidateIds = read<{ id: string }>(
    persist,
    `SELECT id FROM candidates WHERE org_id = '${spec.orgId}' ORDER BY id`,
  ).map((row) => row.id);
  for (const id of internalCandidateIds) secrets.add(id);
  return {
    ...fromD1(persist, spec.orgId, secrets),
    clientId,
    phones,
    contactIds,
    spec,
    candidates,
    internalCandidateIds,
    deviceIds,
    beaconEventIds,
    eventIds,
    tags,
    ...email,
    keyIds,
    webhookSecret,
    cursors,
    campaignIds,
    secrets: [...secrets],
  };
}
