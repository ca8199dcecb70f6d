// Script and SQL-looking strings where the API must refuse them: as engagement types, page URLs
// and link destinations, site keys, visitor ids, Origin headers, path and query parameters, API
// keys, cursors, settings. (In free text, such as an engagement's detail of a valid type, they are
// data and are stored as such; queries bind them as parameters.)
import {
  AUDIENCES,
  CANDIDATE_ENGAGEMENTS,
  CLICK,
  COLLECT,
  CREATE_KEY,
  draft,
  ENGAGEMENTS,
  type Fixture,
  GET_TAGS,
  IDENTITY,
  KEYED_ENDPOINTS,
  LINK_VISITOR,
  LINKS,
  OPEN,
  PURGE,
  PUT_SETTINGS,
  REDELIVER_WEBHOOK,
  REPORTS,
  REVOKE_KEY,
  refusal,
  SCORE,
  SCORE_HISTORY,
  TIER_HISTORY,
  TRACKING_CODE,
} from './endpoints.js';
import type { Case, Rng } from './rng.js';
import { badUrls, type Spoil, spoiled } from './spoil.js';

export const SQL = [
  "' OR 1=1 --",
  "' OR '1'='1",
  "'; DROP TABLE engagements; --",
  '"; DROP TABLE candidates; --',
  '1; DELETE FROM api_keys',
  "admin'--",
  "' UNION SELECT key_hash FROM api_keys --",
  "') OR ('a'='a",
  "1' AND SLEEP(5)#",
  "'); UPDATE sites SET tracking_enabled = 0; --",
  '%27%20OR%201%3D1',
];

export const SCRIPT = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  '<iframe src=javascript:alert(1)>',
  "';alert(String.fromCharCode(88,83,83))//",
  '<body onload=alert(document.cookie)>',
];

/** URLs that must never be a page or a destination of the site. */
export const SCRIPT_URLS = [
  'javascript:alert(document.cookie)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'javascript://careers.reliability.test/%0aalert(1)',
  'https://evil.test/<script>alert(1)</script>',
  '//evil.test/x',
  'https://careers.reliability.test@evil.test/',
  'https://evil.test/?next=https://careers.reliability.test/',
];

/** Script URLs that are not https to a public name (others would be valid webhook URLs). */
const SCRIPT_WEBHOOKS = [
  'javascript:alert(document.cookie)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  '//evil.test/x',
  'https://careers.reliability.test@evil.test/',
];

const ANY = [...SQL, ...SCRIPT];
const pickAny = (r: Rng) => r.pick(ANY);
const enc = encodeURIComponent;

export function injection(fixture: Fixture): Case[] {
  const f = fixture;
  const q = (base: string, name: string) => (r: Rng) => `${base}${name}=${enc(pickAny(r))}`;
  const candidateBase = `/v1/candidates/${f.candidate}/engagements?`;
  const collectSpoils: Spoil[] = [
    ['injection as the event type', 'unknown_type', { 'events.0.type': (r: Rng) => pickAny(r) }],
    [
      'script or SQL as the page URL',
      'url_not_allowed',
      { 'events.0.url': (r: Rng) => r.pick([...SCRIPT_URLS, ...SQL]) },
    ],
    ['SQL as the site key', 'unknown_site', { site: (r: Rng) => r.pick(SQL) }],
    ['injection as the visitor id', 'invalid_request', { 'visitor.id': (r: Rng) => pickAny(r) }],
    [
      'script form name on an unknown event type',
      'unknown_type',
      { 'events.0.type': 'submit_fom', 'events.0.form': (r: Rng) => r.pick(SCRIPT) },
    ],
  ];
  const engagementSpoils: Spoil[] = [
    [
      'injection as the engagement type',
      'unknown_type',
      { 'engagements.0.type': (r: Rng) => pickAny(r) },
    ],
    [
      'script detail on an unknown type',
      'unknown_type',
      { 'engagements.0.type': 'page_view', 'engagements.0.detail': (r: Rng) => r.pick(SCRIPT) },
    ],
    [
      'script detail with a date out of range',
      'date_out_of_range',
      {
        'engagements.0.detail': (r: Rng) => r.pick(SCRIPT),
        'engagements.0.occurredAt': '1999-01-01T00:00:00Z',
      },
    ],
  ];
  const settingsSpoils: Spoil[] = [
    [
      'injection as the OneTrust category',
      'invalid_request',
      { onetrustCategory: (r: Rng) => pickAny(r) },
    ],
    ['injection as the consent mode', 'invalid_request', { consentMode: (r: Rng) => pickAny(r) }],
    [
      'script URL as an allowed origin',
      'invalid_request',
      { allowedOrigins: (r: Rng) => [r.pick(SCRIPT_URLS)] },
    ],
    [
      'SQL as a link-allowlist origin',
      'invalid_request',
      { linkAllowlist: (r: Rng) => [r.pick(SQL)] },
    ],
    [
      'script URL as the webhook URL',
      'invalid_request',
      { webhookUrl: (r: Rng) => r.pick(SCRIPT_WEBHOOKS) },
    ],
  ];
  return [
    ...spoiled(COLLECT, f, collectSpoils),
    (r) =>
      draft(COLLECT, f, 'script URL as the Origin header', refusal('origin_not_allowed'), {
        headers: { origin: r.pick(SCRIPT_URLS).trim() },
      }),
    ...spoiled(ENGAGEMENTS, f, engagementSpoils),
    ...spoiled(LINKS, f, [
      [
        'script or SQL as a destination',
        'url_not_allowed',
        { destinations: (r: Rng) => [r.pick([...SCRIPT_URLS, ...SQL])] },
      ],
    ]),
    ...spoiled(PUT_SETTINGS, f, settingsSpoils),
    ...spoiled(CREATE_KEY, f, [
      ['injection as the role', 'invalid_request', { role: (r: Rng) => pickAny(r) }],
    ]),
    ...spoiled(IDENTITY, f, [
      ['injection as ttlSeconds', 'invalid_request', { ttlSeconds: (r: Rng) => pickAny(r) }],
    ]),
    ...badUrls(LINK_VISITOR, f, [
      ['injection as the visitor id', 'invalid_request', (r) => LINK_VISITOR.url(f, pickAny(r))],
    ]),
    // Path parameters: looked up as plain values and not found.
    ...badUrls(SCORE, f, [
      ['injection as the candidate id', 'not_found', (r) => SCORE.url(f, pickAny(r))],
    ]),
    ...badUrls(SCORE_HISTORY, f, [
      ['injection as the candidate id', 'not_found', (r) => SCORE_HISTORY.url(f, pickAny(r))],
    ]),
    ...badUrls(GET_TAGS, f, [
      ['injection as the candidate id', 'not_found', (r) => GET_TAGS.url(f, pickAny(r))],
    ]),
    ...badUrls(CANDIDATE_ENGAGEMENTS, f, [
      [
        'injection as the candidate id',
        'not_found',
        (r) => CANDIDATE_ENGAGEMENTS.url(f, pickAny(r)),
      ],
      ['injection as the type', 'unknown_type', q(candidateBase, 'type')],
      ['injection as from', 'invalid_request', q(candidateBase, 'from')],
      ['injection as the limit', 'invalid_request', q(candidateBase, 'limit')],
      ['injection as the cursor', 'invalid_request', q(candidateBase, 'cursor')],
    ]),
    ...badUrls(PURGE, f, [
      ['injection as the candidate id', 'not_found', (r) => PURGE.url(f, pickAny(r))],
    ]),
    ...badUrls(REVOKE_KEY, f, [
      ['injection as the key id', 'not_found', (r) => REVOKE_KEY.url(f, pickAny(r))],
    ]),
    ...badUrls(REDELIVER_WEBHOOK, f, [
      ['injection as the delivery id', 'not_found', (r) => REDELIVER_WEBHOOK.url(f, pickAny(r))],
    ]),
    ...badUrls(AUDIENCES, f, [
      ['injection as the tier', 'invalid_request', q('/v1/audiences?', 'tier')],
      [
        'injection as lastEngagedBefore',
        'invalid_request',
        q('/v1/audiences?', 'lastEngagedBefore'),
      ],
      ['injection as tagMatch', 'invalid_request', q('/v1/audiences?tags=java&', 'tagMatch')],
      ['injection as the cursor', 'invalid_request', q('/v1/audiences?', 'cursor')],
    ]),
    ...badUrls(REPORTS, f, [
      ['injection as from', 'invalid_request', q('/v1/reports/tiers?', 'from')],
    ]),
    ...badUrls(TIER_HISTORY, f, [
      ['injection as to', 'invalid_request', q('/v1/reports/tier-history?', 'to')],
    ]),
    ...badUrls(SCORE_HISTORY, f, [
      [
        'injection as days',
        'invalid_request',
        q(`/v1/candidates/${f.candidate}/score-history?`, 'days'),
      ],
    ]),
    ...badUrls(TRACKING_CODE, f, [
      [
        'injection as consent',
        'invalid_request',
        q('/v1/settings/engagement/tracking-code?', 'consent'),
      ],
    ]),
    ...badUrls(OPEN, f, [['injection as the token', 'not_found', (r) => OPEN.url(f, pickAny(r))]]),
    ...badUrls(CLICK, f, [
      ['injection as the token', 'not_found', (r) => CLICK.url(f, pickAny(r))],
    ]),
    ...KEYED_ENDPOINTS.map(
      (endpoint): Case =>
        (r) =>
          draft(endpoint, f, 'injection as the API key', refusal('unauthorized'), {
            authorization: `Bearer ${pickAny(r)}`,
          }),
    ),
  ];
}
