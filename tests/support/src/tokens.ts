// The worker's tokens as an outside caller that knows the development TOKEN_SECRET makes and reads
// them (packages/edge-api/src/auth/tokens.ts): `base64url(body).base64url(HMAC-SHA256(body part))`
// where the body is a version byte (1), a 12-byte IV and the JSON payload encrypted with
// AES-256-GCM under a key HKDF-SHA256 derives from the secret (empty salt, info
// `cxm token payload v1`). Written again here on purpose, from the documented format: the suites
// check the worker against it rather than against the worker's own code.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

export type Payload = Record<string, unknown>;

const ENCRYPTED = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function key(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'cxm token payload v1', 32));
}

/**
 * The body part of a token carrying `payload`, encrypted under `secret`. The IV is derived from
 * the secret and the payload (the worker draws a random one): the suites build their requests
 * twice and compare, so the same payload must give the same token.
 */
export function tokenBody(secret: string, payload: unknown): string {
  const text = JSON.stringify(payload);
  const iv = createHmac('sha256', secret).update(`iv:${text}`).digest().subarray(0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key(secret), iv);
  const sealed = Buffer.concat([cipher.update(text), cipher.final()]);
  return Buffer.concat([Buffer.from([ENCRYPTED]), iv, sealed, cipher.getAuthTag()]).toString(
    'base64url',
  );
}

export function signBody(secret: string, body: string): string {
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** A token as the worker mints it. */
export function mintToken(secret: string, payload: unknown): string {
  return signBody(secret, tokenBody(secret, payload));
}

/**
 * The payload of `token`, decrypted with `secret` (a token minted before encryption, a plain
 * JSON body, is read as it is), or null when it is none. The signature is not checked.
 */
export function openToken(secret: string, token: string): Payload | null {
  const bytes = Buffer.from(token.split('.')[0] ?? '', 'base64url');
  let text: string;
  if (bytes[0] === '{'.charCodeAt(0)) text = bytes.toString('utf8');
  else if (bytes[0] === ENCRYPTED && bytes.length > 1 + IV_BYTES + TAG_BYTES) {
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        key(secret),
        bytes.subarray(1, 1 + IV_BYTES),
      );
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      text = Buffer.concat([
        decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return null;
    }
  } else return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Payload)
      : null;
  } catch {
    return null;
  }
}

/** `token`'s signature under a new body carrying `payload`: what a tamperer sends. */
export function withPayload(secret: string, token: string, payload: unknown): string {
  return `${tokenBody(secret, payload)}.${token.split('.')[1] ?? ''}`;
}

/** Strings shaped as tokens (body, dot, 43-character signature) anywhere in `text`. */
export function tokensIn(text: string): string[] {
  return [...text.matchAll(/[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g)].map(
    (match) => match[0],
  );
}
