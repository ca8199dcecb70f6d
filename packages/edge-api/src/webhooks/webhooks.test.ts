import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../db/client.js';
import worker from '../index.js';
import { DAILY_CRON, RETRY_CRON, runScheduled } from '../jobs/cron.js';
import { api, createOrg, DAY_MS, json, rid, rows, sendEngagements } from '../test/client.js';
import { sealingSecrets } from '../utils/sealed.js';
import {
  BACKOFF_MINUTES,
  CONCURRENCY,
  deliverDue,
  MAX_ATTEMPTS,
  PER_ORG_PER_RUN,
} from './deliver.js';

interface Posted {
  url: string;
  body: string;
  signature: string;
  delivery: string;
}

/** A fake `fetch` that records what was posted and answers `status`. */
function receiver(status = 200) {
  const posted: Posted[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    posted.push({
      url: String(url),
      body: String(init.body),
      signature: headers.get('cxm-signature') ?? '',
      delivery: headers.get('cxm-delivery') ?? '',
    });
    return new Response(null, { status });
  }) as unknown as typeof globalThis.fetch;
  return { posted, fetch };
}

const SECRETS = sealingSecrets(env);

/** What a receiver does to verify a delivery (the README's recipe): any `v1` may match. */
async function verify(secret: string, signature: string, body: string): Promise<boolean> {
  const match = /^t=(\d+)((?:,v1=[0-9a-f]{64})+)$/.exec(signature);
  if (!match) return false;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    new TextEncoder().encode(`${match[1]}.${body}`),
  );
  const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return (match[2] ?? '').split(',v1=').includes(hex);
}

async function orgWithWebhook() {
  const org = await createOrg();
  const url = `https://hooks.example.com/${org.orgId}`;
  const settings = await json<{ webhookSecret: string }>(
    api('PUT', '/v1/settings/engagement', org.keys.manager, { webhookUrl: url }),
  );
  return { org, url, secret: settings.webhookSecret };
}

function pendingOf(orgId: string) {
  return rows<{
    status: string;
    attempts: number;
    next_attempt_at: number;
    payload: string;
    last_error: string | null;
  }>(
    'SELECT status, attempts, next_attempt_at, payload, last_error FROM webhook_deliveries WHERE org_id = ? ORDER BY created_at',
    orgId,
  );
}

describe('tier-change webhooks', () => {
  it('queues an on-write tier change and posts it signed; the signature verifies', async () => {
    const { org, url, secret } = await orgWithWebhook();
    const cand = rid('cand');
    await sendEngagements(org.keys.user, cand, [
      { type: 'attend_event', ago: DAY_MS },
      { type: 'register_event', ago: DAY_MS },
    ]);
    const [queued] = await pendingOf(org.orgId);
    expect(queued?.status).toBe('pending');
    const { posted, fetch } = receiver();
    const outcome = await deliverDue(database(env.DB), {
      secrets: SECRETS,
      now: Date.now(),
      fetch,
      orgId: org.orgId,
    });
    expect(outcome).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(posted).toHaveLength(1);
    const [sent] = posted as [Posted];
    expect(sent.url).toBe(url);
    expect(await verify(secret, sent.signature, sent.body)).toBe(true);
    expect(await verify('whsec_wrong', sent.signature, sent.body)).toBe(false);
    const payload = JSON.parse(sent.body);
    expect(payload).toEqual({
      id: sent.delivery,
      type: 'candidate.tier_changed',
      orgId: org.orgId,
      candidateId: cand,
      from: 'inactive',
      to: 'highly_engaged',
      points: expect.any(Number),
      occurredAt: expect.any(String),
      reason: 'engagement',
    });
    expect(payload.points).toBeGreaterThan(15);
    expect((await pendingOf(org.orgId))[0]?.status).toBe('delivered');
    // Delivered once: a later run posts nothing more.
    const again = receiver();
    await deliverDue(database(env.DB), {
      secrets: SECRETS,
      now: Date.now(),
      fetch: again.fetch,
      orgId: org.orgId,
    });
    expect(again.posted).toHaveLength(0);
  });

  it('queues nothing for an organisation without a webhook URL', async () => {
    const org = await createOrg();
    await sendEngagements(org.keys.user, rid('cand'), [{ type: 'attend_event', ago: DAY_MS }]);
    expect(await pendingOf(org.orgId)).toEqual([]);
  });

  it('the daily run finds tiers that decay moved, once, and posts them with reason decay', async () => {
    const { org, secret } = await orgWithWebhook();
    const hot = rid('hot');
    const warm = rid('warm');
    await sendEngagements(org.keys.user, hot, [
      { type: 'attend_event', ago: DAY_MS },
      { type: 'register_event', ago: DAY_MS },
    ]);
    await sendEngagements(org.keys.user, warm, [{ type: 'attend_event', ago: DAY_MS }]);
    await deliverDue(database(env.DB), {
      secrets: SECRETS,
      now: Date.now(),
      fetch: receiver().fetch,
      orgId: org.orgId,
    });

    // The decay in turn (no rescore queue), so this run's deliveries carry what it changed; through
    // the queue they go with the next run's (jobs/decay-queue.test.ts).
    const inTurn = { ...env, RESCORE_QUEUE: undefined };
    // 3 days on: hot (16 → 14.6 points) is below 15 but not 10 % below it: hysteresis keeps
    // its stored tier, nothing is posted.
    const soon = receiver();
    await runScheduled(inTurn, {
      cron: DAILY_CRON,
      now: Date.now() + 3 * DAY_MS,
      fetch: soon.fetch,
    });
    expect(soon.posted.filter((p) => p.body.includes(org.orgId))).toEqual([]);

    // 40 days on: hot has 6.3 points (engaged), warm 3.9 (inactive).
    const later = Date.now() + 40 * DAY_MS;
    const run = receiver();
    await runScheduled(inTurn, { cron: DAILY_CRON, now: later, fetch: run.fetch });
    const mine = run.posted.filter((p) => p.body.includes(`"orgId":"${org.orgId}"`));
    expect(mine).toHaveLength(2);
    for (const sent of mine) expect(await verify(secret, sent.signature, sent.body)).toBe(true);
    const payloads = mine
      .map((p) => JSON.parse(p.body))
      .sort((a, b) => a.candidateId.localeCompare(b.candidateId));
    const byId = Object.fromEntries(payloads.map((p) => [p.candidateId, p]));
    expect(byId[hot]).toMatchObject({ from: 'highly_engaged', to: 'engaged', reason: 'decay' });
    expect(byId[warm]).toMatchObject({ from: 'engaged', to: 'inactive', reason: 'decay' });
    // The change happened when the points crossed the drop level, before the run.
    expect(Date.parse(byId[warm].occurredAt)).toBeLessThan(later);
    expect(Date.parse(byId[warm].occurredAt)).toBeGreaterThan(Date.now());
    const stored = await rows<{ tier: string }>(
      'SELECT s.tier FROM scores s JOIN candidates c ON c.id = s.candidate_id WHERE c.org_id = ? AND c.external_id = ?',
      org.orgId,
      warm,
    );
    expect(stored[0]?.tier).toBe('inactive');

    // The next day's run finds nothing new for these candidates.
    const next = receiver();
    await runScheduled(inTurn, { cron: DAILY_CRON, now: later + DAY_MS, fetch: next.fetch });
    expect(next.posted.filter((p) => p.body.includes(`"orgId":"${org.orgId}"`))).toEqual([]);
  });

  it('retries a failing receiver with growing pauses, then gives up', async () => {
    const { org } = await orgWithWebhook();
    await sendEngagements(org.keys.user, rid('cand'), [{ type: 'attend_event', ago: DAY_MS }]);
    const down = receiver(503);
    let now = Date.now();
    const db = database(env.DB);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcome = await deliverDue(db, {
        secrets: SECRETS,
        now,
        fetch: down.fetch,
        orgId: org.orgId,
      });
      const [row] = await pendingOf(org.orgId);
      expect(row?.attempts).toBe(attempt);
      expect(row?.last_error).toBe('HTTP 503');
      if (attempt < MAX_ATTEMPTS) {
        expect(outcome.retrying).toBe(1);
        const pause = BACKOFF_MINUTES[attempt - 1]! * 60_000;
        expect(row?.next_attempt_at).toBe(now + pause);
        // Not due a moment before the pause is over.
        const early = await deliverDue(db, {
          secrets: SECRETS,
          now: now + pause - 1,
          fetch: down.fetch,
          orgId: org.orgId,
        });
        expect(early).toEqual({ delivered: 0, retrying: 0, failed: 0 });
        now += pause;
      } else {
        expect(outcome.failed).toBe(1);
        expect(row?.status).toBe('failed');
      }
    }
    expect(down.posted).toHaveLength(MAX_ATTEMPTS);
  });

  it('one organisation with a slow receiver and a backlog does not starve the others', async () => {
    const slow = await orgWithWebhook();
    const fast = await orgWithWebhook();
    const now = Date.now();
    // 150 due events of the slow organisation, all older than the fast one's two.
    const insert = (orgId: string, age: number) =>
      env.DB.prepare(
        "INSERT INTO webhook_deliveries (id, org_id, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)",
      ).bind(rid('d'), orgId, JSON.stringify({ orgId }), now - age, now - age);
    await env.DB.batch([
      ...Array.from({ length: 150 }, (_, i) => insert(slow.org.orgId, 3_600_000 + i)),
      insert(fast.org.orgId, 1_000),
      insert(fast.org.orgId, 2_000),
    ]);
    let inFlight = 0;
    let most = 0;
    const fastPosted: string[] = [];
    let slowPosted = 0;
    // The slow receiver never answers: every post to it ends at the timeout.
    const fetch = (async (url: string, init: RequestInit) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        if (String(url) === slow.url) {
          slowPosted += 1;
          await new Promise((_, reject) => {
            init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
          });
        }
        if (String(url) === fast.url) fastPosted.push(String(init.body));
        return new Response(null, { status: 200 });
      } finally {
        inFlight -= 1;
      }
    }) as unknown as typeof globalThis.fetch;

    const started = Date.now();
    await deliverDue(database(env.DB), {
      secrets: SECRETS,
      now,
      fetch,
      timeoutMs: 50,
    });
    expect(Date.now() - started).toBeLessThan(5_000);

    // The fast organisation's events went out in the same run.
    expect(fastPosted).toHaveLength(2);
    expect((await pendingOf(fast.org.orgId)).map((row) => row.status)).toEqual([
      'delivered',
      'delivered',
    ]);
    // The slow one got at most its share, posted concurrently, and retries later.
    expect(slowPosted).toBe(PER_ORG_PER_RUN);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(CONCURRENCY);
    const slowRows = await pendingOf(slow.org.orgId);
    expect(slowRows.filter((row) => row.attempts === 1)).toHaveLength(PER_ORG_PER_RUN);
    expect(slowRows.filter((row) => row.attempts === 1)[0]?.last_error).toBeTruthy();
    expect(slowRows.filter((row) => row.attempts === 0)).toHaveLength(150 - PER_ORG_PER_RUN);
  });

  it("the worker's scheduled handler runs in workerd with the controller's time", async () => {
    const org = await createOrg();
    await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    await sendEngagements(org.keys.user, rid('cand'), [{ type: 'attend_event', ago: DAY_MS }]);
    // Only this test's delivery is due at that time (others are parked an hour ahead).
    const at = Date.now() + 1000;
    await env.DB.prepare(
      "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE status = 'pending' AND org_id != ?",
    )
      .bind(at + 3_600_000, org.orgId)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: at, cron: RETRY_CRON }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const [row] = await pendingOf(org.orgId);
    // Nothing listens on port 9: the attempt failed and is scheduled again.
    expect(row).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: at + 60_000 });
    expect(row?.last_error).toBeTruthy();
  });
});

describe('the webhook secret at rest and in rotation', () => {
  /** One tier change queued for `org`, posted at `now` (or as soon as queued); what was posted. */
  async function deliveredAt(org: Awaited<ReturnType<typeof createOrg>>, now: number) {
    await sendEngagements(org.keys.user, rid('cand'), [
      { type: 'attend_event', ago: DAY_MS },
      { type: 'register_event', ago: DAY_MS },
    ]);
    const { posted, fetch } = receiver();
    // Not before the event was queued (its first attempt is due when it happened).
    const at = Math.max(now, Date.now());
    await deliverDue(database(env.DB), { secrets: SECRETS, now: at, fetch, orgId: org.orgId });
    const [sent] = posted as [Posted];
    return sent;
  }

  it('is stored sealed, never as the secret, and no read returns it', async () => {
    const { org, secret } = await orgWithWebhook();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const [row] = await rows<{ webhook_secret: string }>(
      'SELECT webhook_secret FROM organisations WHERE id = ?',
      org.orgId,
    );
    expect(row?.webhook_secret).toMatch(/^v1\./);
    expect(row?.webhook_secret).not.toContain(secret.slice(6));
    const read = await api('GET', '/v1/settings/engagement', org.keys.manager);
    const text = await read.text();
    expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({
      webhookSecretSet: true,
      webhookPreviousSecretValidUntil: null,
    });
  });

  it('signs with the new and the old secret for 24 hours after a rotation, then the new only', async () => {
    const { org, secret: old } = await orgWithWebhook();
    const rotated = await json<{ webhookSecret: string; webhookPreviousSecretValidUntil: string }>(
      api('PUT', '/v1/settings/engagement', org.keys.manager, { rotateWebhookSecret: true }),
    );
    const fresh = rotated.webhookSecret;
    expect(fresh).not.toBe(old);
    const until = Date.parse(rotated.webhookPreviousSecretValidUntil);
    expect(until - Date.now()).toBeGreaterThan(23.9 * 60 * 60 * 1000);
    expect(until - Date.now()).toBeLessThanOrEqual(24 * 60 * 60 * 1000);

    const during = await deliveredAt(org, Date.now());
    expect(during.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(await verify(fresh, during.signature, during.body)).toBe(true);
    expect(await verify(old, during.signature, during.body)).toBe(true);

    const after = await deliveredAt(org, until + 1);
    expect(after.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await verify(fresh, after.signature, after.body)).toBe(true);
    expect(await verify(old, after.signature, after.body)).toBe(false);
  });

  it('still signs with a secret stored in plain text before sealing', async () => {
    const { org } = await orgWithWebhook();
    const legacy = `whsec_${rid('legacy')}`;
    await env.DB.prepare('UPDATE organisations SET webhook_secret = ? WHERE id = ?')
      .bind(legacy, org.orgId)
      .run();
    const sent = await deliveredAt(org, Date.now());
    expect(await verify(legacy, sent.signature, sent.body)).toBe(true);
  });

  it('posts nothing signed with a secret this server cannot open, and says why', async () => {
    const { org } = await orgWithWebhook();
    await sendEngagements(org.keys.user, rid('cand'), [
      { type: 'attend_event', ago: DAY_MS },
      { type: 'register_event', ago: DAY_MS },
    ]);
    const { posted, fetch } = receiver();
    const otherKey = { current: 'another-servers-secrets-key' };
    await deliverDue(database(env.DB), {
      secrets: otherKey,
      now: Date.now(),
      fetch,
      orgId: org.orgId,
    });
    expect(posted).toEqual([]);
    const [row] = await pendingOf(org.orgId);
    expect(row?.last_error).toContain('rotate it');
  });
});
