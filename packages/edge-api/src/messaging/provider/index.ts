// The provider this Worker texts through, from its secrets; null when texting is not set up.
import type { Bindings } from '../../env.js';
import type { MessagingProvider } from './provider.js';
import { createTwilio } from './twilio.js';

export type { MessagingProvider, OutboundText, SendOutcome } from './provider.js';
export { twilioSignature } from './twilio.js';

export function providerFromEnv(env: Bindings): MessagingProvider | null {
  if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN) return null;
  return createTwilio({
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    baseUrl: env.TWILIO_API_BASE ?? 'https://api.twilio.com',
  });
}
