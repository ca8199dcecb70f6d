// Tracked links in texts: a send with a `url` gives the candidate a link of their own; following
// it records `click_message` for them (a person's click counts on the message, a messaging app's
// preview is a machine's), redirects only to the stored destination, and a purge or an unknown
// code leaves nothing to follow.
import { env } from 'cloudflare:workers';
import { IDENTITY_PARAM } from '@cxm/tracker/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyToken } from '../../auth/tokens.js';
import { api, BROWSER_UA, errorOf, json, request, rows } from '../../test/client.js';
import {
  addCandidate,
  conversation,
  freezeClock,
  type MessagingOrg,
  MINUTE_MS,
  messageRow,
  messagingOrg,
  NOON,
  sendMessage,
  sendOk,
  setClock,
  sms,
  type TestCandidate,
  thawClock,
  writtenFor,
} from '../../test/messaging.js';
import { bodyWithLink, isMachineMessageClick, LINK_PLACEHOLDER } from './message-links.js';

beforeEach(() => freezeClock(NOON));
afterEach(() => thawClock());

const JOB = 'https://careers.example.com/jobs/42';
const PARTNER = 'https://events.partner.test';
const LINK = /^http:\/\/api\.test\/v1\/m\/([A-Za-z0-9_-]{16})$/;

async function withPartnerAllowed(org: MessagingOrg) {
  await env.DB.prepare('UPDATE organisations SET link_allowlist = ?1 WHERE id = ?2')
    .bind(JSON.stringify([PARTNER]), org.orgId)
    .run();
}

/** Sends a text with `url` and marks it sent a minute ago, as delivery would. */
async function sentWithLink(org: MessagingOrg, candidate: TestCandidate, url = JOB) {
  const { reply } = await sendOk(org.keys.user, {
    ...sms(candidate, `Hi, the role we talked about: ${LINK_PLACEHOLDER} Reply STOP to stop.`),
    url,
  });
  const code = LINK.exec(reply.link ?? '')?.[1];
  expect(code, reply.link ?? 'no link').toBeDefined();
  await env.DB.prepare('UPDATE messages SET status = ?1, updated_at = ?2 WHERE id = ?3')
    .bind('sent', NOON - MINUTE_MS, reply.id)
    .run();
  return { reply, code: code!, link: reply.link! };
}

function follow(link: string, userAgent = BROWSER_UA) {
  return request(new URL(link).pathname, { headers: { 'user-agent': userAgent } });
}

function clickEngagements(candidate: TestCandidate) {
  return rows<{ type: string; detail: string; source: string; machine: number }>(
    `SELECT type, detail, source, machine FROM engagements WHERE candidate_id = ? ORDER BY occurred_at`,
    candidate.id,
  );
}

describe('POST /v1/messages with a url', () => {
  it('puts a tracked link of its own where the body says {link}, and stores where it goes', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const { reply, link } = await sentWithLink(org, candidate);
    const row = await messageRow(reply.id);
    expect(row?.body).toBe(`Hi, the role we talked about: ${link} Reply STOP to stop.`);
    const [stored] = await rows<{ link_url: string; link_id: string }>(
      'SELECT link_url, link_id FROM messages WHERE id = ?',
      reply.id,
    );
    expect(stored).toEqual({ link_url: JOB, link_id: LINK.exec(link)![1] });
  });

  it('appends the link after a body without {link}, and gives each send its own', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const first = await sendOk(org.keys.user, { ...sms(candidate, 'See the role:  '), url: JOB });
    const second = await sendOk(org.keys.user, { ...sms(candidate, 'Again'), url: JOB });
    expect((await messageRow(first.reply.id))?.body).toBe(`See the role: ${first.reply.link}`);
    expect(first.reply.link).not.toBe(second.reply.link);
  });

  it('hands a template the link as its `link` variable', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org, { whatsappOptInAt: NOON - 1000 });
    const { reply } = await sendOk(org.keys.user, {
      candidateId: candidate.externalId,
      channel: 'whatsapp',
      templateId: 'job_alert',
      variables: { firstName: 'Ada' },
      url: JOB,
    });
    const [row] = await rows<{ template_variables: string }>(
      'SELECT template_variables FROM messages WHERE id = ?',
      reply.id,
    );
    expect(JSON.parse(row!.template_variables)).toEqual({ firstName: 'Ada', link: reply.link });
  });

  it('refuses a destination the organisation does not allow, naming the origin, writing nothing', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    for (const url of ['https://evil.example/phish', 'javascript:alert(1)', 'not a url']) {
      const { response, jobs } = await sendMessage(org.keys.user, { ...sms(candidate), url });
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.issues).toEqual([
        expect.objectContaining({ path: 'url', code: 'url_not_allowed' }),
      ]);
      expect(jobs).toEqual([]);
    }
    const { response } = await sendMessage(org.keys.user, {
      ...sms(candidate),
      url: 'https://evil.example/phish',
    });
    expect((await errorOf(response)).issues?.[0]?.message).toMatch(/https:\/\/evil\.example/);
    expect(await writtenFor(org)).toEqual({
      messages: 0,
      contactUsage: 0,
      contacts: 0,
      lastMessaged: 0,
    });
  });

  it('refuses a body that the link would push past 1,600 characters', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const { response } = await sendMessage(org.keys.user, {
      ...sms(candidate, 'x'.repeat(1590)),
      url: JOB,
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).issues?.[0]).toMatchObject({ path: 'body', code: 'too_long' });
    expect((await writtenFor(org)).messages).toBe(0);
  });
});

describe('GET /v1/m/{code}', () => {
  it("a person's click: 302 to the job with cxm_t, click_message for the candidate, counted on the message", async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const { link } = await sentWithLink(org, candidate);
    const response = await follow(link);
    expect(response.status).toBe(302);
    const target = new URL(response.headers.get('location')!);
    expect(`${target.origin}${target.pathname}`).toBe(JOB);
    // An opaque single-use code for the tracker there (auth/click-identity.ts), naming nobody.
    const code = target.searchParams.get(IDENTITY_PARAM)!;
    expect(
      await verifyToken(env.TOKEN_SECRET, code, { kind: 'code', now: Date.now() }),
    ).toMatchObject({
      ok: true,
      payload: { c: candidate.externalId },
    });
    expect(atob(code.split('.')[0]!.replaceAll('-', '+').replaceAll('_', '/'))).not.toContain(
      candidate,
    );
    expect(response.headers.get('cache-control')).toMatch(/no-store/);
    expect(await clickEngagements(candidate)).toEqual([
      { type: 'click_message', detail: JOB, source: 'message_link', machine: 0 },
    ]);
    const thread = await json<{ messages: Array<{ link: unknown }> }>(
      conversation(org.keys.user, candidate),
    );
    expect(thread.messages[0]?.link).toEqual({ url: JOB, clicks: 1 });
    const score = await json<{ breakdown: Array<{ type: string; count: number }> }>(
      api('GET', `/v1/candidates/${candidate.externalId}/score`, org.keys.user),
    );
    expect(score.breakdown.find((entry) => entry.type === 'click_message')?.count).toBe(1);
  });

  it('a second click within the hour is one engagement and two clicks; an hour later, a new one', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const { reply, link } = await sentWithLink(org, candidate);
    await follow(link);
    setClock(NOON + 10 * MINUTE_MS);
    await follow(link);
    expect(await clickEngagements(candidate)).toHaveLength(1);
    setClock(NOON + 61 * MINUTE_MS);
    await follow(link);
    expect(await clickEngagements(candidate)).toHaveLength(2);
    const [row] = await rows<{ clicks: number }>(
      'SELECT clicks FROM messages WHERE id = ?',
      reply.id,
    );
    expect(row?.clicks).toBe(3);
  });

  it('a link-allowlist destination gets a clean redirect: no candidate id handed to a third party', async () => {
    const org = await messagingOrg();
    await withPartnerAllowed(org);
    const candidate = await addCandidate(org);
    const { link } = await sentWithLink(org, candidate, `${PARTNER}/open-day`);
    const response = await follow(link);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${PARTNER}/open-day`);
  });

  it("a messaging app's preview, or a fetch as the text goes, is a machine's: stored as such, not counted", async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const { reply, link } = await sentWithLink(org, candidate);
    const preview = await follow(link, 'WhatsApp/2.24.6.77 A');
    expect(preview.status).toBe(302);
    expect(await clickEngagements(candidate)).toEqual([
      { type: 'click_message', detail: JOB, source: 'message_link', machine: 1 },
    ]);
    const [row] = await rows<{ clicks: number }>(
      'SELECT clicks FROM messages WHERE id = ?',
      reply.id,
    );
    expect(row?.clicks).toBe(0);
    expect(isMachineMessageClick(BROWSER_UA, 4_999)).toBe(true);
    expect(isMachineMessageClick(BROWSER_UA, 5_000)).toBe(false);
    expect(isMachineMessageClick('facebookexternalhit/1.1 Facebot Twitterbot/1.0', 60_000)).toBe(
      true,
    );
  });

  it('an unknown, malformed or purged code is a 404 that redirects nowhere', async () => {
    const org = await messagingOrg();
    const candidate = await addCandidate(org);
    const { link } = await sentWithLink(org, candidate);
    for (const path of ['/v1/m/AAAAAAAAAAAAAAAA', '/v1/m/short', `/v1/m/${'x'.repeat(5000)}`]) {
      const response = await request(path, { headers: { 'user-agent': BROWSER_UA } });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('location')).toBeNull();
    }
    const purge = await request(`/v1/candidates/${candidate.externalId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${org.keys.admin}` },
    });
    expect(purge.status).toBe(200);
    const after = await follow(link);
    expect(after.status).toBe(404);
    expect(after.headers.get('location')).toBeNull();
  });
});

describe('bodyWithLink', () => {
  it('replaces every {link}, else appends after the trimmed text', () => {
    expect(bodyWithLink('a {link} b {link}', 'L')).toBe('a L b L');
    expect(bodyWithLink('hello \n', 'L')).toBe('hello L');
  });
});
