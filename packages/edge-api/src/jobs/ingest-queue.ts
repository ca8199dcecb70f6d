// The optional queue between `/v1/collect` and the writer (binding `INGEST_QUEUE`, unbound by
// default). With it, collect validates and answers at once, and the consumer below writes
// beacons in the background; without it, collect writes itself. Queues redeliver on failure,
// so the consumer relies on the same idempotent writer (event keys and windows decided in the
// insert, scores settled up to a watermark), which also settles what a failed attempt stored.
import { database } from '../db/client.js';
import { type IngestMessage, writeBeacon } from '../endpoints/collect/write-beacon.js';
import type { Bindings } from '../env.js';

export async function consumeIngestBatch(
  batch: MessageBatch<IngestMessage>,
  env: Bindings,
): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    try {
      if (message.body.kind === 'beacon') await writeBeacon(db, message.body.job);
      message.ack();
    } catch (error) {
      console.error('ingest: beacon write failed, will retry', error);
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
