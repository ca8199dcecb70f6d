// Unicode edge cases, each where the API must refuse it: bytes that are not UTF-8 and raw control
// characters in the body; direction overrides, zero-width characters, lone surrogates, NUL,
// homoglyphs and non-ASCII digits in enums, keys, ids, dates and origins; very long strings of
// them past a field's limit. (Such text inside a free-text field is valid input, so not here.)
import { text, validText } from './bodies.js';
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
  JSON_ENDPOINTS,
  LINK_VISITOR,
  LINKS,
  MESSAGE_LINK,
  OPEN,
  PURGE,
  PUT_SETTINGS,
  REVOKE_KEY,
  refusal,
  SCORE,
  SCORE_HISTORY,
  SCORES,
  SITE_KEY,
  TAGS,
  TRACKER_SCRIPT,
  TRACKING_CODE,
} from './endpoints.js';
import type { Case, Rng } from './rng.js';
import { badUrls, type Spoil, spoiled } from './spoil.js';

const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf], // overlong "/"
  [0xe0, 0x80, 0xaf], // overlong "/" again
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xe2, 0x82], // truncated sequence
  [0x80], // lone continuation byte
  [0xf8, 0x88, 0x80, 0x80, 0x80], // five-byte form
];
const RAW_CONTROLS = ['\u0000', '\u0001', '\u0008', '\u001f', '\n', '\r', '\t'];

/** Characters that break naive text handling; none is whitespace, so trimming keeps them. */
const TRICKY = [
  '\u202e', // right-to-left override
  '\u202d',
  '\u2066',
  '\u200f',
  '\u200b', // zero-width space
  '\u200d',
  '\u0000',
  '\ud800', // lone surrogates
  '\udfff',
  '\u0301', // combining accent
  '\uffff',
  '\ufffd',
  '😀',
  '𝕏',
  'ש',
  'ب',
  'é',
];
/** Lone surrogates cannot be percent-encoded as UTF-8: they are sent as U+FFFD in URLs. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const enc = (value: string) => encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd'));

/**
 * `n` characters (code points: zod counts string lengths in code points) of tricky ones, sized
 * so the body stays under the route's byte limit and the refusal is about the field. The lone
 * high surrogate is left out here: followed by the lone low one it would make one character.
 */
function tricky(r: Rng, n: number): string {
  const chars = TRICKY.filter((char) => char !== '\ud800');
  return Array.from({ length: n }, () => r.pick(chars)).join('');
}

/**
 * A tricky character spliced into `value` at the start, the end or in between. Not a lone
 * surrogate: any string holding one is refused as not well-formed before its field's own check
 * (`LONE_SURROGATE_CASES`).
 */
function spliced(r: Rng, value: string): string {
  const at = r.pick([0, value.length, r.int(1, value.length - 1)]);
  const chars = TRICKY.filter(
    (char) => !(char.length === 1 && char >= '\ud800' && char <= '\udfff'),
  );
  return value.slice(0, at) + r.pick(chars) + value.slice(at);
}

/** `value` with a lone surrogate (high or low) spliced in, as the contract fuzzer sent ids. */
function withLoneSurrogate(r: Rng, value: string): string {
  const at = r.int(0, value.length);
  return value.slice(0, at) + r.pick(['\ud800', '\udbff', '\udc00', '\udfff']) + value.slice(at);
}

/** Look-alikes: Cyrillic letters, fullwidth forms, non-ASCII digits. */
const HOMOGLYPH_TYPES = [
  'аttend_event',
  'attend_еvent',
  'ａｔｔｅｎｄ＿ｅｖｅｎｔ',
  'attend_event\u0000',
];
const ODD_DIGITS = ['٢٠٢٥-٠٦-٠١T12:00:00Z', '２０２５-06-01T12:00:00Z', '2025-06-01T１２:00:00Z'];
// Hosts that are not the site's but look like it. (Fullwidth letters, U+3002 dots and soft
// hyphens are not here: URL parsing maps those to the site's own host, which is then allowed.)
const LOOKALIKE_URLS = [
  `https://careers.reliаbility.test/jobs/1`, // Cyrillic а
  `https://сareers.reliability.test/jobs/1`, // Cyrillic с
  'https://careers.reliability.test\u202e.evil.test/jobs/1',
  'https://careers.reliability.tes\u0442/jobs/1',
];

export function unicodeCases(fixture: Fixture): Case[] {
  const f = fixture;
  return [
    ...JSON_ENDPOINTS.flatMap((endpoint): Case[] => {
      const json = validText(endpoint, f);
      return [
        (r) =>
          draft(endpoint, f, 'bytes that are not UTF-8', refusal('invalid_json'), {
            body: {
              kind: 'bytes',
              bytes: Uint8Array.from([
                ...Buffer.from('{"u":"a'),
                ...r.pick(INVALID_UTF8),
                ...Buffer.from(`b",${json.slice(1)}`),
              ]),
            },
          }),
        (r) =>
          draft(endpoint, f, 'raw control character in a string', refusal('invalid_json'), {
            body: text(`{"u":"a${r.pick(RAW_CONTROLS)}b",${json.slice(1)}`),
          }),
      ];
    }),
    ...spoiled(ENGAGEMENTS, f, [
      [
        'type with a tricky character',
        'unknown_type',
        { 'engagements.0.type': (r: Rng) => spliced(r, 'attend_event') },
      ],
      [
        'type of look-alike letters',
        'unknown_type',
        { 'engagements.0.type': (r: Rng) => r.pick(HOMOGLYPH_TYPES) },
      ],
      [
        'very long candidateId of tricky characters',
        'invalid_request',
        { 'engagements.0.candidateId': (r: Rng) => tricky(r, r.int(129, 4000)) },
      ],
      [
        'very long id of tricky characters',
        'invalid_request',
        { 'engagements.0.id': (r: Rng) => tricky(r, r.int(129, 4000)) },
      ],
      [
        'very long detail of tricky characters',
        'invalid_request',
        { 'engagements.0.detail': (r: Rng) => tricky(r, r.int(2049, 60_000)) },
      ],
      [
        'occurredAt with non-ASCII digits',
        'invalid_request',
        { 'engagements.0.occurredAt': (r: Rng) => r.pick(ODD_DIGITS) },
      ],
    ]),
    ...spoiled(COLLECT, f, [
      [
        'site key with a tricky character',
        'unknown_site',
        { site: (r: Rng) => spliced(r, SITE_KEY) },
      ],
      [
        'site key of look-alike letters',
        'unknown_site',
        { site: (r: Rng) => r.pick(['рk_rel', 'pk_rеl', 'ｐｋ＿ｒｅｌ']) },
      ],
      [
        'visitor id with a tricky character',
        'invalid_request',
        { 'visitor.id': (r: Rng) => spliced(r, 'visitor_rel_0001') },
      ],
      [
        'event id with a tricky character',
        'invalid_request',
        { 'events.0.id': (r: Rng) => spliced(r, 'evt_rel_00000001') },
      ],
      [
        'event type with a tricky character',
        'unknown_type',
        { 'events.0.type': (r: Rng) => spliced(r, 'visit_landing_page') },
      ],
      [
        'page URL on a look-alike host',
        'url_not_allowed',
        { 'events.0.url': (r: Rng) => r.pick(LOOKALIKE_URLS) },
      ],
      [
        'very long identity of tricky characters',
        'invalid_request',
        { identity: (r: Rng) => tricky(r, r.int(2049, 2300)) },
      ],
      [
        'very long form name of tricky characters',
        'invalid_request',
        {
          'events.0.type': 'submit_form',
          'events.0.form': (r: Rng) => tricky(r, r.int(201, 2000)),
        },
      ],
    ]),
    ...spoiled(LINK_VISITOR, f, [
      [
        'very long candidateId of tricky characters',
        'invalid_request',
        { candidateId: (r: Rng) => tricky(r, r.int(129, 500)) },
      ],
    ]),
    (r) =>
      draft(LINK_VISITOR, f, 'visitorId with a tricky character', refusal('invalid_request'), {
        url: `/v1/visitors/${enc(spliced(r, 'visitor_rel_0001'))}/link`,
      }),
    ...spoiled(CREATE_KEY, f, [
      [
        'name of Unicode spaces only',
        'invalid_request',
        { name: (r: Rng) => r.pick(['\u3000\u2003', '\u00a0', '\u2028\u2029', '\ufeff']) },
      ],
      [
        'very long name of tricky characters',
        'invalid_request',
        { name: (r: Rng) => tricky(r, r.int(101, 500)) },
      ],
      [
        'role of look-alike letters',
        'invalid_request',
        { role: (r: Rng) => r.pick(['usеr', 'ａｄｍｉｎ', 'user\u0000']) },
      ],
    ]),
    ...spoiled(TAGS, f, [
      [
        'tag of Unicode spaces only',
        'invalid_request',
        { tags: (r: Rng) => ['java', r.pick(['\u3000', '\u2003\u2009', '\u00a0'])] },
      ],
      [
        'very long tag of tricky characters',
        'invalid_request',
        { tags: (r: Rng) => [tricky(r, r.int(70, 1000))] },
      ],
    ]),
    ...spoiled(SCORES, f, [
      [
        'very long candidate id of tricky characters',
        'invalid_request',
        { candidateIds: (r: Rng) => [f.candidate, tricky(r, r.int(129, 1500))] },
      ],
    ]),
    ...spoiled(LINKS, f, [
      [
        'very long subject of tricky characters',
        'invalid_request',
        { subject: (r: Rng) => tricky(r, r.int(501, 6000)) },
      ],
      [
        'very long candidateId of tricky characters',
        'invalid_request',
        { candidateId: (r: Rng) => tricky(r, r.int(129, 1500)) },
      ],
      [
        'destination on a look-alike host',
        'url_not_allowed',
        { destinations: (r: Rng) => [r.pick(LOOKALIKE_URLS)] },
      ],
    ]),
    ...spoiled(IDENTITY, f, [
      [
        'very long candidateId of tricky characters',
        'invalid_request',
        { candidateId: (r: Rng) => tricky(r, r.int(129, 500)) },
      ],
    ]),
    ...spoiled(PUT_SETTINGS, f, SETTINGS_SPOILS),
    ...badUrls(SCORE, f, [
      [
        'very long candidateId of tricky characters',
        'invalid_request',
        (r) => SCORE.url(f, tricky(r, r.int(129, 600)).replace(LONE_SURROGATE, '\ufffd')),
      ],
    ]),
    // Ids with tricky characters are looked up and not found (reads), or refused by a pattern.
    ...badUrls(
      SCORE,
      f,
      rawIds(f.candidate, (id) => `/v1/candidates/${id}/score`, 'not_found'),
    ),
    ...badUrls(
      SCORE_HISTORY,
      f,
      rawIds(f.candidate, (id) => `/v1/candidates/${id}/score-history`, 'not_found'),
    ),
    ...badUrls(
      GET_TAGS,
      f,
      rawIds(f.candidate, (id) => `/v1/candidates/${id}/tags`, 'not_found'),
    ),
    ...badUrls(
      CANDIDATE_ENGAGEMENTS,
      f,
      rawIds(f.candidate, (id) => `/v1/candidates/${id}/engagements`, 'not_found'),
    ),
    ...badUrls(
      PURGE,
      f,
      rawIds(f.candidate, (id) => `/v1/candidates/${id}`, 'not_found'),
    ),
    ...badUrls(
      REVOKE_KEY,
      f,
      rawIds('key_demo_user', (id) => `/v1/keys/${id}`, 'not_found'),
    ),
    ...badUrls(
      LINK_VISITOR,
      f,
      rawIds('visitor_rel_0001', (id) => `/v1/visitors/${id}/link`, 'invalid_request'),
    ),
    ...badUrls(
      OPEN,
      f,
      rawIds(f.openToken, (id) => `/v1/o/${id}`, 'not_found'),
    ),
    ...badUrls(
      CLICK,
      f,
      rawIds(f.clickToken, (id) => `/v1/c/${id}`, 'not_found'),
    ),
    ...badUrls(
      MESSAGE_LINK,
      f,
      rawIds('Unknown-Code_001', (id) => `/v1/m/${id}`, 'not_found'),
    ),
    ...badUrls(TRACKER_SCRIPT, f, [
      [
        'very long site key of tricky characters',
        'invalid_request',
        (r) => `/t.js?site=${enc(tricky(r, r.int(101, 600)))}`,
      ],
    ]),
    ...badUrls(CANDIDATE_ENGAGEMENTS, f, [
      [
        'limit in Arabic-Indic digits',
        'invalid_request',
        `/v1/candidates/${f.candidate}/engagements?limit=${enc('٥')}`,
      ],
      [
        'from in fullwidth digits',
        'invalid_request',
        `/v1/candidates/${f.candidate}/engagements?from=${enc('２０２５-01-01')}`,
      ],
      [
        'type with a zero-width space',
        'unknown_type',
        `/v1/candidates/${f.candidate}/engagements?type=${enc('attend_event\u200b')}`,
      ],
      [
        'cursor with a direction override',
        'invalid_request',
        `/v1/candidates/${f.candidate}/engagements?cursor=${enc('eyJ0\u202eIjox')}`,
      ],
    ]),
    ...badUrls(SCORE_HISTORY, f, [
      [
        'days in fullwidth digits',
        'invalid_request',
        `/v1/candidates/${f.candidate}/score-history?days=${enc('３０')}`,
      ],
    ]),
    ...badUrls(AUDIENCES, f, [
      ['tier with NUL', 'invalid_request', `/v1/audiences?tier=${enc('engaged\u0000')}`],
      [
        'tagMatch with a zero-width joiner',
        'invalid_request',
        `/v1/audiences?tags=java&tagMatch=${enc('all\u200d')}`,
      ],
      [
        'lastEngagedAfter in Arabic-Indic digits',
        'invalid_request',
        `/v1/audiences?lastEngagedAfter=${enc('٢٠٢٥-٠١-٠١')}`,
      ],
    ]),
    ...loneSurrogateCases(f),
    ...badUrls(TRACKING_CODE, f, [
      [
        'consent of look-alike letters',
        'invalid_request',
        `/v1/settings/engagement/tracking-code?consent=${enc('nоne')}`,
      ],
    ]),
  ];
}

const SETTINGS_SPOILS: Spoil[] = [
  [
    'onetrustCategory with non-ASCII digits',
    'invalid_request',
    { onetrustCategory: (r: Rng) => r.pick(['C٠٠٠٤', 'Ｃ0004', 'C0004\u200b']) },
  ],
  [
    'consentMode with a tricky character',
    'invalid_request',
    { consentMode: (r: Rng) => spliced(r, 'manual') },
  ],
  [
    'allowed origin on a look-alike host',
    'invalid_request',
    {
      allowedOrigins: (r: Rng) => [
        r.pick(['https://careers.reliаbility.test', 'https://сareers.example.com']),
      ],
    },
  ],
  [
    'link-allowlist origin with a tricky character',
    'invalid_request',
    { linkAllowlist: (r: Rng) => [`https://events.example.com${r.pick(TRICKY)}`] },
  ],
];

/** Ids with raw percent-escapes: NUL, a direction override, bytes that are not UTF-8. */
function rawIds(
  id: string,
  url: (id: string) => string,
  code: 'not_found' | 'invalid_request',
): [string, 'not_found' | 'invalid_request', string][] {
  return [
    ['id with NUL appended', code, url(`${id}%00`)],
    ['id behind a direction override', code, url(`%E2%80%AE${id}`)],
    ['id with a zero-width space', code, url(`${id.slice(0, 4)}%E2%80%8B${id.slice(4)}`)],
    // Escapes that are not UTF-8 are refused before any lookup, naming the parameter (issue 19).
    ['id of bytes that are not UTF-8', 'invalid_request', url('%ED%A0%80%FF%FE')],
    ['id with an overlong slash', 'invalid_request', url(`${id}%C0%AF`)],
    ['id with a lone surrogate encoded as UTF-8', 'invalid_request', url(`%ED%A0%80${id}`)],
  ];
}

/**
 * Lone surrogates, as the contract fuzzer sent them (issue 19): in a JSON body (a value or a
 * property name) they are refused as not well-formed before the field's own check, whatever the
 * field; in a URL (as the UTF-8 bytes of a surrogate, which are not UTF-8) likewise.
 */
function loneSurrogateCases(f: Fixture): Case[] {
  return [
    ...spoiled(ENGAGEMENTS, f, [
      [
        'candidateId with a lone surrogate',
        'invalid_request',
        { 'engagements.0.candidateId': (r: Rng) => withLoneSurrogate(r, f.candidate) },
      ],
      [
        'type with a lone surrogate',
        'invalid_request',
        { 'engagements.0.type': (r: Rng) => withLoneSurrogate(r, 'attend_event') },
      ],
    ]),
    ...spoiled(COLLECT, f, [
      [
        'site key with a lone surrogate',
        'invalid_request',
        { site: (r: Rng) => withLoneSurrogate(r, SITE_KEY) },
      ],
    ]),
    ...spoiled(LINKS, f, [
      [
        'candidateId with a lone surrogate',
        'invalid_request',
        { candidateId: (r: Rng) => withLoneSurrogate(r, f.candidate) },
      ],
    ]),
    ...spoiled(TAGS, f, [
      [
        'tag with a lone surrogate',
        'invalid_request',
        { tags: (r: Rng) => [withLoneSurrogate(r, 'java')] },
      ],
    ]),
    // The JSON escape itself in the text (a raw surrogate would be sent as U+FFFD).
    ...JSON_ENDPOINTS.map(
      (endpoint): Case =>
        (r) =>
          draft(endpoint, f, 'property name with a lone surrogate', refusal('invalid_request'), {
            body: text(
              `{"x${r.pick(['\\ud800', '\\udfff'])}":1,${validText(endpoint, f).slice(1)}`,
            ),
          }),
    ),
    ...badUrls(CANDIDATE_ENGAGEMENTS, f, [
      [
        'from of a lone surrogate',
        'invalid_request',
        `/v1/candidates/${f.candidate}/engagements?from=%ED%A0%80`,
      ],
    ]),
    ...badUrls(AUDIENCES, f, [
      ['a tag of a lone surrogate', 'invalid_request', '/v1/audiences?tags=java,%ED%B0%80'],
      ['a parameter name not UTF-8', 'invalid_request', '/v1/audiences?%FF=1'],
    ]),
    ...badUrls(TRACKER_SCRIPT, f, [
      ['site key of a lone surrogate', 'invalid_request', `/t.js?site=${SITE_KEY}%ED%A0%80`],
    ]),
  ];
}
