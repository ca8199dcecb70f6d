// One request to the worker, answered as text whatever its type, so every reply (JSON, a GIF, a
// redirect, a script) can be searched for another organisation's data the same way.
import { BROWSER_UA } from '../site.js';

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** An API key, sent as `Authorization: Bearer`. */
  key?: string;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as text/plain, as the tracker sends beacons. */
  text?: string;
  /** Sent form-encoded (application/x-www-form-urlencoded), as a texting provider posts. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export async function call(origin: string, request: Call): Promise<Answer> {
  const headers: Record<string, string> = { 'User-Agent': BROWSER_UA, ...request.headers };
  if (request.key) headers.Authorization = `Bearer ${request.key}`;
  let body: string | undefined;
  if (request.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.text !== undefined) {
    headers['Content-Type'] = 'text/plain';
    body = request.text;
  } else if (request.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  const send = () =>
    fetch(origin + request.path, {
      method: request.method,
      headers,
      body,
      // A click redirect is checked as the reply it is, not followed to a site that does not exist.
      redirect: 'manual',
      signal: AbortSignal.timeout(60_000),
    });
  let response: Response;
  try {
    response = await send();
  } catch {
    // A kept-alive connection the worker closed while the test was busy elsewhere fails on its
    // first write (EPIPE); a new connection is what any client tries next. Every write sent
    // here is idempotent (event ids, tags, settings) or harmless twice (a token, a key).
    await new Promise((done) => setTimeout(done, 250));
    response = await send();
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {}
  const replyHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    replyHeaders[name] = value;
  });
  return { status: response.status, headers: replyHeaders, text, json };
}

/** The request as text: what a reply may legitimately echo back. */
export function requestText(request: Call): string {
  let path = request.path;
  try {
    path = decodeURIComponent(path);
  } catch {}
  return [
    path,
    JSON.stringify(request.json ?? null),
    request.text ?? '',
    JSON.stringify(request.form ?? null),
  ].join('\n');
}

/** A JSON object's field, or undefined: replies are read without trusting their shape. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const name of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

export function text(value: unknown, ...path: string[]): string {
  const found = field(value, ...path);
  if (typeof found !== 'string') throw new Error(`expected a string at ${path.join('.')}`);
  return found;
}

export function list(value: unknown, ...path: string[]): unknown[] {
  const found = field(value, ...path);
  return Array.isArray(found) ? found : [];
}

/** Throws with the reply when a set-up request did not get the status it needs. */
export function must(answer: Answer, status: number, what: string): Answer {
  if (answer.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${answer.status}: ${answer.text.slice(0, 500)}`,
    );
  }
  return answer;
}
