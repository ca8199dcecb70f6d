// The candidate page's Conversation tab (issue 16): the facts for texting a candidate, the thread
// oldest first, and the send box for licensed people, whose refusals are shown in words with the
// API's status and what was typed kept. The clock is pinned (Date only) so quiet hours are known:
// 15:00 in New York unless a test moves it.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession } from '../auth/sessions.js';
import { database } from '../db/client.js';
import type { Role } from '../db/schema.js';
import { api, createOrg, rid, rows, type TestOrg } from '../test/client.js';
import { createPerson, page, post, signedInAs } from '../test/console.js';

/** Wednesday 4 March 2026, 15:00 in New York (EST, UTC-5). */
const AFTERNOON_NY = Date.UTC(2026, 2, 4, 20, 0, 0);
/** The same day, 22:00 in New York: outside 08:00–20:00. */
const NIGHT_NY = Date.UTC(2026, 2, 5, 3, 0, 0);
const DAY_MS = 24 * 60 * 60 * 1000;
const PHONE = '+12025550143';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(AFTERNOON_NY);
});
afterEach(() => {
  vi.useRealTimers();
});

/** An organisation set up to text: a few contacts a month, a US sender, a WhatsApp sender. */
async function textingOrg(): Promise<TestOrg> {
  const org = await createOrg();
  await env.DB.prepare(
    `UPDATE organisations SET monthly_contact_allowance = 5, sender_numbers = ?1,
       whatsapp_sender = ?2 WHERE id = ?3`,
  )
    .bind(JSON.stringify({ US: ['+14155550100'] }), '+14155550199', org.orgId)
    .run();
  return org;
}

interface Candidate {
  id: string;
  externalId: string;
}

/**
 * A candidate with a New York number and SMS consent a day ago (and WhatsApp opt-in, unless
 * told), or with no contact details at all (`details: null`).
 */
async function addCandidate(
  org: TestOrg,
  details: { smsOptedOutAt?: number; whatsappOptIn?: boolean } | null = {},
): Promise<Candidate> {
  const id = rid('c');
  const externalId = rid('cand');
  const now = Date.now();
  await env.DB.prepare('INSERT INTO candidates (id, org_id, external_id) VALUES (?1, ?2, ?3)')
    .bind(id, org.orgId, externalId)
    .run();
  if (details !== null) {
    const whatsapp = details.whatsappOptIn !== false;
    await env.DB.prepare(
      `INSERT INTO candidate_contact_details (candidate_id, org_id, phone, phone_country, time_zone,
         sms_consent_source, sms_consent_at, whatsapp_opt_in_source, whatsapp_opt_in_at,
         sms_opted_out_at, updated_at)
       VALUES (?1, ?2, ?3, 'US', 'America/New_York', 'career-site form', ?4, ?5, ?6, ?7, ?8)`,
    )
      .bind(
        id,
        org.orgId,
        PHONE,
        now - DAY_MS,
        whatsapp ? 'chat opt-in' : null,
        whatsapp ? now - DAY_MS : null,
        details.smsOptedOutAt ?? null,
        now,
      )
      .run();
  }
  return { id, externalId };
}

/** A message from the candidate, as the inbound webhook stores it. */
async function inbound(
  org: TestOrg,
  candidate: Candidate,
  body: string,
  options: { channel?: string; from?: string; at?: number } = {},
) {
  const at = options.at ?? Date.now() - 60_000;
  await env.DB.prepare(
    `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address, to_address,
       body, status, created_at, updated_at)
     VALUES (?1, ?2, ?3, 'inbound', ?4, ?5, '+14155550100', ?6, 'received', ?7, ?7)`,
  )
    .bind(
      rid('msg'),
      org.orgId,
      candidate.id,
      options.channel ?? 'sms',
      options.from ?? PHONE,
      body,
      at,
    )
    .run();
}

/** A signed-in person of `role` in the organisation, with or without a messaging licence. */
async function person(org: TestOrg, role: Role, licence: boolean): Promise<string> {
  const { id } = await createPerson(org.orgId, role, { licence });
  const token = await createSession(database(env.DB), { id, orgId: org.orgId }, Date.now());
  return `cxm_session=${token}`;
}

function conversationPath(candidate: Candidate): string {
  return `/console/candidates/${encodeURIComponent(candidate.externalId)}?tab=conversation`;
}

function sendPath(candidate: Candidate): string {
  return `/console/candidates/${encodeURIComponent(candidate.externalId)}/messages`;
}

async function conversationPage(candidate: Candidate, cookie: string): Promise<string> {
  const response = await page(conversationPath(candidate), cookie);
  expect(response.status).toBe(200);
  return response.text();
}

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The facts list (`dl.facts`) as text. */
function facts(html: string): string {
  const start = html.indexOf('<dl class="settings facts">');
  expect(start).toBeGreaterThan(-1);
  return text(html.slice(start, html.indexOf('</dl>', start)));
}

/** Each message of the thread as text, top to bottom (empty when there is no thread list). */
function thread(html: string): string[] {
  const start = html.indexOf('<ol class="thread"');
  if (start === -1) return [];
  const list = html.slice(start, html.indexOf('</ol>', start));
  return [...list.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((match) => text(match[1] ?? ''));
}

/** The refusal shown above the send box, as text. */
function refusal(html: string): string {
  const match = /<div class="message error" role="alert" id="send-problem">([\s\S]*?)<\/div>/.exec(
    html,
  );
  expect(match, 'a refusal with role="alert"').not.toBeNull();
  return text(match?.[1] ?? '');
}

function expectNoInlineScriptOrStyle(html: string) {
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style[\s>]/);
  expect(html).not.toMatch(/\sstyle=/);
  expect(html).not.toMatch(/\son[a-z]+=/);
}

describe('console: the Conversation tab', () => {
  it('is a tab beside Engagement, with the facts, an empty thread and the send box', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const { cookie } = await signedInAs(org.keys.user);
    const html = await conversationPage(candidate, cookie);
    expect(html).toMatch(/<a href="[^"]*\?tab=conversation" aria-current="page">Conversation<\/a>/);
    expect(facts(html)).toBe(
      ' Last contacted Never Phone number +12025550143 (US) Time zone America/New_York' +
        ' SMS Consented (career-site form, 2026-03-03 20:00 UTC)' +
        ' WhatsApp Opted in (chat opt-in, 2026-03-03 20:00 UTC) ',
    );
    expect(thread(html)).toEqual([]);
    expect(text(html)).toContain('No messages with this candidate yet.');
    // The send box: every control labelled, posting to the console.
    expect(html).toContain(`action="${sendPath(candidate)}"`);
    expect(html).toMatch(/<label for="send-channel">Channel<\/label>/);
    expect(html).toMatch(/<label for="send-body">Message<\/label>\s*<textarea id="send-body"/);
    expect(html).toContain(
      '<label for="send-templateId">WhatsApp template (outside the 24-hour window)</label>',
    );
    const options = [...html.matchAll(/<option value="([a-z]+)"/g)].map((match) => match[1]);
    expect(options).toEqual(['sms', 'whatsapp']);
    expect(html).toMatch(/<button type="submit">Send<\/button>/);
    expectNoInlineScriptOrStyle(html);
    // The Engagement tab is still the default.
    const engagement = await (
      await page(`/console/candidates/${candidate.externalId}`, cookie)
    ).text();
    expect(engagement).toMatch(/<a href="[^"]*" aria-current="page">Engagement<\/a>/);
    expect(engagement).not.toContain('send-body');
  });

  it('shows when the candidate was last contacted', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const recorded = await api('POST', '/v1/contacts', org.keys.user, {
      contacts: [
        {
          id: rid('call'),
          candidateId: candidate.externalId,
          kind: 'phone_call',
          occurredAt: new Date(Date.now() - 2 * DAY_MS).toISOString(),
        },
      ],
    });
    expect(recorded.status, await recorded.clone().text()).toBe(202);
    const { cookie } = await signedInAs(org.keys.user);
    expect(facts(await conversationPage(candidate, cookie))).toContain(
      'Last contacted 2026-03-02 20:00 UTC',
    );
  });

  it('without contact details: no phone number yet, and how the backend sets one', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org, null);
    const { cookie } = await signedInAs(org.keys.user);
    const html = await conversationPage(candidate, cookie);
    expect(facts(html)).toContain('Phone number No phone number yet');
    expect(text(html)).toContain(`PUT /v1/candidates/${candidate.externalId}/contact`);
  });

  it('a licensed user sends: 303 back to the tab, a notice, and the message Queued in the thread', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const { cookie } = await signedInAs(org.keys.user);
    const response = await post(sendPath(candidate), cookie, {
      channel: 'sms',
      body: 'Hi! Are you free for a call tomorrow?',
      templateId: '',
    });
    expect(response.status, await response.clone().text()).toBe(303);
    const location = response.headers.get('location') ?? '';
    expect(location).toMatch(
      new RegExp(
        `^/console/candidates/${candidate.externalId}\\?tab=conversation&sent=queued&message=msg_`,
      ),
    );
    const html = await (await page(location, cookie)).text();
    expect(html).toMatch(/<div class="message ok" role="status">Sent: queued for delivery.<\/div>/);
    const messages = thread(html);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('To the candidate · SMS · 2026-03-04 20:00 UTC · sent by you');
    expect(messages[0]).toContain('Hi! Are you free for a call tomorrow?');
    expect(messages[0]).toContain(' Queued ');
    expectNoInlineScriptOrStyle(html);
    const [row] = await rows<{ status: string; to_address: string }>(
      'SELECT status, to_address FROM messages WHERE org_id = ?',
      org.orgId,
    );
    expect(row).toEqual({ status: 'queued', to_address: PHONE });
  });

  it('outside quiet hours in New York the send is scheduled for 08:00 there, and says so', async () => {
    vi.setSystemTime(NIGHT_NY);
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const { cookie } = await signedInAs(org.keys.user);
    const response = await post(sendPath(candidate), cookie, { channel: 'sms', body: 'Morning!' });
    expect(response.status).toBe(303);
    const location = response.headers.get('location') ?? '';
    expect(location).toContain('sent=scheduled');
    const html = text(await (await page(location, cookie)).text());
    expect(html).toContain(
      'Scheduled for 2026-03-05 13:00 UTC (Thu 08:00 in America/New_York): outside 08:00–20:00',
    );
    expect(thread(await (await page(location, cookie)).text())[0]).toContain(
      'Scheduled for 2026-03-05 13:00 UTC (Thu 08:00 in America/New_York) (quiet hours)',
    );
  });

  it('without a licence: no send box but a note, and a post anyway is refused in words (403)', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const cookie = await person(org, 'manager', false);
    const html = await conversationPage(candidate, cookie);
    expect(text(html)).toContain('Texting needs a messaging licence; ask a manager.');
    expect(html).not.toContain(`action="${sendPath(candidate)}"`);
    expect(html).not.toContain('<textarea');
    const response = await post(sendPath(candidate), cookie, { channel: 'sms', body: 'Hello' });
    expect(response.status).toBe(403);
    const refused = await response.text();
    expect(refusal(refused)).toContain(
      'Not sent: you have no messaging licence. Texting candidates needs a messaging licence; ask a manager for one.',
    );
    expect(refusal(refused)).not.toContain('licence_required');
    expect(await rows('SELECT id FROM messages WHERE org_id = ?', org.orgId)).toEqual([]);
  });

  it('an opted-out candidate: the facts say so and a send is refused (409) keeping the message', async () => {
    const org = await textingOrg();
    const optedOutAt = Date.now() - 3 * DAY_MS;
    const candidate = await addCandidate(org, { smsOptedOutAt: optedOutAt, whatsappOptIn: false });
    const cookie = await person(org, 'user', true);
    const html = await conversationPage(candidate, cookie);
    expect(facts(html)).toContain('SMS Opted out on 2026-03-01 20:00 UTC (replied STOP)');
    expect(facts(html)).toContain('WhatsApp Not opted in');
    const response = await post(sendPath(candidate), cookie, {
      channel: 'sms',
      body: 'Still interested <b>in</b> the role?',
    });
    expect(response.status).toBe(409);
    const refused = await response.text();
    expect(refusal(refused)).toContain(
      'Not sent: the candidate opted out. The candidate opted out of SMS (replied STOP).',
    );
    // What was typed is kept (escaped), and the tab is the Conversation tab.
    expect(refused).toMatch(
      /<textarea id="send-body" name="body"[^>]*>Still interested &lt;b&gt;in&lt;\/b&gt; the role\?<\/textarea>/,
    );
    expect(refused).toContain('<option value="sms" selected="">SMS</option>');
    expect(refused).toMatch(/aria-current="page">Conversation<\/a>/);
    expectNoInlineScriptOrStyle(refused);
  });

  it('WhatsApp outside the 24-hour window: refused (422) with the way on, the channel kept', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const cookie = await person(org, 'user', true);
    const response = await post(sendPath(candidate), cookie, {
      channel: 'whatsapp',
      body: 'Hello on WhatsApp',
    });
    expect(response.status).toBe(422);
    const refused = await response.text();
    expect(refusal(refused)).toMatch(/^ Not sent: outside WhatsApp’s 24-hour window\./);
    expect(refusal(refused)).toContain('fill in the WhatsApp template field');
    expect(refused).toContain('<option value="whatsapp" selected="">WhatsApp</option>');
  });

  it('an empty message: 400, said beside the field and linked from the summary', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const cookie = await person(org, 'user', true);
    const response = await post(sendPath(candidate), cookie, { channel: 'sms', body: '  ' });
    expect(response.status).toBe(400);
    const refused = await response.text();
    expect(refusal(refused)).toContain(
      'Not sent: check what you typed. Message: Type a message (or, on WhatsApp, give a template).',
    );
    expect(refused).toContain('<a href="#send-body">');
    expect(refused).toMatch(/<textarea id="send-body"[^>]*aria-describedby="send-body-error/);
    expect(refused).toMatch(/<textarea id="send-body"[^>]*aria-invalid="true"/);
  });

  it('a link to track: one elsewhere is refused beside its field, one on the career site goes in the text', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const cookie = await person(org, 'user', true);
    const refused = await post(sendPath(candidate), cookie, {
      channel: 'sms',
      body: 'See {link}',
      url: 'https://elsewhere.example/job',
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(refusal(html)).toContain('Link to track: https://elsewhere.example is neither');
    expect(html).toMatch(/<input [^>]*id="send-url"[^>]*aria-invalid="true"/);
    expect(html).toContain('value="https://elsewhere.example/job"');
    const sent = await post(sendPath(candidate), cookie, {
      channel: 'sms',
      body: 'See {link}',
      url: `${org.origin}/jobs/42`,
    });
    expect(sent.status).toBe(303);
    const [message] = thread(await conversationPage(candidate, cookie));
    expect(message).toMatch(/See http:\/\/[^ <]+\/v1\/m\/[A-Za-z0-9_-]{16}/);
    expect(message).toContain(`Link to ${org.origin}/jobs/42: 0 clicks`);
  });

  it('inbound messages show as from the candidate, oldest first, and open Messenger replies', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    await inbound(org, candidate, 'Yes, I am interested', { at: Date.now() - 2 * 60 * 60_000 });
    await inbound(org, candidate, 'Hi from Messenger', {
      channel: 'messenger',
      from: 'messenger:psid-123',
      at: Date.now() - 60 * 60_000,
    });
    const cookie = await person(org, 'user', true);
    const sent = await post(sendPath(candidate), cookie, { channel: 'sms', body: 'Great!' });
    expect(sent.status).toBe(303);
    const html = await conversationPage(candidate, cookie);
    expect(html).toMatch(/<ol class="thread" aria-label="Messages with [^"]+, oldest first">/);
    const messages = thread(html);
    expect(messages).toHaveLength(3);
    expect(messages[0]).toContain('From the candidate · SMS · 2026-03-04 18:00 UTC');
    expect(messages[0]).toContain('Yes, I am interested');
    expect(messages[0]).toContain(' Received ');
    expect(messages[1]).toContain('From the candidate · Messenger · 2026-03-04 19:00 UTC');
    expect(messages[2]).toContain('To the candidate · SMS');
    expect(messages[2]).toContain('Great!');
    const options = [...html.matchAll(/<option value="([a-z]+)"/g)].map((match) => match[1]);
    expect(options).toEqual(['sms', 'whatsapp', 'messenger']);
  });

  it('a text with a tracked link shows where it goes and how many times the candidate clicked', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    for (const [clicks, url] of [
      [2, 'https://careers.example.com/jobs/42'],
      [1, 'https://careers.example.com/jobs/7'],
    ] as const) {
      await env.DB.prepare(
        `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address,
           to_address, body, status, link_id, link_url, clicks, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'outbound', 'sms', '+14155550100', ?4, 'See the role', 'delivered',
           ?1, ?5, ?6, ?7, ?7)`,
      )
        .bind(rid('msg'), org.orgId, candidate.id, PHONE, url, clicks, Date.now() - clicks * 60_000)
        .run();
    }
    const messages = thread(await conversationPage(candidate, await person(org, 'user', true)));
    expect(messages[0]).toContain('Link to https://careers.example.com/jobs/42: 2 clicks');
    expect(messages[1]).toContain('Link to https://careers.example.com/jobs/7: 1 click');
  });

  it('a campaign’s text and its automatic response show as from the campaign, by name', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const sender = await createPerson(org.orgId, 'user', { licence: true });
    const created = await api('POST', '/v1/campaigns', org.keys.manager, {
      name: 'Warm Java pool',
      reengagement: true,
      timeframe: { notContactedForDays: 30 },
      fromUserId: sender.id,
      sendTime: '09:30',
      channel: 'sms',
      message: 'Hi {{firstName}}, new roles',
    });
    expect(created.status).toBe(201);
    const campaign = (await created.json()) as { id: string };
    for (const [sentBy, body, ago] of [
      [`campaign:${campaign.id}`, 'Hi Ada, new roles', 3],
      [`auto-reply:campaign:${campaign.id}`, 'Thanks, we will call you', 1],
      ['campaign:cmp_gone', 'From a campaign we cannot read', 0],
    ] as const) {
      await env.DB.prepare(
        `INSERT INTO messages (id, org_id, candidate_id, direction, channel, from_address,
           to_address, body, status, sent_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'outbound', 'sms', '+14155550100', ?4, ?5, 'delivered', ?6, ?7, ?7)`,
      )
        .bind(rid('msg'), org.orgId, candidate.id, PHONE, body, sentBy, Date.now() - ago * 60_000)
        .run();
    }
    const messages = thread(await conversationPage(candidate, await person(org, 'user', true)));
    expect(messages[0]).toContain('· from the campaign “Warm Java pool”');
    expect(messages[1]).toContain('· automatic response of the campaign “Warm Java pool”');
    expect(messages[2]).toContain('· from a campaign');
  });

  it('a refused post from another origin never reaches the API', async () => {
    const org = await textingOrg();
    const candidate = await addCandidate(org);
    const cookie = await person(org, 'user', true);
    const response = await post(
      sendPath(candidate),
      cookie,
      { channel: 'sms', body: 'Hello' },
      'https://evil.example',
    );
    expect(response.status).toBe(403);
    expect(await rows('SELECT id FROM messages WHERE org_id = ?', org.orgId)).toEqual([]);
  });
});
