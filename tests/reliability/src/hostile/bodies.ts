// Hostile bodies: broken JSON, bodies over the route's limit, deep nesting. Each is the route's
// valid request with its body spoiled in one way, sent with a key of the route's role, so the
// only reason to refuse it is the body.
import {
  draft,
  type Endpoint,
  type Fixture,
  type HostileBody,
  JSON_ENDPOINTS,
  type JsonInput,
  refusal,
} from './endpoints.js';
import type { Case, Rng } from './rng.js';
import type { Body } from './spoil.js';
import { hugeWebhooks } from './webhooks.js';

const utf8 = new TextEncoder();

export function text(value: string): HostileBody {
  return { kind: 'text', text: value };
}

function bytes(...parts: (Uint8Array | number[] | string)[]): HostileBody {
  const chunks = parts.map((part) =>
    typeof part === 'string' ? utf8.encode(part) : Uint8Array.from(part),
  );
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return { kind: 'bytes', bytes: out };
}

function utf16(value: string, bigEndian: boolean): Uint8Array {
  const out = new Uint8Array(value.length * 2);
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    out[i * 2 + (bigEndian ? 1 : 0)] = unit & 0xff;
    out[i * 2 + (bigEndian ? 0 : 1)] = unit >> 8;
  }
  return out;
}

export function inputOf(endpoint: Endpoint): JsonInput {
  if (!endpoint.json) throw new Error(`${endpoint.operation} takes no body`);
  return endpoint.json;
}

/** The route's valid body as JSON text. */
export function validText(endpoint: Endpoint, fixture: Fixture): string {
  return JSON.stringify(inputOf(endpoint).valid(fixture));
}

const BOM = [0xef, 0xbb, 0xbf];
const GARBAGE = ['x', '}', ']', ',', '{}', 'null', ';DROP TABLE engagements;--', '<script>', '\0'];
const NOT_JSON_LITERALS = ['NaN', 'Infinity', '-Infinity', 'undefined', '0x10', '01', '+1', '.5'];
const MORE_NOT_JSON = ['1.', 'True', 'None', "'single'", '1_000', '--1'];

type Breakage = (json: string, random: Rng) => { label: string; body: HostileBody };

/** Ways to break a JSON text; each result is not JSON (so `invalid_json`). */
const BREAKAGES: readonly Breakage[] = [
  (json, r) => ({ label: 'truncated JSON', body: text(json.slice(0, r.int(0, json.length - 1))) }),
  (json, r) => ({ label: 'trailing garbage', body: text(json + r.pick(GARBAGE)) }),
  (json, r) => ({
    label: 'NaN, Infinity, hex and other non-JSON numbers',
    body: text(`{"n":${r.pick([...NOT_JSON_LITERALS, ...MORE_NOT_JSON])},${json.slice(1)}`),
  }),
  (json, r) => ({
    label: 'comments',
    body: text(
      r.pick([
        `/* c */${json}`,
        `// c\n${json}`,
        `{/* c */${json.slice(1)}`,
        `${json}// c`,
        `# c\n${json}`,
      ]),
    ),
  }),
  (json) => ({ label: 'single-quoted strings', body: text(json.replaceAll('"', "'")) }),
  (json) => ({ label: 'unquoted keys', body: text(json.replace(/"([A-Za-z_]\w*)":/g, '$1:')) }),
  (json) => ({ label: 'trailing comma', body: text(`${json.slice(0, -1)},}`) }),
  (json, r) => ({
    label: 'two JSON documents',
    body: text(r.pick([`${json}${json}`, `${json}\n${json}`, `${json} []`])),
  }),
  (json, r) => ({
    label: 'invalid string escape',
    body: text(`{"e":"${r.pick(['\\x41', '\\u12', '\\q', '\\u{41}'])}",${json.slice(1)}`),
  }),
  // A single UTF-8 BOM is allowed and ignored (RFC 8259 lets parsers do so): these are not.
  (json) => ({ label: 'BOM twice', body: bytes(BOM, BOM, json) }),
  (json, r) => ({
    label: 'BOM before truncated JSON',
    body: bytes(BOM, json.slice(0, r.int(1, json.length - 1))),
  }),
  (json) => ({ label: 'BOM inside the JSON', body: bytes('{', BOM, json.slice(1)) }),
  (json, r) => {
    const bigEndian = r.next() < 0.5;
    const bom = bigEndian ? [0xfe, 0xff] : [0xff, 0xfe];
    return {
      label: 'UTF-16 with BOM',
      body: bytes(bom, utf16(json, bigEndian)),
    };
  },
  (json) => ({ label: 'UTF-16 without BOM', body: bytes(utf16(json, false)) }),
  () => ({ label: 'empty body', body: bytes() }),
  (_json, r) => ({ label: 'whitespace-only body', body: text(r.pick([' ', '\n\n', '\t \r\n'])) }),
];

/** Content types no route takes (collect takes text/plain too). */
const WRONG_TYPES = [
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=hostile',
  'text/html',
  'application/xml',
  'application/javascript',
  'application/problem+json',
  'application/vnd.api+json',
  'application/x-json',
  'text/json',
  'application/octet-stream',
  'image/png',
  '*/*',
  'json',
];

function wrongTypes(input: JsonInput): string[] {
  const extra = input.mediaTypes.includes('text/plain')
    ? []
    : ['text/plain', 'text/plain;charset=UTF-8'];
  return [...WRONG_TYPES, ...extra];
}

export function brokenJson(fixture: Fixture): Case[] {
  return JSON_ENDPOINTS.flatMap((endpoint): Case[] => {
    const json = validText(endpoint, fixture);
    const input = inputOf(endpoint);
    return [
      ...BREAKAGES.map(
        (breakage): Case =>
          (r) => {
            const { label, body } = breakage(json, r);
            return draft(endpoint, fixture, label, refusal('invalid_json'), { body });
          },
      ),
      (r) =>
        draft(endpoint, fixture, 'wrong content type', refusal('unsupported_media_type'), {
          contentType: r.pick(wrongTypes(input)),
        }),
      () =>
        draft(endpoint, fixture, 'no content type', refusal('unsupported_media_type'), {
          contentType: null,
        }),
    ];
  });
}

/** Bytes of `value` in UTF-8. */
function size(value: string): number {
  return utf8.encode(value).length;
}

const MB = 1024 * 1024;
/** Routes with a limit at most this big also get bodies without Content-Length. */
const CHUNKED_LIMIT = 64 * 1024;

export function hugeBodies(fixture: Fixture): Case[] {
  return [...jsonHugeBodies(fixture), ...hugeWebhooks(fixture)];
}

function jsonHugeBodies(fixture: Fixture): Case[] {
  return JSON_ENDPOINTS.flatMap((endpoint): Case[] => {
    const json = validText(endpoint, fixture);
    const limit = inputOf(endpoint).maxBytes;
    // The limit is checked on the bytes read: a chunked body (no Content-Length) is kept small
    // enough to sit in the socket buffers, since a server that answers 413 and closes while the
    // client is still writing makes a large upload's reply unreadable (a TCP reset).
    const target = (r: Rng, chunked: boolean) =>
      chunked
        ? limit + 1 + r.int(0, 8 * 1024)
        : r.next() < 0.1
          ? r.int(1, 6) * MB + r.int(0, 1023)
          : limit + 1 + r.int(0, limit);
    const shapes: [string, (r: Rng, bytes: number) => HostileBody][] = [
      ['valid JSON padded with spaces', (_r, n) => repeat(json, ' ', '', n)],
      [
        'one huge string field',
        (r, n) => repeat('{"pad":"', r.pick(['x', '0']), `",${json.slice(1)}`, n),
      ],
      // Over the limit in bytes, under it (for bodies up to twice the limit) in characters.
      [
        'multi-byte characters',
        (r, n) => repeat('{"pad":"', r.pick(['é', '€', '😀']), `",${json.slice(1)}`, n),
      ],
      ['a huge array', (_r, n) => repeat('{"pad":[', '0,', `0],${json.slice(1)}`, n)],
    ];
    return shapes.flatMap(([label, shape]): Case[] => [
      (r) =>
        draft(endpoint, fixture, `over the limit: ${label}`, refusal('payload_too_large'), {
          body: shape(r, target(r, false)),
        }),
      ...(limit <= CHUNKED_LIMIT
        ? [
            (r: Rng) =>
              draft(
                endpoint,
                fixture,
                `over the limit, chunked: ${label}`,
                refusal('payload_too_large'),
                {
                  body: shape(r, target(r, true)),
                  chunked: true,
                },
              ),
          ]
        : []),
    ]);
  });
}

/** `head`, then `unit` repeated until the body has at least `bytes` bytes, then `tail`. */
function repeat(head: string, unit: string, tail: string, bytes: number): HostileBody {
  const count = Math.max(1, Math.ceil((bytes - size(head) - size(tail)) / size(unit)));
  return { kind: 'repeat', head, unit, count, tail };
}

type Shape = 'array' | 'object' | 'mixed';
const LEVEL_BYTES: Record<Shape, number> = { array: 2, object: 6, mixed: 8 };

function nested(shape: Shape, depth: number): string {
  if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return `${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`;
}

/** Where a deep value goes (a path in the valid body), what the refusal is, and which shapes
 * keep that refusal. No path: the whole body. */
type Placement = [
  path: string | null,
  code: 'invalid_request' | 'unknown_type',
  shapes: readonly Shape[],
];

const MARK = '__deep__';
const ALL: readonly Shape[] = ['array', 'object', 'mixed'];
// An array of arrays fails on its first item's type; an object in a list of objects would be
// checked further (a missing `type` is its own code), so lists of objects get arrays only.
const ARRAYS: readonly Shape[] = ['array'];

const PLACEMENTS: Record<string, readonly Placement[]> = {
  'POST /v1/collect': [
    ['visitor', 'invalid_request', ALL],
    ['events', 'invalid_request', ARRAYS],
    ['events.0.url', 'invalid_request', ALL],
    ['events.0.type', 'unknown_type', ALL],
    ['site', 'invalid_request', ALL],
  ],
  'POST /v1/engagements': [
    ['engagements', 'invalid_request', ARRAYS],
    ['engagements.0.detail', 'invalid_request', ALL],
    ['engagements.0.type', 'unknown_type', ALL],
    ['engagements.0.occurredAt', 'invalid_request', ALL],
  ],
  'POST /v1/visitors/{visitorId}/link': [['candidateId', 'invalid_request', ALL]],
  'POST /v1/keys': [
    ['name', 'invalid_request', ALL],
    ['role', 'invalid_request', ALL],
  ],
  'PUT /v1/candidates/{candidateId}/tags': [['tags', 'invalid_request', ALL]],
  'POST /v1/tag-changes': [
    ['candidateIds', 'invalid_request', ALL],
    ['add', 'invalid_request', ALL],
  ],
  'POST /v1/scores': [['candidateIds', 'invalid_request', ALL]],
  'POST /v1/links': [
    ['destinations', 'invalid_request', ALL],
    ['subject', 'invalid_request', ALL],
  ],
  'POST /v1/identity-tokens': [['ttlSeconds', 'invalid_request', ALL]],
  'PUT /v1/settings/engagement': [
    // validateModel quotes a bad value back in its message (JSON.stringify): deep ones too.
    ['scoringModel.halfLifeDays', 'invalid_request', ALL],
    ['scoringModel', 'invalid_request', ALL],
    ['allowedOrigins', 'invalid_request', ALL],
    ['nested', 'invalid_request', ALL], // a field the strict schema does not know
  ],
};

/** The valid body as JSON text with `"__deep__"` at `path` (objects on the way made as needed). */
function marked(valid: Body, path: string): string {
  const body = structuredClone(valid);
  const keys = path.split('.');
  const last = keys.pop() as string;
  let target = body;
  for (const key of keys) {
    target[key] ??= {};
    target = target[key] as Body;
  }
  target[last] = MARK;
  return JSON.stringify(body);
}

export function deepNesting(fixture: Fixture): Case[] {
  return JSON_ENDPOINTS.flatMap((endpoint): Case[] => {
    const input = inputOf(endpoint);
    const placements: Placement[] = [
      [null, 'invalid_request', ALL],
      ...(PLACEMENTS[endpoint.operation] ?? []),
    ];
    return placements.map(
      ([path, code, shapes]): Case =>
        (r) => {
          const shape = r.pick(shapes);
          const template = path === null ? `"${MARK}"` : marked(input.valid(fixture), path);
          // As deep as fits under the route's limit (so the refusal is about the shape, not the
          // size): thousands of levels where the limit allows.
          const room = input.maxBytes - size(template) - 16;
          const most = Math.min(60_000, Math.floor(room / LEVEL_BYTES[shape]));
          const depth = r.int(Math.min(2_000, most), most);
          const body = template.replace(`"${MARK}"`, nested(shape, depth));
          const where = path ?? 'the whole body';
          return draft(endpoint, fixture, `${shape}s nested deep in ${where}`, refusal(code), {
            body: text(body),
          });
        },
    );
  });
}
