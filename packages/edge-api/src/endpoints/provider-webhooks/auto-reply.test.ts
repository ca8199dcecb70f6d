// A recruiter's automatic reply: a candidate writing back gets the words of the person who last
// texted them, within a conversation already paid for (45 days), once a day, from an active
// licensed person, never for a keyword; then it is an ordinary text (quiet hours hold it).
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { database } from '../../db/client.js';
import { request, rid } from '../../test/client.js';
import {
  addCandidate,
  DAY_MS,
  fakeProvider,
  fakeQueue,
  freezeClock,
  INBOUND_PATH,
  type MessagingOrg,
  MINUTE_MS,
  messageRow,
  messagingOrg,
  NOON,
  personToken,
  postWebhook,
  sendOk,
  setClock,
  sms,
  type TestCandidate,
  thawClock,
  usageOf,
} from '../../test/messaging.js';
import { deliver } from '../messages/deliver.js';

beforeEach(() => freezeClock(NOON));
afterEach(() => thawClock());

const WORDS = 'Thanks for your message! I am at a fair today and will answer tomorrow. Sam';

interface Conversation {
  org: MessagingOrg;
  candidate: TestCandidate;
  person: { id: string; token: string };
}

/** A licensed recruiter with an automatic reply texted the candidate `ago` before NOON. */
async function texted(ago = 2 * DAY_MS, autoReply: string | null = `  ${WORDS}  `) {
  setClock(NOON - ago);
  const org = await messagingOrg();
  const candidate = await addCandidate(org);
  const person = await personToken(org.orgId, 'user', { licence: true });
  await env.DB.prepare('UPDATE users SET auto_reply = ?1 WHERE id = ?2')
    .bind(autoReply, person.id)
    .run();
  await sendOk(person.token, sms(candidate));
  setClock(NOON);
  return { org, candidate, person };
}

/** The candidate writes `body` to the organisation's US number; the jobs it queued. */
async function candidateWrites({ org, candidate }: Conversation, body: string) {
  const queue = fakeQueue();
  const response = await postWebhook(
    INBOUND_PATH,
    {
      MessageSid: `SM${rid('in').slice(3)}`,
      From: candidate.phone!,
      To: org.senders.US![0]!,
      Body: body,
    },
    { bindings: { MESSAGE_QUEUE: queue.queue } },
  );
  expect(response.status).toBe(200);
  return queue.jobs;
}

describe('automatic replies', () => {
  it('answer a reply with the words of the person who last texted, from the number written to', async () => {
    const conversation = await texted();
    const { org, candidate, person } = conversation;
    const usageBefore = await usageOf(org);
    const jobs = await candidateWrites(conversation, 'Sounds great, when?');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.delaySeconds).toBe(0);
    expect(await messageRow(jobs[0]!.body.messageId)).toMatchObject({
      direction: 'outbound',
      channel: 'sms',
      from_address: org.senders.US![0],
      to_address: candidate.phone,
      body: WORDS,
      status: 'queued',
      sent_by: `auto-reply:user:${person.id}`,
    });
    // Within a conversation already paid for: no monthly contact.
    expect(await usageOf(org)).toEqual(usageBefore);
  });

  it('go once a day per candidate: a second text within 24 hours gets none, one after gets one', async () => {
    const conversation = await texted();
    expect(await candidateWrites(conversation, 'Hello?')).toHaveLength(1);
    setClock(NOON + 23 * 60 * MINUTE_MS);
    expect(await candidateWrites(conversation, 'Anyone there?')).toHaveLength(0);
    setClock(NOON + DAY_MS + MINUTE_MS);
    expect(await candidateWrites(conversation, 'Still interested')).toHaveLength(1);
  });

  it('two texts arriving together get one reply', async () => {
    const conversation = await texted();
    const both = await Promise.all([
      candidateWrites(conversation, 'One'),
      candidateWrites(conversation, 'Two'),
    ]);
    expect(both.flat()).toHaveLength(1);
  });

  it('only within 45 days of the recruiter’s text: at 45 days yes, 45 days and a minute no', async () => {
    expect(await candidateWrites(await texted(45 * DAY_MS), 'Hi')).toHaveLength(1);
    expect(await candidateWrites(await texted(45 * DAY_MS + MINUTE_MS), 'Hi')).toHaveLength(0);
  });

  it('not without words, nor from a person deactivated or without a licence any more', async () => {
    expect(await candidateWrites(await texted(DAY_MS, null), 'Hi')).toHaveLength(0);
    expect(await candidateWrites(await texted(DAY_MS, '   '), 'Hi')).toHaveLength(0);
    for (const change of ['licence = 0', `deactivated_at = ${NOON - MINUTE_MS}`]) {
      const conversation = await texted();
      await env.DB.prepare(`UPDATE users SET ${change} WHERE id = ?1`)
        .bind(conversation.person.id)
        .run();
      expect(await candidateWrites(conversation, 'Hi'), change).toHaveLength(0);
    }
  });

  it('not when the last text came through the API rather than from a person', async () => {
    const conversation = await texted();
    await sendOk(conversation.org.keys.user, sms(conversation.candidate, 'From the ATS'));
    expect(await candidateWrites(conversation, 'Hi')).toHaveLength(0);
  });

  it('not for STOP or START; HELP gets the organisation’s answer instead', async () => {
    const conversation = await texted();
    expect(await candidateWrites(conversation, 'STOP')).toHaveLength(0);
    expect(await candidateWrites(conversation, 'START')).toHaveLength(0);
    const help = await candidateWrites(conversation, 'HELP');
    expect(help).toHaveLength(1);
    expect((await messageRow(help[0]!.body.messageId))?.sent_by).toBe('system:reply');
  });

  it('wait for the morning when the candidate writes at night, as any text does', async () => {
    const conversation = await texted();
    // 23:00 in New York.
    const night = Date.UTC(2026, 2, 5, 4, 0);
    setClock(night);
    const [job] = await candidateWrites(conversation, 'Late question');
    const { provider, sent } = fakeProvider();
    const outcome = await deliver(env.DB, database(env.DB), provider, job!.body, night);
    expect(outcome.done).toBe(false);
    expect(sent).toEqual([]);
    expect((await messageRow(job!.body.messageId))?.status).toBe('scheduled');
  });
});

const RESPONSE = 'Thanks for answering! A recruiter will call you this week.';

/**
 * A campaign of the conversation's recruiter (through the API, so it is a valid one), with or
 * without its own automatic response, whose text the candidate got an hour ago.
 */
async function campaignTexted(conversation: Conversation, autoResponse: string | null) {
  const { org, candidate, person } = conversation;
  const response = await request('/v1/campaigns', {
    method: 'POST',
    headers: { authorization: `Bearer ${org.keys.manager}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      fromUserId: person.id,
      name: `Spring re-engagement ${rid('c')}`,
      reengagement: true,
      timeframe: { notContactedForDays: 30 },
      sendTime: '09:00',
      channel: 'sms',
      message: 'Hi {{firstName}}, new roles this spring.',
      ...(autoResponse ? { autoResponse } : {}),
    }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  const campaign = (await response.json()) as { id: string };
  await env.DB.prepare(
    `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
       body, status, sent_by, campaign_id, created_at, updated_at)
     VALUES (?1, ?2, ?3, 'outbound', 'sms', ?4, ?5, 'Hi, new roles this spring.', 'delivered',
       ?6, ?7, ?8, ?8)`,
  )
    .bind(
      rid('msg'),
      org.orgId,
      candidate.id,
      org.senders.US![0]!,
      candidate.phone,
      `campaign:${campaign.id}`,
      campaign.id,
      NOON - 60 * MINUTE_MS,
    )
    .run();
  return campaign.id;
}

describe('automatic replies to a campaign text', () => {
  it("answer with the campaign's own response, instead of the sender's auto-reply, once a day", async () => {
    const conversation = await texted();
    const campaignId = await campaignTexted(conversation, RESPONSE);
    const [job] = await candidateWrites(conversation, 'Yes please!');
    expect(await messageRow(job!.body.messageId)).toMatchObject({
      body: RESPONSE,
      sent_by: `auto-reply:campaign:${campaignId}`,
      from_address: conversation.org.senders.US![0],
    });
    expect(await candidateWrites(conversation, 'Hello?')).toHaveLength(0);
  });

  it("fall back to the sender's auto-reply when the campaign has no response of its own", async () => {
    const conversation = await texted();
    await campaignTexted(conversation, null);
    const [job] = await candidateWrites(conversation, 'Yes please!');
    expect(await messageRow(job!.body.messageId)).toMatchObject({
      body: WORDS,
      sent_by: `auto-reply:user:${conversation.person.id}`,
    });
  });

  it("use the sender's auto-reply once the campaign is archived", async () => {
    const conversation = await texted();
    const campaignId = await campaignTexted(conversation, RESPONSE);
    const archived = await request(`/v1/campaigns/${campaignId}/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${conversation.org.keys.manager}` },
    });
    expect(archived.status).toBe(200);
    const [job] = await candidateWrites(conversation, 'Yes please!');
    expect((await messageRow(job!.body.messageId))?.body).toBe(WORDS);
  });
});
