// Link tokens and cursors as the worker makes them (packages/edge-api/src/auth/tokens.ts and
// src/utils/cursor.ts): `base64url(JSON payload).base64url(HMAC-SHA256(payload part))` and
// `base64url(JSON)`. The suite signs with the dev TOKEN_SECRET (the worker under test runs with the
// development settings: tests/support/src/worker.ts) so it can make tokens that are authentic but
// wrong in one way (expired, of another kind, to a script URL), and forges the rest.
import { createHmac } from 'node:crypto';
import { DEV_VARS } from '@cxm/test-support/worker';

export type Payload = Record<string, unknown>;

export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function sign(secret: string, payload: Payload): string {
  const body = base64urlJson(payload);
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** The payload of a token (or a cursor), read without checking anything. */
export function payloadOf(token: string): Payload {
  const value: unknown = JSON.parse(
    Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'),
  );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`not a token: ${token}`);
  }
  return value as Payload;
}

/** `token`'s signature under another payload: what a tamperer sends. */
export function withPayload(token: string, payload: Payload): string {
  return `${base64urlJson(payload)}.${token.split('.')[1] ?? ''}`;
}

/** The development TOKEN_SECRET (packages/edge-api/scripts/dev-vars.mjs): the worker under test's. */
export function devTokenSecret(): string {
  return DEV_VARS.TOKEN_SECRET;
}

/** Epoch seconds long past: authentic tokens with this expiry are expired. */
export const LONG_AGO = Math.floor(Date.UTC(2020, 0, 1) / 1000);
