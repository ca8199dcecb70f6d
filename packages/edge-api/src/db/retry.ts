// Optimistic concurrency: a writer reads, computes, then writes one batch guarded by row
// versions and unique indexes. When another request got there first, D1 aborts the batch
// (nothing of it is kept) and the writer starts again from fresh reads. Ingestion stores without
// guards and settles scores with its own bounded loop that never fails (`scoring/settle.ts`), so
// only its relinks (a beacon's identity token) retry here; links, purges, tags and rescoring do
// too, and end in WriteContention (503) after `OPTIONS.writeAttempts`.

export class WriteContention extends Error {
  constructor(attempts: number) {
    super(`gave up after ${attempts} conflicting attempts`);
    this.name = 'WriteContention';
  }
}

/**
 * The messages D1 gives for a lost race: our guard triggers, unique indexes, a busy database,
 * and a foreign key to a row deleted meanwhile (a candidate purged while its engagements were
 * being written: the retry then reads afresh and creates a new candidate).
 */
const RETRYABLE =
  /stale_version|UNIQUE constraint failed|FOREIGN KEY constraint failed|SQLITE_BUSY|database is locked/i;

export function isRetryable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      if (RETRYABLE.test(e.message)) return true;
      e = e.cause;
    } else return false;
  }
  return false;
}

/** Runs `attempt` until it succeeds, retrying lost races after a short random pause. */
export async function withRetries<T>(attempt: () => Promise<T>, attempts: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (i >= attempts) throw new WriteContention(attempts);
      // Jittered, growing pause so that racing requests stop colliding.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** Math.min(i, 5)));
    }
  }
}
