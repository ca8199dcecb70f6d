// Abuse limits: Cloudflare's Rate Limiting binding (wrangler.jsonc `ratelimits`), one binding per
// concern, each keyed by tenant and client. Over a limit the reply is 429 with `Retry-After` and
// the JSON error. The binding counts per Cloudflare location and is eventually consistent, so it
// guards against floods, never counts a quota: exact quotas (monthly contacts) live in D1.
//
// Keys are an HMAC (keyed by TOKEN_SECRET) of what they count, so neither the limiter nor anything
// of ours holds a client's address, a token or a key id. The binding tells no reset time, so
// `Retry-After` is the binding's whole period: a client that waits that long finds a fresh window.
//
// Only requests from the internet are counted: Cloudflare sets `CF-Connecting-IP` on each one
// (overwriting any the client sent). A request without it (the tests' in-process requests) or from
// loopback (`wrangler dev` on this machine: the suites, benchmarks and demo) is never limited; a
// local run sends `CF-Connecting-IP: <a public address>` to act as a client from outside.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv, Bindings } from '../env.js';
import { errorResponses } from '../schemas/error.js';
import { apiError, type ErrorReply, errorResponse } from '../utils/errors.js';

/**
 * Each limiter's binding and, as wrangler.jsonc sets it, its limit per period (seconds: 10 or 60,
 * the binding's only two). A test checks wrangler.jsonc against this table.
 */
export const LIMITS = {
  /** `POST /v1/collect`: beacons per site key and client (an office or a carrier NAT is one). */
  COLLECT_LIMITER: { limit: 300, period: 60, per: 'site and client' },
  /** `GET /t.js?site=`: script loads per site key (browsers then cache it for 5 minutes). */
  SCRIPT_LIMITER: { limit: 1200, period: 60, per: 'site' },
  /** `GET /v1/o/{token}`, `GET /v1/c/{token}`: opens and clicks per token. */
  LINK_LIMITER: { limit: 30, period: 60, per: 'link' },
  /** Authenticated API requests per API key or console session. */
  API_LIMITER: { limit: 1200, period: 60, per: 'key' },
  /** Requests refused 401 (no, unknown or revoked key or session), per client. */
  AUTH_FAILURE_LIMITER: { limit: 20, period: 60, per: 'client with failed sign-ins' },
  /** Console sign-in (`POST /console/sign-in`, the provider's callback), per client. */
  SIGN_IN_LIMITER: { limit: 30, period: 60, per: 'client' },
} as const satisfies Record<string, { limit: number; period: 10 | 60; per: string }>;

export type LimiterName = keyof typeof LIMITS & keyof Bindings;

/** Whether the request came from the internet (see the header): only those are limited. */
export function fromInternet(c: Context<AppEnv>): boolean {
  const address = c.req.header('cf-connecting-ip');
  return address !== undefined && address !== '' && !isLoopback(address);
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

/** The calling client, as a limiter key part (never the address itself; see the header). */
export function client(c: Context<AppEnv>): string {
  return `ip:${c.req.header('cf-connecting-ip') ?? ''}`;
}

const keys = new Map<string, Promise<CryptoKey>>();

async function opaque(secret: string, value: string): Promise<string> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(`rate-limit:${secret}`),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    keys.set(secret, key);
  }
  const mac = await crypto.subtle.sign('HMAC', await key, new TextEncoder().encode(value));
  return Array.from(new Uint8Array(mac, 0, 16), (byte) => byte.toString(16).padStart(2, '0')).join(
    '',
  );
}

/** The 429 for `name`, with the seconds to wait. */
export function rateLimited(c: Context<AppEnv>, name: LimiterName): ErrorReply {
  const { period, per } = LIMITS[name];
  return errorResponse(
    c,
    apiError('rate_limited', `Too many requests for this ${per}; retry after ${period} seconds.`),
    { 'Retry-After': String(period) },
  );
}

/**
 * Counts this request against `name` under `parts` (joined into one key) and answers the 429 to
 * send when it is over, else null. Nothing is counted for a request not from the internet or
 * while the binding is absent; a binding that fails lets the request through (a limiter is a
 * guard, not a reason to answer 500).
 */
export async function overLimit(
  c: Context<AppEnv>,
  name: LimiterName,
  ...parts: string[]
): Promise<ErrorReply | null> {
  const binding = c.env[name];
  if (!binding || !fromInternet(c)) return null;
  try {
    const { success } = await binding.limit({
      key: await opaque(c.env.TOKEN_SECRET, parts.join('\n')),
    });
    return success ? null : rateLimited(c, name);
  } catch (error) {
    console.warn(`rate limiter ${name} failed; request let through`, error);
    return null;
  }
}

/**
 * Every route behind `requireRole` (one with a security requirement) can answer 429 (its key over
 * API_LIMITER, or its client over AUTH_FAILURE_LIMITER): added to each one's documented replies
 * here, once, as the limit itself is applied once.
 */
export function documentRateLimits(app: OpenAPIHono<AppEnv>): void {
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route' || !definition.route.security?.length) continue;
    const { route } = definition;
    if (!route.responses[429]) route.responses = { ...route.responses, ...errorResponses([429]) };
  }
}
