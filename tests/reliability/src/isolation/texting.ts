// Texting for the isolation worker: the SMS/WhatsApp provider stand-in (examples/sms-provider) in a
// process of its own, its account given to the worker as `--var`s (secrets in development), so
// `demo` can text its candidates and they can answer through the provider's signed webhooks. The
// test is the provider here and knows the auth token; an attacker does not, and signs with its
// own guess (`signature`).
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from '@cxm/test-support/paths';
import { freePort } from '@cxm/test-support/ports';
import { type Child, start, stop, waitFor } from '@cxm/test-support/processes';

/** A made-up account in the provider's formats (`AC` + 32 hex digits, 32 hex digits). */
const ACCOUNT = {
  sid: 'AC000000000000000000000000000150a7',
  token: '150a7150a7150a7150a7150a7150a715',
};

export interface Texting {
  /** The stand-in's origin (its JSON API for tests: `/api/inbound`, `/api/messages`). */
  origin: string;
  /** `wrangler dev` arguments that point the worker at it. */
  workerArgs: string[];
  /** A candidate answers from `from` (E.164), to the number that texted them last. */
  reply: (from: string, body: string) => Promise<{ status: number; text: string }>;
  stop: () => Promise<void>;
}

/**
 * Starts the stand-in; it posts candidates' answers to the worker that will serve on
 * `workerOrigin`, and status callbacks after `callbackDelayMs` (long enough for the worker to
 * store the message's sid first).
 */
export async function startTexting(workerOrigin: string, callbackDelayMs = 500): Promise<Texting> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child: Child = start(
    process.execPath,
    [join(ROOT, 'examples', 'sms-provider', 'server.mjs')],
    ROOT,
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      ACCOUNT_SID: ACCOUNT.sid,
      AUTH_TOKEN: ACCOUNT.token,
      INBOUND_URL: `${workerOrigin}/v1/providers/twilio/inbound`,
      CALLBACK_DELAY_MS: String(callbackDelayMs),
    },
  );
  try {
    await waitFor(`${origin}/healthz`, child, 'the SMS stand-in', 30_000);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return {
    origin,
    workerArgs: [
      '--var',
      `TWILIO_ACCOUNT_SID:${ACCOUNT.sid}`,
      '--var',
      `TWILIO_AUTH_TOKEN:${ACCOUNT.token}`,
      '--var',
      `TWILIO_API_BASE:${origin}`,
    ],
    reply: async (from, body) => {
      const response = await fetch(`${origin}/api/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from, body }),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: response.status, text: await response.text() };
    },
    stop: () => stop(child),
  };
}

/**
 * `X-Twilio-Signature` as the provider computes it: base64(HMAC-SHA1(auth token, the URL posted
 * to followed by each parameter's name and value, sorted by name)).
 */
export function signature(authToken: string, url: string, form: Record<string, string>): string {
  const data = Object.keys(form)
    .sort()
    .reduce((text, name) => text + name + form[name], url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}
