// Texts the sender claimed but never settled: the worker stopped between claiming a message
// (`sending`) and recording the provider's answer. Whether the provider took it cannot be known
// here, and sending again could text the candidate twice, so after a quarter of an hour such a
// message is failed as `provider_no_answer`, never retried. If the provider did send it, its
// status callback (which names the message) still moves it on to what really happened.
import { NO_ANSWER } from '../provider-webhooks/status.js';

/** Far longer than a provider call may take (the fetch gives up long before). */
export const STUCK_AFTER_MS = 15 * 60 * 1000;

export async function sweepStuckSending(db: D1Database, now: number): Promise<number> {
  const result = await db
    .prepare(
      `UPDATE messages SET status = 'failed', error_code = ?1,
         error_message = 'The provider did not answer; not retried, so the candidate is never texted twice.',
         updated_at = ?2
       WHERE status = 'sending' AND updated_at < ?3`,
    )
    .bind(NO_ANSWER, now, now - STUCK_AFTER_MS)
    .run();
  return result.meta.changes;
}
