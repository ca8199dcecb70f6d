// Signed tokens: `base64url(JSON payload).base64url(HMAC-SHA256(payload part))`, keyed by
// `env.TOKEN_SECRET`. They carry a candidate to the browser (`cxm_t` identity tokens) and name
// tracked email links (open pixel, click redirect). Verifying never throws: a bad token is a value.
import { base64url, fromBase64url, hmacSha256, hmacVerify, utf8 } from '../utils/encoding.js';

/** What a token may be used for. A token of one kind is refused where another is expected. */
export type TokenKind = 'identity' | 'open' | 'click';

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

/** Signs `payload`. The secret must be set: an empty one would sign for anybody. */
export async function mintToken(secret: string, payload: TokenPayload): Promise<string> {
  if (!secret) throw new Error('TOKEN_SECRET is not set');
  const body = base64url(utf8(JSON.stringify(payload)));
  return `${body}.${base64url(await hmacSha256(secret, body))}`;
}

/** Checks signature, shape, kind and expiry (`now` in epoch ms). */
export async function verifyToken(
  secret: string,
  token: string,
  expected: { kind: TokenKind; now: number },
): Promise<VerifyResult> {
  if (!secret || token.length > 2048) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [body, sig] = parts as [string, string];
  const signature = fromBase64url(sig);
  const payloadBytes = fromBase64url(body);
  if (!signature || !payloadBytes) return { ok: false, reason: 'malformed' };
  if (!(await hmacVerify(secret, body, signature))) return { ok: false, reason: 'bad_signature' };
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(payloadBytes));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isPayload(payload)) return { ok: false, reason: 'malformed' };
  if (payload.k !== expected.kind) return { ok: false, reason: 'wrong_kind' };
  if (payload.x * 1000 <= expected.now) return { ok: false, reason: 'expired', payload };
  return { ok: true, payload };
}

function isPayload(value: unknown): value is TokenPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.k === 'string' &&
    typeof v.o === 'string' &&
    typeof v.c === 'string' &&
    v.c.length > 0 &&
    typeof v.x === 'number' &&
    Number.isFinite(v.x)
  );
}

/** An identity token for `cxm_t`, valid for `ttlSeconds` (default 30 days). */
export function mintIdentityToken(
  secret: string,
  input: { orgId: string; candidateId: string; now?: number; ttlSeconds?: number },
): Promise<string> {
  const now = input.now ?? Date.now();
  const ttl = input.ttlSeconds ?? 30 * 24 * 60 * 60;
  return mintToken(secret, {
    k: 'identity',
    o: input.orgId,
    c: input.candidateId,
    x: Math.floor(now / 1000) + ttl,
  });
}
