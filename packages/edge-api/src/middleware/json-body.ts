// Reads a JSON request body with a byte limit and turns every way it can be wrong into its
// own error: 415 for a content type not accepted, 413 for too many bytes, 400 for bad JSON.
//
// Beacons arrive as `text/plain` (what `sendBeacon` and a preflight-free `fetch` send), which
// Hono's json validator treats as an empty body, so the bytes are read here. The limit is
// checked on the bytes actually read, not only on `Content-Length` (chunked bodies have none).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { apiError, errorResponse } from '../utils/errors.js';

export interface JsonBodyOptions {
  maxBytes: number;
  /** Media types accepted, lowercase, without parameters. */
  mediaTypes: readonly string[];
}

export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; code: 'payload_too_large' | 'invalid_json'; message: string };

/** Reads at most `maxBytes` of `request`'s body and parses it as JSON. */
export async function readJson(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) return tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The body is not valid UTF-8.' };
  }
  if (text.trim() === '') return { ok: false, code: 'invalid_json', message: 'The body is empty.' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    return { ok: false, code: 'invalid_json', message: `The body is not valid JSON${detail}` };
  }
}

function tooLarge(maxBytes: number): BodyResult {
  return {
    ok: false,
    code: 'payload_too_large',
    message: `The body is larger than ${maxBytes} bytes.`,
  };
}

/** The media type of a `Content-Type` header, lowercase and without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Middleware: checks the content type, reads and parses the body, stores it as `c.var.body`,
 * and primes Hono's body cache so a zod validator after it sees the same value.
 */
export function jsonBody(options: JsonBodyOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = mediaType(c.req.header('content-type'));
    if (!options.mediaTypes.includes(type)) {
      return errorResponse(
        c,
        apiError(
          'unsupported_media_type',
          `Content-Type must be ${options.mediaTypes.join(' or ')}${type ? `, not ${type}` : ''}.`,
        ),
      );
    }
    const body = await readJson(c.req.raw, options.maxBytes);
    if (!body.ok) return errorResponse(c, apiError(body.code, body.message));
    c.set('body', body.value);
    c.req.bodyCache.json = Promise.resolve(body.value);
    await next();
  };
}
