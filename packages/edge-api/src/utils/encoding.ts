// The byte encodings and hashes the API uses, written once: base64 (CSP hashes), base64url
// (tokens, cursors, random ids), lowercase hex (stored hashes, webhook signatures), SHA-256,
// HMAC-SHA256 and AES-256-GCM keys derived with HKDF, each key imported once per isolate.

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function base64url(bytes: Uint8Array): string {
  return base64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The bytes of a base64url text, or null when it is not one (never throws). */
export function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

export function hex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const byte of view) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** `bytes` random bytes as base64url: the secret part of keys, site keys and webhook secrets. */
export function randomBase64url(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text)));
}

export async function sha256Hex(text: string): Promise<string> {
  return hex(await sha256(text));
}

const keyCache = new Map<string, Promise<CryptoKey>>();

/**
 * The HMAC-SHA256 key of `secret`. Importing costs more than signing a short text, so each
 * secret's key is imported once per isolate (a failed import is forgotten, to be tried again).
 */
export function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    key.catch(() => keyCache.delete(secret));
    keyCache.set(secret, key);
  }
  return key;
}

export async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), utf8(message)));
}

/** Whether `signature` is the HMAC of `message` (WebCrypto compares in constant time). */
export async function hmacVerify(
  secret: string,
  message: string,
  signature: Uint8Array,
): Promise<boolean> {
  return crypto.subtle.verify('HMAC', await hmacKey(secret), signature, utf8(message));
}

const aesKeyCache = new Map<string, Promise<CryptoKey>>();

/**
 * The AES-256-GCM key HKDF-SHA256 derives from `secret` for `purpose` (its `info`): one Worker
 * secret serves several purposes with unrelated keys. Derived once per isolate and purpose.
 */
export function aesKey(secret: string, purpose: string): Promise<CryptoKey> {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = aesKeyCache.get(cacheKey);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', utf8(secret), 'HKDF', false, ['deriveKey'])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8(purpose) },
          material,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    key.catch(() => aesKeyCache.delete(cacheKey));
    aesKeyCache.set(cacheKey, key);
  }
  return key;
}
