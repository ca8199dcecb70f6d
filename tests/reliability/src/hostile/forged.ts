// Forged and expired tokens on the open pixel and click redirect, and forged pagination cursors.
// A link token that fails its check is a 404 that redirects nowhere and records nothing (README
// "Tracked email links"); an authentic but expired one still has a reply of its own (the pixel,
// a redirect without tracking), so the expired tokens here are each also wrong in another way.
// The authentic expired ones are a separate case in hostile.test.ts.
import {
  AUDIENCES,
  CANDIDATE_ENGAGEMENTS,
  CLICK,
  draft,
  type Endpoint,
  type Fixture,
  OPEN,
  refusal,
} from './endpoints.js';
import type { Case, Rng } from './rng.js';
import { long } from './spoil.js';
import { base64urlJson, LONG_AGO, type Payload, payloadOf, sign, withPayload } from './tokens.js';
import { forgedWebhooks } from './webhooks.js';

const B64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

/** `token` with one character of its signature changed. The last character is left alone: of a
 * 32-byte signature it carries 2 padding bits, so changing it may not change the bytes. */
function flipSignature(r: Rng, token: string): string {
  const [body = '', sig = ''] = token.split('.');
  const at = r.int(0, sig.length - 2);
  const old = sig[at] ?? 'A';
  let replacement = r.pick(B64URL);
  if (replacement === old) replacement = old === 'A' ? 'B' : 'A';
  return `${body}.${sig.slice(0, at)}${replacement}${sig.slice(at + 1)}`;
}

/** A forgery that came out as the genuine token (a rewrite to the same values) is spoiled further. */
function differs(forged: string, genuine: string): string {
  return forged === genuine ? `${forged}A` : forged;
}

function truncate(r: Rng, token: string): string {
  return token.slice(0, r.int(1, token.length - 2));
}

const FUTURE = Math.floor(Date.UTC(2100, 0, 1) / 1000);

/** How a genuine token can be spoiled; each result fails its check. */
type Forgery = [label: string, forge: (r: Rng, token: string, other: string) => string];

function forgeries(fixture: Fixture): Forgery[] {
  const secret = fixture.tokenSecret;
  return [
    ['signature altered', (r, token) => flipSignature(r, token)],
    ['signature truncated', (r, token) => token.slice(0, token.indexOf('.') + 1 + r.int(0, 40))],
    ['token truncated', (r, token) => truncate(r, token)],
    ['payload of the other link token', (_r, token, other) => withPayload(token, payloadOf(other))],
    [
      'payload rewritten, signature kept',
      (r, token) =>
        withPayload(token, {
          ...payloadOf(token),
          ...r.pick<Payload>([
            { c: 'someone-else' },
            { u: 'https://evil.test/phish' },
            { x: FUTURE },
            { l: 'another-link' },
            { t: 2 },
            { i: 3 },
          ]),
        }),
    ],
    [
      'signed with another secret',
      (r, token) =>
        sign(r.pick(['not-the-secret', `${secret} `, secret.slice(1)]), payloadOf(token)),
    ],
    ['no signature', (r, token) => r.pick([token.split('.')[0] ?? '', `${token.split('.')[0]}.`])],
    ['three parts', (r, token) => r.pick([`${token}.${token.split('.')[1]}`, `x.${token}`])],
    [
      'standard base64 with padding',
      (_r, token) => `${token.replaceAll('-', '+').replaceAll('_', '/')}==`,
    ],
    [
      'random base64url',
      (r) => {
        let out = '';
        const n = r.int(8, 300);
        for (let i = 0; i < n; i++) out += r.pick(B64URL);
        return `${out.slice(0, n >> 1)}.${out.slice(n >> 1)}`;
      },
    ],
    [
      'over 2048 characters',
      (r, token) => `${token}${long(r.int(2049, 4096) - token.length, 'A')}`,
    ],
    // Past the path parameter's own limit (4096): still a link that fails its check (README).
    [
      'over 4096 characters',
      (r, token) => `${token}${long(r.int(4097, 7000) - token.length, 'A')}`,
    ],
    [
      'authentic, malformed payload',
      (r, token) =>
        sign(
          secret,
          r.pick<Payload>([
            { ...payloadOf(token), c: '' },
            { ...payloadOf(token), c: undefined },
            { ...payloadOf(token), x: '2100-01-01' },
            { ...payloadOf(token), o: 5 },
            { ...payloadOf(token), k: undefined },
          ]),
        ),
    ],
  ];
}

/** Authentic click tokens whose destination is no http(s) URL: nowhere to redirect to. */
const BAD_DESTINATIONS = [
  'javascript:alert(document.cookie)',
  'data:text/html,<script>alert(1)</script>',
  '//evil.test/x',
  'vbscript:msgbox(1)',
  'not a url',
  '',
];

export function forgedTokens(fixture: Fixture): Case[] {
  const f = fixture;
  const secret = f.tokenSecret;
  const pairs: [Endpoint, string, string][] = [
    [OPEN, f.openToken, f.clickToken],
    [CLICK, f.clickToken, f.openToken],
  ];
  const click = payloadOf(f.clickToken);
  return [
    ...pairs.flatMap(([endpoint, token, other]) =>
      forgeries(f).map(
        ([label, forge]): Case =>
          (r) =>
            draft(endpoint, f, label, refusal('not_found'), {
              url: endpoint.url(f, differs(forge(r, token, other), token)),
            }),
      ),
    ),
    // Authentic tokens used where another kind is expected.
    () =>
      draft(OPEN, f, 'authentic token of another kind', refusal('not_found'), {
        url: OPEN.url(f, f.clickToken),
      }),
    () =>
      draft(CLICK, f, 'authentic token of another kind', refusal('not_found'), {
        url: CLICK.url(f, f.openToken),
      }),
    (r) =>
      draft(r.pick([OPEN, CLICK]), f, 'authentic identity token', refusal('not_found'), {
        url: `/v1/${r.pick(['o', 'c'])}/${f.identityToken}`,
      }),
    (r) =>
      draft(CLICK, f, 'authentic click token to no http(s) URL', refusal('not_found'), {
        url: CLICK.url(f, sign(secret, { ...click, x: FUTURE, u: r.pick(BAD_DESTINATIONS) })),
      }),
    () =>
      draft(CLICK, f, 'authentic click token without a destination', refusal('not_found'), {
        url: CLICK.url(f, sign(secret, { ...click, x: FUTURE, u: undefined })),
      }),
    (r) =>
      draft(r.pick([OPEN, CLICK]), f, 'token with an encoded slash', refusal('not_found'), {
        url: `/v1/${r.pick(['o', 'c'])}/${f.openToken.replace('.', '%2F')}`,
      }),
    (r) => draft(OPEN, f, 'no token', refusal('not_found'), { url: r.pick(['/v1/o/', '/v1/o//']) }),
    (r) =>
      draft(CLICK, f, 'no token', refusal('not_found'), { url: r.pick(['/v1/c/', '/v1/c//']) }),
    ...forgedCursors(f),
    ...forgedWebhooks(f),
  ];
}

/** Cursors are unsigned base64url JSON; a cursor the API did not make is a 400. */
function forgedCursors(fixture: Fixture): Case[] {
  const listUrl = (cursor: string) =>
    `/v1/candidates/${fixture.candidate}/engagements?limit=5&cursor=${cursor}`;
  const audienceUrl = (cursor: string) => `/v1/audiences?limit=5&cursor=${cursor}`;
  const shapes: [string, unknown[]][] = [
    // Wrong shapes for an engagement cursor `{t, id}`, including the audience's `{k, id}`.
    [
      'engagements',
      [
        { t: '1', id: 'x' },
        { t: 1 },
        { id: 'x' },
        [1, 'x'],
        'x',
        null,
        5,
        { t: 1, id: 5 },
        { k: 1, id: 'x' },
      ],
    ],
    // And for an audience cursor `{k, id}`, including the engagement list's `{t, id}`.
    [
      'audiences',
      [{ k: '1', id: 'x' }, { k: 1 }, { id: 1 }, [null, 'x'], true, { t: 1, id: 'x' }, {}],
    ],
  ];
  const raw = [
    'abc+/def==',
    'eyJ0IjoxLCJpZCI6IngifQ==',
    Buffer.from('garbage{').toString('base64url'),
    long(513, 'A'),
    fixture.identityToken,
    '..',
    'eyJ0Ijox%00',
  ];
  return [
    ...shapes.map(
      ([where, values]): Case =>
        (r) => {
          const cursor = base64urlJson(r.pick(values));
          return where === 'engagements'
            ? draft(CANDIDATE_ENGAGEMENTS, fixture, 'forged cursor', refusal('invalid_request'), {
                url: listUrl(cursor),
              })
            : draft(AUDIENCES, fixture, 'forged cursor', refusal('invalid_request'), {
                url: audienceUrl(cursor),
              });
        },
    ),
    (r) =>
      draft(
        CANDIDATE_ENGAGEMENTS,
        fixture,
        'cursor that is no base64url JSON',
        refusal('invalid_request'),
        {
          url: listUrl(encodeURIComponent(r.pick(raw)).replace('%2500', '%00')),
        },
      ),
    (r) =>
      draft(AUDIENCES, fixture, 'cursor that is no base64url JSON', refusal('invalid_request'), {
        url: audienceUrl(encodeURIComponent(r.pick(raw)).replace('%2500', '%00')),
      }),
  ];
}

/** Authentic tokens past their expiry, each also wrong in another way. */
export function expiredTokens(fixture: Fixture): Case[] {
  const f = fixture;
  const secret = f.tokenSecret;
  const open = { ...payloadOf(f.openToken), x: LONG_AGO };
  const click = { ...payloadOf(f.clickToken), x: LONG_AGO };
  const identity = { ...payloadOf(f.identityToken), x: LONG_AGO };
  const expiredOpen = sign(secret, open);
  const expiredClick = sign(secret, click);
  const pick = (r: Rng) =>
    r.pick<[Endpoint, string]>([
      [OPEN, expiredOpen],
      [CLICK, expiredClick],
    ]);
  return [
    () =>
      draft(CLICK, f, 'expired token of another kind', refusal('not_found'), {
        url: CLICK.url(f, expiredOpen),
      }),
    () =>
      draft(OPEN, f, 'expired token of another kind', refusal('not_found'), {
        url: OPEN.url(f, expiredClick),
      }),
    (r) =>
      draft(r.pick([OPEN, CLICK]), f, 'expired identity token', refusal('not_found'), {
        url: `/v1/${r.pick(['o', 'c'])}/${sign(secret, identity)}`,
      }),
    (r) =>
      draft(CLICK, f, 'expired click token to no http(s) URL', refusal('not_found'), {
        url: CLICK.url(f, sign(secret, { ...click, u: r.pick(BAD_DESTINATIONS) })),
      }),
    () =>
      draft(CLICK, f, 'expired click token without a destination', refusal('not_found'), {
        url: CLICK.url(f, sign(secret, { ...click, u: undefined })),
      }),
    (r) => {
      const [endpoint, token] = pick(r);
      return draft(endpoint, f, 'expired token, signature altered', refusal('not_found'), {
        url: endpoint.url(f, flipSignature(r, token)),
      });
    },
    (r) => {
      const [endpoint, token] = pick(r);
      return draft(endpoint, f, 'expired token, expiry moved to the future', refusal('not_found'), {
        url: endpoint.url(f, withPayload(token, { ...payloadOf(token), x: FUTURE })),
      });
    },
    (r) => {
      const [endpoint, token] = pick(r);
      return draft(endpoint, f, 'expired token, truncated', refusal('not_found'), {
        url: endpoint.url(f, truncate(r, token)),
      });
    },
    (r) => {
      const [endpoint, token] = pick(r);
      return draft(endpoint, f, 'expired token signed with another secret', refusal('not_found'), {
        url: endpoint.url(f, sign('not-the-secret', payloadOf(token))),
      });
    },
    (r) => {
      const [endpoint, token] = pick(r);
      const live = endpoint === OPEN ? f.openToken : f.clickToken;
      return draft(endpoint, f, 'live payload under an expired signature', refusal('not_found'), {
        url: endpoint.url(f, withPayload(token, payloadOf(live))),
      });
    },
    (r) => {
      const [endpoint, token] = pick(r);
      return draft(endpoint, f, 'expiry that is not a number', refusal('not_found'), {
        url: endpoint.url(
          f,
          sign(secret, { ...payloadOf(token), x: r.pick(['2020-01-01', null, [LONG_AGO]]) }),
        ),
      });
    },
  ];
}
