// Spoiling a valid request, written as data: which fields of its JSON body get which values
// (`{ 'events.0.at': 0 }`), or which URL is sent instead. A value may be drawn from the generator.
import type { ErrorCode } from '@cxm/edge-api/errors';
import { changed, draft, type Endpoint, type Fixture, refusal } from './endpoints.js';
import type { Case, Rng } from './rng.js';

export type Body = Record<string, unknown>;

/** As a value: the field is removed. */
export const MISSING = Symbol('missing');

/** A value, `MISSING`, or a function drawing one (given the valid body, before any change). */
export type Value = unknown;
type Draw = (random: Rng, valid: Body) => unknown;

/** A label, the refusal, and the fields to change by dotted path (`engagements.0.type`). */
export type Spoil = [label: string, code: ErrorCode, changes: Record<string, Value>];

/** A label, the refusal, and the URL sent instead of the valid one. */
export type BadUrl = [label: string, code: ErrorCode, url: string | ((random: Rng) => string)];

/** `n` characters: `unit` repeated and cut to length. */
export const long = (n: number, unit = 'x') => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

function set(body: Body, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let target = body;
  for (const key of keys) target = target[key] as Body;
  if (value === MISSING) delete target[last];
  else target[last] = value;
}

export function spoil(body: Body, changes: Record<string, Value>, random: Rng): void {
  const valid = structuredClone(body);
  for (const [path, value] of Object.entries(changes)) {
    set(body, path, typeof value === 'function' ? (value as Draw)(random, valid) : value);
  }
}

export function spoiled(endpoint: Endpoint, fixture: Fixture, spoils: readonly Spoil[]): Case[] {
  return spoils.map(
    ([label, code, changes]): Case =>
      (r) =>
        draft(endpoint, fixture, label, refusal(code), {
          body: changed(endpoint, fixture, (body) => spoil(body, changes, r)),
        }),
  );
}

export function badUrls(endpoint: Endpoint, fixture: Fixture, urls: readonly BadUrl[]): Case[] {
  return urls.map(
    ([label, code, url]): Case =>
      (r) =>
        draft(endpoint, fixture, label, refusal(code), {
          url: typeof url === 'string' ? url : url(r),
        }),
  );
}
