// Monthly contacts against a real D1 with a frozen clock: the first message to a candidate (or
// the first in more than 45 days) uses one, the conversation after it does not; none left
// refuses a new candidate (409 contacts_exhausted, naming the renewal) but not a recent one;
// 44, 45 and 46 days; two sends racing for the last contact.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf } from '../../test/client.js';
import {
  addCandidate,
  DAY_MS,
  detailsOf,
  freezeClock,
  messagesOf,
  messagingOrg,
  NOON,
  sendMessage,
  sendOk,
  sms,
  type TestCandidate,
  thawClock,
  usageOf,
} from '../../test/messaging.js';
import { loadSend } from './load-send.js';
import { storeMessage } from './queue-message.js';
import { planSend, type SendPlan } from './send-message.js';

beforeEach(() => freezeClock(NOON));
afterEach(() => thawClock());

describe('monthly contacts', () => {
  it('allowance 1: the first message uses it, a second to the same candidate does not, another candidate is refused', async () => {
    const org = await messagingOrg({ allowance: 1, zone: 'America/New_York' });
    const first = await addCandidate(org);
    const second = await addCandidate(org);

    const opening = await sendOk(org.keys.user, sms(first, 'Hello'));
    expect(opening.reply.usesContact).toBe(true);
    const followUp = await sendOk(org.keys.user, sms(first, 'Following up'));
    expect(followUp.reply.usesContact).toBe(false);
    expect(await usageOf(org)).toEqual([
      { candidate_id: first.id, message_id: opening.reply.id, period: '2026-03' },
    ]);

    const refused = await sendMessage(org.keys.user, sms(second));
    expect(refused.response.status).toBe(409);
    const error = await errorOf(refused.response);
    expect(error.code).toBe('contacts_exhausted');
    expect(error.message).toMatch(/renews on 2026-04-01/);
    expect(error.message).toMatch(/America\/New_York/);
    expect(refused.jobs).toEqual([]);
    // Nothing of the refused send is stored: two messages, one contact, the second untouched.
    expect((await messagesOf(org)).map((m) => [m.candidate_id, m.uses_contact])).toEqual([
      [first.id, 1],
      [first.id, 0],
    ]);
    expect(await usageOf(org)).toHaveLength(1);
    expect((await detailsOf(second)).last_messaged_at).toBeNull();
    expect((await detailsOf(first)).last_messaged_at).toBe(NOON);
  });

  it('allowance 0: nobody new can be written to', async () => {
    const org = await messagingOrg({ allowance: 0 });
    const candidate = await addCandidate(org);
    const { response } = await sendMessage(org.keys.user, sms(candidate));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('contacts_exhausted');
    expect(await messagesOf(org)).toEqual([]);
  });

  it('the renewal follows the organisation calendar: late on 31 March in New York is still March', async () => {
    // 2026-04-01T02:00Z is 22:00 on 31 March in New York.
    freezeClock(Date.UTC(2026, 3, 1, 2, 0));
    const org = await messagingOrg({ allowance: 0, zone: 'America/New_York' });
    const candidate = await addCandidate(org, { timeZone: 'Asia/Tokyo' });
    const { response } = await sendMessage(org.keys.user, sms(candidate));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).message).toMatch(/for 2026-03 .*renews on 2026-04-01/);
  });

  it.each([
    ['44 days', 44 * DAY_MS, false],
    ['exactly 45 days', 45 * DAY_MS, false],
    ['45 days and 1 ms', 45 * DAY_MS + 1, true],
    ['46 days', 46 * DAY_MS, true],
  ])('last messaged %s ago: uses a contact = %s', async (_label, ago, uses) => {
    const org = await messagingOrg({ allowance: 1 });
    const candidate = await addCandidate(org, { lastMessagedAt: NOON - ago });
    const { reply } = await sendOk(org.keys.user, sms(candidate));
    expect(reply.usesContact).toBe(uses);
    expect(await usageOf(org)).toHaveLength(uses ? 1 : 0);
    const [row] = await messagesOf(org);
    expect(row?.uses_contact).toBe(uses ? 1 : 0);
    expect((await detailsOf(candidate)).last_messaged_at).toBe(NOON);
  });

  it.each([
    ['44 days', 44 * DAY_MS, 202],
    ['exactly 45 days', 45 * DAY_MS, 202],
    ['46 days', 46 * DAY_MS, 409],
  ])('none left, last messaged %s ago: %d', async (_label, ago, status) => {
    const org = await messagingOrg({ allowance: 0 });
    const candidate = await addCandidate(org, { lastMessagedAt: NOON - ago });
    const { response } = await sendMessage(org.keys.user, sms(candidate));
    expect(response.status, await response.clone().text()).toBe(status);
    if (status === 409) {
      expect((await errorOf(response)).code).toBe('contacts_exhausted');
      expect(await messagesOf(org)).toEqual([]);
      expect((await detailsOf(candidate)).last_messaged_at).toBe(NOON - ago);
    } else {
      expect(((await response.json()) as { usesContact: boolean }).usesContact).toBe(false);
    }
    expect(await usageOf(org)).toEqual([]);
  });

  it('two sends to two candidates racing for the last contact: exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const org = await messagingOrg({ allowance: 1 });
      const a = await addCandidate(org);
      const b = await addCandidate(org);
      const results = await Promise.all([
        sendMessage(org.keys.user, sms(a)),
        sendMessage(org.keys.user, sms(b)),
      ]);
      const statuses = results.map((result) => result.response.status).sort();
      expect(statuses).toEqual([202, 409]);
      const loser = results.find((result) => result.response.status === 409)!;
      const error = await errorOf(loser.response);
      expect(error.code).toBe('contacts_exhausted');
      expect(error.message).toMatch(/renews on 2026-04-01/);
      expect(loser.jobs).toEqual([]);
      const usage = await usageOf(org);
      expect(usage).toHaveLength(1);
      const messages = await messagesOf(org);
      expect(messages).toHaveLength(1);
      expect(messages[0]?.candidate_id).toBe(usage[0]?.candidate_id);
      // Only the winner counts as messaged.
      const loserCandidate = usage[0]?.candidate_id === a.id ? b : a;
      expect((await detailsOf(loserCandidate)).last_messaged_at).toBeNull();
    }
  });

  it('two sends racing to the same new candidate with allowance 1: both go, one contact used', async () => {
    for (let round = 0; round < 3; round++) {
      const org = await messagingOrg({ allowance: 1 });
      const candidate = await addCandidate(org);
      const results = await Promise.all([
        sendMessage(org.keys.user, sms(candidate, 'One')),
        sendMessage(org.keys.user, sms(candidate, 'Two')),
      ]);
      expect(results.map((result) => result.response.status)).toEqual([202, 202]);
      const replies = (await Promise.all(results.map((result) => result.response.json()))) as {
        id: string;
        usesContact: boolean;
      }[];
      expect(replies.map((reply) => reply.usesContact).sort()).toEqual([false, true]);
      const usage = await usageOf(org);
      expect(usage).toHaveLength(1);
      expect(usage[0]?.message_id).toBe(replies.find((reply) => reply.usesContact)?.id);
      expect(await messagesOf(org)).toHaveLength(2);
    }
  });

  it('two sends racing to the same new candidate with allowance 5: one contact used, not two', async () => {
    const org = await messagingOrg({ allowance: 5 });
    const candidate = await addCandidate(org);
    const results = await Promise.all([
      sendMessage(org.keys.user, sms(candidate, 'One')),
      sendMessage(org.keys.user, sms(candidate, 'Two')),
    ]);
    expect(results.map((result) => result.response.status)).toEqual([202, 202]);
    expect(await usageOf(org)).toHaveLength(1);
    const flags = (await messagesOf(org)).map((m) => m.uses_contact).sort();
    expect(flags).toEqual([0, 1]);
  });

  it('a plan read before the last contact went cannot take it: the guarded batch writes nothing', async () => {
    const org = await messagingOrg({ allowance: 1 });
    const a = await addCandidate(org);
    const b = await addCandidate(org);
    // Both plans are made while one contact is left, as two concurrent requests would.
    const plans: { candidate: TestCandidate; plan: SendPlan }[] = [];
    for (const candidate of [a, b]) {
      const ctx = await loadSend(env.DB, {
        orgId: org.orgId,
        externalId: candidate.externalId,
        channel: 'sms',
        userId: null,
        now: NOON,
      });
      const plan = planSend(ctx!, { channel: 'sms', body: 'Hi' });
      if ('code' in plan) throw new Error(plan.message);
      expect(plan.usesContact).toBe(true);
      plans.push({ candidate, plan });
    }
    const store = ({ candidate, plan }: (typeof plans)[number]) =>
      storeMessage(env.DB, {
        orgId: org.orgId,
        candidateId: candidate.id,
        channel: 'sms',
        plan,
        body: 'Hi',
        templateId: null,
        variables: null,
        sentBy: 'test',
        now: NOON,
      });
    const first = await store(plans[0]!);
    expect(first).toMatchObject({ ok: true, usesContact: true });
    expect(await store(plans[1]!)).toEqual({ ok: false });
    expect(await usageOf(org)).toHaveLength(1);
    expect(await messagesOf(org)).toHaveLength(1);
    expect((await detailsOf(b)).last_messaged_at).toBeNull();
  });

  it('a new month renews the allowance', async () => {
    const org = await messagingOrg({ allowance: 1 });
    await sendOk(org.keys.user, sms(await addCandidate(org)));
    const next = await addCandidate(org);
    expect((await sendMessage(org.keys.user, sms(next))).response.status).toBe(409);
    freezeClock(Date.UTC(2026, 3, 1, 13, 0));
    const { reply } = await sendOk(org.keys.user, sms(next));
    expect(reply.usesContact).toBe(true);
    expect((await usageOf(org)).map((row) => row.period).sort()).toEqual(['2026-03', '2026-04']);
  });
});
