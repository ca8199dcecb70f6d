// The console's only way to data: the typed client (`../client`), sending its requests to this
// same Hono app in-process with the session token as a Bearer credential. The API applies its own auth
// and roles, so a page can never show or change more than the signed-in person may.
import type { Context, ExecutionContext } from 'hono';
import { ApiError, type Client, createClient } from '../client/index.js';
import type { AppEnv } from '../env.js';

/** The app's own `fetch`, handed over by `registerConsole`. */
export type AppFetch = (
  request: Request,
  env: AppEnv['Bindings'],
  ctx?: ExecutionContext,
) => Response | Promise<Response>;

function executionContext(c: Context<AppEnv>): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    // `app.request()` in tests has none; the API routes do not need one.
    return undefined;
  }
}

/** The typed client for this request, acting with `credential` (the session token). */
export function consoleClient(appFetch: AppFetch, c: Context<AppEnv>, credential: string): Client {
  // The browser's address as Cloudflare gave it, so the API's limits count this person's client
  // (limits/rate-limit.ts) and not every console user as one.
  const address = c.req.header('cf-connecting-ip');
  return createClient({
    // The console's origin, so replies that mention it (the tracking code's script URL) name the
    // server the browser is talking to.
    baseUrl: new URL(c.req.url).origin,
    apiKey: credential,
    fetch: (url, init) => {
      const request = new Request(url, init);
      if (address) request.headers.set('cf-connecting-ip', address);
      return appFetch(request, c.env, executionContext(c));
    },
  });
}

/** A reply or the API's refusal: pages show either, so a refusal is data here, not a throw. */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; problem: ApiError };

export async function settle<T>(call: Promise<T>): Promise<ApiResult<T>> {
  try {
    return { ok: true, data: await call };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, problem: error };
    throw error;
  }
}

/** The page's status follows the API's: a refused read is not a 200. */
export function statusOf(result: ApiResult<unknown>): 200 | 400 | 401 | 403 | 404 | 500 {
  if (result.ok) return 200;
  const status = result.problem.status;
  return status === 400 || status === 401 || status === 403 || status === 404 ? status : 500;
}
