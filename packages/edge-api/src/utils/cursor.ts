// Pagination cursors, sealed: a cursor is the last row's sort position (JSON) encrypted with
// AES-256-GCM under a key derived from the Worker secret `SECRETS_KEY`, with the organisation
// and the list it pages as additional data. So a cursor shows nothing (no internal id, no
// candidate, no time), a changed one does not open, and one made for another list or another
// organisation is refused like any bad parameter (a 400 at `cursor`). A cursor is `c1.` and
// base64url of IV, ciphertext and tag.
//
// Synchronous (node:crypto under `nodejs_compat`), so the list readers that build `nextCursor`
// stay plain functions. After `SECRETS_KEY` rotates, earlier cursors are refused: a client starts
// the list again (a cursor is for paging now, not for keeping).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { base64url, fromBase64url } from './encoding.js';

const VERSION = 'c1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longer is surely not ours (`cursorQuery` allows 512 characters). */
const MAX_LENGTH = 512;

const keys = new Map<string, Buffer>();

function cursorKey(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    // HMAC-SHA256 as the key derivation: a key of its own, never the secret itself.
    key = createHmac('sha256', secret).update('cxm cursor key v1').digest();
    keys.set(secret, key);
  }
  return key;
}

export interface CursorCodec {
  encode(value: unknown): string;
  /** The position, or null when the cursor is not one this codec made (or fails `check`). */
  decode<T>(cursor: string, check: (value: unknown) => value is T): T | null;
}

/** Cursors of one list (`purpose`, e.g. `audit`) of one organisation. */
export function cursorCodec(secret: string, orgId: string, purpose: string): CursorCodec {
  const key = cursorKey(secret);
  const context = Buffer.from(`${purpose}\n${orgId}`);
  return {
    encode(value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(context);
      const body = Buffer.concat([
        cipher.update(Buffer.from(JSON.stringify(value))),
        cipher.final(),
      ]);
      const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
      return `${VERSION}${base64url(new Uint8Array(sealed))}`;
    },
    decode(cursor, check) {
      if (cursor.length > MAX_LENGTH || !cursor.startsWith(VERSION)) return null;
      const bytes = fromBase64url(cursor.slice(VERSION.length));
      if (!bytes || bytes.length < IV_BYTES + TAG_BYTES + 2) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(context);
        decipher.setAuthTag(Buffer.from(bytes.subarray(bytes.length - TAG_BYTES)));
        const plain = Buffer.concat([
          decipher.update(Buffer.from(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES))),
          decipher.final(),
        ]);
        const value: unknown = JSON.parse(plain.toString('utf8'));
        return check(value) ? value : null;
      } catch {
        return null;
      }
    },
  };
}

/** The refusal of a cursor that does not open: the same words on every list. */
export const BAD_CURSOR = {
  path: 'cursor',
  code: 'invalid',
  message: 'is not a cursor this API made',
} as const;
