// The console's only way to data: the public API, called in-process through the same Hono app
// with the signed-in key as a Bearer token. The API applies its own auth and roles, so a page
// can never show or change more than that key may.
import type { Context, ExecutionContext } from 'hono';
import type { AppEnv } from '../env.js';

/** The app's own `fetch`, handed over by `registerConsole`. */
export type AppFetch = (
  request: Request,
  env: AppEnv['Bindings'],
  ctx?: ExecutionContext,
) => Response | Promise<Response>;

export interface ApiProblem {
  status: number;
  code: string;
  message: string;
  issues?: { path: string; code: string; message: string }[];
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; problem: ApiProblem };

export interface ConsoleApi {
  get<T>(path: string): Promise<ApiResult<T>>;
  put<T>(path: string, body: unknown): Promise<ApiResult<T>>;
}

function executionContext(c: Context<AppEnv>): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    // `app.request()` in tests has none; the API routes do not need one.
    return undefined;
  }
}

export function consoleApi(appFetch: AppFetch, c: Context<AppEnv>, key: string): ConsoleApi {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // The request keeps the console's origin, so replies that mention it (the tracking code's
    // script URL) name the server the browser is talking to.
    const request = new Request(new URL(path, c.req.url), {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const response = await appFetch(request, c.env, executionContext(c));
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    if (response.ok) return { ok: true, data: parsed as T };
    const error = (parsed as { error?: Partial<ApiProblem> } | null)?.error;
    return {
      ok: false,
      problem: {
        status: response.status,
        code: error?.code ?? 'internal',
        message: error?.message ?? `The API answered ${response.status}.`,
        ...(error?.issues ? { issues: error.issues } : {}),
      },
    };
  };
  return {
    get: (path) => call('GET', path),
    put: (path, body) => call('PUT', path, body),
  };
}

/** A path with its query string, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined>) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
