// The candidate page's Conversation tab: what we know for texting them (last contacted, the
// number, time zone, SMS consent and WhatsApp opt-in or opt-out), the thread oldest first, and
// for people with a messaging licence a send box. A refused send shows why in plain words, with
// what was typed kept in the fields and the API's field issues beside them.
import type { Child } from 'hono/jsx';
import type { ApiError, ContactDetails, Messages, WhoAmI } from '../../client/index.js';
import { AUTO_REPLY_PREFIX } from '../../messaging/sent-by.js';
import type { ApiResult } from '../api.js';
import { formatTime } from '../labels.js';
import { Notice, Problem } from '../layout.js';
import { type Form, issuesOf, TextArea, TextField } from './user-fields.js';

export type Message = Messages['messages'][number];
export type Channel = Message['channel'];

/** A send the API refused, and what was typed (shown again so nothing is lost). */
export interface SendFailure {
  problem: ApiError;
  form: Form;
}

/** What the tab shows: the thread and contact details as read, and the outcome of a send. */
export interface ConversationData {
  messages: ApiResult<Messages>;
  contact: ApiResult<ContactDetails>;
  /** After a send went through (post/redirect/get): its status and id. */
  sent?: { status: string; messageId?: string | undefined } | undefined;
  failure?: SendFailure | undefined;
  /** Names of the campaigns that texted them, by id (a campaign not read is named by none). */
  campaigns?: Record<string, string> | undefined;
}

const CAMPAIGN_PREFIX = 'campaign:';

/** The campaign a text came from (`campaign:<id>`, or its automatic response), else null. */
export function campaignOf(sentBy: string | null): string | null {
  const sender = sentBy?.startsWith(AUTO_REPLY_PREFIX)
    ? sentBy.slice(AUTO_REPLY_PREFIX.length)
    : sentBy;
  return sender?.startsWith(CAMPAIGN_PREFIX) ? sender.slice(CAMPAIGN_PREFIX.length) : null;
}

function campaignText(sentBy: string, campaigns: Record<string, string>): string {
  const id = campaignOf(sentBy) ?? '';
  const name = campaigns[id] ? `the campaign “${campaigns[id]}”` : 'a campaign';
  return sentBy.startsWith(AUTO_REPLY_PREFIX) ? `automatic response of ${name}` : `from ${name}`;
}

export const CHANNEL_LABELS: Record<Channel, string> = {
  sms: 'SMS',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  wechat: 'WeChat',
};

function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel as Channel] ?? channel;
}

/** `08:00 Wed` on the candidate's clock, or null when the zone is unknown to the runtime. */
function localClock(iso: string, zone: string): string | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(ms);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** A time in UTC, and on the candidate's clock when their zone is known. */
function timeWithLocal(iso: string, zone: string | null): string {
  const local = zone ? localClock(iso, zone) : null;
  return local ? `${formatTime(iso)} (${local} in ${zone})` : formatTime(iso);
}

/** A message's status in words. */
export function statusText(message: Message, zone: string | null): string {
  const reason = message.errorMessage ? `: ${message.errorMessage}` : '';
  switch (message.status) {
    case 'scheduled':
      return message.scheduledFor
        ? `Scheduled for ${timeWithLocal(message.scheduledFor, zone)} (quiet hours)`
        : 'Scheduled (quiet hours)';
    case 'queued':
      return 'Queued';
    case 'sending':
      return 'Sending';
    case 'accepted':
      return 'Sent to the provider';
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'undelivered':
      return `Not delivered${reason}`;
    case 'failed':
      return `Failed${reason}`;
    case 'cancelled':
      return `Cancelled${reason}`;
    case 'received':
      return 'Received';
    default:
      return message.status;
  }
}

/** Who sent an outbound message, as far as it helps: you, a colleague, a campaign, or a key. */
function senderText(
  sentBy: string | null,
  who: WhoAmI,
  campaigns: Record<string, string>,
): string | null {
  if (!sentBy) return null;
  if (campaignOf(sentBy) !== null) return campaignText(sentBy, campaigns);
  if (who.userId && sentBy === `user:${who.userId}`) return 'sent by you';
  if (who.userId && sentBy === `${AUTO_REPLY_PREFIX}user:${who.userId}`) {
    return 'your automatic reply';
  }
  if (sentBy.startsWith(AUTO_REPLY_PREFIX)) return 'a colleague’s automatic reply';
  if (sentBy.startsWith('user:')) return 'sent by a colleague';
  if (sentBy.startsWith('key:')) return 'sent through the API';
  return null;
}

export function ConversationTab(props: {
  who: WhoAmI;
  id: string;
  base: string;
  lastContactedAt: string | null;
  data: ConversationData;
}) {
  const { data } = props;
  const contact = data.contact.ok ? data.contact.data : null;
  const zone = contact?.timeZone ?? null;
  const messages = data.messages.ok ? [...data.messages.data.messages].reverse() : [];
  return (
    <section aria-labelledby="conversation-heading">
      <h2 id="conversation-heading" class="visually-hidden">
        Conversation
      </h2>
      {data.sent ? (
        <SentNotice
          sent={data.sent}
          message={messages.find((message) => message.id === data.sent?.messageId)}
          zone={zone}
        />
      ) : null}
      <ContactFacts id={props.id} lastContactedAt={props.lastContactedAt} contact={data.contact} />
      <h3 id="thread-heading">Messages</h3>
      {data.messages.ok ? (
        <Thread
          who={props.who}
          id={props.id}
          messages={messages}
          zone={zone}
          campaigns={data.campaigns ?? {}}
        />
      ) : (
        <Problem problem={data.messages.problem} />
      )}
      <SendBox
        who={props.who}
        base={props.base}
        messages={messages}
        failure={data.failure}
        id={props.id}
      />
    </section>
  );
}

function SentNotice(props: {
  sent: NonNullable<ConversationData['sent']>;
  message: Message | undefined;
  zone: string | null;
}) {
  if (props.sent.status === 'scheduled') {
    const at = props.message?.scheduledFor;
    return (
      <Notice kind="ok">
        {at ? `Scheduled for ${timeWithLocal(at, props.zone)}` : 'Scheduled'}: outside 08:00–20:00
        in the candidate’s time (or your organisation’s narrower sending hours), so it goes when
        their window opens.
      </Notice>
    );
  }
  return <Notice kind="ok">Sent: queued for delivery.</Notice>;
}

function Fact(props: { term: string; children?: Child }) {
  return (
    <>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

function consentText(consent: ContactDetails['smsConsent'], given: string): string | null {
  return consent ? `${given} (${consent.source}, ${formatTime(consent.at)})` : null;
}

function optedOutText(optedOut: boolean, at: string | null): string | null {
  if (!optedOut) return null;
  return at ? `Opted out on ${formatTime(at)} (replied STOP)` : 'Opted out (replied STOP)';
}

function ContactFacts(props: {
  id: string;
  lastContactedAt: string | null;
  contact: ApiResult<ContactDetails>;
}) {
  const { contact } = props;
  const details = contact.ok ? contact.data : null;
  const lastContacted = (
    <Fact term="Last contacted">
      {props.lastContactedAt === null ? 'Never' : formatTime(props.lastContactedAt)}
    </Fact>
  );
  if (!contact.ok && contact.problem.status !== 404) {
    return (
      <>
        <dl class="settings facts">{lastContacted}</dl>
        <Problem problem={contact.problem} />
      </>
    );
  }
  if (!details?.phone) {
    return (
      <>
        <dl class="settings facts">
          {lastContacted}
          <Fact term="Phone number">No phone number yet</Fact>
        </dl>
        <p class="hint">
          Your ATS or backend sets the number, time zone and consent through{' '}
          <code>PUT /v1/candidates/{encodeURIComponent(props.id)}/contact</code>.
        </p>
      </>
    );
  }
  return (
    <dl class="settings facts">
      {lastContacted}
      <Fact term="Phone number">
        {details.phone}
        {details.phoneCountry ? ` (${details.phoneCountry})` : ''}
      </Fact>
      <Fact term="Time zone">
        {details.timeZone ?? (
          <span class="muted">
            Not set: the one the number’s country implies, else your organisation’s
          </span>
        )}
      </Fact>
      <Fact term="SMS">
        {optedOutText(details.smsOptedOut, details.smsOptedOutAt) ??
          consentText(details.smsConsent, 'Consented') ??
          'No consent'}
      </Fact>
      <Fact term="WhatsApp">
        {optedOutText(details.whatsappOptedOut, details.whatsappOptedOutAt) ??
          consentText(details.whatsappOptIn, 'Opted in') ??
          'Not opted in'}
      </Fact>
    </dl>
  );
}

function Thread(props: {
  who: WhoAmI;
  id: string;
  messages: Message[];
  zone: string | null;
  campaigns: Record<string, string>;
}) {
  if (props.messages.length === 0) {
    return <p>No messages with this candidate yet.</p>;
  }
  return (
    <ol class="thread" aria-label={`Messages with ${props.id}, oldest first`}>
      {props.messages.map((message) => {
        const inbound = message.direction === 'inbound';
        const sender = inbound ? null : senderText(message.sentBy, props.who, props.campaigns);
        return (
          <li class={`bubble ${inbound ? 'inbound' : 'outbound'}`}>
            <p class="meta">
              <strong>{inbound ? 'From the candidate' : 'To the candidate'}</strong> ·{' '}
              {channelLabel(message.channel)} ·{' '}
              <time datetime={message.createdAt}>{formatTime(message.createdAt)}</time>
              {sender ? ` · ${sender}` : ''}
            </p>
            <p class="text">
              {message.body ?? (
                <span class="muted">
                  Template <code>{message.templateId ?? '?'}</code>
                </span>
              )}
            </p>
            <p class={`status ${message.status}`}>{statusText(message, props.zone)}</p>
            {message.link ? (
              <p class="muted">
                Link to {message.link.url}:{' '}
                {message.link.clicks === 1 ? '1 click' : `${message.link.clicks} clicks`}
              </p>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/** Each refusal's headline: what stopped the text, before the API's own words. */
const HEADLINES: Record<string, string> = {
  licence_required: 'you have no messaging licence',
  no_phone_number: 'the candidate has no phone number',
  opted_out: 'the candidate opted out',
  no_consent: 'no consent on record',
  contacts_exhausted: 'no monthly contacts left',
  sms_unsupported_country: 'SMS does not reach this country',
  whatsapp_unavailable: 'WhatsApp cannot reach this number',
  whatsapp_window_closed: 'outside WhatsApp’s 24-hour window',
  reply_window_closed: 'this channel only answers the candidate',
  no_sender_number: 'no number to send from',
  invalid_number: 'the number cannot receive texts',
  messaging_unavailable: 'texting is not set up on this server',
  invalid_request: 'check what you typed',
};

/** What to do next, where the console can say. */
const NEXT_STEPS: Record<string, Child> = {
  licence_required: 'Ask a manager for a messaging licence.',
  opted_out: 'They opt back in by texting START; until then nothing can be sent on this channel.',
  no_consent: 'Your ATS or backend records consent with the candidate’s contact details.',
  contacts_exhausted:
    'Candidates messaged in the last 45 days can still be texted; a manager can raise the allowance.',
  whatsapp_window_closed: (
    <>
      Send an approved template instead: fill in the{' '}
      <a href="#send-templateId">WhatsApp template</a> field and leave the message empty.
    </>
  ),
  sms_unsupported_country: 'Try WhatsApp instead.',
};

/** The send form's fields, as the API names them, and their labels. */
const SEND_FIELDS: Record<string, string> = {
  channel: 'Channel',
  body: 'Message',
  templateId: 'WhatsApp template',
  url: 'Link to track',
};

/**
 * The issues of a refused form, in the console's words where the API's are for developers (the
 * body-or-template rule names JSON fields).
 */
function fieldIssues(failure: SendFailure | undefined, field: string): string[] {
  if (!failure) return [];
  const typedBody = (failure.form.body ?? '').trim() !== '';
  const typedTemplate = (failure.form.templateId ?? '').trim() !== '';
  return issuesOf(failure.problem, field).map((message) =>
    field === 'body' && message.startsWith('Send either')
      ? typedBody && typedTemplate
        ? 'Send a message or a WhatsApp template, not both.'
        : 'Type a message (or, on WhatsApp, give a template).'
      : message,
  );
}

function SendRefusal(props: { failure: SendFailure; id: string }) {
  const { problem } = props.failure;
  const headline = HEADLINES[problem.code];
  const fields = Object.keys(SEND_FIELDS).filter(
    (field) => fieldIssues(props.failure, field).length > 0,
  );
  const other = problem.issues.filter(
    (issue) => !((issue.path.split('.')[0] ?? '') in SEND_FIELDS),
  );
  const next = NEXT_STEPS[problem.code];
  return (
    <div class="message error" role="alert" id="send-problem">
      <strong>Not sent{headline ? `: ${headline}.` : '.'}</strong>{' '}
      {fields.length > 0 ? (
        <ul>
          {fields.map((field) => (
            <li>
              <a href={`#send-${field}`}>
                {SEND_FIELDS[field]}: {fieldIssues(props.failure, field).join(' ')}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        problem.message.replace('{id}', encodeURIComponent(props.id))
      )}
      {other.length > 0 ? (
        <ul>
          {other.map((issue) => (
            <li>{issue.message}</li>
          ))}
        </ul>
      ) : null}
      {next ? <p>{next}</p> : null}
    </div>
  );
}

/** Messenger and WeChat only answer a candidate: offered once they have written on them. */
function channelsFor(messages: Message[]): Channel[] {
  const channels: Channel[] = ['sms', 'whatsapp'];
  for (const channel of ['messenger', 'wechat'] as const) {
    if (messages.some((message) => message.direction === 'inbound' && message.channel === channel))
      channels.push(channel);
  }
  return channels;
}

/** The channel picker: the channels open to this candidate, the one chosen kept on a refusal. */
function ChannelField(props: {
  channels: Channel[];
  chosen: string | undefined;
  errors: string[];
}) {
  const invalid = props.errors.length > 0;
  return (
    <div class="field">
      <label for="send-channel">Channel</label>
      <select
        id="send-channel"
        name="channel"
        aria-describedby={invalid ? 'send-channel-error' : undefined}
        aria-invalid={invalid ? 'true' : undefined}
      >
        {props.channels.map((channel) => (
          <option value={channel} selected={props.chosen === channel}>
            {CHANNEL_LABELS[channel]}
          </option>
        ))}
      </select>
      {invalid ? (
        <p class="field-error" id="send-channel-error">
          <span class="visually-hidden">Error: </span>
          {props.errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
}

function SendBox(props: {
  who: WhoAmI;
  id: string;
  base: string;
  messages: Message[];
  failure: SendFailure | undefined;
}) {
  const { failure } = props;
  if (!props.who.licence) {
    // A post anyway (a form kept open while the licence was taken away) still shows its refusal.
    return (
      <>
        {failure ? <SendRefusal failure={failure} id={props.id} /> : null}
        <div class="message info" role="status">
          Texting needs a messaging licence; ask a manager.
        </div>
      </>
    );
  }
  const form = failure?.form ?? {};
  return (
    <section aria-labelledby="send-heading" class="send">
      <h3 id="send-heading">Send a message</h3>
      {failure ? <SendRefusal failure={failure} id={props.id} /> : null}
      <form method="post" action={`${props.base}/messages`} novalidate>
        <ChannelField
          channels={channelsFor(props.messages)}
          chosen={form.channel}
          errors={fieldIssues(failure, 'channel')}
        />
        <TextArea
          prefix="send"
          name="body"
          label="Message"
          value={form.body ?? ''}
          maxlength={1600}
          hint="Up to 1,600 characters. Outside 08:00–20:00 in the candidate’s time it waits for the morning."
          errors={fieldIssues(failure, 'body')}
        />
        <TextField
          prefix="send"
          name="templateId"
          label="WhatsApp template (outside the 24-hour window)"
          value={form.templateId ?? ''}
          maxlength={64}
          hint="An approved template’s id, instead of a message, when the candidate has not written on WhatsApp in the last 24 hours."
          errors={fieldIssues(failure, 'templateId')}
        />
        <TextField
          prefix="send"
          name="url"
          label="Link to track (optional)"
          type="url"
          value={form.url ?? ''}
          maxlength={2000}
          hint="A page on your career site (or your link allowlist). The candidate gets a link of their own where the message says {link}, else after it; their clicks count towards their score."
          errors={fieldIssues(failure, 'url')}
        />
        <button type="submit">Send</button>
      </form>
    </section>
  );
}
