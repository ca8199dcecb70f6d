// Fills an organisation through the public API, as its ATS, email tool, career site and admins
// would: candidates with engagements of every type over months, tags, tracker visitors (one left
// anonymous, one linked by API, one by an identity token), a tracked email opened and clicked, a
// webhook, extra API keys (one revoked). Every value carries the organisation's mark, so a reply
// to the other organisation that contains one has leaked it.
import { ENGAGEMENT_TYPES } from '@cxm/scoring';
import { read } from '@cxm/test-support/d1';
import { type Answer, type Call, call, field, list, must, text } from './http.js';
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

export async function fill(origin: string, persist: string, spec: OrgSpec): Promise<OrgFixture> {
  const api: Api = async (request, status, what) =>
    must(await call(origin, request), status, `${what} (${request.method} ${request.path})`);
  const now = Date.now();
  const secrets: Secrets = new Set(spec.seedTexts);
  const { webhookSecret, linkAllowlist } = await settings(api, spec, secrets);
  const keyIds = await apiKeys(api, spec, secrets);
  const { candidates, eventIds, tags } = await history(api, spec, now, secrets);
  const { deviceIds, beaconEventIds } = await visitors(api, spec, candidates, now, secrets);
  const email = await trackedEmail(api, spec, candidates[0] ?? '', linkAllowlist, secrets);
  const cursors = await readBack(api, spec, candidates, secrets);
  const internalCandidateIds = read<{ id: string }>(
    persist,
    `SELECT id FROM candidates WHERE org_id = '${spec.orgId}' ORDER BY id`,
  ).map((row) => row.id);
  for (const id of internalCandidateIds) secrets.add(id);
  return {
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
    secrets: [...secrets],
  };
}
