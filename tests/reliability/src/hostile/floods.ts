// Rate-limit floods: one client on the internet sends one kind of request far past its limit. The
// worker counts only requests from outside (packages/edge-api/src/limits/rate-limit.ts), so
// each flood names its own public address in `CF-Connecting-IP`, as Cloudflare would (wrangler dev
// keeps a client's header; Cloudflare overwrites it). Every request of a flood is one the API
// refuses or only reads, so a flood writes nothing whatever the limiter does.
import { pool } from '../client.js';
import { BROWSER_UA, KEYS, SITE_KEY } from '../site.js';

export interface Flood {
  name: string;
  /** The documented operation, `METHOD /path`. */
  operation: string;
  /** The limit per period, as wrangler.jsonc sets it: a flood sends up to three times this. */
  limit: number;
  /** What each request gets while under the limit. */
  under: number;
  /** The request, as `fetch` takes it (path, init). */
  request: () => [string, RequestInit];
}

export interface FloodReply {
  status: number;
  retryAfter: string | null;
  code: string | null;
}

export function floods(openToken: string): Flood[] {
  const beacon = JSON.stringify({
    v: 1,
    site: SITE_KEY,
    visitor: { id: 'v_flood_0000000000000000', kind: 'stored' },
    events: [
      {
        id: 'e_flood_000000000000000',
        type: 'visit_landing_page',
        url: 'https://flood.example/',
        at: Date.now(),
      },
    ],
  });
  // A forged signature on a real token's payload: refused 404, so nothing is recorded.
  const forged = `${openToken.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
  return [
    {
      name: 'beacons from an origin the site does not allow',
      operation: 'POST /v1/collect',
      limit: 300,
      under: 403,
      request: () => [
        '/v1/collect',
        {
          method: 'POST',
          headers: {
            'content-type': 'text/plain',
            origin: 'https://flood.example',
            'user-agent': BROWSER_UA,
          },
          body: beacon,
        },
      ],
    },
    {
      name: 'tracker script loads for one site',
      operation: 'GET /t.js',
      limit: 1200,
      under: 200,
      request: () => [`/t.js?site=${SITE_KEY}`, {}],
    },
    {
      name: 'a forged open-pixel token',
      operation: 'GET /v1/o/{token}',
      limit: 30,
      under: 404,
      request: () => [`/v1/o/${forged}`, {}],
    },
    {
      name: 'reads with one API key',
      operation: 'GET /v1/whoami',
      limit: 1200,
      under: 200,
      request: () => ['/v1/whoami', { headers: { authorization: `Bearer ${KEYS.reporter}` } }],
    },
    {
      name: 'guessed API keys from one client',
      operation: 'GET /v1/whoami',
      limit: 20,
      under: 401,
      request: () => [
        '/v1/whoami',
        { headers: { authorization: `Bearer sk_guess_${Math.random().toString(36).slice(2)}` } },
      ],
    },
  ];
}

/**
 * Sends `flood` from `address` at `concurrency`, in rounds of `limit` requests, until a round has
 * a 429 (at most three rounds: a window rolling over mid-flood lets one more limit through).
 */
export async function sendFlood(
  origin: string,
  flood: Flood,
  address: string,
  concurrency: number,
): Promise<FloodReply[]> {
  const replies: FloodReply[] = [];
  for (let round = 0; round < 3 && !replies.some((r) => r.status === 429); round++) {
    const batch = Array.from({ length: flood.limit + 1 }, () => flood.request());
    await pool(batch, concurrency, async ([path, init]) => {
      const headers = { ...(init.headers as Record<string, string>), 'cf-connecting-ip': address };
      const response = await fetch(origin + path, { ...init, headers, redirect: 'manual' });
      const text = await response.text();
      let code: string | null = null;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
      } catch {
        // The script and the pixel are not JSON; only an error's code is looked at.
      }
      replies.push({
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        code,
      });
    });
  }
  return replies;
}
