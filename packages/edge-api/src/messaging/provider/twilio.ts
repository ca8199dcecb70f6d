// Twilio's Messages API, the shape the industry speaks (and what the local stand-in in
// examples/sms-provider answers): a form-encoded POST with basic auth per message, status
// callbacks, and webhooks signed with `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL +
// each POST parameter's name and value, sorted by name)).
import { base64, utf8 } from '../../utils/encoding.js';
import type { MessagingProvider, OutboundText, SendOutcome } from './provider.js';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** `https://api.twilio.com` in production; the stand-in's origin locally. */
  baseUrl: string;
  fetch?: typeof fetch;
}

/** Twilio error codes that are about the message or recipient: retrying cannot help. */
const FINAL_CODES = new Set(['21211', '21610', '21612', '21614', '21408', '21606', '63016']);

const TIMEOUT_MS = 15_000;

export function twilioSignature(authToken: string, url: string, params: URLSearchParams) {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) for (const value of params.getAll(name)) data += name + value;
  return hmacSha1Base64(authToken, data);
}

async function hmacSha1Base64(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    utf8(secret),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  return base64(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(message))));
}

/** Compares two strings in time independent of where they differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function form(text: OutboundText): URLSearchParams {
  const params = new URLSearchParams({ To: text.to, From: text.from });
  if (text.templateId) {
    params.set('ContentSid', text.templateId);
    if (text.variables) params.set('ContentVariables', JSON.stringify(text.variables));
  } else {
    params.set('Body', text.body ?? '');
  }
  params.set('StatusCallback', text.statusCallback);
  return params;
}

export function createTwilio(config: TwilioConfig): MessagingProvider {
  const send = config.fetch ?? ((input, init) => fetch(input, init));
  const endpoint = `${config.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const auth = `Basic ${btoa(`${config.accountSid}:${config.authToken}`)}`;
  return {
    name: 'twilio',
    async send(text): Promise<SendOutcome> {
      let response: Response;
      try {
        response = await send(endpoint, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
          body: form(text).toString(),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        return { ok: false, retryable: true, code: 'unreachable', message: String(error) };
      }
      const reply = (await response.json().catch(() => null)) as {
        sid?: string;
        status?: string;
        code?: number | string;
        message?: string;
      } | null;
      if (response.ok && reply?.sid) {
        return { ok: true, providerSid: reply.sid, status: reply.status ?? 'queued' };
      }
      const code = reply?.code === undefined ? `http_${response.status}` : String(reply.code);
      const retryable =
        !FINAL_CODES.has(code) && (response.status === 429 || response.status >= 500);
      return {
        ok: false,
        retryable,
        code,
        message: reply?.message ?? `Twilio answered ${response.status}`,
      };
    },
    async verify(url, params, signature) {
      if (!signature) return false;
      return sameText(await twilioSignature(config.authToken, url, params), signature);
    },
  };
}
