// The stand-in itself: Twilio's Messages API for the product, the candidates' phones for people
// and tests, and the state a carrier and Twilio keep between the two (opt-outs, WhatsApp's
// 24-hour window). Everything lives in memory; createProvider makes one, nothing starts on import.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createHandler } from './routes.mjs';
import {
  API_VERSION,
  channelOf,
  isPhoneAddress,
  messageResource,
  newSid,
  refuseSend,
  segmentCount,
  twilioError,
  twilioSignature,
} from './twilio.mjs';

/**
 * @typedef {{
 *   sid: string, accountSid: string, direction: 'outbound-api' | 'outbound-reply' | 'inbound',
 *   channel: 'sms' | 'whatsapp', from: string, to: string, body: string,
 *   contentSid: string | null, contentVariables: Record<string, unknown> | null,
 *   messagingServiceSid: string | null, status: string, errorCode: number | null,
 *   errorMessage: string | null, numSegments: number, createdAt: number, updatedAt: number,
 *   sentAt: number | null, statusCallback: string | null,
 *   callbacks: { status: string, attempts: number, response: number | null, error: string | null }[],
 *   product: { status: number } | { error: string } | null,
 * }} MessageRecord
 */

/** The demo's fixed credentials: Twilio's formats (AC + 32 hex, 32 hex), obviously not real. */
export const DEFAULTS = Object.freeze({
  accountSid: 'AC00000000000000000000000000000001',
  authToken: 'cafef00dcafef00dcafef00dcafef00d',
  inboundUrl: 'http://127.0.0.1:8787/v1/providers/twilio/inbound',
  /** Between queued and sent, and between sent and delivered (or queued and failed). */
  callbackDelayMs: 300,
  /** Waits before the second and third attempt of a status callback (5xx or unreachable). */
  retryDelaysMs: [250, 1000],
  webhookTimeoutMs: 5000,
  /** The number a Messaging Service sends from (Twilio's magic valid sender). */
  messagingServiceFrom: '+15005550006',
});

/** Twilio's default opt-out and opt-in keywords: the whole message, any case. */
const OPT_OUT = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'END',
  'QUIT',
  'CANCEL',
  'OPTOUT',
  'REVOKE',
]);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);
const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
const OUTSIDE_WINDOW = [
  63016,
  'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
];

/** A candidate and a sender: opt-outs and WhatsApp windows are per pair, as Twilio keeps them. */
const pair = (candidate, sender) => `${candidate} ${sender}`;

/**
 * When the WhatsApp window between a candidate and a sender closes: 24 hours after the
 * candidate's last message to it (null if it never wrote).
 */
function windowEnd(state, candidate, sender) {
  const last = state.lastInbound.get(pair(candidate, sender));
  return last === undefined ? null : last + WHATSAPP_WINDOW_MS;
}

/**
 * @param {Partial<typeof DEFAULTS> & { now?: () => number, log?: (line: string) => void }} [options]
 */
export function createProvider(options = {}) {
  const config = { ...DEFAULTS, ...withoutUndefined(options) };
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const state = {
    /** @type {MessageRecord[]} oldest first */
    messages: [],
    /** @type {Set<string>} pairs whose candidate replied STOP (SMS) */
    optOuts: new Set(),
    /** @type {Map<string, number>} pair → time of the candidate's last WhatsApp message */
    lastInbound: new Map(),
  };
  let run = newRun();

  const webhooks = createWebhooks(config, () => run);
  const api = createMessagesApi({ config, state, now, log, webhooks, run: () => run });
  const phone = createPhone({ config, state, now, log, webhooks });

  function reset() {
    endRun(run);
    run = newRun();
    state.messages.length = 0;
    state.optOuts.clear();
    state.lastInbound.clear();
  }

  const handler = createHandler({ config, state, api, phone, reset });
  const server = createServer(handler);

  return {
    config,
    state,
    handler,
    server,
    reset,
    /** A candidate's message to the product, as the phone page sends it. */
    receive: phone.receive,
    /** @param {number} [port] 0 picks a free one @param {string} [host] @returns {Promise<string>} the origin */
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = /** @type {import('node:net').AddressInfo} */ (server.address());
          resolve(`http://${host}:${address.port}`);
        });
      });
    },
    close() {
      endRun(run);
      return new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
    },
  };
}

/** @param {object} options */
function withoutUndefined(options) {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/**
 * Timers and requests under way belong to a run; reset and close end it, so nothing from before
 * a reset reaches a receiver afterwards (tests reset between cases).
 */
function newRun() {
  return { live: true, controller: new AbortController(), timers: new Set() };
}

/** @param {ReturnType<typeof newRun>} run */
function endRun(run) {
  run.live = false;
  for (const timer of run.timers) clearTimeout(timer);
  run.controller.abort();
}

/**
 * Resolves after `ms`, or never once the run has ended.
 * @param {number} ms @param {ReturnType<typeof newRun>} run
 */
function sleep(ms, run) {
  return new Promise((resolve) => {
    if (!run.live) return;
    const timer = setTimeout(() => {
      run.timers.delete(timer);
      resolve(undefined);
    }, ms);
    run.timers.add(timer);
  });
}

/**
 * Signed, form-encoded POSTs to the product, as Twilio sends its webhooks.
 * @param {typeof DEFAULTS} config @param {() => ReturnType<typeof newRun>} currentRun
 */
function createWebhooks(config, currentRun) {
  /**
   * @param {string} url @param {[string, string][]} params @param {ReturnType<typeof newRun>} run
   * @returns {Promise<{ status: number, text: string, contentType: string } | { error: string }>}
   */
  async function post(url, params, run = currentRun()) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'user-agent': 'TwilioProxy/1.1',
          'x-twilio-signature': twilioSignature(config.authToken, url, params),
          'i-twilio-idempotency-token': randomUUID(),
        },
        body: new URLSearchParams(params).toString(),
        redirect: 'manual',
        signal: AbortSignal.any([
          run.controller.signal,
          AbortSignal.timeout(config.webhookTimeoutMs),
        ]),
      });
      const text = await response.text();
      return {
        status: response.status,
        text,
        contentType: response.headers.get('content-type') ?? '',
      };
    } catch (error) {
      return { error: describeFailure(error) };
    }
  }

  /**
   * A status callback, tried again after each of retryDelaysMs while the answer is 5xx or none.
   * @param {string} url @param {[string, string][]} params @param {ReturnType<typeof newRun>} run
   */
  async function postWithRetries(url, params, run) {
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const answer = await post(url, params, run);
      const retry = 'error' in answer || answer.status >= 500;
      if (!retry || !run.live || attempts > config.retryDelaysMs.length)
        return { attempts, answer };
      await sleep(config.retryDelaysMs[attempts - 1], run);
    }
  }

  return { post, postWithRetries };
}

/** @param {unknown} error */
function describeFailure(error) {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  if (error.name === 'AbortError') return 'cancelled (the stand-in was reset)';
  const cause = /** @type {{ code?: string, message?: string } | undefined} */ (error.cause);
  return cause?.code ?? cause?.message ?? error.message;
}

/**
 * The REST side: accepting messages and carrying them to sent and delivered (or failed),
 * with a status callback at each step.
 */
function createMessagesApi({ config, state, now, log, webhooks, run }) {
  /** @param {URLSearchParams} form @returns {{ status: number, body: object }} */
  function create(form) {
    const get = (name) => (form.get(name) ?? '').trim();
    const send = {
      to: get('To'),
      from: get('From'),
      serviceSid: get('MessagingServiceSid'),
      body: form.get('Body') ?? '',
      contentSid: get('ContentSid'),
      contentVariables: get('ContentVariables'),
    };
    const refusal = refuseSend(send);
    if (refusal) return { status: 400, body: refusal };
    const channel = channelOf(send.to);
    const from =
      send.from ||
      (channel === 'whatsapp'
        ? `whatsapp:${config.messagingServiceFrom}`
        : config.messagingServiceFrom);
    if (channel === 'sms' && state.optOuts.has(pair(send.to, from))) {
      return { status: 400, body: twilioError(21610, 'Attempt to send to unsubscribed recipient') };
    }
    const record = newRecord(config, now(), {
      direction: 'outbound-api',
      from,
      to: send.to,
      body: send.contentSid ? '' : send.body,
      // Sent through a Messaging Service without a From, Twilio answers `accepted` and picks the
      // sender afterwards (the resource's `from` is null until then).
      status: send.from ? 'queued' : 'accepted',
    });
    record.contentSid = send.contentSid || null;
    record.contentVariables = send.contentVariables ? JSON.parse(send.contentVariables) : null;
    record.messagingServiceSid = send.serviceSid || null;
    record.statusCallback = get('StatusCallback') || null;
    state.messages.push(record);
    log(`${record.sid} ${record.from} → ${record.to}: ${record.status}`);
    const outsideWindow = channel === 'whatsapp' && !record.contentSid && !windowOpen(record);
    progress(record, outsideWindow);
    return { status: 201, body: messageResource(record) };
  }

  /** WhatsApp accepts free-form messages within 24 hours of the candidate's last message. */
  function windowOpen(record) {
    const end = windowEnd(state, record.to, record.from);
    return end !== null && now() < end;
  }

  /** @param {MessageRecord} record @param {boolean} outsideWindow */
  async function progress(record, outsideWindow) {
    const current = run();
    let callbacks = Promise.resolve();
    const step = (status, error) => {
      update(record, status, error);
      // One chain per message keeps its callbacks in order even while one is being retried.
      callbacks = callbacks.then(() => callback(record, current));
    };
    await sleep(config.callbackDelayMs, current);
    if (outsideWindow) return step('failed', OUTSIDE_WINDOW);
    step('sent');
    await sleep(config.callbackDelayMs, current);
    step('delivered');
  }

  /** @param {MessageRecord} record @param {string} status @param {[number, string]} [error] */
  function update(record, status, error) {
    record.status = status;
    record.updatedAt = now();
    if (status === 'sent') record.sentAt = record.updatedAt;
    if (error) [record.errorCode, record.errorMessage] = error;
    log(`${record.sid} ${record.to}: ${status}${error ? ` (${error[0]})` : ''}`);
  }

  /** Twilio's status callback, for the record's status now; none once the run has ended. */
  async function callback(record, current) {
    if (!record.statusCallback || !current.live) return;
    const status = record.status;
    /** @type {[string, string][]} */
    const params = [
      ['AccountSid', record.accountSid],
      ['ApiVersion', API_VERSION],
      ['From', record.from],
      ['MessageSid', record.sid],
      ['MessageStatus', status],
      ['SmsSid', record.sid],
      ['SmsStatus', status],
      ['To', record.to],
    ];
    if (record.errorCode !== null) params.push(['ErrorCode', String(record.errorCode)]);
    if (record.messagingServiceSid)
      params.push(['MessagingServiceSid', record.messagingServiceSid]);
    const { attempts, answer } = await webhooks.postWithRetries(
      record.statusCallback,
      params,
      current,
    );
    const outcome = 'error' in answer ? answer.error : answer.status;
    record.callbacks.push({
      status,
      attempts,
      response: 'error' in answer ? null : answer.status,
      error: 'error' in answer ? answer.error : null,
    });
    log(`${record.sid} callback ${status} → ${outcome} after ${attempts} attempt(s)`);
  }

  return { create };
}

/**
 * @param {typeof DEFAULTS} config @param {number} at
 * @param {Pick<MessageRecord, 'direction' | 'from' | 'to' | 'body' | 'status'>} fields
 * @returns {MessageRecord}
 */
function newRecord(config, at, fields) {
  const channel = channelOf(fields.to);
  return {
    sid: newSid('SM'),
    accountSid: config.accountSid,
    channel,
    contentSid: null,
    contentVariables: null,
    messagingServiceSid: null,
    errorCode: null,
    errorMessage: null,
    numSegments: segmentCount(fields.body, channel),
    createdAt: at,
    updatedAt: at,
    sentAt: null,
    statusCallback: null,
    callbacks: [],
    product: null,
    ...fields,
  };
}

/**
 * The candidates' side: their messages to the product (signed like Twilio's inbound webhook),
 * the keywords a carrier acts on, and the replies the product answers with in TwiML.
 */
function createPhone({ config, state, now, log, webhooks }) {
  /** The sender a candidate's reply goes to: the From of the last message the address received. */
  function lastSenderOf(address) {
    return (
      state.messages.findLast((m) => m.to === address && m.direction !== 'inbound')?.from ?? null
    );
  }

  /**
   * @param {{ from?: unknown, to?: unknown, body?: unknown }} input
   * @returns {Promise<{ message: MessageRecord, replies: MessageRecord[] } | { error: { code: string, message: string } }>}
   */
  async function receive({ from, to, body }) {
    if (typeof from !== 'string' || !isPhoneAddress(from)) {
      return refusal('invalid_from', '`from` must be +E164 or whatsapp:+E164.');
    }
    if (typeof body !== 'string') return refusal('invalid_body', '`body` must be a string.');
    const sender = typeof to === 'string' && to ? to : lastSenderOf(from);
    if (!sender) {
      return refusal(
        'no_sender',
        `Nothing was sent to ${from} yet: name the number to reply to (\`to\`).`,
      );
    }
    if (!isPhoneAddress(sender)) {
      // An alphanumeric sender ID ("Acme") is one-way: phones cannot answer it.
      return refusal('invalid_to', `${sender} is not a number a phone can reply to.`);
    }
    if (channelOf(sender) !== channelOf(from)) {
      return refusal('channel_mismatch', '`from` and `to` must both be SMS or both WhatsApp.');
    }
    const message = newRecord(config, now(), {
      direction: 'inbound',
      from,
      to: sender,
      body,
      status: 'received',
    });
    message.messagingServiceSid = lastServiceOf(from, sender);
    state.messages.push(message);
    carrierActs(message);
    log(`${message.sid} ${from} → ${sender} (candidate): ${JSON.stringify(body)}`);
    const answer = await webhooks.post(config.inboundUrl, inboundParams(message));
    message.product = 'error' in answer ? { error: answer.error } : { status: answer.status };
    log(`${message.sid} → product: ${'error' in answer ? answer.error : answer.status}`);
    const replies = 'error' in answer ? [] : twimlReplies(message, answer);
    return { message, replies };
  }

  /** @param {string} code @param {string} message */
  function refusal(code, message) {
    return { error: { code, message } };
  }

  /** Inbound messages name the Messaging Service the number is in, when it is in one. */
  function lastServiceOf(candidate, sender) {
    const sent = state.messages.findLast((m) => m.to === candidate && m.from === sender);
    return sent?.messagingServiceSid ?? null;
  }

  /**
   * SMS: the carrier-level keywords (one word, any case); WhatsApp: the 24-hour window opens.
   * Twilio's STOP filtering is for SMS: WhatsApp leaves honouring opt-outs to the business.
   * @param {MessageRecord} message
   */
  function carrierActs(message) {
    const key = pair(message.from, message.to);
    if (message.channel === 'whatsapp') {
      state.lastInbound.set(key, message.createdAt);
      return;
    }
    const keyword = message.body.trim().toUpperCase();
    if (OPT_OUT.has(keyword)) state.optOuts.add(key);
    if (OPT_IN.has(keyword)) state.optOuts.delete(key);
  }

  /** @param {MessageRecord} message @returns {[string, string][]} */
  function inboundParams(message) {
    const params = [
      ['AccountSid', message.accountSid],
      ['ApiVersion', API_VERSION],
      ['Body', message.body],
      ['From', message.from],
      ['MessageSid', message.sid],
      ['NumMedia', '0'],
      ['NumSegments', String(message.numSegments)],
      ['SmsMessageSid', message.sid],
      ['SmsSid', message.sid],
      ['SmsStatus', 'received'],
      ['To', message.to],
    ];
    if (message.messagingServiceSid)
      params.push(['MessagingServiceSid', message.messagingServiceSid]);
    // WhatsApp's inbound webhook also carries the candidate's WhatsApp id (the number, no +).
    if (message.channel === 'whatsapp')
      params.push(['WaId', message.from.replace(/^whatsapp:\+/, '')]);
    return /** @type {[string, string][]} */ (params);
  }

  /**
   * A TwiML answer's <Message> elements are sent back to the candidate, as Twilio does; an
   * opted-out candidate gets none of them (21610).
   * @param {MessageRecord} inbound @param {{ status: number, text: string, contentType: string }} answer
   */
  function twimlReplies(inbound, answer) {
    if (answer.status >= 300 || !/xml/.test(answer.contentType)) return [];
    const optedOut = state.optOuts.has(pair(inbound.from, inbound.to));
    return [...answer.text.matchAll(/<Message\b[^>]*>([\s\S]*?)<\/Message>/g)].map((match) => {
      const inner = /<Body\b[^>]*>([\s\S]*?)<\/Body>/.exec(match[1])?.[1] ?? match[1];
      const reply = newRecord(config, now(), {
        direction: 'outbound-reply',
        from: inbound.to,
        to: inbound.from,
        body: unescapeXml(inner.replace(/<[^>]*>/g, '').trim()),
        status: optedOut ? 'failed' : 'delivered',
      });
      if (optedOut)
        [reply.errorCode, reply.errorMessage] = [
          21610,
          'Attempt to send to unsubscribed recipient',
        ];
      else reply.sentAt = reply.createdAt;
      state.messages.push(reply);
      log(`${reply.sid} ${reply.from} → ${reply.to} (TwiML reply): ${reply.status}`);
      return reply;
    });
  }

  /** Every address that received something, with what it received and sent. */
  function phoneRows() {
    const rows = new Map();
    for (const message of state.messages) {
      const candidate = message.direction === 'inbound' ? message.from : message.to;
      const row = rows.get(candidate) ?? {
        address: candidate,
        channel: message.channel,
        received: 0,
        sent: 0,
        last: message,
      };
      if (message.direction === 'inbound') row.sent += 1;
      else row.received += 1;
      row.last = message;
      rows.set(candidate, row);
    }
    return [...rows.values()].filter((row) => row.received > 0);
  }

  /** One candidate's thread, and what the page says about it. */
  function threadOf(candidate, noticeSid) {
    const messages = state.messages.filter((m) => m.to === candidate || m.from === candidate);
    const sender = lastSenderOf(candidate);
    const optedOutOf = [...state.optOuts]
      .filter((key) => key.startsWith(`${candidate} `))
      .map((key) => key.split(' ')[1]);
    const windowUntil = sender ? windowEnd(state, candidate, sender) : null;
    const notice = noticeSid ? (messages.find((m) => m.sid === noticeSid) ?? null) : null;
    return {
      address: candidate,
      messages,
      sender,
      optedOutOf,
      windowUntil: windowUntil !== null && windowUntil > now() ? windowUntil : null,
      notice,
      refusal: null,
      draft: '',
    };
  }

  return { receive, phoneRows, threadOf };
}

/** @param {string} text */
function unescapeXml(text) {
  const named = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, entity) => {
    if (entity[0] !== '#') return named[entity.toLowerCase()];
    const hex = entity[1] === 'x' || entity[1] === 'X';
    return String.fromCodePoint(Number.parseInt(entity.slice(hex ? 2 : 1), hex ? 16 : 10));
  });
}
