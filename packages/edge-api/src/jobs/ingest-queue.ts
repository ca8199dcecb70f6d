// The ingest queue's consumer (binding `INGEST_QUEUE`; production collects through it, see
// `COLLECT_MODE` in endpoints/collect/route.ts): collect validates, enqueues and answers 202, and
// a delivery of up to 100 beacons is written here in one D1 read batch and one D1 write batch,
// so a burst of page views costs one write, not one each.
//
// The combined batch holds the statements each beacon's own write would run
// (`beaconWrite`, endpoints/collect/write-beacon.ts), in delivery order. They were made to commute
// with other beacons' writes (event keys and visit windows decided in each insert, the visitor
// seen in place), so a beacon's reads may come from before the others in its batch; what does not
// commute is split off:
// - beacons sharing a visitor, a fingerprint or a token's candidate go to successive rounds (each
//   reads what the one before wrote), so each round is what writing them in turn would store;
// - a beacon that links its visitor (a token's or a recognised fingerprint's relink, the one
//   write that is version-guarded and can lose a race) is written on its own, with its retries.
// Queues redeliver on failure, and a redelivered beacon stores nothing twice: its events'
// keys are stored, so it only counts them as duplicates (collect_stats) and settles again.
// Should a combined batch fail, its beacons are written one by one, each acked or retried on
// its own, so one poison message cannot hold back the others; it is retried with backoff and,
// after the consumer's `max_retries`, goes to the dead-letter queue (wrangler.jsonc).
import { type Db, database, runBatchResults, runQueries } from '../db/client.js';
import {
  type BeaconJob,
  beaconRead,
  beaconReadQueries,
  beaconWrite,
  type IngestMessage,
  linksVisitor,
  type Stored,
  writeBeacon,
} from '../endpoints/collect/write-beacon.js';
import type { Bindings } from '../env.js';
import { sitesNow } from '../orgs/sites.js';
import { modelFrom } from '../scoring/score-row.js';
import { settleScores } from '../scoring/settle.js';

type IngestDelivery = Message<IngestMessage>;

export async function consumeIngestBatch(
  batch: MessageBatch<IngestMessage>,
  env: Bindings,
): Promise<void> {
  const db = database(env.DB);
  const messages = await asStoredNow(db, batch.messages);
  for (const round of rounds(messages)) {
    let alone: IngestDelivery[];
    try {
      alone = await writeRound(db, round);
    } catch (error) {
      // Also after a settle that failed once the batch was stored: writing those beacons again
      // stores nothing twice (it counts their events as duplicates) and settles them.
      console.warn(`ingest: a batch of ${round.length} beacons failed; writing each alone`, error);
      alone = round;
    }
    for (const message of round) if (!alone.includes(message)) message.ack();
    await writeEach(db, alone);
  }
}

/**
 * The beacons to write, as their sites are stored now (one read for the delivery): a beacon of a
 * site whose tracking was turned off since it was queued (or that an isolate's cached site still
 * showed on) is acked and dropped, storing nothing; the rest take their organisation's scoring
 * model as stored now, the one a rescore is rebuilding everyone with.
 */
async function asStoredNow(db: Db, messages: readonly IngestDelivery[]): Promise<IngestDelivery[]> {
  const current = await sitesNow(
    db,
    messages.map((message) => message.body.job.siteId),
  );
  const kept: IngestDelivery[] = [];
  for (const message of messages) {
    const { job } = message.body;
    const site = current.get(job.siteId);
    if (!site?.trackingEnabled) {
      message.ack();
      continue;
    }
    job.scoringModel = site.scoringModel;
    kept.push(message);
  }
  const dropped = messages.length - kept.length;
  if (dropped > 0) console.log(`ingest: ${dropped} beacons of sites with tracking off, dropped`);
  return kept;
}

/**
 * The messages in rounds: each goes to the round after the last one holding its visitor, its
 * fingerprint or its token's candidate, so within a round no two share any, and the beacons of
 * one visitor are written in the order they were sent.
 */
export function rounds<T extends { body: IngestMessage }>(messages: readonly T[]): T[][] {
  const lastRound = new Map<string, number>();
  const out: T[][] = [];
  for (const message of messages) {
    const keys = keysOf(message.body.job);
    const round = Math.max(...keys.map((key) => (lastRound.get(key) ?? -1) + 1));
    for (const key of keys) lastRound.set(key, round);
    if (round === out.length) out.push([]);
    out[round]!.push(message);
  }
  return out;
}

function keysOf(job: BeaconJob): string[] {
  const { orgId } = job;
  const fp = job.visitor.fp ?? null;
  return [
    `visitor:${orgId}:${job.visitor.deviceId}`,
    ...(fp === null ? [] : [`fp:${orgId}:${fp}`]),
    ...(job.identityCandidate === null ? [] : [`candidate:${orgId}:${job.identityCandidate}`]),
  ];
}

/**
 * One round: every beacon's reads in one D1 batch, the writes of those that do not relink in
 * another, then the scores they moved settled per organisation. Returns the relinking ones, left
 * to be written alone. Throws, with nothing of the write batch kept, if that batch fails.
 */
async function writeRound(db: Db, round: IngestDelivery[]): Promise<IngestDelivery[]> {
  const jobs = round.map((message) => message.body.job);
  const queries = jobs.map((job) => beaconReadQueries(db, job));
  const results = await runQueries(db, queries.flat());
  const alone: IngestDelivery[] = [];
  const writes: { job: BeaconJob; write: Awaited<ReturnType<typeof beaconWrite>> }[] = [];
  let at = 0;
  for (const [index, job] of jobs.entries()) {
    const size = queries[index]!.length;
    const read = beaconRead(job, results.slice(at, at + size));
    at += size;
    if (linksVisitor(job, read)) alone.push(round[index]!);
    else writes.push({ job, write: await beaconWrite(db, job, read) });
  }
  const written = await runBatchResults(
    db,
    writes.flatMap(({ write }) => write.statements),
  );
  const stored: { job: BeaconJob; stored: Stored }[] = [];
  at = 0;
  for (const { job, write } of writes) {
    const size = write.statements.length;
    stored.push({ job, stored: write.outcome(written.slice(at, at + size)) });
    at += size;
  }
  await settle(db, stored);
  return alone;
}

/** Step 2 of each beacon's write, once per organisation and scoring model for the whole round. */
async function settle(db: Db, stored: { job: BeaconJob; stored: Stored }[]): Promise<void> {
  const groups = new Map<string, { job: BeaconJob; candidateIds: Set<string> }>();
  for (const { job, stored: outcome } of stored) {
    if (outcome.candidateIds.length === 0) continue;
    const key = `${job.orgId}\u0000${job.scoringModel ?? ''}`;
    const group = groups.get(key) ?? { job, candidateIds: new Set<string>() };
    for (const id of outcome.candidateIds) group.candidateIds.add(id);
    groups.set(key, group);
  }
  for (const { job, candidateIds } of groups.values()) {
    const settled = await settleScores(db, {
      orgId: job.orgId,
      model: modelFrom(job.scoringModel),
      candidateIds: [...candidateIds],
    });
    if (settled.deferred.length > 0) console.warn('ingest: a score left to a later settle');
  }
}

/** Each beacon written on its own (`writeBeacon`, with its retries), acked or retried alone. */
async function writeEach(db: Db, messages: readonly IngestDelivery[]): Promise<void> {
  for (const message of messages) {
    try {
      await writeBeacon(db, message.body.job);
      message.ack();
    } catch (error) {
      console.error('ingest: beacon write failed, will retry', error);
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
