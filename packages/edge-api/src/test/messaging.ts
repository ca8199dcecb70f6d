// Messaging test support: an organisation set up to text (allowance, sender numbers, WhatsApp
// number, zone, keys with the messaging permission), candidates with contact details, people
// with or without a licence, a fake queue and a fake provider, and signed provider webhooks.
import { env } from 'cloudflare:workers';
import { expect, vi } from 'vitest';
import { createSession } from '../auth/sessions.js';
import { database } from '../db/client.js';
import type { Role } from '../db/schema.js';
import type { OutboundJob } from '../endpoints/messages/queue-message.js';
import type { MessagingProvider, OutboundText, SendOutcome } from '../messaging/provider/index.js';
import { twilioSignature } from '../messaging/provider/index.js';
import { phoneCountry } from '../messaging/rules/index.js';
import { api, createOrg, request, rid, rows, type TestOrg } from './client.js';
import { createPerson } from './console.js';

export const HOUR_MS = 60 * 60 * 1000;
export const MINUTE_MS = 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** A Wednesday, 15:00 UTC: 10:00 in New York (EST), 15:00 in London, 16:00 in Warsaw. */
export const NOON = Date.UTC(2026, 2, 4, 15, 0, 0);

/** Freezes `Date` at `at` (only Date: timers and I/O stay real). */
export function freezeClock(at: number = NOON): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

export function setClock(at: number): void {
  vi.setSystemTime(at);
}

export function thawClock(): void {
  vi.useRealTimers();
}

/** A number nobody else's organisation uses as a sender (inbound texts find the org by it). */
export function uniqueSender(prefix = '+1999'): string {
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b % 10).join('');
  return `${prefix}${digits}`;
}

export interface MessagingOrg extends TestOrg {
  name: string;
  senders: Record<string, string[]>;
  whatsappSender: string;
}

/**
 * A fresh organisation ready to text: `allowance` contacts a month, a sender number in each
 * country of `senders` (unique numbers unless given), a WhatsApp sender, the zone, and the
 * messaging permission on every key (tests revoke it where they need a key without).
 */
export async function messagingOrg(
  options: {
    allowance?: number;
    senderCountries?: readonly string[];
    senders?: Record<string, string[]>;
    whatsappSender?: string | null;
    zone?: string;
  } = {},
): Promise<MessagingOrg> {
  const org = await createOrg();
  const senders =
    options.senders ??
    Object.fromEntries(
      (options.senderCountries ?? ['US', 'GB']).map((country) => [country, [uniqueSender()]]),
    );
  const whatsappSender =
    options.whatsappSender === undefined ? uniqueSender('+1998') : options.whatsappSender;
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE organisations SET monthly_contact_allowance = ?1, sender_numbers = ?2,
         whatsapp_sender = ?3, time_zone = ?4 WHERE id = ?5`,
    ).bind(
      options.allowance ?? 100,
      JSON.stringify(senders),
      whatsappSender,
      options.zone ?? 'UTC',
      org.orgId,
    ),
    env.DB.prepare('UPDATE api_keys SET messaging = 1 WHERE org_id = ?1').bind(org.orgId),
  ]);
  return {
    ...org,
    name: `Test ${org.orgId}`,
    senders,
    whatsappSender: whatsappSender ?? '',
  };
}

export interface CandidateDetails {
  phone?: string | null;
  timeZone?: string | null;
  smsConsentAt?: number | null;
  whatsappOptInAt?: number | null;
  smsOptedOutAt?: number | null;
  whatsappOptedOutAt?: number | null;
  lastInboundSmsAt?: number | null;
  lastInboundWhatsappAt?: number | null;
  lastInboundMessengerAt?: number | null;
  lastInboundWechatAt?: number | null;
  lastMessagedAt?: number | null;
}

export interface TestCandidate {
  id: string;
  externalId: string;
  phone: string | null;
}

/** A US number libphonenumber's full metadata calls valid. */
export const US_PHONE = '+12025550123';

/**
 * A candidate with contact details: by default a valid US number in New York's zone, SMS consent
 * and WhatsApp opt-in a day before now, no opt-out, never messaged. `details: null` makes a
 * candidate without any contact details row.
 */
export async function addCandidate(
  org: TestOrg,
  details: CandidateDetails | null = {},
): Promise<TestCandidate> {
  const id = rid('c');
  const externalId = rid('cand');
  const now = Date.now();
  const statements = [
    env.DB.prepare('INSERT INTO candidates (id, org_id, external_id) VALUES (?1, ?2, ?3)').bind(
      id,
      org.orgId,
      externalId,
    ),
  ];
  const phone = details === null ? null : details.phone === undefined ? US_PHONE : details.phone;
  if (details !== null) {
    const pick = <T>(value: T | undefined, fallback: T | null) =>
      value === undefined ? fallback : value;
    statements.push(
      env.DB.prepare(
        `INSERT INTO candidate_contact_details (candidate_id, org_id, phone, phone_country, time_zone,
           sms_consent_source, sms_consent_at, whatsapp_opt_in_source, whatsapp_opt_in_at,
           sms_opted_out_at, whatsapp_opted_out_at, last_inbound_sms_at, last_inbound_whatsapp_at,
           last_inbound_messenger_at, last_inbound_wechat_at, last_messaged_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'test', ?6, 'test', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)`,
      ).bind(
        id,
        org.orgId,
        phone,
        phone ? phoneCountry(phone) : null,
        pick(details.timeZone, 'America/New_York'),
        pick(details.smsConsentAt, now - DAY_MS),
        pick(details.whatsappOptInAt, now - DAY_MS),
        pick(details.smsOptedOutAt, null),
        pick(details.whatsappOptedOutAt, null),
        pick(details.lastInboundSmsAt, null),
        pick(details.lastInboundWhatsappAt, null),
        pick(details.lastInboundMessengerAt, null),
        pick(details.lastInboundWechatAt, null),
        pick(details.lastMessagedAt, null),
        now,
      ),
    );
  }
  await env.DB.batch(statements);
  return { id, externalId, phone };
}

/** A signed-in person's session token (sent as Bearer), with or without a messaging licence. */
export async function personToken(
  orgId: string,
  role: Role,
  options: { licence?: boolean; senderPhone?: string | null } = {},
): Promise<{ id: string; token: string }> {
  const person = await createPerson(orgId, role, { licence: options.licence ?? true });
  if (options.senderPhone) {
    await env.DB.prepare('UPDATE users SET sender_phone = ?1 WHERE id = ?2')
      .bind(options.senderPhone, person.id)
      .run();
  }
  const token = await createSession(database(env.DB), { id: person.id, orgId }, Date.now());
  return { id: person.id, token };
}

export interface QueuedJob {
  body: OutboundJob;
  delaySeconds: number | undefined;
}

/** A MESSAGE_QUEUE binding that keeps what is sent to it. */
export function fakeQueue(): { queue: Queue; jobs: QueuedJob[] } {
  const jobs: QueuedJob[] = [];
  const queue = {
    async send(body: unknown, options?: QueueSendOptions) {
      jobs.push({ body: body as OutboundJob, delaySeconds: options?.delaySeconds });
    },
    async sendBatch(messages: Iterable<MessageSendRequest>) {
      for (const message of messages) {
        jobs.push({ body: message.body as OutboundJob, delaySeconds: message.delaySeconds });
      }
    },
  } as unknown as Queue;
  return { queue, jobs };
}

export interface SendBody {
  candidateId: string;
  channel: 'sms' | 'whatsapp' | 'messenger' | 'wechat';
  body?: string;
  templateId?: string;
  variables?: Record<string, string>;
  url?: string;
}

/** `POST /v1/messages` with `credential` (a key or a session token), the queue captured. */
export async function sendMessage(credential: string | undefined, body: SendBody) {
  const { queue, jobs } = fakeQueue();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credential) headers.authorization = `Bearer ${credential}`;
  const response = await request(
    '/v1/messages',
    { method: 'POST', headers, body: JSON.stringify(body) },
    { MESSAGE_QUEUE: queue },
  );
  return { response, jobs };
}

export interface SentReply {
  id: string;
  status: 'queued' | 'scheduled';
  scheduledFor: string | null;
  channel: string;
  from: string;
  usesContact: boolean;
  link: string | null;
}

/** A send that must be accepted: its reply and the queued job. */
export async function sendOk(credential: string, body: SendBody) {
  const { response, jobs } = await sendMessage(credential, body);
  expect(response.status, await response.clone().text()).toBe(202);
  const reply = (await response.json()) as SentReply;
  expect(jobs).toHaveLength(1);
  return { reply, job: jobs[0]! };
}

export function sms(candidate: TestCandidate, body = 'Hello from the recruiter'): SendBody {
  return { candidateId: candidate.externalId, channel: 'sms', body };
}

export function whatsapp(candidate: TestCandidate, body = 'Hello on WhatsApp'): SendBody {
  return { candidateId: candidate.externalId, channel: 'whatsapp', body };
}

export interface MessageDbRow {
  id: string;
  org_id: string;
  candidate_id: string;
  direction: string;
  channel: string;
  from_address: string;
  to_address: string;
  body: string | null;
  status: string;
  scheduled_for: number | null;
  provider_sid: string | null;
  error_code: string | null;
  error_message: string | null;
  sent_by: string | null;
  uses_contact: number;
  attempts: number;
  created_at: number;
}

export function messagesOf(org: TestOrg) {
  return rows<MessageDbRow>(
    'SELECT * FROM messages WHERE org_id = ? ORDER BY created_at, rowid',
    org.orgId,
  );
}

export async function messageRow(id: string): Promise<MessageDbRow | undefined> {
  return (await rows<MessageDbRow>('SELECT * FROM messages WHERE id = ?', id))[0];
}

export function usageOf(org: TestOrg) {
  return rows<{ candidate_id: string; message_id: string; period: string }>(
    'SELECT candidate_id, message_id, period FROM contact_usage WHERE org_id = ?',
    org.orgId,
  );
}

export interface DetailsDbRow {
  sms_opted_out_at: number | null;
  whatsapp_opted_out_at: number | null;
  last_inbound_sms_at: number | null;
  last_inbound_whatsapp_at: number | null;
  last_messaged_at: number | null;
}

export async function detailsOf(candidate: TestCandidate): Promise<DetailsDbRow> {
  const [row] = await rows<DetailsDbRow>(
    'SELECT * FROM candidate_contact_details WHERE candidate_id = ?',
    candidate.id,
  );
  if (!row) throw new Error(`no contact details for ${candidate.id}`);
  return row;
}

/** Everything texting writes for an organisation, to show a refusal wrote nothing. */
export async function writtenFor(org: TestOrg) {
  const count = async (table: string) =>
    (
      await rows<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE org_id = ?`, org.orgId)
    )[0]!.n;
  return {
    messages: await count('messages'),
    contactUsage: await count('contact_usage'),
    contacts: await count('contacts'),
    lastMessaged: (
      await rows<{ n: number }>(
        'SELECT count(*) AS n FROM candidate_contact_details WHERE org_id = ? AND last_messaged_at IS NOT NULL',
        org.orgId,
      )
    )[0]!.n,
  };
}

/** A provider that records every send and answers from a script (accepted by default). */
export function fakeProvider(outcomes: SendOutcome[] = []) {
  const sent: OutboundText[] = [];
  let n = 0;
  const provider: MessagingProvider = {
    name: 'fake',
    async send(text) {
      sent.push(text);
      n += 1;
      return (
        outcomes.shift() ?? {
          ok: true,
          providerSid: `SM${rid('sid').slice(4)}${n}`,
          status: 'queued',
        }
      );
    },
    async verify() {
      return true;
    },
  };
  return { provider, sent };
}

export const WEBHOOK_TOKEN = 'test-twilio-auth-token';
export const STATUS_PATH = '/v1/providers/twilio/status';
export const INBOUND_PATH = '/v1/providers/twilio/inbound';

/**
 * A form post to a provider webhook, signed as Twilio signs it unless told otherwise:
 * `signature: null` sends none, `token`/`signedUrl` sign with another token or URL.
 */
export async function postWebhook(
  path: string,
  params: Record<string, string>,
  options: {
    signature?: string | null;
    token?: string;
    signedUrl?: string;
    signedParams?: Record<string, string>;
    bindings?: Parameters<typeof request>[2];
  } = {},
) {
  const form = new URLSearchParams(params);
  const signature =
    options.signature === undefined
      ? await twilioSignature(
          options.token ?? WEBHOOK_TOKEN,
          options.signedUrl ?? `http://api.test${path}`,
          new URLSearchParams(options.signedParams ?? params),
        )
      : options.signature;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  return request(path, { method: 'POST', headers, body: form.toString() }, options.bindings);
}

/** The conversation as `GET /v1/candidates/{id}/messages` answers it. */
export function conversation(credential: string, candidate: TestCandidate) {
  return api('GET', `/v1/candidates/${candidate.externalId}/messages`, credential);
}
