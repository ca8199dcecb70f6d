// How a queue consumer hands back a job that threw, and the page consumers' loop around it.

/** The pause before a failed job's next attempt: 60 s, doubling, at most 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 30 * 2 ** attempts);
}

/**
 * Runs a delivery's jobs one at a time (each page is one D1 batch, and a run has one page in
 * flight): a job that finished is acked, one that threw is logged under `name` and handed back
 * with `retryDelaySeconds`.
 */
export async function eachInTurn<T>(
  batch: MessageBatch<T>,
  name: (job: T) => string,
  run: (job: T) => Promise<unknown>,
): Promise<void> {
  for (const message of batch.messages) {
    try {
      await run(message.body);
      message.ack();
    } catch (error) {
      console.error(`${name(message.body)}: page failed, will retry`, message.body, error);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}
