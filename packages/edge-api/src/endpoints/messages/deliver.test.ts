// Delivering queued texts against a real D1 with a fake provider: at-least-once queue,
// at-most-once text (a redelivered job sends nothing), what changed since queueing (an opt-out
// cancels, quiet hours hold), the contact recorded on acceptance, a provider out of reach
// retried with backoff, a refusal final (21610 also opts out), and the dead-letter queue.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { database } from '../../db/client.js';
import { consumeDeadLetters, consumeMessageBatch } from '../../jobs/message-queue.js';
import type { MessagingProvider, SendOutcome } from '../../messaging/provider/index.js';
import { api, json, rows } from '../../test/client.js';
import {
  addCandidate,
  type CandidateDetails,
  DAY_MS,
  detailsOf,
  fakeProvider,
  freezeClock,
  HOUR_MS,
  type MessagingOrg,
  messageRow,
  messagingOrg,
  NOON,
  type SendBody,
  sendMessage,
  sendOk,
  sms,
  type TestCandidate,
  thawClock,
  usageOf,
} from '../../test/messaging.js';
import { backoffSeconds, deliver } from './deliver.js';
import type { OutboundJob } from './queue-message.js';

beforeEach(() => freezeClock(NOON));
afterEach(() => thawClock());

const db = () => database(env.DB);

/** A queued text (sent through the API) and its job. */
async function queued(
  details: CandidateDetails = {},
  body?: (candidate: TestCandidate) => SendBody,
): Promise<{ org: MessagingOrg; candidate: TestCandidate; id: string; job: OutboundJob }> {
  const org = await messagingOrg();
  const candidate = await addCandidate(org, details);
  const { reply, job } = await sendOk(org.keys.user, body ? body(candidate) : sms(candidate));
  return { org, candidate, id: reply.id, job: job.body };
}

interface FakeMessage {
  body: OutboundJob;
  acked: boolean;
  retried: { delaySeconds: number | undefined }[];
}

/** A batch as the queue hands it to the consumer, recording acks and retries. */
function fakeBatch(bodies: OutboundJob[], queue = 'cxm-messages') {
  const records: FakeMessage[] = bodies.map((body) => ({ body, acked: false, retried: [] }));
  const messages = records.map((record, i) => ({
    id: `qm_${i}`,
    timestamp: new Date(),
    attempts: 1,
    body: record.body,
    ack() {
      record.acked = true;
    },
    retry(options?: QueueRetryOptions) {
      record.retried.push({ delaySeconds: options?.delaySeconds });
    },
  }));
  const batch = {
    queue,
    messages,
    ackAll() {
      for (const record of records) record.acked = true;
    },
    retryAll(options?: QueueRetryOptions) {
      for (const record of records) record.retried.push({ delaySeconds: options?.delaySeconds });
    },
  } as unknown as MessageBatch<OutboundJob>;
  return { batch, records };
}

async function contactsOf(org: MessagingOrg) {
  return rows<{ candidate_id: string; contact_key: string; kind: string; occurred_at: number }>(
    'SELECT candidate_id, contact_key, kind, occurred_at FROM contacts WHERE org_id = ?',
    org.orgId,
  );
}

async function lastContacted(candidate: TestCandidate) {
  const [row] = await rows<{ last_contacted_at: number | null }>(
    'SELECT last_contacted_at FROM scores WHERE candidate_id = ?',
    candidate.id,
  );
  return row?.last_contacted_at ?? null;
}

const unreachable: SendOutcome = {
  ok: false,
  retryable: true,
  code: 'http_503',
  message: 'Twilio answered 503',
};

describe('deliver', () => {
  it('accepted: status accepted with the provider id, one contact msg:<id>, last contacted set', async () => {
    const { org, candidate, id, job } = await queued();
    const { provider, sent } = fakeProvider([
      { ok: true, providerSid: `SM_${id}`, status: 'queued' },
    ]);
    const outcome = await deliver(env.DB, db(), provider, job, NOON);
    expect(outcome).toEqual({ done: true, status: 'accepted' });
    expect(sent).toEqual([
      {
        to: candidate.phone,
        from: org.senders.US![0],
        body: 'Hello from the recruiter',
        templateId: null,
        variables: null,
        statusCallback: `http://api.test/v1/providers/twilio/status?message=${id}`,
      },
    ]);
    const row = await messageRow(id);
    expect(row).toMatchObject({ status: 'accepted', provider_sid: `SM_${id}`, attempts: 1 });
    expect(await contactsOf(org)).toEqual([
      { candidate_id: candidate.id, contact_key: `msg:${id}`, kind: 'sms', occurred_at: NOON },
    ]);
    expect(await lastContacted(candidate)).toBe(NOON);
    const score = await json<{ lastContactedAt: string | null }>(
      api('GET', `/v1/candidates/${candidate.externalId}/score`, org.keys.user),
    );
    expect(score.lastContactedAt).toBe(new Date(NOON).toISOString());
  });

  it('a WhatsApp template goes with its id and variables; the contact is of kind whatsapp', async () => {
    const { org, candidate, id, job } = await queued({}, (c) => ({
      candidateId: c.externalId,
      channel: 'whatsapp',
      templateId: 'tpl_intro',
      variables: { name: 'Sam' },
    }));
    const { provider, sent } = fakeProvider();
    await deliver(env.DB, db(), provider, job, NOON);
    expect(sent[0]).toMatchObject({
      to: `whatsapp:${candidate.phone}`,
      from: `whatsapp:${org.whatsappSender}`,
      body: null,
      templateId: 'tpl_intro',
      variables: { name: 'Sam' },
    });
    expect((await contactsOf(org)).map((c) => [c.contact_key, c.kind])).toEqual([
      [`msg:${id}`, 'whatsapp'],
    ]);
  });

  it('a redelivered job sends nothing: the provider is called once', async () => {
    const { org, id, job } = await queued();
    const { provider, sent } = fakeProvider();
    await deliver(env.DB, db(), provider, job, NOON);
    const again = await deliver(env.DB, db(), provider, job, NOON + 1000);
    expect(again).toEqual({ done: true, status: 'accepted' });
    expect(sent).toHaveLength(1);
    expect((await messageRow(id))?.attempts).toBe(1);
    expect(await contactsOf(org)).toHaveLength(1);
  });

  it('the same job delivered twice at once: one text', async () => {
    const { id, job } = await queued();
    const { provider, sent } = fakeProvider();
    const outcomes = await Promise.all([
      deliver(env.DB, db(), provider, job, NOON),
      deliver(env.DB, db(), provider, job, NOON),
    ]);
    expect(sent).toHaveLength(1);
    expect(outcomes.every((outcome) => outcome.done)).toBe(true);
    expect((await messageRow(id))?.status).toBe('accepted');
  });

  it('consumeMessageBatch with the same job twice in a batch: one send, both acked', async () => {
    const { id, job } = await queued();
    const { provider, sent } = fakeProvider();
    const { batch, records } = fakeBatch([job, { ...job }]);
    await consumeMessageBatch(batch, env, { now: () => NOON, provider });
    expect(sent).toHaveLength(1);
    expect(records.map((r) => [r.acked, r.retried.length])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    expect((await messageRow(id))?.status).toBe('accepted');
    // And a later redelivery of the batch sends nothing either.
    await consumeMessageBatch(fakeBatch([job]).batch, env, { now: () => NOON, provider });
    expect(sent).toHaveLength(1);
  });

  it("consumeMessageBatch sends a batch's texts at once, not one provider call after another", async () => {
    const jobs = await Promise.all([1, 2, 3, 4, 5].map(async () => (await queued()).job));
    let inFlight = 0;
    let most = 0;
    const provider: MessagingProvider = {
      name: 'slow',
      async send() {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 50));
        inFlight -= 1;
        return { ok: true, providerSid: `SM_${crypto.randomUUID()}`, status: 'queued' };
      },
      async verify() {
        return true;
      },
    };
    const { batch, records } = fakeBatch(jobs);
    await consumeMessageBatch(batch, env, { now: () => NOON, provider });
    expect(most).toBe(5);
    expect(records.every((record) => record.acked)).toBe(true);
  });

  it('consumeMessageBatch without a configured provider retries the whole batch in 5 minutes', async () => {
    const { job } = await queued();
    const { batch, records } = fakeBatch([job]);
    await consumeMessageBatch(
      batch,
      { ...env, TWILIO_ACCOUNT_SID: undefined },
      { now: () => NOON },
    );
    expect(records.map((record) => [record.acked, record.retried])).toEqual([
      [false, [{ delaySeconds: 300 }]],
    ]);
  });

  it('a provider out of reach: back to queued with the error, retried with backoff, then sent', async () => {
    const { org, id, job } = await queued();
    const { provider, sent } = fakeProvider([unreachable, unreachable]);
    const first = fakeBatch([job]);
    await consumeMessageBatch(first.batch, env, { now: () => NOON, provider });
    expect(first.records[0]).toMatchObject({ acked: false, retried: [{ delaySeconds: 30 }] });
    expect(await messageRow(id)).toMatchObject({
      status: 'queued',
      error_code: 'http_503',
      attempts: 1,
    });
    expect(await contactsOf(org)).toEqual([]);

    const second = fakeBatch([job]);
    await consumeMessageBatch(second.batch, env, { now: () => NOON + 30_000, provider });
    expect(second.records[0]?.retried).toEqual([{ delaySeconds: 60 }]);
    expect((await messageRow(id))?.attempts).toBe(2);

    const third = fakeBatch([job]);
    await consumeMessageBatch(third.batch, env, { now: () => NOON + 90_000, provider });
    expect(third.records[0]?.acked).toBe(true);
    expect(sent).toHaveLength(3);
    expect(await messageRow(id)).toMatchObject({ status: 'accepted', attempts: 3 });
    expect(await contactsOf(org)).toHaveLength(1);
  });

  it('backoff doubles from 30 s and stops at 30 min', () => {
    expect([1, 2, 3, 4, 6, 7, 20].map(backoffSeconds)).toEqual([30, 60, 120, 240, 960, 1800, 1800]);
  });

  it('a provider that throws after the claim: retried, but never sent twice', async () => {
    const { id, job } = await queued();
    const throwing: MessagingProvider = {
      name: 'throwing',
      async send() {
        throw new Error('boom');
      },
      async verify() {
        return true;
      },
    };
    const { batch, records } = fakeBatch([job]);
    await consumeMessageBatch(batch, env, { now: () => NOON, provider: throwing });
    expect(records[0]?.acked).toBe(false);
    expect(records[0]?.retried).toHaveLength(1);
    // Whether the text went out is unknown, so the claim stays: the retry sends nothing
    // (at most once), and the message is left `sending` (see the report: nothing ever moves
    // it on, and the dead-letter queue only fails waiting messages).
    const { provider, sent } = fakeProvider();
    const retry = fakeBatch([job]);
    await consumeMessageBatch(retry.batch, env, { now: () => NOON + 30_000, provider });
    expect(sent).toEqual([]);
    expect(retry.records[0]?.acked).toBe(true);
    expect((await messageRow(id))?.status).toBe('sending');
  });

  it('21211 (invalid number): failed with the code, final (acked, not retried), no contact', async () => {
    const { org, candidate, id, job } = await queued();
    const { provider, sent } = fakeProvider([
      { ok: false, retryable: false, code: '21211', message: "The 'To' number is not valid." },
    ]);
    const { batch, records } = fakeBatch([job]);
    await consumeMessageBatch(batch, env, { now: () => NOON, provider });
    expect(records[0]).toMatchObject({ acked: true, retried: [] });
    expect(await messageRow(id)).toMatchObject({
      status: 'failed',
      error_code: '21211',
      error_message: "The 'To' number is not valid.",
    });
    expect(await contactsOf(org)).toEqual([]);
    expect((await detailsOf(candidate)).sms_opted_out_at).toBeNull();
    await consumeMessageBatch(fakeBatch([job]).batch, env, { now: () => NOON, provider });
    expect(sent).toHaveLength(1);
  });

  it('21610 (unsubscribed): failed, the candidate opted out of SMS, what still waits cancelled; the next send is refused', async () => {
    const { org, candidate, id, job } = await queued();
    const waiting = await sendOk(org.keys.user, sms(candidate, 'A second text, still queued'));
    const { provider } = fakeProvider([
      {
        ok: false,
        retryable: false,
        code: '21610',
        message: 'Attempt to send to unsubscribed recipient',
      },
    ]);
    const outcome = await deliver(env.DB, db(), provider, job, NOON);
    expect(outcome).toEqual({ done: true, status: 'failed' });
    expect(await messageRow(id)).toMatchObject({ status: 'failed', error_code: '21610' });
    const details = await detailsOf(candidate);
    expect(details.sms_opted_out_at).toBe(NOON);
    expect(details.whatsapp_opted_out_at).toBeNull();
    expect(await messageRow(waiting.reply.id)).toMatchObject({
      status: 'cancelled',
      error_code: 'opted_out',
    });
    const next = await sendMessage(org.keys.user, sms(candidate));
    expect(next.response.status).toBe(409);
  });

  it('21610 on WhatsApp opts out of WhatsApp only', async () => {
    const { candidate, job } = await queued({ lastInboundWhatsappAt: NOON - HOUR_MS }, (c) => ({
      candidateId: c.externalId,
      channel: 'whatsapp',
      body: 'Hi',
    }));
    const { provider } = fakeProvider([
      { ok: false, retryable: false, code: '21610', message: 'unsubscribed' },
    ]);
    await deliver(env.DB, db(), provider, job, NOON);
    const details = await detailsOf(candidate);
    expect(details.whatsapp_opted_out_at).toBe(NOON);
    expect(details.sms_opted_out_at).toBeNull();
  });

  it('opted out after queueing: cancelled, the provider is not called', async () => {
    const { org, candidate, id, job } = await queued();
    await env.DB.prepare(
      'UPDATE candidate_contact_details SET sms_opted_out_at = ? WHERE candidate_id = ?',
    )
      .bind(NOON + 1000, candidate.id)
      .run();
    const { provider, sent } = fakeProvider();
    const outcome = await deliver(env.DB, db(), provider, job, NOON + 2000);
    expect(outcome).toEqual({ done: true, status: 'cancelled' });
    expect(sent).toEqual([]);
    expect(await messageRow(id)).toMatchObject({ status: 'cancelled', error_code: 'opted_out' });
    expect(await contactsOf(org)).toEqual([]);
  });

  it('opted out of WhatsApp after queueing an SMS: the SMS still goes', async () => {
    const { candidate, job } = await queued();
    await env.DB.prepare(
      'UPDATE candidate_contact_details SET whatsapp_opted_out_at = ? WHERE candidate_id = ?',
    )
      .bind(NOON, candidate.id)
      .run();
    const { provider, sent } = fakeProvider();
    expect(await deliver(env.DB, db(), provider, job, NOON)).toEqual({
      done: true,
      status: 'accepted',
    });
    expect(sent).toHaveLength(1);
  });

  it('quiet hours at delivery time (a retry that comes back at 21:00): rescheduled for 08:00, not sent', async () => {
    const { org, id, job } = await queued();
    // 21:00 in New York (EST) that day; the next window opens at 08:00 the next day, 11 h later.
    const late = Date.UTC(2026, 2, 5, 2, 0);
    const opens = Date.UTC(2026, 2, 5, 13, 0);
    const { provider, sent } = fakeProvider();
    const outcome = await deliver(env.DB, db(), provider, job, late);
    expect(outcome).toEqual({ done: false, retryInSeconds: 11 * 60 * 60 });
    expect(sent).toEqual([]);
    expect(await messageRow(id)).toMatchObject({ status: 'scheduled', scheduled_for: opens });
    expect(await contactsOf(org)).toEqual([]);
    // Through the consumer: the job is retried with that delay.
    const { batch, records } = fakeBatch([job]);
    await consumeMessageBatch(batch, env, { now: () => late, provider });
    expect(records[0]).toMatchObject({ acked: false, retried: [{ delaySeconds: 11 * 60 * 60 }] });
    // At 08:00 it goes.
    expect(await deliver(env.DB, db(), provider, job, opens)).toEqual({
      done: true,
      status: 'accepted',
    });
    expect(sent).toHaveLength(1);
  });

  it('a job for a message that no longer exists is done (acked), nothing sent', async () => {
    const org = await messagingOrg();
    const { provider, sent } = fakeProvider();
    const job: OutboundJob = {
      kind: 'send',
      messageId: 'msg_gone',
      orgId: org.orgId,
      callbackBase: 'http://api.test',
    };
    const { batch, records } = fakeBatch([job]);
    await consumeMessageBatch(batch, env, { now: () => NOON, provider });
    expect(records[0]?.acked).toBe(true);
    expect(sent).toEqual([]);
  });

  it('usage is untouched by delivery: the contact was taken when the message was queued', async () => {
    const { org, job } = await queued();
    expect(await usageOf(org)).toHaveLength(1);
    await deliver(env.DB, db(), fakeProvider().provider, job, NOON);
    expect(await usageOf(org)).toHaveLength(1);
  });
});

describe('consumeDeadLetters', () => {
  it('marks a waiting message failed gave_up; a delivered one is left alone', async () => {
    const waiting = await queued();
    const delivered = await queued();
    await deliver(env.DB, db(), fakeProvider().provider, delivered.job, NOON);
    const { batch, records } = fakeBatch([waiting.job, delivered.job], 'cxm-messages-dlq');
    await consumeDeadLetters(batch, env, () => NOON + DAY_MS);
    expect(records.every((record) => record.acked)).toBe(true);
    expect(await messageRow(waiting.id)).toMatchObject({
      status: 'failed',
      error_code: 'gave_up',
      updated_at: NOON + DAY_MS,
    });
    expect((await messageRow(delivered.id))?.status).toBe('accepted');
  });

  it('a scheduled message that gave up is failed too, and a later redelivery sends nothing', async () => {
    const { id, job } = await queued();
    await env.DB.prepare("UPDATE messages SET status = 'scheduled' WHERE id = ?").bind(id).run();
    await consumeDeadLetters(fakeBatch([job], 'cxm-messages-dlq').batch, env, () => NOON);
    expect((await messageRow(id))?.status).toBe('failed');
    const { provider, sent } = fakeProvider();
    await deliver(env.DB, db(), provider, job, NOON);
    expect(sent).toEqual([]);
  });
});
