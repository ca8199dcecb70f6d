// Posts pending webhook events (the outbox) to each organisation's URL, signed:
//   cxm-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// with a second `v1=` by the previous secret during a rotation's grace period (./secret.ts).
// Delivery is at least once (receivers dedupe by the payload's `id`). Each run posts at most
// PER_ORG_PER_RUN events per organisation, taken round-robin across organisations, CONCURRENCY at
// a time with a TIMEOUT_MS timeout each, so a slow receiver delays only its own events. A failed attempt is
// retried with growing pauses by later runs (the 10-minute cron, or the next request that
// delivers), up to MAX_ATTEMPTS, then marked `failed`. One event can also be posted at once on
// request (`deliverClaimed`: a test event, a redelivery from the console or API). The clock and
// `fetch` are injected, so tests run every path without sleeping or a network.
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations, webhookDeliveries } from '../db/schema.js';
import { hex, hmacSha256 } from '../utils/encoding.js';
import type { SealingSecrets } from '../utils/sealed.js';
import { signingSecrets } from './secret.js';

/** Pause before attempt n+1 after n failures, in minutes (attempts 2..8). */
export const BACKOFF_MINUTES = [1, 5, 30, 120, 360, 720, 1440] as const;
export const MAX_ATTEMPTS = BACKOFF_MINUTES.length + 1;
/** A claimed delivery is not picked by another run for this long. */
const LEASE_MS = 60_000;
/** One receiver gets this long to answer; a slow one is retried later like a failing one. */
export const TIMEOUT_MS = 3_000;
/** Events one run posts at most, in all. */
export const PER_RUN = 100;
/** Events of one organisation one run posts at most, so no organisation starves the others. */
export const PER_ORG_PER_RUN = 10;
/** Posts in flight at once. 100 events at 3 s each then take 30 s at worst, not 1,000 s. */
export const CONCURRENCY = 10;

export interface DeliveryOptions {
  now: number;
  /** Open the stored webhook secrets (`SECRETS_KEY`, and `SECRETS_KEY_PREVIOUS` while rotating). */
  secrets: SealingSecrets;
  fetch?: typeof fetch;
  /** Only this organisation's events (after a request); default all due ones. */
  orgId?: string;
  /** Per-post timeout; default TIMEOUT_MS (tests shorten it). */
  timeoutMs?: number;
}

export interface DeliveryOutcome {
  delivered: number;
  retrying: number;
  failed: number;
}

/** `t=<unix seconds>,v1=<signature>` with one `v1` per secret, newest first. */
export async function signatureHeader(secrets: string[], body: string, unixSeconds: number) {
  const signatures = await Promise.all(
    secrets.map(async (secret) => `v1=${hex(await hmacSha256(secret, `${unixSeconds}.${body}`))}`),
  );
  return [`t=${unixSeconds}`, ...signatures].join(',');
}

interface DueRow {
  id: string;
  payload: string;
  attempts: number;
  nextAttemptAt: number;
  orgId: string;
  url: string | null;
  secret: string | null;
  previousSecret: string | null;
  previousUntil: number | null;
}

/**
 * The events this run posts: due ones, at most PER_ORG_PER_RUN per organisation (its oldest),
 * taken round-robin (every organisation's oldest first, then every one's second, ...), PER_RUN
 * in all. One organisation with a backlog therefore cannot push the others out of a run.
 */
async function dueRows(db: Db, now: number, orgId: string | undefined): Promise<DueRow[]> {
  const w = webhookDeliveries;
  const o = organisations;
  const ranked = db
    .select({
      id: w.id,
      payload: w.payload,
      attempts: w.attempts,
      nextAttemptAt: w.nextAttemptAt,
      orgId: w.orgId,
      rank: sql<number>`ROW_NUMBER() OVER (PARTITION BY ${w.orgId} ORDER BY ${w.nextAttemptAt}, ${w.id})`.as(
        'rank',
      ),
    })
    .from(w)
    .where(
      and(
        eq(w.status, 'pending'),
        lte(w.nextAttemptAt, now),
        orgId === undefined ? undefined : eq(w.orgId, orgId),
      ),
    )
    .as('ranked');
  return db
    .select({
      id: ranked.id,
      payload: ranked.payload,
      attempts: ranked.attempts,
      nextAttemptAt: ranked.nextAttemptAt,
      orgId: ranked.orgId,
      url: o.webhookUrl,
      secret: o.webhookSecret,
      previousSecret: o.webhookSecretPrevious,
      previousUntil: o.webhookSecretPreviousUntil,
    })
    .from(ranked)
    .innerJoin(o, eq(o.id, ranked.orgId))
    .where(lte(ranked.rank, PER_ORG_PER_RUN))
    .orderBy(asc(ranked.rank), asc(ranked.nextAttemptAt), asc(ranked.id))
    .limit(PER_RUN);
}

/** Runs `task` over `items` with at most `limit` in flight; one failing task stops no other. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  for (const result of results) {
    if (result.status === 'rejected') console.error('webhooks: delivery failed', result.reason);
  }
}

export async function deliverDue(db: Db, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const { now } = options;
  const w = webhookDeliveries;
  const due = await dueRows(db, now, options.orgId);
  const outcome: DeliveryOutcome = { delivered: 0, retrying: 0, failed: 0 };
  await pool(due, CONCURRENCY, async (row) => {
    // Claim it, so a concurrent run does not post it too.
    const claimed = await db
      .update(w)
      .set({ nextAttemptAt: now + LEASE_MS })
      .where(and(eq(w.id, row.id), eq(w.nextAttemptAt, row.nextAttemptAt), eq(w.status, 'pending')))
      .returning({ id: w.id });
    if (claimed.length === 0) return;
    outcome[await attempt(db, row, options)] += 1;
  });
  return outcome;
}

/** Posts one signed event; null when the receiver took it (2xx), else why not. */
async function post(row: DueRow, options: DeliveryOptions): Promise<string | null> {
  const { now } = options;
  const signing = await signingSecrets(
    options.secrets,
    {
      orgId: row.orgId,
      current: row.secret,
      previous: row.previousSecret,
      previousUntil: row.previousUntil,
    },
    now,
  );
  if (!row.url || !row.secret) return 'the organisation has no webhook URL any more';
  if (!signing) {
    return "the webhook secret does not open with this server's key: rotate it in the settings";
  }
  try {
    const response = await (options.fetch ?? fetch)(row.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'cxm-webhooks/1',
        'cxm-delivery': row.id,
        'cxm-signature': await signatureHeader(signing, row.payload, Math.floor(now / 1000)),
      },
      body: row.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS),
    });
    // The body is not needed; release the connection.
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
  } catch (thrown) {
    return thrown instanceof Error ? thrown.message.slice(0, 200) : 'request failed';
  }
}

/** One claimed event's attempt: posted, then recorded as delivered, retrying (backoff) or failed. */
async function attempt(
  db: Db,
  row: DueRow,
  options: DeliveryOptions & { once?: boolean },
): Promise<keyof DeliveryOutcome> {
  const { now } = options;
  const w = webhookDeliveries;
  const attempts = row.attempts + 1;
  const error = await post(row, options);
  if (error === null) {
    await db
      .update(w)
      .set({ status: 'delivered', attempts, deliveredAt: now, lastError: null })
      .where(eq(w.id, row.id));
    return 'delivered';
  }
  if (attempts >= MAX_ATTEMPTS || !row.url || options.once) {
    await db
      .update(w)
      .set({ status: 'failed', attempts, lastError: error })
      .where(eq(w.id, row.id));
    return 'failed';
  }
  const pause = BACKOFF_MINUTES[attempts - 1]! * 60_000;
  await db
    .update(w)
    .set({ attempts, nextAttemptAt: now + pause, lastError: error })
    .where(eq(w.id, row.id));
  return 'retrying';
}

/**
 * An event of `orgId` made pending again with no attempts (so its backoff starts over), leased to
 * the caller, who posts it now with `deliverClaimed`; same id and body, so a receiver that has
 * it already sees a duplicate to drop. A statement, to join the batch that audits it.
 */
export function claimForRedelivery(db: Db, orgId: string, id: string, now: number) {
  const w = webhookDeliveries;
  return db
    .update(w)
    .set({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now + LEASE_MS,
      deliveredAt: null,
      lastError: null,
    })
    .where(and(eq(w.id, id), eq(w.orgId, orgId)));
}

/** When a new event's row is first tried: now, by its writer (`deliverClaimed`), not a cron. */
export function leasedFrom(now: number): number {
  return now + LEASE_MS;
}

/**
 * Posts one event the caller has claimed (`claimForRedelivery`, or a row it inserted with
 * `nextAttemptAt: leasedFrom(now)`) and records the outcome. `once`: a failure is final rather
 * than retried (a test event is a probe, not news the receiver must get). Null when there is no
 * such event of `orgId`.
 */
export async function deliverClaimed(
  db: Db,
  id: string,
  options: DeliveryOptions & { orgId: string; once?: boolean },
): Promise<keyof DeliveryOutcome | null> {
  const w = webhookDeliveries;
  const o = organisations;
  const [row] = await db
    .select({
      id: w.id,
      payload: w.payload,
      attempts: w.attempts,
      nextAttemptAt: w.nextAttemptAt,
      orgId: w.orgId,
      url: o.webhookUrl,
      secret: o.webhookSecret,
      previousSecret: o.webhookSecretPrevious,
      previousUntil: o.webhookSecretPreviousUntil,
    })
    .from(w)
    .innerJoin(o, eq(o.id, w.orgId))
    .where(and(eq(w.id, id), eq(w.orgId, options.orgId)));
  return row ? attempt(db, row, options) : null;
}
