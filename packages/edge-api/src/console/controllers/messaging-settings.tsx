// Admin settings, Messaging tab: `GET /console/settings?tab=messaging` shows the settings
// (`GET /v1/settings/messaging`) under this month's usage (`GET /v1/usage`);
// `POST /console/settings/messaging` sends the form on to `PUT /v1/settings/messaging`. On success
// the browser goes back to the tab (post/redirect/get); on a refusal the tab is shown again with
// the API's status, each problem beside its field, and what was typed kept.
import type { Context, Hono } from 'hono';
import type { MessagingSettingsInput } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { readForm } from '../forms.js';
import {
  type MessagingDraft,
  type MessagingFailure,
  SMS_COUNTRY_ORDER,
} from '../pages/messaging-settings.js';
import { SettingsPage } from '../pages/settings.js';

type Form = Record<string, string>;

export function registerMessagingSettings(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.post('/settings/messaging', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const draft = messagingDraft(await readForm(c));
    const result = await settle(signed.client.updateMessagingSettings(bodyOf(draft)));
    if (!result.ok) return messagingPage(c, signed, undefined, { problem: result.problem, draft });
    return c.redirect('/console/settings?saved=messaging', 303);
  });
}

/** What was typed, field by field (form names are the API's paths: `senderNumbers.GB`). */
function messagingDraft(form: Form): MessagingDraft {
  const senderNumbers: Record<string, string> = {};
  for (const country of SMS_COUNTRY_ORDER) {
    const typed = form[`senderNumbers.${country}`]?.trim();
    if (typed) senderNumbers[country] = typed;
  }
  return {
    monthlyContactAllowance: form.monthlyContactAllowance ?? '',
    timeZone: form.timeZone ?? '',
    start: form['sendHours.start'] ?? '',
    end: form['sendHours.end'] ?? '',
    senderNumbers,
    whatsappSender: form.whatsappSender ?? '',
  };
}

/**
 * A number as typed, for the API to judge: text that is not a number is sent as null, which the
 * API refuses in the same words as any other value that is not a whole number.
 */
function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text.trim());
}

/** The whole form as one change: fields the API finds unchanged change nothing and log nothing. */
function bodyOf(draft: MessagingDraft): MessagingSettingsInput {
  return {
    monthlyContactAllowance: numberOf(draft.monthlyContactAllowance),
    timeZone: draft.timeZone,
    sendHours: { start: numberOf(draft.start), end: numberOf(draft.end) },
    senderNumbers: draft.senderNumbers,
    whatsappSender: draft.whatsappSender.trim() || null,
  };
}

export async function messagingPage(
  c: Context<AppEnv>,
  signed: Session,
  saved?: string,
  failure?: MessagingFailure,
) {
  const [messaging, usage] = await Promise.all([
    settle(signed.client.messagingSettings()),
    settle(signed.client.usage({ limit: 1 })),
  ]);
  const status = failure ? failure.problem.status : statusOf(messaging);
  return c.html(
    <SettingsPage
      who={signed.who}
      view={{ tab: 'messaging', messaging, usage, failure }}
      saved={saved}
    />,
    // The refusal's own status (a 400, 403 or 409 from the API), which Hono types only as literals.
    status as 200,
  );
}
