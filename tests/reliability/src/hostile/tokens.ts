// Link tokens as the worker makes them (packages/edge-api/src/auth/tokens.ts: opaque, an
// encrypted payload then an HMAC-SHA256 signature; the format is @cxm/test-support/tokens). The
// suite mints with the dev TOKEN_SECRET (the worker under test runs with the development
// settings: tests/support/src/worker.ts) so it can make tokens that are authentic but wrong in one
// way (expired, of another kind, to a script URL), and forges the rest.
import {
  mintToken,
  openToken,
  type Payload,
  withPayload as tampered,
} from '@cxm/test-support/tokens';
import { DEV_VARS } from '@cxm/test-support/worker';

export type { Payload };

export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function sign(secret: string, payload: Payload): string {
  return mintToken(secret, payload);
}

/** The payload of a token the worker minted, decrypted with the dev secret. */
export function payloadOf(token: string): Payload {
  const payload = openToken(devTokenSecret(), token);
  if (!payload) throw new Error(`not a token: ${token}`);
  return payload;
}

/** `token`'s signature under another payload: what a tamperer sends. */
export function withPayload(token: string, payload: Payload): string {
  return tampered(devTokenSecret(), token, payload);
}

/** The development TOKEN_SECRET (packages/edge-api/scripts/dev-vars.mjs): the worker under test's. */
export function devTokenSecret(): string {
  return DEV_VARS.TOKEN_SECRET;
}

/** Epoch seconds long past: authentic tokens with this expiry are expired. */
export const LONG_AGO = Math.floor(Date.UTC(2020, 0, 1) / 1000);
