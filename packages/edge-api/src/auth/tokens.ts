// Link and identity tokens: `base64url(body).base64url(HMAC-SHA256(body part))`, keyed by
// `env.TOKEN_SECRET`, where the body is a version byte (1), a random 12-byte IV and the payload
// encrypted with AES-256-GCM under a key HKDF derives from the same secret. They are opaque: the
// organisation, candidate, link and destination they carry cannot be read by whoever sees them
// (a mail client, a proxy log, the landing page's analytics), and a changed byte fails the
// signature. They carry a candidate to the browser (`cxm_t`: identity tokens and single-use
// sign-in codes) and name tracked email links (open pixel, click redirect).
//
// Tokens minted before encryption have a plain JSON body (it starts with `{`). They are still
// honoured, signature checked as ever, so the emails already in inboxes keep working until their
// 180 days run out; nothing mints them any more. Verifying never throws: a bad token is a value.
import {
  aesKey,
  base64url,
  fromBase64url,
  hmacSha256,
  hmacVerify,
  utf8,
} from '../utils/encoding.js';

/**
 * What a token may be used for. A token of one kind is refused where another is expected. A
 * `code` is what a tracked click appends to the landing URL: it names the candidate like an
 * identity token, but only the first browser that presents it may use it (collect/identity-codes.ts).
 */
export type TokenKind = 'identity' | 'code' | 'open' | 'click';

export interface TokenPayload {
  /** Kind. */
  k: TokenKind;
  /** Organisation id. */
  o: string;
  /** The candidate's external id. */
  c: string;
  /** Expiry, epoch seconds. */
  x: number;
  /** Kind-specific extras (e.g. a link's target URL), kept short. */
  [extra: string]: unknown;
}

export type VerifyResult =
  | { ok: true; payload: TokenPayload }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'wrong_kind' }
  /** Authentic but past its expiry: the payload is ours, for uses that outlive tracking. */
  | { ok: false; reason: 'expired'; payload: TokenPayload };

const ENCRYPTED = 1;
const IV_BYTES = 12;
/** The encryption key's HKDF `info`: unrelated to the HMAC key, though both come from one secret. */
const PURPOSE = 'cxm token payload v1';

/** Encrypts and signs `payload`. The secret must be set: an empty one would sign for anybody. */
export async function mintToken(secret: string, payload: TokenPayload): Promise<string> {
  if (!secret) throw new Error('TOKEN_SECRET is not set');
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv },
      await aesKey(secret, PURPOSE),
      utf8(JSON.stringify(payload)),
    ),
  );
  const bytes = new Uint8Array(1 + IV_BYTES + sealed.length);
  bytes.set([ENCRYPTED]);
  bytes.set(iv, 1);
  bytes.set(sealed, 1 + IV_BYTES);
  const body = base64url(bytes);
  return `${body}.${base64url(await hmacSha256(secret, body))}`;
}

/** The payload JSON of a body whose signature was verified (encrypted, or plain from before). */
async function payloadText(secret: string, bytes: Uint8Array): Promise<string | null> {
  if (bytes[0] === '{'.charCodeAt(0)) return new TextDecoder().decode(bytes);
  if (bytes[0] !== ENCRYPTED || bytes.length <= 1 + IV_BYTES) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(1, 1 + IV_BYTES) },
      await aesKey(secret, PURPOSE),
      bytes.subarray(1 + IV_BYTES),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

/** Checks signature, shape, kind and expiry (`now` in epoch ms). */
export async function verifyToken(
  secret: string,
  token: string,
  /** The kind (or kinds) accepted here. */
  expected: { kind: TokenKind | readonly TokenKind[]; now: number },
): Promise<VerifyResult> {
  if (!secret || token.length > 2048) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [body, sig] = parts as [string, string];
  const signature = fromBase64url(sig);
  const payloadBytes = fromBase64url(body);
  if (!signature || !payloadBytes) return { ok: false, reason: 'malformed' };
  if (!(await hmacVerify(secret, body, signature))) return { ok: false, reason: 'bad_signature' };
  const text = await payloadText(secret, payloadBytes);
  let payload: unknown;
  try {
    payload = text === null ? null : JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isPayload(payload)) return { ok: false, reason: 'malformed' };
  const kinds: readonly TokenKind[] = Array.isArray(expected.kind)
    ? expected.kind
    : [expected.kind];
  if (!kinds.includes(payload.k)) return { ok: false, reason: 'wrong_kind' };
  if (payload.x * 1000 <= expected.now) return { ok: false, reason: 'expired', payload };
  return { ok: true, payload };
}

function isPayload(value: unknown): value is TokenPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.k === 'identity' || v.k === 'code' || v.k === 'open' || v.k === 'click') &&
    typeof v.o === 'string' &&
    typeof v.c === 'string' &&
    v.c.length > 0 &&
    typeof v.x === 'number' &&
    Number.isFinite(v.x)
  );
}

/** An identity token (or with `kind: 'code'` a sign-in code), valid `ttlSeconds` (default 30 days). */
export function mintIdentityToken(
  secret: string,
  input: {
    orgId: string;
    candidateId: string;
    now?: number;
    ttlSeconds?: number;
    kind?: 'identity' | 'code';
  },
): Promise<string> {
  const now = input.now ?? Date.now();
  const ttl = input.ttlSeconds ?? 30 * 24 * 60 * 60;
  return mintToken(secret, {
    k: input.kind ?? 'identity',
    o: input.orgId,
    c: input.candidateId,
    x: Math.floor(now / 1000) + ttl,
  });
}
