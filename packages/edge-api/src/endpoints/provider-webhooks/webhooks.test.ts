// The provider's webhooks against a real D1: status callbacks (signed, forward only, 21610 opts
// out) and inbound texts (signed, matched to the organisation by the number written to and to
// the candidate by the number written from, stored once, STOP/START/HELP acted on at once,
// WhatsApp's window opened), and the conversation listing both directions.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { database } from '../../db/client.js';
import { errorOf, json, rid, rows } from '../../test/client.js';
import {
  addCandidate,
  type CandidateDetails,
  conversation,
  detailsOf,
  fakeProvider,
  fakeQueue,
  freezeClock,
  HOUR_MS,
  INBOUND_PATH,
  type MessagingOrg,
  MINUTE_MS,
  messageRow,
  messagesOf,
  messagingOrg,
  NOON,
  personToken,
  postWebhook,
  STATUS_PATH,
  sendMessage,
  sendOk,
  setClock,
  sms,
  type TestCandidate,
  thawClock,
  uniqueSender,
  usageOf,
  whatsapp,
} from '../../test/messaging.js';
import { deliver } from '../messages/deliver.js';

beforeEach(() => freezeClock(NOON));
afterEach(() => thawClock());

const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** 200 with the empty TwiML answer. Soft: a wrong answer fails the test, which goes on to check what was stored. */
async function expectTwiml(response: Response) {
  expect.soft(response.status, await response.clone().text()).toBe(200);
  expect.soft(response.headers.get('content-type')).toMatch(/^text\/xml/);
  expect.soft(await response.text()).toBe(TWIML);
}

async function expectForbidden(response: Response) {
  expect(response.status).toBe(403);
  const error = await errorOf(response);
  expect(error.code).toBe('forbidden');
  expect(error.message).toMatch(/X-Twilio-Signature/);
}

/** A text sent and accepted by the (fake) provider: its id and provider sid. */
async function accepted(details: CandidateDetails = {}, channel: 'sms' | 'whatsapp' = 'sms') {
  const org = await messagingOrg();
  const candidate = await addCandidate(org, details);
  const { reply, job } = await sendOk(
    org.keys.user,
    channel === 'sms' ? sms(candidate) : whatsapp(candidate),
  );
  const sid = `SM${rid('x').slice(2)}`;
  const { provider } = fakeProvider([{ ok: true, providerSid: sid, status: 'queued' }]);
  await deliver(env.DB, database(env.DB), provider, job.body, NOON);
  return { org, candidate, id: reply.id, sid };
}

function statusParams(sid: string, status: string, extra: Record<string, string> = {}) {
  return {
    MessageSid: sid,
    MessageStatus: status,
    AccountSid: 'AC00000000000000000000000000000test',
    ...extra,
  };
}

describe('POST /v1/providers/twilio/status', () => {
  it('signed: 200 TwiML, and the status moves forward (sent, delivered); a late sent changes nothing', async () => {
    const { id, sid } = await accepted();
    expect((await messageRow(id))?.status).toBe('accepted');

    setClock(NOON + 1000);
    await expectTwiml(await postWebhook(STATUS_PATH, statusParams(sid, 'sent')));
    expect(await messageRow(id)).toMatchObject({ status: 'sent' });

    setClock(NOON + 2000);
    await expectTwiml(await postWebhook(STATUS_PATH, statusParams(sid, 'delivered')));
    expect(await messageRow(id)).toMatchObject({ status: 'delivered' });

    setClock(NOON + 3000);
    await expectTwiml(await postWebhook(STATUS_PATH, statusParams(sid, 'sent')));
    const [row] = await rows<{ status: string; updated_at: number }>(
      'SELECT status, updated_at FROM messages WHERE id = ?',
      id,
    );
    expect(row).toEqual({ status: 'delivered', updated_at: NOON + 2000 });
    // Nor may a final status be replaced by another.
    await expectTwiml(
      await postWebhook(STATUS_PATH, statusParams(sid, 'failed', { ErrorCode: '30003' })),
    );
    expect(await messageRow(id)).toMatchObject({ status: 'delivered', error_code: null });
  });

  it("Twilio's own 'queued' report after acceptance is ignored", async () => {
    const { id, sid } = await accepted();
    await expectTwiml(await postWebhook(STATUS_PATH, statusParams(sid, 'queued')));
    expect((await messageRow(id))?.status).toBe('accepted');
  });

  it('undelivered with an error code: the code and its explanation stored', async () => {
    const { id, sid, candidate } = await accepted();
    await expectTwiml(
      await postWebhook(STATUS_PATH, statusParams(sid, 'undelivered', { ErrorCode: '30003' })),
    );
    expect(await messageRow(id)).toMatchObject({
      status: 'undelivered',
      error_code: '30003',
      error_message: 'The phone is unreachable or switched off.',
    });
    expect((await detailsOf(candidate)).sms_opted_out_at).toBeNull();
  });

  it('unsigned: 403, nothing changed', async () => {
    const { id, sid } = await accepted();
    await expectForbidden(
      await postWebhook(STATUS_PATH, statusParams(sid, 'delivered'), { signature: null }),
    );
    await expectForbidden(
      await postWebhook(STATUS_PATH, statusParams(sid, 'delivered'), { signature: '' }),
    );
    expect(await messageRow(id)).toMatchObject({ status: 'accepted', updated_at: NOON });
  });

  it('wrongly signed (another token, a tampered parameter, another URL, garbage): 403, nothing changed', async () => {
    const { id, sid } = await accepted();
    const params = statusParams(sid, 'delivered');
    await expectForbidden(await postWebhook(STATUS_PATH, params, { token: 'another-token' }));
    await expectForbidden(
      await postWebhook(STATUS_PATH, params, { signedParams: statusParams(sid, 'sent') }),
    );
    await expectForbidden(
      await postWebhook(STATUS_PATH, params, { signedParams: { ...params, Extra: '1' } }),
    );
    await expectForbidden(
      await postWebhook(STATUS_PATH, params, { signedUrl: `http://api.test${INBOUND_PATH}` }),
    );
    await expectForbidden(
      await postWebhook(STATUS_PATH, params, { signedUrl: `https://api.test${STATUS_PATH}` }),
    );
    await expectForbidden(
      await postWebhook(STATUS_PATH, params, { signature: 'bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==' }),
    );
    expect(await messageRow(id)).toMatchObject({ status: 'accepted', updated_at: NOON });
  });

  it('with PUBLIC_ORIGIN set, the signature is over the public URL', async () => {
    const { id, sid } = await accepted();
    const bindings = { PUBLIC_ORIGIN: 'https://hooks.example.com' };
    const params = statusParams(sid, 'sent');
    await expectForbidden(await postWebhook(STATUS_PATH, params, { bindings }));
    await expectTwiml(
      await postWebhook(STATUS_PATH, params, {
        bindings,
        signedUrl: `https://hooks.example.com${STATUS_PATH}`,
      }),
    );
    expect((await messageRow(id))?.status).toBe('sent');
  });

  it('failed with ErrorCode 21610: failed, and the candidate opted out of SMS', async () => {
    const { org, id, sid, candidate } = await accepted();
    setClock(NOON + MINUTE_MS);
    await expectTwiml(
      await postWebhook(STATUS_PATH, statusParams(sid, 'failed', { ErrorCode: '21610' })),
    );
    expect(await messageRow(id)).toMatchObject({ status: 'failed', error_code: '21610' });
    expect((await messageRow(id))?.error_message).toMatch(/unsubscribed/);
    const details = await detailsOf(candidate);
    expect(details.sms_opted_out_at).toBe(NOON + MINUTE_MS);
    expect(details.whatsapp_opted_out_at).toBeNull();
    const next = await sendMessage(org.keys.user, sms(candidate));
    expect(next.response.status).toBe(409);
    expect((await errorOf(next.response)).code).toBe('opted_out');
  });

  it('21610 on a WhatsApp message opts out of WhatsApp only', async () => {
    const { sid, candidate } = await accepted(
      { lastInboundWhatsappAt: NOON - HOUR_MS },
      'whatsapp',
    );
    await expectTwiml(
      await postWebhook(STATUS_PATH, statusParams(sid, 'undelivered', { ErrorCode: '21610' })),
    );
    const details = await detailsOf(candidate);
    expect(details.whatsapp_opted_out_at).toBe(NOON);
    expect(details.sms_opted_out_at).toBeNull();
  });

  it('missing MessageSid or MessageStatus: 400', async () => {
    const missingSid = await postWebhook(STATUS_PATH, { MessageStatus: 'sent' });
    expect(missingSid.status).toBe(400);
    expect((await errorOf(missingSid)).code).toBe('invalid_request');
    const missingStatus = await postWebhook(STATUS_PATH, { MessageSid: 'SM123' });
    expect(missingStatus.status).toBe(400);
  });

  it('an unknown MessageSid: 200, nothing changed', async () => {
    await expectTwiml(await postWebhook(STATUS_PATH, statusParams('SM_not_ours', 'delivered')));
    expect(await rows('SELECT id FROM messages WHERE provider_sid = ?', 'SM_not_ours')).toEqual([]);
  });
});

/** An SMS from the candidate's number to the organisation's US sender. */
function inboundSms(
  org: MessagingOrg,
  candidate: TestCandidate,
  body: string,
  sid = `SM${rid('in').slice(3)}`,
) {
  return { MessageSid: sid, From: candidate.phone!, To: org.senders.US![0]!, Body: body };
}

function postInbound(params: Record<string, string>, queue = fakeQueue()) {
  return {
    queue,
    response: postWebhook(INBOUND_PATH, params, { bindings: { MESSAGE_QUEUE: queue.queue } }),
  };
}

describe('POST /v1/providers/twilio/inbound', () => {
  it('a signed text from the candidate to our sender: stored as received, last inbound SMS set', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const params = inboundSms(org, candidate, 'Yes I am interested');
    const { response, queue } = postInbound(params);
    await expectTwiml(await response);
    const [row] = await messagesOf(org);
    expect(row).toMatchObject({
      candidate_id: candidate.id,
      direction: 'inbound',
      channel: 'sms',
      from_address: candidate.phone,
      to_address: org.senders.US![0],
      body: 'Yes I am interested',
      status: 'received',
      provider_sid: params.MessageSid,
    });
    expect((await detailsOf(candidate)).last_inbound_sms_at).toBe(NOON);
    expect(queue.jobs).toEqual([]);
    expect(await usageOf(org)).toEqual([]);
  });

  // D1 refuses an empty batch: a text that is no keyword once answered 500 after being stored.
  it('an ordinary text (no keyword): 200 TwiML', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const response = await postInbound(inboundSms(org, candidate, 'Sounds good')).response;
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.text()).toBe(TWIML);
  });

  it('a Messenger message from an address the candidate wrote from before: stored, window opened, 200', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const address = `messenger:${rid('psid')}`;
    await env.DB.prepare(
      `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
         body, status, created_at, updated_at)
       VALUES (?1, ?2, ?3, 'inbound', 'messenger', ?4, 'messenger:page', 'Hi', 'received', ?5, ?5)`,
    )
      .bind(`msg_${rid('m')}`, org.orgId, candidate.id, address, NOON - 2 * DAY)
      .run();
    setClock(NOON + MINUTE_MS);
    await expectTwiml(
      await postInbound({
        MessageSid: `SM${rid('ms').slice(3)}`,
        From: address,
        To: 'messenger:page',
        Body: 'Any news?',
      }).response,
    );
    expect((await messagesOf(org)).map((m) => [m.channel, m.body])).toEqual([
      ['messenger', 'Hi'],
      ['messenger', 'Any news?'],
    ]);
    const [details] = await rows<{ last_inbound_messenger_at: number }>(
      'SELECT last_inbound_messenger_at FROM candidate_contact_details WHERE candidate_id = ?',
      candidate.id,
    );
    expect(details?.last_inbound_messenger_at).toBe(NOON + MINUTE_MS);
    // The reply window is open now: a reply goes to that address.
    const { reply } = await sendOk(org.keys.user, {
      candidateId: candidate.externalId,
      channel: 'messenger',
      body: 'Not yet, soon',
    });
    expect((await messageRow(reply.id))?.to_address).toBe(address);
  });

  it('unsigned or wrongly signed: 403, nothing stored', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const params = inboundSms(org, candidate, 'STOP');
    await expectForbidden(await postWebhook(INBOUND_PATH, params, { signature: null }));
    await expectForbidden(await postWebhook(INBOUND_PATH, params, { token: 'nope' }));
    await expectForbidden(
      await postWebhook(INBOUND_PATH, params, { signedParams: { ...params, Body: 'hello' } }),
    );
    expect(await messagesOf(org)).toEqual([]);
    expect((await detailsOf(candidate)).sms_opted_out_at).toBeNull();
  });

  it('the same MessageSid twice: stored once, the second changes nothing', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const params = inboundSms(org, candidate, 'Hello?');
    await expectTwiml(await postInbound(params).response);
    setClock(NOON + HOUR_MS);
    await expectTwiml(await postInbound(params).response);
    expect(await messagesOf(org)).toHaveLength(1);
    expect((await detailsOf(candidate)).last_inbound_sms_at).toBe(NOON);
  });

  it('missing From, To or MessageSid: 400', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const { MessageSid: _sid, ...noSid } = inboundSms(org, candidate, 'Hi');
    const { To: _to, ...noTo } = inboundSms(org, candidate, 'Hi');
    for (const params of [noSid, noTo]) {
      const response = await postWebhook(INBOUND_PATH, params);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('invalid_request');
    }
    expect(await messagesOf(org)).toEqual([]);
  });

  it('from an unknown number, or to a number that is not ours: 200, nothing stored', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    await expectTwiml(
      await postInbound({ ...inboundSms(org, candidate, 'Hi'), From: '+12025550177' }).response,
    );
    await expectTwiml(
      await postInbound({ ...inboundSms(org, candidate, 'Hi'), To: uniqueSender() }).response,
    );
    // Our number but another organisation's candidate's number.
    const other = await messagingOrg();
    const theirs = await addCandidate(other, { phone: '+12025550188' });
    await expectTwiml(
      await postInbound({ ...inboundSms(org, theirs, 'Hi'), To: org.senders.US![0]! }).response,
    );
    expect(await messagesOf(org)).toEqual([]);
    expect(await messagesOf(other)).toEqual([]);
    expect((await detailsOf(candidate)).last_inbound_sms_at).toBeNull();
  });

  it("to a user's own sender number: matched to the user's organisation", async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const own = uniqueSender('+1997');
    await personToken(org.orgId, 'user', { senderPhone: own });
    await expectTwiml(await postInbound({ ...inboundSms(org, candidate, 'Hi'), To: own }).response);
    const [row] = await messagesOf(org);
    expect(row).toMatchObject({ direction: 'inbound', to_address: own });
  });

  describe('STOP and its variants', () => {
    it.each([
      'STOP',
      'stop',
      '  Stop  ',
      'STOPALL',
      'UNSUBSCRIBE',
      'END',
      'QUIT',
      'CANCEL',
      'OPTOUT',
      'REVOKE',
      'Stop.',
      'stop\n',
    ])('%j opts out of SMS at once and cancels what waits on SMS', async (word) => {
      const org = await messagingOrg();
      const candidate = await addCandidate(org, { lastInboundWhatsappAt: NOON - HOUR_MS });
      // Waiting on SMS: one queued now, one scheduled (20:00 New York, so the next morning).
      const queuedSms = await sendOk(org.keys.user, sms(candidate, 'Now'));
      setClock(Date.UTC(2026, 2, 5, 1, 0));
      const scheduledSms = await sendOk(org.keys.user, sms(candidate, 'Tomorrow'));
      expect(scheduledSms.reply.status).toBe('scheduled');
      const scheduledWhatsapp = await sendOk(org.keys.user, {
        candidateId: candidate.externalId,
        channel: 'whatsapp',
        templateId: 'tpl_reminder',
      });
      const stopAt = Date.UTC(2026, 2, 5, 1, 5);
      setClock(stopAt);
      await expectTwiml(await postInbound(inboundSms(org, candidate, word)).response);

      const details = await detailsOf(candidate);
      expect(details.sms_opted_out_at).toBe(stopAt);
      expect(details.whatsapp_opted_out_at).toBeNull();
      for (const sent of [queuedSms, scheduledSms]) {
        expect(await messageRow(sent.reply.id)).toMatchObject({
          status: 'cancelled',
          error_code: 'opted_out',
        });
      }
      // Another channel's message is not touched.
      expect((await messageRow(scheduledWhatsapp.reply.id))?.status).toBe('scheduled');
      // The STOP itself is kept in the conversation.
      const inbound = (await messagesOf(org)).filter((m) => m.direction === 'inbound');
      expect(inbound.map((m) => m.body)).toEqual([word]);
      // The next SMS is refused.
      setClock(NOON + DAY);
      const next = await sendMessage(org.keys.user, sms(candidate));
      expect(next.response.status).toBe(409);
      expect((await errorOf(next.response)).code).toBe('opted_out');
    });

    it('"stop please" is a message for the recruiter, not an opt-out', async () => {
      const org = await messagingOrg();
      const candidate = await addCandidate(org);
      await expectTwiml(await postInbound(inboundSms(org, candidate, 'stop please')).response);
      expect((await detailsOf(candidate)).sms_opted_out_at).toBeNull();
      expect(await messagesOf(org)).toHaveLength(1);
    });

    it('STOP to a message already sent does not touch it', async () => {
      const { org, id, candidate } = await accepted();
      await expectTwiml(await postInbound(inboundSms(org, candidate, 'STOP')).response);
      expect((await messageRow(id))?.status).toBe('accepted');
    });

    it('STOP on WhatsApp opts out of WhatsApp only', async () => {
      const org = await messagingOrg();
      const candidate = await addCandidate(org);
      await expectTwiml(
        await postInbound({
          MessageSid: `SM${rid('w').slice(2)}`,
          From: `whatsapp:${candidate.phone}`,
          To: `whatsapp:${org.whatsappSender}`,
          Body: 'STOP',
        }).response,
      );
      const details = await detailsOf(candidate);
      expect(details.whatsapp_opted_out_at).toBe(NOON);
      expect(details.sms_opted_out_at).toBeNull();
    });
  });

  it.each(['START', 'UNSTOP', 'YES', ' start '])('%j opts back in to SMS', async (word) => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, { smsOptedOutAt: NOON - DAY });
    await expectRefusedOptedOut(org, candidate);
    await expectTwiml(await postInbound(inboundSms(org, candidate, word)).response);
    expect((await detailsOf(candidate)).sms_opted_out_at).toBeNull();
    await sendOk(org.keys.user, sms(candidate));
  });

  it('HELP queues a reply at once naming the organisation and how to stop; no contact used', async () => {
    // 03:00 in New York: quiet hours do not hold a reply to the candidate's own message.
    const night = Date.UTC(2026, 2, 4, 8, 0);
    setClock(night);
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const { response, queue } = postInbound(inboundSms(org, candidate, 'help'));
    await expectTwiml(await response);
    expect(queue.jobs).toHaveLength(1);
    const job = queue.jobs[0]!;
    expect(job.delaySeconds).toBe(0);
    expect(job.body).toMatchObject({ kind: 'send', orgId: org.orgId });
    const reply = await messageRow(job.body.messageId);
    expect(reply).toMatchObject({
      direction: 'outbound',
      channel: 'sms',
      from_address: org.senders.US![0],
      to_address: candidate.phone,
      status: 'queued',
      sent_by: 'system:reply',
    });
    expect(reply?.body).toContain(org.name);
    expect(reply?.body).toMatch(/Reply STOP to opt out/);
    expect(await usageOf(org)).toEqual([]);
    expect((await detailsOf(candidate)).last_messaged_at).toBeNull();
    // It goes even at night.
    const { provider, sent } = fakeProvider();
    expect(await deliver(env.DB, database(env.DB), provider, job.body, night)).toEqual({
      done: true,
      status: 'accepted',
    });
    expect(sent[0]).toMatchObject({ to: candidate.phone, body: reply?.body });
  });

  it('a WhatsApp message from the candidate opens the WhatsApp window: free text then goes (202)', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, { lastInboundWhatsappAt: null });
    const closed = await sendMessage(org.keys.user, whatsapp(candidate));
    expect(closed.response.status).toBe(422);
    expect((await errorOf(closed.response)).code).toBe('whatsapp_window_closed');

    const params = {
      MessageSid: `SM${rid('wa').slice(3)}`,
      From: `whatsapp:${candidate.phone}`,
      To: `whatsapp:${org.whatsappSender}`,
      Body: 'Hi, saw your ad',
    };
    await expectTwiml(await postInbound(params).response);
    const [row] = await messagesOf(org);
    expect(row).toMatchObject({
      direction: 'inbound',
      channel: 'whatsapp',
      from_address: `whatsapp:${candidate.phone}`,
      status: 'received',
    });
    const details = await detailsOf(candidate);
    expect(details.last_inbound_whatsapp_at).toBe(NOON);
    expect(details.last_inbound_sms_at).toBeNull();

    setClock(NOON + 23 * HOUR_MS + 59 * MINUTE_MS);
    await sendOk(org.keys.user, whatsapp(candidate));
    setClock(NOON + 24 * HOUR_MS + MINUTE_MS);
    const late = await sendMessage(org.keys.user, whatsapp(candidate, 'again'));
    expect(late.response.status).toBe(422);
  });
});

const DAY = 24 * HOUR_MS;

async function expectRefusedOptedOut(org: MessagingOrg, candidate: TestCandidate) {
  const { response } = await sendMessage(org.keys.user, sms(candidate));
  expect(response.status).toBe(409);
  expect((await errorOf(response)).code).toBe('opted_out');
}

describe('GET /v1/candidates/{id}/messages: the conversation', () => {
  it('both directions, newest first, with status and channel', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const first = await sendOk(org.keys.user, sms(candidate, 'Are you still looking?'));
    setClock(NOON + MINUTE_MS);
    const sid = `SM${rid('c').slice(2)}`;
    await expectTwiml(
      await postInbound({ ...inboundSms(org, candidate, 'Yes, very much', sid) }).response,
    );
    setClock(NOON + 2 * MINUTE_MS);
    const second = await sendOk(org.keys.user, sms(candidate, 'Great, call tomorrow?'));

    const listed = await json<{
      candidateId: string;
      messages: {
        id: string;
        direction: string;
        channel: string;
        status: string;
        body: string;
        from: string;
        to: string;
        createdAt: string;
      }[];
    }>(conversation(org.keys.user, candidate));
    expect(listed.candidateId).toBe(candidate.externalId);
    expect(
      listed.messages.map((m) => [m.direction, m.channel, m.status, m.body, m.createdAt]),
    ).toEqual([
      [
        'outbound',
        'sms',
        'queued',
        'Great, call tomorrow?',
        new Date(NOON + 2 * MINUTE_MS).toISOString(),
      ],
      ['inbound', 'sms', 'received', 'Yes, very much', new Date(NOON + MINUTE_MS).toISOString()],
      ['outbound', 'sms', 'queued', 'Are you still looking?', new Date(NOON).toISOString()],
    ]);
    expect(listed.messages[0]?.id).toBe(second.reply.id);
    expect(listed.messages[2]?.id).toBe(first.reply.id);
    expect(listed.messages[1]).toMatchObject({ from: candidate.phone, to: org.senders.US![0] });
  });
});

describe('a sender number two organisations claim', () => {
  it("never hands one organisation's candidates' replies (or their STOP) to the other", async () => {
    const victim = await messagingOrg();
    const number = victim.senders.US![0]!;
    const candidate = await addCandidate(victim);
    // Another organisation claims the same number (as if set before claims were refused) and
    // holds a candidate with the same phone.
    const attacker = await messagingOrg({ senders: { US: [number] } });
    await env.DB.prepare('UPDATE organisations SET created_at = 0 WHERE id = ?1')
      .bind(attacker.orgId)
      .run();
    const copy = await addCandidate(attacker);
    // The victim texted its candidate from that number; the attacker never did.
    await env.DB.prepare(
      `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
         body, status, created_at, updated_at)
       VALUES (?1, ?2, ?3, 'outbound', 'sms', ?4, ?5, 'Hi', 'delivered', ?6, ?6)`,
    )
      .bind(
        rid('msg'),
        victim.orgId,
        candidate.id,
        number,
        candidate.phone,
        NOON - 24 * 60 * 60 * 1000,
      )
      .run();
    const { response } = postInbound({
      MessageSid: `SM${rid('in').slice(3)}`,
      From: candidate.phone!,
      To: number,
      Body: 'STOP',
    });
    await expectTwiml(await response);
    expect((await detailsOf(candidate)).sms_opted_out_at).toBe(NOON);
    expect((await detailsOf(copy)).sms_opted_out_at).toBeNull();
    expect(await messagesOf(attacker)).toEqual([]);
  });
});
