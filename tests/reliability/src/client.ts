// The suite's HTTP client: one request at a time per worker, a fixed number of workers, and the
// retry a real sender does (a network error or a 503 is tried again after a pause; anything
// else is an answer).
export interface Reply {
  status: number;
  body: unknown;
}

export type Outcome = { ok: true; reply: Reply } | { ok: false; error: string };

export async function send(
  origin: string,
  request: { path: string; headers: Record<string, string>; body: string },
): Promise<Outcome> {
  try {
    const response = await fetch(origin + request.path, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { ok: true, reply: { status: response.status, body } };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs `task` over `items` with `concurrency` workers, in order of `items`. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** What `/v1/collect` and `/v1/engagements` answer with 202. */
export interface Counts {
  accepted: number;
  duplicates: number;
  dropped?: number;
}

export function counts(body: unknown): Counts | null {
  if (typeof body !== 'object' || body === null) return null;
  const { accepted, duplicates, dropped } = body as Record<string, unknown>;
  if (typeof accepted !== 'number' || typeof duplicates !== 'number') return null;
  return { accepted, duplicates, dropped: typeof dropped === 'number' ? dropped : 0 };
}
