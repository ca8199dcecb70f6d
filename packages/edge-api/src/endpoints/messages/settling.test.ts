// Texts whose fate arrives out of the usual order: a status callback that outruns the provider's
// answer to the send (it names the message in its URL), a send the worker never settled (the
// sweep fails it after 15 minutes, never resends, and a late callback still tells the truth),
// and a send the queue would not take (503, the message failed, its monthly contact given back).
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { database } from '../../db/client.js';
import { RETRY_CRON, runScheduled } from '../../jobs/cron.js';
import type { MessagingProvider } from '../../messaging/provider/index.js';
import { errorOf, request, rid, rows } from '../../test/client.js';
import {
  addCandidate,
  DAY_MS,
  detailsOf,
  freezeClock,
  type MessagingOrg,
  MINUTE_MS,
  messageRow,
  messagingOrg,
  NOON,
  postWebhook,
  sendOk,
  setClock,
  sms,
  type TestCandidate,
  thawClock,
  usageOf,
  writtenFor,
} from '../../test/messaging.js';
import { deliver, statusCallbackUrl } from './deliver.js';
import type { OutboundJob } from './queue-message.js';
import { STUCK_AFTER_MS, sweepStuckSending } from './sweep.js';

beforeEach(() => freezeClock(NOON));
afterEach(() => thawClock());

async function queued(): Promise<{
  org: MessagingOrg;
  candidate: TestCandidate;
  id: string;
  job: OutboundJob;
}> {
  const org = await messagingOrg();
  const candidate = await addCandidate(org);
  const { reply, job } = await sendOk(org.keys.user, sms(candidate));
  return { org, candidate, id: reply.id, job: job.body };
}

/** The provider's signed status callback to the URL the message was sent with. */
function callback(id: string, sid: string, status: string, errorCode?: string) {
  const url = new URL(statusCallbackUrl('http://api.test', id));
  return postWebhook(
    `${url.pathname}${url.search}`,
    { MessageSid: sid, MessageStatus: status, ...(errorCode ? { ErrorCode: errorCode } : {}) },
    { signedUrl: url.toString() },
  );
}

describe('a status callback before the provider answered the send', () => {
  it('finds its message by the id in its URL: delivered stays delivered, the sid is stored', async () => {
    const { id, job } = await queued();
    const sid = `SM${rid('early').slice(6)}`;
    // The provider calls back while our call to it is still open: the worst order there is.
    const provider: MessagingProvider = {
      name: 'fast-callbacks',
      async send() {
        expect((await callback(id, sid, 'sent')).status).toBe(200);
        expect((await callback(id, sid, 'delivered')).status).toBe(200);
        return { ok: true, providerSid: sid, status: 'queued' };
      },
      async verify() {
        return true;
      },
    };
    expect(await deliver(env.DB, database(env.DB), provider, job, NOON)).toEqual({
      done: true,
      status: 'accepted',
    });
    expect(await messageRow(id)).toMatchObject({ status: 'delivered', provider_sid: sid });
  });

  it('cannot reach another message: a message id whose text already has its own sid is left alone', async () => {
    const { id, job } = await queued();
    await deliver(
      env.DB,
      database(env.DB),
      {
        name: 'fake',
        async send() {
          return { ok: true, providerSid: `SM_own_${id}`, status: 'queued' };
        },
        async verify() {
          return true;
        },
      },
      job,
      NOON,
    );
    expect((await callback(id, 'SM_someone_else', 'failed', '30003')).status).toBe(200);
    expect(await messageRow(id)).toMatchObject({
      status: 'accepted',
      provider_sid: `SM_own_${id}`,
    });
  });
});

describe('a text left sending (the worker stopped mid-send)', () => {
  async function stuckSending() {
    const { org, id } = await queued();
    await env.DB.prepare(
      "UPDATE messages SET status = 'sending', attempts = 1, updated_at = ?1 WHERE id = ?2",
    )
      .bind(NOON, id)
      .run();
    return { org, id };
  }

  it('is failed as provider_no_answer after 15 minutes, not before, and never sent again', async () => {
    const { id } = await stuckSending();
    expect(await sweepStuckSending(env.DB, NOON + STUCK_AFTER_MS)).toBe(0);
    expect((await messageRow(id))?.status).toBe('sending');
    setClock(NOON + STUCK_AFTER_MS + 1);
    const run = await runScheduled(env, { cron: RETRY_CRON, now: NOON + STUCK_AFTER_MS + 1 });
    expect(run.stuckTexts).toBeGreaterThanOrEqual(1);
    const row = await messageRow(id);
    expect(row).toMatchObject({ status: 'failed', error_code: 'provider_no_answer' });
    expect(row?.error_message).toMatch(/never texted twice/);
    // A redelivered job finds it settled and sends nothing.
    let sends = 0;
    const provider: MessagingProvider = {
      name: 'counting',
      async send() {
        sends += 1;
        return { ok: true, providerSid: 'SM_never', status: 'queued' };
      },
      async verify() {
        return true;
      },
    };
    await deliver(
      env.DB,
      database(env.DB),
      provider,
      { kind: 'send', messageId: id, orgId: row!.org_id, callbackBase: 'http://api.test' },
      NOON + STUCK_AFTER_MS + 2,
    );
    expect(sends).toBe(0);
  });

  it('takes the truth from a late callback: the provider did send it after all', async () => {
    const { org, id } = await stuckSending();
    setClock(NOON + STUCK_AFTER_MS + MINUTE_MS);
    await sweepStuckSending(env.DB, NOON + STUCK_AFTER_MS + MINUTE_MS);
    expect((await callback(id, 'SM_late_truth', 'delivered')).status).toBe(200);
    expect(await messageRow(id)).toMatchObject({
      status: 'delivered',
      provider_sid: 'SM_late_truth',
      error_code: null,
    });
    // It went, so it is a contact after all (once, however often the provider says so).
    expect((await callback(id, 'SM_late_truth', 'delivered')).status).toBe(200);
    const contacts = await rows<{ contact_key: string; kind: string }>(
      'SELECT contact_key, kind FROM contacts WHERE org_id = ?',
      org.orgId,
    );
    expect(contacts).toEqual([{ contact_key: `msg:${id}`, kind: 'sms' }]);
    const [score] = await rows<{ last_contacted_at: number }>(
      'SELECT last_contacted_at FROM scores WHERE org_id = ?',
      org.orgId,
    );
    expect(score?.last_contacted_at).toBe(NOON + STUCK_AFTER_MS + MINUTE_MS);
  });

  it('a late failure of a text the sweep gave up on is no contact', async () => {
    const { org, id } = await stuckSending();
    setClock(NOON + STUCK_AFTER_MS + MINUTE_MS);
    await sweepStuckSending(env.DB, NOON + STUCK_AFTER_MS + MINUTE_MS);
    expect((await callback(id, 'SM_late_failure', 'failed', '30005')).status).toBe(200);
    expect(await messageRow(id)).toMatchObject({ status: 'failed', error_code: '30005' });
    expect(await rows('SELECT 1 FROM contacts WHERE org_id = ?', org.orgId)).toEqual([]);
  });
});

/** A queue binding that refuses every job, as one does when the queue is unavailable. */
function refusingQueue(): Queue {
  return {
    async send() {
      throw new Error('Queue send failed: internal error');
    },
    async sendBatch() {
      throw new Error('Queue send failed: internal error');
    },
  } as unknown as Queue;
}

describe('a send the queue will not take', () => {
  it('answers 503 in words; the message is failed, not left waiting, and its contact given back', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const refusing = refusingQueue();
    const response = await request(
      '/v1/messages',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${org.keys.user}`, 'content-type': 'application/json' },
        body: JSON.stringify(sms(candidate)),
      },
      { MESSAGE_QUEUE: refusing },
    );
    expect(response.status).toBe(503);
    const error = await errorOf(response);
    expect(error.code).toBe('messaging_unavailable');
    expect(error.message).toMatch(/nothing was sent/);
    const [row] = await env.DB.prepare('SELECT * FROM messages WHERE org_id = ?1')
      .bind(org.orgId)
      .all<{ status: string; error_code: string; uses_contact: number }>()
      .then((result) => result.results);
    expect(row).toMatchObject({
      status: 'failed',
      error_code: 'queue_unavailable',
      uses_contact: 0,
    });
    expect(await usageOf(org)).toEqual([]);
    expect((await writtenFor(org)).contacts).toBe(0);
    // The 45-day rule does not count the text that never went.
    expect((await detailsOf(candidate)).last_messaged_at).toBeNull();
  });

  it('puts last messaged back to the candidate’s latest text that did go', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    setClock(NOON - 10 * DAY_MS);
    await sendOk(org.keys.user, sms(candidate));
    setClock(NOON);
    const response = await request(
      '/v1/messages',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${org.keys.user}`, 'content-type': 'application/json' },
        body: JSON.stringify(sms(candidate)),
      },
      { MESSAGE_QUEUE: refusingQueue() },
    );
    expect(response.status).toBe(503);
    expect((await detailsOf(candidate)).last_messaged_at).toBe(NOON - 10 * DAY_MS);
  });
});
