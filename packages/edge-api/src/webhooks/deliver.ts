// Posts pending webhook events (the outbox) to each organisation's URL, signed:
//   cxm-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// Delivery is at least once (receivers dedupe by the payload's `id`). A failed attempt is
// retried with growing pauses by later runs (the 10-minute cron, or the next request that
// delivers), up to MAX_ATTEMPTS, then marked `failed`. The clock and `fetch` are injected, so
// tests run every path without sleeping or a network.
import { and, asc, eq, lte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations, webhookDeliveries } from '../db/schema.js';

/** Pause before attempt n+1 after n failures, in minutes (attempts 2..8). */
export const BACKOFF_MINUTES = [1, 5, 30, 120, 360, 720, 1440] as const;
export const MAX_ATTEMPTS = BACKOFF_MINUTES.length + 1;
/** A claimed delivery is not picked by another run for this long. */
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;
const PER_RUN = 100;

export interface DeliveryOptions {
  now: number;
  fetch?: typeof fetch;
  /** Only this organisation's events (after a request); default all due ones. */
  orgId?: string;
}

export interface DeliveryOutcome {
  delivered: number;
  retrying: number;
  failed: number;
}

const encoder = new TextEncoder();

export async function signatureHeader(secret: string, body: string, unixSeconds: number) {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${unixSeconds}.${body}`));
  const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `t=${unixSeconds},v1=${hex}`;
}

export async function deliverDue(db: Db, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const { now } = options;
  const send = options.fetch ?? fetch;
  const w = webhookDeliveries;
  const due = await db
    .select({
      id: w.id,
      payload: w.payload,
      attempts: w.attempts,
      nextAttemptAt: w.nextAttemptAt,
      url: organisations.webhookUrl,
      secret: organisations.webhookSecret,
    })
    .from(w)
    .innerJoin(organisations, eq(organisations.id, w.orgId))
    .where(
      and(
        eq(w.status, 'pending'),
        lte(w.nextAttemptAt, now),
        options.orgId === undefined ? undefined : eq(w.orgId, options.orgId),
      ),
    )
    .orderBy(asc(w.nextAttemptAt))
    .limit(PER_RUN);
  const outcome: DeliveryOutcome = { delivered: 0, retrying: 0, failed: 0 };
  for (const row of due) {
    // Claim it, so a concurrent run does not post it too.
    const claimed = await db
      .update(w)
      .set({ nextAttemptAt: now + LEASE_MS })
      .where(and(eq(w.id, row.id), eq(w.nextAttemptAt, row.nextAttemptAt), eq(w.status, 'pending')))
      .returning({ id: w.id });
    if (claimed.length === 0) continue;
    const attempts = row.attempts + 1;
    let error: string | null;
    if (!row.url || !row.secret) error = 'the organisation has no webhook URL any more';
    else {
      try {
        const response = await send(row.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'cxm-webhooks/1',
            'cxm-delivery': row.id,
            'cxm-signature': await signatureHeader(row.secret, row.payload, Math.floor(now / 1000)),
          },
          body: row.payload,
          redirect: 'manual',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        // The body is not needed; release the connection.
        await response.body?.cancel();
        error = response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
      } catch (thrown) {
        error = thrown instanceof Error ? thrown.message.slice(0, 200) : 'request failed';
      }
    }
    if (error === null) {
      outcome.delivered += 1;
      await db
        .update(w)
        .set({ status: 'delivered', attempts, deliveredAt: now, lastError: null })
        .where(eq(w.id, row.id));
    } else if (attempts >= MAX_ATTEMPTS || !row.url) {
      outcome.failed += 1;
      await db
        .update(w)
        .set({ status: 'failed', attempts, lastError: error })
        .where(eq(w.id, row.id));
    } else {
      outcome.retrying += 1;
      const pause = BACKOFF_MINUTES[attempts - 1]! * 60_000;
      await db
        .update(w)
        .set({ attempts, nextAttemptAt: now + pause, lastError: error })
        .where(eq(w.id, row.id));
    }
  }
  return outcome;
}
