// Sends corpus entries over loopback with fetch, a bounded number at a time, and keeps what a
// check needs of each reply (status, a few headers, the body as text).
import { pool } from '../client.js';
import type { HostileRequest } from '../hostile-corpus.js';
import type { HostileBody } from './endpoints.js';

export interface Reply {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

export type Outcome =
  | {
      ok: true;
      reply: Reply /** The transport error of a first attempt, if there was one. */;
      retriedAfter?: string;
    }
  | { ok: false; error: string };

const utf8 = new TextEncoder();

/** The body's bytes; a `repeat` body is built here, when sent, so the corpus stays small. */
export function bodyBytes(body: HostileBody): Uint8Array {
  if (body.kind === 'text') return utf8.encode(body.text);
  if (body.kind === 'bytes') return body.bytes;
  const head = utf8.encode(body.head);
  const unit = utf8.encode(body.unit);
  const tail = utf8.encode(body.tail);
  const out = Buffer.allocUnsafe(head.length + unit.length * body.count + tail.length);
  out.set(head, 0);
  out.fill(unit, head.length, head.length + unit.length * body.count);
  out.set(tail, head.length + unit.length * body.count);
  return out;
}

/** The bytes in chunks, with no length known up front (`Transfer-Encoding: chunked`). */
function stream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 16 * 1024));
      offset += 16 * 1024;
    },
  });
}

/** Bodies this large, or chunked, go on a connection of their own (see `send`). */
const OWN_CONNECTION_BYTES = 16 * 1024;

async function attempt(origin: string, entry: HostileRequest): Promise<Outcome> {
  const bytes = entry.body && bodyBytes(entry.body);
  const headers = { ...entry.headers };
  // A server that refuses a large body after reading part of it may close the connection
  // rather than read the rest: such a request asks for a connection of its own, so that fetch
  // does not send the next request on a connection the server is closing.
  if (bytes && (entry.chunked || bytes.length > OWN_CONNECTION_BYTES)) headers.connection = 'close';
  const init: RequestInit & { duplex?: 'half' } = {
    method: entry.method,
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(120_000),
  };
  if (bytes) {
    // Bytes, not a string: fetch would add `text/plain;charset=UTF-8` to a string body that has
    // no Content-Type, and "no content type" is one of the cases. Every body here is backed by
    // an ArrayBuffer (never a SharedArrayBuffer), as fetch wants.
    init.body = entry.chunked ? stream(bytes) : (bytes as Uint8Array<ArrayBuffer>);
    if (entry.chunked) init.duplex = 'half';
  }
  try {
    const response = await fetch(origin + entry.url, init);
    const replyHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      replyHeaders[name] = value;
    });
    return {
      ok: true,
      reply: { status: response.status, headers: replyHeaders, text: await response.text() },
    };
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return {
      ok: false,
      error: `${error instanceof Error ? error.message : String(error)}${cause}`,
    };
  }
}

/**
 * One entry, tried again once after a transport error (no reply at all), as an HTTP client
 * does: a connection can close under a request when the server ends it after refusing an
 * oversized body (a TCP reset then discards the reply). The retry is reported with the outcome.
 */
export async function send(origin: string, entry: HostileRequest): Promise<Outcome> {
  const first = await attempt(origin, entry);
  if (first.ok) return first;
  await new Promise((done) => setTimeout(done, 250));
  const second = await attempt(origin, entry);
  return second.ok ? { ...second, retriedAfter: first.error } : second;
}

/** Sends every entry, at most `concurrency` at once; outcomes in the corpus's order. */
export async function sendAll(
  origin: string,
  corpus: readonly HostileRequest[],
  concurrency: number,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(corpus.length);
  await pool(corpus, concurrency, async (entry, index) => {
    outcomes[index] = await send(origin, entry);
  });
  return outcomes;
}
