// Who may ask and from where: other organisations' keys on this organisation's resources,
// beacons from origins the site does not allow, missing or garbage Authorization headers and keys
// below the route's role, and methods a route does not have.
import { KEYS } from '../site.js';
import {
  ARCHIVE_CAMPAIGN,
  beacon,
  CAMPAIGN_RUNS,
  CANDIDATE_ENGAGEMENTS,
  CANDIDATE_MESSAGES,
  CLICK,
  COLLECT,
  CREATE_KEY,
  DEACTIVATE_USER,
  DISABLE_CAMPAIGN,
  draft,
  ENABLE_CAMPAIGN,
  ENDPOINTS,
  type Endpoint,
  ESTIMATE_CAMPAIGN,
  type Fixture,
  GET_CAMPAIGN,
  GET_CONTACT,
  GET_TAGS,
  GET_USER,
  json,
  KEYED_ENDPOINTS,
  LINKS,
  OPEN,
  OTHER_SITE_ORIGIN,
  PURGE,
  REVOKE_KEY,
  ROLES,
  type Role,
  refusal,
  SCORE,
  SCORE_HISTORY,
  SITE_ORIGIN,
  UPDATE_CAMPAIGN,
  UPDATE_USER,
} from './endpoints.js';
import type { Case, Rng } from './rng.js';
import { long } from './spoil.js';
import { payloadOf, withPayload } from './tokens.js';

const bearer = (role: Role) => `Bearer ${KEYS[role]}`;
const OTHER_ADMIN = `Bearer ${KEYS.otherAdmin}`;

/** A beacon of `site` whose pages are on `origin`. */
function beaconOf(site: string, origin: string): Record<string, unknown> {
  const body = beacon();
  body.site = site;
  body.events = [
    {
      id: 'evt_rel_00000009',
      type: 'visit_landing_page',
      url: `${origin}/jobs/9`,
      at: Date.UTC(2025, 5, 1),
    },
  ];
  return body;
}

export function crossOrg(fixture: Fixture): Case[] {
  const f = fixture;
  const reads = [CANDIDATE_ENGAGEMENTS, SCORE, SCORE_HISTORY, GET_TAGS];
  const demoKeys = ['key_demo_user', 'key_demo_reporter', 'key_demo_manager', 'key_demo_admin'];
  return [
    ...[...reads, PURGE].map(
      (endpoint): Case =>
        () =>
          draft(
            endpoint,
            f,
            "another organisation's key on this organisation's candidate",
            refusal('not_found'),
            {
              authorization: OTHER_ADMIN,
            },
          ),
    ),
    (r) =>
      draft(
        REVOKE_KEY,
        f,
        "another organisation's key revoking this organisation's key",
        refusal('not_found'),
        {
          authorization: OTHER_ADMIN,
          url: REVOKE_KEY.url(f, r.pick(demoKeys)),
        },
      ),
    ...reads.map(
      (endpoint): Case =>
        (r) =>
          draft(
            endpoint,
            f,
            "a key reading another organisation's candidate",
            refusal('not_found'),
            {
              authorization: bearer(r.pick(ROLES)),
              url: endpoint.url(f, f.otherCandidate),
            },
          ),
    ),
    ...[GET_USER, UPDATE_USER, DEACTIVATE_USER].map(
      (endpoint): Case =>
        (r) =>
          draft(
            endpoint,
            f,
            "another organisation's key on this organisation's user",
            refusal('not_found'),
            {
              authorization: OTHER_ADMIN,
              url: endpoint.url(f, r.pick(['usr_demo_user', 'usr_demo_manager', 'usr_demo_admin'])),
            },
          ),
    ),
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
          draft(
            endpoint,
            f,
            "another organisation's key on this organisation's campaign",
            refusal('not_found'),
            { authorization: OTHER_ADMIN },
          ),
    ),
    ...[GET_CONTACT, CANDIDATE_MESSAGES].map(
      (endpoint): Case =>
        (r) =>
          draft(
            endpoint,
            f,
            "a key reading another organisation's candidate",
            refusal('not_found'),
            {
              authorization: bearer(r.pick(ROLES)),
              url: endpoint.url(f, f.otherCandidate),
            },
          ),
    ),
    () =>
      draft(
        CANDIDATE_MESSAGES,
        f,
        "another organisation's key on this organisation's candidate",
        refusal('not_found'),
        {
          authorization: OTHER_ADMIN,
        },
      ),
    () =>
      draft(PURGE, f, "purging another organisation's candidate", refusal('not_found'), {
        url: PURGE.url(f, f.otherCandidate),
      }),
    (r) =>
      draft(REVOKE_KEY, f, "revoking another organisation's key", refusal('not_found'), {
        authorization: bearer(r.pick<Role>(['manager', 'admin'])),
        url: REVOKE_KEY.url(f, 'key_other_admin'),
      }),
    () =>
      draft(
        COLLECT,
        f,
        "another organisation's site key from this site",
        refusal('origin_not_allowed'),
        {
          body: json(beaconOf('pk_other', OTHER_SITE_ORIGIN)),
        },
      ),
    () =>
      draft(
        COLLECT,
        f,
        "this site's key from another organisation's site",
        refusal('origin_not_allowed'),
        {
          headers: { origin: OTHER_SITE_ORIGIN },
        },
      ),
    () =>
      draft(COLLECT, f, "pages on another organisation's site", refusal('url_not_allowed'), {
        body: json(beaconOf('pk_rel', OTHER_SITE_ORIGIN)),
      }),
    () =>
      draft(
        COLLECT,
        f,
        "another organisation's beacon with this site's pages",
        refusal('url_not_allowed'),
        {
          headers: { origin: OTHER_SITE_ORIGIN },
          body: json(beaconOf('pk_other', SITE_ORIGIN)),
        },
      ),
    (r) => {
      const [endpoint, token] = r.pick<[Endpoint, string]>([
        [OPEN, f.openToken],
        [CLICK, f.clickToken],
      ]);
      return draft(
        endpoint,
        f,
        'link token re-aimed at another organisation',
        refusal('not_found'),
        {
          url: endpoint.url(f, withPayload(token, { ...payloadOf(token), o: 'other' })),
        },
      );
    },
    () =>
      draft(LINKS, f, "a destination on another organisation's site", refusal('url_not_allowed'), {
        body: json({ ...LINKS.json?.valid(f), destinations: [`${OTHER_SITE_ORIGIN}/jobs/1`] }),
      }),
  ];
}

/** Origins no site allows (so preflights fail too); each is unlike the site's in one way. */
const FOREIGN_ORIGINS = [
  'null',
  'https://evil.test',
  'http://careers.reliability.test',
  'https://careers.reliability.test:8443',
  'https://careers.reliability.test.',
  'https://careers.reliability.test.evil.test',
  'https://evil-careers.reliability.test',
  'https://sub.careers.reliability.test',
  'https://reliability.test',
  'file://',
  'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
  'javascript:alert(1)',
  '*',
  'careers.reliability.test',
  'https://xn--careers-reliability-test.example',
  'ws://careers.reliability.test',
  'http://[::1]:8080',
  'https://127.0.0.1:8080',
  'http://localhost:8081',
];
/** Allowed by other sites (a preflight passes) but not by the beacon's site. */
const OTHER_SITES_ORIGINS = ['http://localhost:8080', 'http://127.0.0.1:8080', OTHER_SITE_ORIGIN];

const OFF_SITE_PAGES = [
  'https://evil.test/jobs/1',
  'http://careers.reliability.test/jobs/1',
  'https://careers.reliability.test:8443/jobs/1',
  'https://careers.reliability.test.evil.test/jobs/1',
  'https://sub.careers.reliability.test/jobs/1',
  'https://careers.reliability.test./jobs/1',
  'ftp://careers.reliability.test/jobs/1',
  'http://localhost:8080/jobs/1',
  'file:///etc/passwd',
  '/jobs/1',
  'careers.reliability.test/jobs/1',
  'about:blank',
];

const OFF_SITE_DESTINATIONS = [
  'https://evil.test/x',
  'http://careers.reliability.test/x',
  'https://careers.reliability.test:8443/x',
  'https://sub.careers.reliability.test/x',
  'https://careers.reliability.test./x',
  'ftp://careers.reliability.test/x',
  'mailto:someone@example.com',
  'https://localhost:8080/x',
];

export function disallowedOrigins(fixture: Fixture): Case[] {
  const f = fixture;
  const preflight = (origin: string | null) =>
    draft(
      COLLECT,
      f,
      origin === null ? 'preflight without Origin' : 'preflight from another origin',
      refusal('origin_not_allowed'),
      {
        method: 'OPTIONS',
        body: null,
        headers: {
          'access-control-request-method': 'POST',
          ...(origin === null ? {} : { origin }),
        },
        ...(origin === null ? { omit: ['origin'] } : {}),
      },
    );
  const withPage = (r: Rng, pages: (page: string) => unknown[]) => {
    const body = beacon();
    body.events = pages(r.pick(OFF_SITE_PAGES));
    return json(body);
  };
  const event = (url: string, n: number) => ({
    id: `evt_rel_0000000${n}`,
    type: n % 2 ? 'visit_landing_page' : 'submit_form',
    url,
    form: 'apply',
    at: Date.UTC(2025, 5, 1),
  });
  return [
    (r) =>
      draft(COLLECT, f, 'beacon from an origin no site allows', refusal('origin_not_allowed'), {
        headers: { origin: r.pick(FOREIGN_ORIGINS) },
      }),
    (r) =>
      draft(COLLECT, f, "beacon from another site's origin", refusal('origin_not_allowed'), {
        headers: { origin: r.pick(OTHER_SITES_ORIGINS) },
      }),
    () =>
      draft(COLLECT, f, 'beacon without Origin', refusal('origin_not_allowed'), {
        omit: ['origin'],
      }),
    () =>
      draft(COLLECT, f, "a key of the organisation's other site", refusal('origin_not_allowed'), {
        body: json(beaconOf('pk_demo', 'http://localhost:8080')),
      }),
    (r) => preflight(r.pick(FOREIGN_ORIGINS)),
    () => preflight(null),
    (r) =>
      draft(COLLECT, f, 'page URL off the site', refusal('url_not_allowed'), {
        body: withPage(r, (page) => [event(page, 1)]),
      }),
    (r) =>
      draft(COLLECT, f, 'one page of several off the site', refusal('url_not_allowed'), {
        body: withPage(r, (page) => [
          event(`${SITE_ORIGIN}/jobs/1`, 1),
          event(`${SITE_ORIGIN}/apply`, 2),
          event(page, 3),
        ]),
      }),
    (r) =>
      draft(LINKS, f, 'destination off the allowed origins', refusal('url_not_allowed'), {
        body: json({
          ...LINKS.json?.valid(f),
          destinations: [`${SITE_ORIGIN}/ok`, r.pick(OFF_SITE_DESTINATIONS)],
        }),
      }),
  ];
}

const GARBAGE_AUTH = [
  '',
  'Bearer',
  'bearer',
  'Basic c2tfZGVtb191c2VyOg==',
  'Token sk_demo_user',
  'sk_demo_user',
  'Bearer sk_demo_user sk_demo_admin',
  'Bearer sk_demo_user, Bearer sk_demo_admin',
  'Bearer sk_demo_userx',
  'Bearer SK_DEMO_USER',
  'Bearer sk_demo_use',
  'Bearer sk_demo_',
  'Bearer pk_rel',
  'Bearer null',
  'Bearer undefined',
  'Bearer [object Object]',
  'Bearer {"key":"sk_demo_user"}',
  'Bearer \u00ff\u00fe\u00fd',
  'Bearer sk_demo_useré',
  'Digest username="sk_demo_user"',
  'Bearer%20sk_demo_user',
  'Bearer=sk_demo_user',
];

export function badAuth(fixture: Fixture): Case[] {
  const f = fixture;
  return [
    ...KEYED_ENDPOINTS.flatMap((endpoint): Case[] => [
      () =>
        draft(endpoint, f, 'no Authorization header', refusal('unauthorized'), {
          authorization: null,
        }),
      (r) =>
        draft(endpoint, f, 'garbage Authorization header', refusal('unauthorized'), {
          authorization: r.pick(GARBAGE_AUTH),
        }),
      () =>
        draft(endpoint, f, 'revoked key', refusal('unauthorized'), {
          authorization: `Bearer ${f.revokedKey}`,
        }),
      (r) =>
        draft(endpoint, f, 'over-long key', refusal('unauthorized'), {
          authorization: `Bearer ${long(r.pick([257, r.int(300, 4000)]), r.pick(['k', 'sk_demo_admin']))}`,
        }),
      ...(endpoint.role && endpoint.role !== 'user'
        ? [
            (r: Rng) =>
              draft(endpoint, f, 'key below the route’s role', refusal('forbidden'), {
                authorization: bearer(r.pick(ROLES.slice(0, ROLES.indexOf(endpoint.role as Role)))),
              }),
          ]
        : []),
    ]),
    () =>
      draft(CREATE_KEY, f, 'manager creating an admin key', refusal('forbidden'), {
        body: json({ name: 'escalate', role: 'admin' }),
      }),
    () =>
      draft(REVOKE_KEY, f, 'manager revoking an admin key', refusal('forbidden'), {
        url: REVOKE_KEY.url(f, 'key_demo_admin'),
      }),
  ];
}

const HEALTH: Endpoint = { operation: 'GET /healthz', method: 'GET', url: () => '/healthz' };
/** Methods workerd passes to the Worker (an unknown token gets workerd's own 501). */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'MKCOL'];
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export function wrongMethods(fixture: Fixture): Case[] {
  const f = fixture;
  const byPath = new Map<string, Endpoint[]>();
  for (const endpoint of [...ENDPOINTS, HEALTH]) {
    const path = endpoint.operation.split(' ')[1] ?? '';
    byPath.set(path, [...(byPath.get(path) ?? []), endpoint]);
  }
  return [...byPath].flatMap(([path, endpoints]): Case[] => {
    const routed = new Set(endpoints.map((endpoint) => endpoint.method));
    // `OPTIONS /v1/collect` is the CORS preflight.
    if (path === '/v1/collect') routed.add('OPTIONS');
    const endpoint = endpoints[0] as Endpoint;
    return METHODS.filter((method) => !routed.has(method)).map(
      (method): Case =>
        () =>
          draft(endpoint, f, 'a method the route does not have', refusal('method_not_allowed'), {
            method,
            operation: `${method} ${path}`,
            // The strongest key, and a valid body where the method carries one: only the
            // method is wrong.
            ...(endpoint.role ? { authorization: bearer('admin') } : {}),
            body: WITH_BODY.has(method)
              ? json(endpoints.find((e) => e.json)?.json?.valid(f) ?? {})
              : null,
            contentType: 'application/json',
          }),
    );
  });
}
