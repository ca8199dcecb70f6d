// The texting provider's webhooks (`POST /v1/providers/twilio/status|inbound`): no key, a form
// body that must carry a valid `X-Twilio-Signature` (HMAC-SHA1 with the account's auth token over
// the URL called and the sorted parameters). The suite's worker has a provider configured
// (TWILIO_TEST, passed as `--var`s), so a post that is unsigned, signed with another token or over
// another URL is a 403 that changes nothing, and one over the size limit a 413.
import { createHmac } from 'node:crypto';
import { draft, type Endpoint, type Fixture, TWILIO_INBOUND, TWILIO_STATUS } from './endpoints.js';
import type { Case, Rng } from './rng.js';
import { long } from './spoil.js';

/** The provider account the suite's worker is configured with (never called: its API base is a
 * closed port). */
export const TWILIO_TEST = {
  sid: 'AC00000000000000000000000000000000',
  token: 'hostile-suite-auth-token',
  apiBase: 'http://127.0.0.1:9',
} as const;

/** `--var`s for `wrangler dev` that configure TWILIO_TEST. */
export const TWILIO_WORKER_ARGS = [
  '--var',
  `TWILIO_ACCOUNT_SID:${TWILIO_TEST.sid}`,
  '--var',
  `TWILIO_AUTH_TOKEN:${TWILIO_TEST.token}`,
  '--var',
  `TWILIO_API_BASE:${TWILIO_TEST.apiBase}`,
];

const FORM = 'application/x-www-form-urlencoded';
const MAX_BYTES = 16 * 1024;

/** What the provider would post to each webhook (for the demo organisation's numbers). */
function params(endpoint: Endpoint, r: Rng): Record<string, string> {
  const sid = `SM${r.int(0, 0xffff).toString(16).padStart(32, '0')}`;
  return endpoint === TWILIO_STATUS
    ? { MessageSid: sid, MessageStatus: r.pick(['delivered', 'failed', 'undelivered', 'sent']) }
    : {
        MessageSid: sid,
        From: '+447400123456',
        To: '+14155550100',
        Body: r.pick(['STOP', 'START', 'HELP', 'hello', 'UNSUBSCRIBE']),
      };
}

/** Twilio's signature scheme: base64 HMAC-SHA1 of the URL and the sorted name-value pairs. */
function signature(token: string, url: string, form: Record<string, string>): string {
  const data =
    url +
    Object.keys(form)
      .sort()
      .map((name) => `${name}${form[name]}`)
      .join('');
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

const encode = (form: Record<string, string>) => new URLSearchParams(form).toString();

const forbidden = { status: 403, code: 'forbidden' } as const;

function post(
  endpoint: Endpoint,
  f: Fixture,
  label: string,
  form: Record<string, string>,
  sig: string | null,
  expect = forbidden,
) {
  return draft(endpoint, f, label, expect, {
    body: { kind: 'text', text: encode(form) },
    contentType: FORM,
    ...(sig === null ? {} : { headers: { 'x-twilio-signature': sig } }),
  });
}

const OTHER_URLS = [
  'https://evil.test/v1/providers/twilio/inbound',
  'https://api.cxm.example/v1/providers/twilio/status',
  'http://localhost/v1/providers/twilio/inbound',
];

/** Forged provider posts (category forged-token). */
export function forgedWebhooks(fixture: Fixture): Case[] {
  const f = fixture;
  return [TWILIO_STATUS, TWILIO_INBOUND].flatMap((endpoint): Case[] => [
    (r) => post(endpoint, f, 'provider post without a signature', params(endpoint, r), null),
    (r) =>
      post(
        endpoint,
        f,
        'provider post with a garbage signature',
        params(endpoint, r),
        r.pick(['', 'x', 'null', long(28, 'A'), 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=', long(2000)]),
      ),
    (r) => {
      const form = params(endpoint, r);
      const url = `http://127.0.0.1${endpoint.url(f)}`;
      return post(
        endpoint,
        f,
        'provider post signed with another auth token',
        form,
        signature(r.pick(['', 'guess', `${TWILIO_TEST.token}x`, 'AC00']), url, form),
      );
    },
    (r) => {
      const form = params(endpoint, r);
      return post(
        endpoint,
        f,
        'provider post signed with the right token over another URL',
        form,
        signature(TWILIO_TEST.token, r.pick(OTHER_URLS), form),
      );
    },
    (r) => {
      // Signed parameters, then one changed: the STOP someone else's number would send.
      const form = params(endpoint, r);
      const sig = signature(TWILIO_TEST.token, r.pick(OTHER_URLS), form);
      return post(
        endpoint,
        f,
        'provider post with parameters changed after signing',
        {
          ...form,
          From: '+447400999999',
          Body: 'STOP',
        },
        sig,
      );
    },
    (r) =>
      draft(endpoint, f, 'provider post with a JSON body', forbidden, {
        body: { kind: 'text', text: JSON.stringify(params(endpoint, r)) },
        contentType: 'application/json',
      }),
  ]);
}

/** Provider posts over the webhook's 16 KiB (category huge-body). */
export function hugeWebhooks(fixture: Fixture): Case[] {
  return [TWILIO_STATUS, TWILIO_INBOUND].flatMap((endpoint): Case[] =>
    [false, true].map(
      (chunked): Case =>
        (r) => {
          const form = encode(params(endpoint, r));
          return draft(
            endpoint,
            fixture,
            `provider post over the limit${chunked ? ', chunked' : ''}`,
            { status: 413, code: 'payload_too_large' },
            {
              body: {
                kind: 'repeat',
                head: `${form}&Pad=`,
                unit: 'x',
                count: MAX_BYTES + r.int(1, 8 * 1024),
                tail: '',
              },
              contentType: FORM,
              headers: { 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
              ...(chunked ? { chunked: true } : {}),
            },
          );
        },
    ),
  );
}
