// The webhook delivery log as a manager's backend uses it: the log read newest first, filtered and
// paged, only ever the caller's organisation; a test event posted signed at once with its outcome;
// an event redelivered with the same id and body and its retries started over; each send audited.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { database } from '../../db/client.js';
import { api, createOrg, errorOf, json, rows, type TestOrg } from '../../test/client.js';
import { fakeReceiver, setWebhook } from '../../test/webhook-receiver.js';
import { signatureHeader } from '../../webhooks/deliver.js';
import { deliveriesPage } from './route.js';

interface Item {
  id: string;
  type: string;
  status: string;
  attempts: number;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  payload: Record<string, unknown>;
}

interface Page {
  deliveries: Item[];
  nextCursor: string | null;
}

let receiver: ReturnType<typeof fakeReceiver>;
beforeEach(() => {
  receiver = fakeReceiver();
});
afterEach(() => receiver.restore());

/** An outbox row written directly, `ago` ms old. */
async function queued(
  org: TestOrg,
  row: { type?: string; status?: string; attempts?: number; ago: number; lastError?: string },
) {
  const id = crypto.randomUUID();
  const at = Date.now() - row.ago;
  const payload = JSON.stringify({
    id,
    type: row.type ?? 'candidate.tier_changed',
    orgId: org.orgId,
  });
  await env.DB.prepare(
    `INSERT INTO webhook_deliveries (id, org_id, payload, status, attempts, next_attempt_at, created_at, last_error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      org.orgId,
      payload,
      row.status ?? 'pending',
      row.attempts ?? 0,
      at + 3_600_000,
      at,
      row.lastError ?? null,
    )
    .run();
  return id;
}

const list = (org: TestOrg, query = '') =>
  json<Page>(api('GET', `/v1/webhook-deliveries${query}`, org.keys.manager));

describe('GET /v1/webhook-deliveries', () => {
  it('lists newest first, filtered by status and type, paged by a sealed cursor', async () => {
    const org = await createOrg();
    const failed = await queued(org, {
      status: 'failed',
      attempts: 8,
      ago: 4000,
      lastError: 'HTTP 500',
    });
    const delivered = await queued(org, { status: 'delivered', attempts: 1, ago: 3000 });
    const test = await queued(org, {
      type: 'webhook.test',
      status: 'delivered',
      attempts: 1,
      ago: 2000,
    });
    const pending = await queued(org, { ago: 1000 });

    const first = await list(org, '?limit=3');
    expect(first.deliveries.map((d) => d.id)).toEqual([pending, test, delivered]);
    expect(first.deliveries[0]).toMatchObject({
      type: 'candidate.tier_changed',
      status: 'pending',
      attempts: 0,
      deliveredAt: null,
      nextAttemptAt: expect.any(String),
      payload: { id: pending, orgId: org.orgId },
    });
    // Only a pending event has a next attempt.
    expect(first.deliveries[2]?.nextAttemptAt).toBeNull();
    expect(first.nextCursor).toMatch(/^c1\./);
    const second = await list(org, `?limit=3&cursor=${first.nextCursor}`);
    expect(second.deliveries.map((d) => d.id)).toEqual([failed]);
    expect(second.deliveries[0]).toMatchObject({ status: 'failed', lastError: 'HTTP 500' });
    expect(second.nextCursor).toBeNull();

    expect((await list(org, '?status=delivered')).deliveries.map((d) => d.id)).toEqual([
      test,
      delivered,
    ]);
    expect((await list(org, '?type=webhook.test')).deliveries.map((d) => d.id)).toEqual([test]);
    expect(
      (await list(org, '?type=candidate.tier_changed&status=failed')).deliveries.map((d) => d.id),
    ).toEqual([failed]);
  });

  it("never shows another organisation's deliveries, nor takes its cursor", async () => {
    const org = await createOrg();
    const other = await createOrg();
    await queued(org, { ago: 2000 });
    await queued(org, { ago: 1000 });
    expect((await list(other)).deliveries).toEqual([]);
    const { nextCursor } = await list(org, '?limit=1');
    const refused = await api(
      'GET',
      `/v1/webhook-deliveries?cursor=${nextCursor}`,
      other.keys.manager,
    );
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).issues).toEqual([
      { path: 'cursor', code: 'invalid', message: 'is not a cursor this API made' },
    ]);
  });

  it.each([
    ['status=lost', 'status'],
    ['type=candidate.hired', 'type'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=bm9wZQ', 'cursor'],
  ])('refuses %s with a 400 naming the parameter', async (query, path) => {
    const org = await createOrg();
    const response = await api('GET', `/v1/webhook-deliveries?${query}`, org.keys.manager);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(new Set(error.issues?.map((issue) => issue.path))).toEqual(new Set([path]));
    expect(error.issues?.[0]?.message).toBeTruthy();
  });

  it('is for managers: a user or reporter gets 403', async () => {
    const org = await createOrg();
    for (const role of ['user', 'reporter'] as const) {
      const response = await api('GET', '/v1/webhook-deliveries', org.keys[role]);
      expect(response.status, role).toBe(403);
      const test = await api('POST', '/v1/webhook-deliveries/test', org.keys[role]);
      expect(test.status, role).toBe(403);
    }
    expect(receiver.posted).toEqual([]);
  });
});

describe('the delivery log query', () => {
  it('walks (org_id, created_at, id) newest first: no sort of all the organisation’s deliveries', async () => {
    const pages = [
      { cursor: null },
      { cursor: { at: Date.now(), id: 'whd_x' } },
      { cursor: null, status: 'failed' as const },
    ];
    for (const page of pages) {
      const query = deliveriesPage(database(env.DB), { orgId: 'demo', limit: 51, ...page }).toSQL();
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
        .bind(...query.params)
        .all<{ detail: string }>();
      const details = plan.results.map((row) => row.detail).join('\n');
      expect(details).toMatch(/USING INDEX webhook_deliveries_org_created/);
      expect(details).not.toMatch(/TEMP B-TREE/);
    }
  });
});

describe('POST /v1/webhook-deliveries/test', () => {
  it('posts a signed webhook.test event at once, says it was delivered, and audits it', async () => {
    const org = await createOrg();
    const { url, secret } = await setWebhook(org);
    const response = await api('POST', '/v1/webhook-deliveries/test', org.keys.manager);
    expect(response.status).toBe(201);
    const item = (await response.json()) as Item;
    expect(item).toMatchObject({
      type: 'webhook.test',
      status: 'delivered',
      attempts: 1,
      lastError: null,
    });
    expect(item.deliveredAt).not.toBeNull();
    expect(item.payload).toEqual({
      id: item.id,
      type: 'webhook.test',
      orgId: org.orgId,
      occurredAt: item.createdAt,
    });
    expect(receiver.posted).toHaveLength(1);
    const [sent] = receiver.posted;
    expect(sent).toMatchObject({ url, delivery: item.id });
    expect(JSON.parse(sent?.body ?? '')).toEqual(item.payload);
    const t = Number(/^t=(\d+),/.exec(sent?.signature ?? '')?.[1]);
    expect(sent?.signature).toBe(await signatureHeader([secret], sent?.body ?? '', t));
    const audit = await rows<{ actor: string; subject: string }>(
      "SELECT actor, subject FROM audit_log WHERE org_id = ? AND action = 'webhook.test_sent'",
      org.orgId,
    );
    expect(audit).toEqual([{ actor: `key:key_${org.orgId}_manager`, subject: item.id }]);
  });

  it('reports a refusing receiver as failed with its HTTP status, and does not retry a test', async () => {
    const org = await createOrg();
    await setWebhook(org);
    receiver.status = 503;
    const item = await json<Item>(api('POST', '/v1/webhook-deliveries/test', org.keys.manager));
    expect(item).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'HTTP 503',
      nextAttemptAt: null,
    });
  });

  it('is refused with 409 webhook_not_configured without a webhook URL, and queues nothing', async () => {
    const org = await createOrg();
    const response = await api('POST', '/v1/webhook-deliveries/test', org.keys.manager);
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('webhook_not_configured');
    expect((await list(org)).deliveries).toEqual([]);
  });
});

describe('POST /v1/webhook-deliveries/{id}/redeliver', () => {
  it('posts a failed event again with the same id and body, and its attempts start over', async () => {
    const org = await createOrg();
    await setWebhook(org);
    const id = await queued(org, {
      status: 'failed',
      attempts: 8,
      ago: 1000,
      lastError: 'HTTP 500',
    });
    const [stored] = await rows<{ payload: string }>(
      'SELECT payload FROM webhook_deliveries WHERE id = ?',
      id,
    );
    const response = await api('POST', `/v1/webhook-deliveries/${id}/redeliver`, org.keys.manager);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id,
      status: 'delivered',
      attempts: 1,
      lastError: null,
    });
    expect(receiver.posted.map((p) => [p.delivery, p.body])).toEqual([[id, stored?.payload]]);
    const audit = await rows<{ subject: string; details: string }>(
      "SELECT subject, details FROM audit_log WHERE org_id = ? AND action = 'webhook.redelivered'",
      org.orgId,
    );
    expect(audit.map((a) => [a.subject, JSON.parse(a.details)])).toEqual([
      [id, { type: 'candidate.tier_changed', was: 'failed', attempts: 8 }],
    ]);
  });

  it('keeps a redelivery that fails pending, retried after the first backoff step', async () => {
    const org = await createOrg();
    await setWebhook(org);
    const id = await queued(org, { status: 'delivered', attempts: 3, ago: 1000 });
    receiver.status = 500;
    const before = Date.now();
    const item = await json<Item>(
      api('POST', `/v1/webhook-deliveries/${id}/redeliver`, org.keys.manager),
    );
    expect(item).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 500',
      deliveredAt: null,
    });
    const next = Date.parse(item.nextAttemptAt ?? '');
    expect(next).toBeGreaterThanOrEqual(before + 60_000);
    expect(next).toBeLessThan(before + 120_000);
  });

  it("answers 404 for an unknown id or another organisation's, changing nothing", async () => {
    const org = await createOrg();
    const other = await createOrg();
    await setWebhook(other);
    const id = await queued(org, { status: 'failed', attempts: 8, ago: 1000 });
    for (const ghost of [id, 'ghost']) {
      const response = await api(
        'POST',
        `/v1/webhook-deliveries/${ghost}/redeliver`,
        other.keys.manager,
      );
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('not_found');
    }
    expect((await list(org)).deliveries[0]).toMatchObject({ status: 'failed', attempts: 8 });
    expect(receiver.posted).toEqual([]);
  });

  it('answers 409 without a webhook URL and 400 for an id too long', async () => {
    const org = await createOrg();
    const id = await queued(org, { status: 'failed', attempts: 8, ago: 1000 });
    const refused = await api('POST', `/v1/webhook-deliveries/${id}/redeliver`, org.keys.manager);
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).code).toBe('webhook_not_configured');
    const long = await api(
      'POST',
      `/v1/webhook-deliveries/${'x'.repeat(101)}/redeliver`,
      org.keys.manager,
    );
    expect(long.status).toBe(400);
    expect((await errorOf(long)).issues?.[0]?.path).toBe('id');
  });
});
