// Reads a JSON request body with a byte limit and turns every way it can be wrong into its
// own error: 415 for a content type not accepted, 413 for too many bytes, 400 for bad JSON, and
// 400 for a string that is not well-formed Unicode (utils/well-formed.ts), naming its field.
//
// Beacons arrive as `text/plain` (what `sendBeacon` and a preflight-free `fetch` send), which
// Hono's json validator treats as an empty body, so the bytes are read here. The limit is
// checked on the bytes actually read, not only on `Content-Length` (chunked bodies have none).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { type ApiError, apiError, errorResponse } from '../utils/errors.js';
import { malformedStrings, malformedTextError } from '../utils/well-formed.js';

export interface JsonBodyOptions {
  maxBytes: number;
  /** Media types accepted, lowercase, without parameters. */
  mediaTypes: readonly string[];
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: ApiError };

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
    return { ok: false, error: apiError('invalid_json', 'The body is not valid UTF-8.') };
  }
  if (text.trim() === '')
    return { ok: false, error: apiError('invalid_json', 'The body is empty.') };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    return { ok: false, error: apiError('invalid_json', `The body is not valid JSON${detail}`) };
  }
  // Valid UTF-8 can still spell a lone surrogate as a JSON escape (`"\ud800"`).
  const malformed = malformedStrings(value);
  if (malformed.length > 0) {
    return {
      ok: false,
      error: malformedTextError(malformed, 'not well-formed Unicode (a lone UTF-16 surrogate)'),
    };
  }
  return { ok: true, value };
}

function tooLarge(maxBytes: number): BodyResult {
  return {
    ok: false,
    error: apiError('payload_too_large', `The body is larger than ${maxBytes} bytes.`),
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
    if (!body.ok) return errorResponse(c, body.error);
    c.set('body', body.value);
    c.req.bodyCache.json = Promise.resolve(body.value);
    await next();
  };
}
