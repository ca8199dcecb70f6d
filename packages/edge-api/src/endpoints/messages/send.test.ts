// POST /v1/messages against a real D1: who may send (licence and messaging permission), and
// every refusal at its edge, each with its status, code and words, and nothing written for it.
// The clock is frozen at a Wednesday 10:00 in New York (the candidates' default zone), so
// quiet hours never get in the way here (they have their own file).
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { phoneCountry } from '../../messaging/rules/countries.js';
import { SMS_COUNTRIES } from '../../messaging/rules/index.js';
import { errorOf, json, request, rows } from '../../test/client.js';
import {
  addCandidate,
  conversation,
  DAY_MS,
  freezeClock,
  HOUR_MS,
  type MessagingOrg,
  MINUTE_MS,
  messagesOf,
  messagingOrg,
  NOON,
  personToken,
  type SendBody,
  sendMessage,
  sendOk,
  sms,
  thawClock,
  uniqueSender,
  whatsapp,
  writtenFor,
} from '../../test/messaging.js';

beforeEach(() => freezeClock(NOON));
afterEach(() => thawClock());

const NOTHING = { messages: 0, contactUsage: 0, contacts: 0, lastMessaged: 0 };

/** A refusal: the status, the code, words of the message; no job queued, nothing written. */
async function expectRefused(
  org: MessagingOrg,
  credential: string | undefined,
  body: SendBody,
  status: number,
  code: string,
  words: RegExp = /./,
) {
  const { response, jobs } = await sendMessage(credential, body);
  expect(response.status, await response.clone().text()).toBe(status);
  const error = await errorOf(response);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(words);
  expect(jobs).toEqual([]);
  expect(await writtenFor(org)).toEqual(NOTHING);
  return error;
}

describe('POST /v1/messages: who may send', () => {
  it('a user with a messaging licence: 202, queued, the message stored as sent by them', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const person = await personToken(org.orgId, 'user', { licence: true });
    const { reply, job } = await sendOk(person.token, sms(candidate));
    expect(reply).toMatchObject({
      status: 'queued',
      scheduledFor: null,
      channel: 'sms',
      from: org.senders.US![0],
      usesContact: true,
    });
    expect(reply.id).toMatch(/^msg_/);
    expect(job.body).toEqual({
      kind: 'send',
      messageId: reply.id,
      orgId: org.orgId,
      callbackBase: 'http://api.test',
    });
    expect(job.delaySeconds).toBe(0);
    const [row] = await messagesOf(org);
    expect(row).toMatchObject({
      id: reply.id,
      candidate_id: candidate.id,
      direction: 'outbound',
      channel: 'sms',
      from_address: org.senders.US![0],
      to_address: candidate.phone,
      body: 'Hello from the recruiter',
      status: 'queued',
      sent_by: `user:${person.id}`,
      uses_contact: 1,
    });
  });

  it('a user without a licence: 403 licence_required, nothing written', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const person = await personToken(org.orgId, 'user', { licence: false });
    await expectRefused(org, person.token, sms(candidate), 403, 'licence_required', /licence/);
  });

  it('a manager without a licence is refused too: the role does not stand in for it', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const person = await personToken(org.orgId, 'manager', { licence: false });
    await expectRefused(org, person.token, sms(candidate), 403, 'licence_required', /licence/);
  });

  it('a key without the messaging permission: 403 licence_required naming the permission', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    await env.DB.prepare('UPDATE api_keys SET messaging = 0 WHERE org_id = ? AND role = ?')
      .bind(org.orgId, 'user')
      .run();
    await expectRefused(
      org,
      org.keys.user,
      sms(candidate),
      403,
      'licence_required',
      /messaging permission/,
    );
  });

  it('keys with the messaging permission, of every role: 202, sent by the key', async () => {
    const org = await messagingOrg();
    for (const role of ['user', 'reporter', 'manager', 'admin'] as const) {
      const candidate = await addCandidate(org);
      const { reply } = await sendOk(org.keys[role], sms(candidate));
      const [row] = await rows<{ sent_by: string }>(
        'SELECT sent_by FROM messages WHERE id = ?',
        reply.id,
      );
      expect(row?.sent_by).toBe(`key:key_${org.orgId}_${role}`);
    }
  });

  it('a reporter with a licence may send too (202)', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const person = await personToken(org.orgId, 'reporter', { licence: true });
    const { reply } = await sendOk(person.token, sms(candidate));
    expect(reply.status).toBe('queued');
  });

  it('no key: 401; an unknown key: 401; nothing written', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    await expectRefused(org, undefined, sms(candidate), 401, 'unauthorized');
    await expectRefused(org, 'sk_not_a_real_key_at_all', sms(candidate), 401, 'unauthorized');
  });

  it("another organisation's candidate is unknown here: 409 no_phone_number, nothing of theirs leaks", async () => {
    const org = await messagingOrg();
    const other = await messagingOrg();
    const theirs = await addCandidate(other, { phone: '+447400654321', timeZone: null });
    const error = await expectRefused(
      org,
      org.keys.user,
      sms(theirs),
      409,
      'no_phone_number',
      /no phone number/,
    );
    expect(error.message).not.toContain('7400654321');
    expect(await writtenFor(other)).toEqual(NOTHING);
    // Nor does their conversation show here.
    const listed = await conversation(org.keys.user, theirs);
    expect(listed.status).toBe(404);
  });
});

describe('POST /v1/messages: refusals', () => {
  it('no phone number: a candidate without details, with details but no number, or unknown: 409 no_phone_number', async () => {
    const org = await messagingOrg();
    const bare = await addCandidate(org, null);
    const noNumber = await addCandidate(org, { phone: null });
    for (const candidate of [bare, noNumber]) {
      await expectRefused(
        org,
        org.keys.user,
        sms(candidate),
        409,
        'no_phone_number',
        /phone number/,
      );
      await expectRefused(
        org,
        org.keys.user,
        whatsapp(candidate),
        409,
        'no_phone_number',
        /phone number/,
      );
    }
    await expectRefused(
      org,
      org.keys.user,
      { candidateId: 'cand_never_heard_of', channel: 'sms', body: 'Hi' },
      409,
      'no_phone_number',
    );
  });

  it('opted out of SMS: 409 opted_out; WhatsApp still goes', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, { smsOptedOutAt: NOON - DAY_MS });
    await expectRefused(org, org.keys.user, sms(candidate), 409, 'opted_out', /opted out of SMS/);
    await sendOk(org.keys.user, {
      candidateId: candidate.externalId,
      channel: 'whatsapp',
      templateId: 'tpl_hello',
    });
  });

  it('opted out of WhatsApp: 409 opted_out; SMS still goes', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, {
      whatsappOptedOutAt: NOON - DAY_MS,
      lastInboundWhatsappAt: NOON - HOUR_MS,
    });
    await expectRefused(
      org,
      org.keys.user,
      whatsapp(candidate),
      409,
      'opted_out',
      /opted out of WhatsApp/,
    );
    await sendOk(org.keys.user, sms(candidate));
  });

  it('no SMS consent: 409 no_consent; no WhatsApp opt-in: 409 no_consent', async () => {
    const org = await messagingOrg();
    const noSms = await addCandidate(org, { smsConsentAt: null });
    await expectRefused(org, org.keys.user, sms(noSms), 409, 'no_consent', /consented to SMS/);
    const noWhatsapp = await addCandidate(org, {
      whatsappOptInAt: null,
      lastInboundWhatsappAt: NOON - HOUR_MS,
    });
    await expectRefused(
      org,
      org.keys.user,
      whatsapp(noWhatsapp),
      409,
      'no_consent',
      /opted in to WhatsApp/,
    );
  });

  it('SMS to a country it does not reach (Germany, India): 422 sms_unsupported_country, saying use WhatsApp', async () => {
    const org = await messagingOrg({ senderCountries: ['US', 'GB', 'DE', 'IN'] });
    for (const phone of ['+4915123456789', '+919876543210']) {
      const candidate = await addCandidate(org, { phone, timeZone: null });
      await expectRefused(
        org,
        org.keys.user,
        sms(candidate),
        422,
        'sms_unsupported_country',
        /not supported; use WhatsApp/,
      );
      // WhatsApp reaches them (a template: no inbound message yet).
      const { reply } = await sendOk(org.keys.user, {
        candidateId: candidate.externalId,
        channel: 'whatsapp',
        templateId: 'tpl_intro',
        variables: { name: 'Sam' },
      });
      expect(reply.from).toBe(`whatsapp:${org.whatsappSender}`);
      await env.DB.prepare('DELETE FROM messages WHERE org_id = ?').bind(org.orgId).run();
      await env.DB.prepare('DELETE FROM contact_usage WHERE org_id = ?').bind(org.orgId).run();
      await env.DB.prepare(
        'UPDATE candidate_contact_details SET last_messaged_at = NULL WHERE org_id = ?',
      )
        .bind(org.orgId)
        .run();
    }
  });

  /** A valid mobile number of each SMS country (checked below with the rules' own phoneCountry). */
  const SAMPLES: Record<string, string> = {
    CA: '+14165550123',
    US: '+12025550123',
    AU: '+61412345678',
    LT: '+37061234567',
    PL: '+48512345678',
    PR: '+17872345678',
    GB: '+447400123456',
    AT: '+436641234567',
    CL: '+56961234567',
    CZ: '+420601123456',
    DK: '+4520123456',
    EE: '+3725123456',
    HU: '+36201234567',
    IL: '+972502345678',
    IT: '+393123456789',
    NL: '+31612345678',
    PH: '+639171234567',
    PT: '+351912345678',
    CH: '+41781234567',
  };

  it('the samples cover the 19 SMS countries, each a valid number of its country', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(SMS_COUNTRIES).sort());
    expect(Object.keys(SAMPLES)).toHaveLength(19);
    for (const [country, phone] of Object.entries(SAMPLES)) {
      expect(phoneCountry(phone), phone).toBe(country);
    }
  });

  it.each(Object.entries(SAMPLES))(
    'SMS to %s goes from the sender number there (202)',
    async (country, phone) => {
      const org = await messagingOrg({ senderCountries: Object.keys(SAMPLES) });
      const candidate = await addCandidate(org, { phone });
      const { reply } = await sendOk(org.keys.user, sms(candidate));
      expect(reply.from).toBe(org.senders[country]![0]);
      const [row] = await messagesOf(org);
      expect(row).toMatchObject({ from_address: org.senders[country]![0], to_address: phone });
    },
  );

  it.each(Object.entries(SAMPLES))(
    'SMS to %s without a sender number there: 422 no_sender_number naming the country',
    async (country, phone) => {
      // Senders everywhere else: a number in another country is never used.
      const org = await messagingOrg({
        senderCountries: Object.keys(SAMPLES).filter((other) => other !== country),
      });
      const candidate = await addCandidate(org, { phone });
      await expectRefused(
        org,
        org.keys.user,
        sms(candidate),
        422,
        'no_sender_number',
        /no sender number in/,
      );
    },
  );

  it("the sending user's own number wins in its own country, not elsewhere", async () => {
    const org = await messagingOrg({ senderCountries: ['US', 'GB'] });
    const mine = '+447400123999';
    const person = await personToken(org.orgId, 'user', { senderPhone: mine });
    const british = await addCandidate(org, { phone: '+447400123456' });
    const american = await addCandidate(org);
    expect((await sendOk(person.token, sms(british))).reply.from).toBe(mine);
    expect((await sendOk(person.token, sms(american))).reply.from).toBe(org.senders.US![0]);
    // A key has no number of its own: the organisation's.
    const other = await addCandidate(org, { phone: '+447400654321' });
    expect((await sendOk(org.keys.user, sms(other))).reply.from).toBe(org.senders.GB![0]);
  });

  it.each([
    ['Cuba', '+5352345678'],
    ['Iran', '+989121234567'],
    ['North Korea', '+8501912345678'],
    ['Syria', '+963944567890'],
    ['Crimea', '+79781234567'],
    ['Crimea', '+380652123456'],
  ])('WhatsApp to %s (%s): 422 whatsapp_unavailable naming the place', async (place, phone) => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, {
      phone,
      timeZone: null,
      lastInboundWhatsappAt: NOON - HOUR_MS,
    });
    await expectRefused(
      org,
      org.keys.user,
      whatsapp(candidate),
      422,
      'whatsapp_unavailable',
      new RegExp(`not available in ${place}`),
    );
  });

  it('WhatsApp without a WhatsApp sender: 422 no_sender_number', async () => {
    const org = await messagingOrg({ whatsappSender: null });
    const candidate = await addCandidate(org, { lastInboundWhatsappAt: NOON - HOUR_MS });
    await expectRefused(
      org,
      org.keys.user,
      whatsapp(candidate),
      422,
      'no_sender_number',
      /WhatsApp sender/,
    );
  });

  describe("WhatsApp's 24-hour window", () => {
    it('free text 23h59 after the last inbound WhatsApp message: 202', async () => {
      const org = await messagingOrg();
      const candidate = await addCandidate(org, {
        lastInboundWhatsappAt: NOON - 23 * HOUR_MS - 59 * MINUTE_MS,
      });
      const { reply } = await sendOk(org.keys.user, whatsapp(candidate));
      expect(reply).toMatchObject({
        channel: 'whatsapp',
        from: `whatsapp:${org.whatsappSender}`,
        status: 'queued',
      });
      const [row] = await messagesOf(org);
      expect(row?.to_address).toBe(`whatsapp:${candidate.phone}`);
    });

    it('free text 24h01 after (and at exactly 24h): 422 whatsapp_window_closed', async () => {
      const org = await messagingOrg();
      for (const ago of [24 * HOUR_MS + MINUTE_MS, 24 * HOUR_MS]) {
        const candidate = await addCandidate(org, { lastInboundWhatsappAt: NOON - ago });
        await expectRefused(
          org,
          org.keys.user,
          whatsapp(candidate),
          422,
          'whatsapp_window_closed',
          /within 24 hours.*template/,
        );
      }
      const never = await addCandidate(org, { lastInboundWhatsappAt: null });
      await expectRefused(org, org.keys.user, whatsapp(never), 422, 'whatsapp_window_closed');
    });

    it('a template 24h01 after: 202', async () => {
      const org = await messagingOrg();
      const candidate = await addCandidate(org, {
        lastInboundWhatsappAt: NOON - 24 * HOUR_MS - MINUTE_MS,
      });
      await sendOk(org.keys.user, {
        candidateId: candidate.externalId,
        channel: 'whatsapp',
        templateId: 'tpl_follow_up',
        variables: { role: 'Engineer' },
      });
      const [row] = await rows<{ template_id: string; template_variables: string; body: null }>(
        'SELECT template_id, template_variables, body FROM messages WHERE org_id = ?',
        org.orgId,
      );
      expect(row).toEqual({
        template_id: 'tpl_follow_up',
        template_variables: JSON.stringify({ role: 'Engineer' }),
        body: null,
      });
    });
  });

  it('Messenger and WeChat without a message from the candidate: 422 reply_window_closed', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    for (const channel of ['messenger', 'wechat'] as const) {
      await expectRefused(
        org,
        org.keys.user,
        { candidateId: candidate.externalId, channel, body: 'Hi' },
        422,
        'reply_window_closed',
        /only replies/,
      );
    }
    const stale = await addCandidate(org, {
      lastInboundMessengerAt: NOON - 24 * HOUR_MS - MINUTE_MS,
      lastInboundWechatAt: NOON - 25 * HOUR_MS,
    });
    for (const channel of ['messenger', 'wechat'] as const) {
      await expectRefused(
        org,
        org.keys.user,
        { candidateId: stale.externalId, channel, body: 'Hi' },
        422,
        'reply_window_closed',
        /within 24 hours/,
      );
    }
  });

  it('Messenger within 24 hours of their message: a reply to the address they wrote from (202)', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, { lastInboundMessengerAt: NOON - HOUR_MS });
    await env.DB.prepare(
      `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
         body, status, created_at, updated_at)
       VALUES (?1, ?2, ?3, 'inbound', 'messenger', 'messenger:psid_123', 'messenger:page', 'Hi', 'received', ?4, ?4)`,
    )
      .bind(`msg_in_${candidate.id}`, org.orgId, candidate.id, NOON - HOUR_MS)
      .run();
    const { reply } = await sendOk(org.keys.user, {
      candidateId: candidate.externalId,
      channel: 'messenger',
      body: 'Thanks for writing',
    });
    expect(reply.channel).toBe('messenger');
    const [row] = await rows<{ to_address: string }>(
      'SELECT to_address FROM messages WHERE id = ?',
      reply.id,
    );
    expect(row?.to_address).toBe('messenger:psid_123');
  });

  it('a stored number no country owns: 422 invalid_number', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, { phone: '+15555' });
    await expectRefused(org, org.keys.user, sms(candidate), 422, 'invalid_number', /\+15555/);
  });

  it('a body over 1600 characters: 400', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    await expectRefused(
      org,
      org.keys.user,
      sms(candidate, 'x'.repeat(1601)),
      400,
      'invalid_request',
    );
    await sendOk(org.keys.user, sms(candidate, 'x'.repeat(1600)));
  });

  it('texting not set up (no queue bound): 503 messaging_unavailable, nothing written', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const response = await request(
      '/v1/messages',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${org.keys.user}`, 'content-type': 'application/json' },
        body: JSON.stringify(sms(candidate)),
      },
      { MESSAGE_QUEUE: undefined },
    );
    expect(response.status).toBe(503);
    expect((await errorOf(response)).code).toBe('messaging_unavailable');
    expect(await writtenFor(org)).toEqual(NOTHING);
  });

  it('body and templateId both, or neither: 400; a template on SMS: 400; nothing written', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, { lastInboundWhatsappAt: NOON - HOUR_MS });
    const base = { candidateId: candidate.externalId, channel: 'whatsapp' as const };
    await expectRefused(
      org,
      org.keys.user,
      { ...base, body: 'Hi', templateId: 'tpl_x' },
      400,
      'invalid_request',
    );
    await expectRefused(org, org.keys.user, base, 400, 'invalid_request');
    await expectRefused(
      org,
      org.keys.user,
      { candidateId: candidate.externalId, channel: 'sms', templateId: 'tpl_x' },
      400,
      'invalid_request',
      /Templates are for WhatsApp/,
    );
    await expectRefused(org, org.keys.user, { ...base, body: '   ' }, 400, 'invalid_request');
  });
});

describe('GET /v1/candidates/{id}/messages', () => {
  it('needs a key (401) and a known candidate (404)', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const unauthenticated = await conversation('', candidate);
    expect(unauthenticated.status).toBe(401);
    const missing = await json<{ error: { code: string } }>(
      conversation(org.keys.user, { id: 'x', externalId: 'cand_missing', phone: null }),
    );
    expect(missing.error.code).toBe('not_found');
  });

  it('lists what was sent, with status and channel', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, { lastInboundWhatsappAt: NOON - HOUR_MS });
    const first = await sendOk(org.keys.user, sms(candidate, 'First'));
    freezeClock(NOON + MINUTE_MS);
    const second = await sendOk(org.keys.user, whatsapp(candidate, 'Second'));
    const listed = await json<{
      candidateId: string;
      messages: { id: string; channel: string; status: string; body: string; direction: string }[];
    }>(conversation(org.keys.user, candidate));
    expect(listed.candidateId).toBe(candidate.externalId);
    expect(listed.messages.map((m) => [m.id, m.direction, m.channel, m.status, m.body])).toEqual([
      [second.reply.id, 'outbound', 'whatsapp', 'queued', 'Second'],
      [first.reply.id, 'outbound', 'sms', 'queued', 'First'],
    ]);
  });
});

// Guard against accidental reuse of sender numbers across organisations in this file.
it('test organisations get sender numbers of their own', async () => {
  const a = await messagingOrg();
  const b = await messagingOrg();
  expect(a.senders.US![0]).not.toBe(b.senders.US![0]);
  expect(uniqueSender()).toMatch(/^\+1999\d{8}$/);
});
