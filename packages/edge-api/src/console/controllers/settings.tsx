// `/console/settings`: the Admin settings page. Its Engagement tab (`GET /v1/settings/engagement`
// and both tracking codes) has three forms, each sent on to `PUT /v1/settings/engagement`; its
// Messaging tab is in `messaging-settings.tsx`; its Sign-in tab (`?tab=sign-in`, `GET /v1/settings/sign-in`) one, sent on to
// `PUT /v1/settings/sign-in`. On success the browser goes back to the page (post/redirect/get); on
// a refusal the page is shown again with the API's problem beside the form and what was typed
// kept (never the client secret).
import type { Context, Hono } from 'hono';
import { ApiError, type SettingsInput, type SignInSettingsInput } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { readForm } from '../forms.js';
import {
  type SettingsFailure,
  SettingsPage,
  type SettingsSection,
  type SettingsView,
  settingsTab,
} from '../pages/settings.js';
import type { SignInDraft, SignInFailure } from '../pages/sign-in-settings.js';
import { messagingPage, registerMessagingSettings } from './messaging-settings.js';

type Ctx = Context<AppEnv>;
type Form = Record<string, string>;

/** A form's request body, or why it cannot be one (and the text to show again). */
type Change = { body: SettingsInput } | { invalid: string; draft?: string };

export function registerSettings(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/settings', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const saved = c.req.query('saved');
    const tab = settingsTab(c.req.query('tab'), saved);
    if (tab === 'messaging') return messagingPage(c, signed, saved);
    return tab === 'sign-in' ? signInPage(c, signed, saved) : settingsPage(c, signed, saved);
  });
  registerMessagingSettings(routes, signedIn);

  const save = (section: SettingsSection, path: string, change: (form: Form) => Change) =>
    routes.post(path, async (c) => {
      const signed = await signedIn(c);
      if (signed instanceof Response) return signed;
      const form = await readForm(c);
      return saveSettings(c, signed, { section, form, change: change(form) });
    });

  save('tracking', '/settings/tracking', (form) => ({
    body: { trackingEnabled: form.trackingEnabled === 'true' },
  }));
  save('origins', '/settings/origins', (form) => ({
    body: { allowedOrigins: listOf(form.allowedOrigins ?? '') },
  }));
  save('model', '/settings/scoring-model', scoringModelChange);

  routes.post('/settings/sign-in', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const form = await readForm(c);
    const draft = signInDraft(form);
    // An empty secret field keeps the stored secret: the API keeps it when none is sent.
    const secret = form.clientSecret ?? '';
    const body: SignInSettingsInput = {
      issuer: draft.issuer,
      clientId: draft.clientId,
      ...(secret ? { clientSecret: secret } : {}),
      ...(draft.emailClaim.trim() ? { emailClaim: draft.emailClaim } : {}),
      autoProvision: draft.autoProvision,
    };
    const result = await settle(signed.client.updateSignInSettings(body));
    if (!result.ok) return signInPage(c, signed, undefined, { problem: result.problem, draft });
    return c.redirect('/console/settings?saved=sign-in', 303);
  });
}

/** What was typed into the sign-in form, to send and to show again: never the secret. */
function signInDraft(form: Form): SignInDraft {
  return {
    issuer: form.issuer ?? '',
    clientId: form.clientId ?? '',
    emailClaim: form.emailClaim ?? '',
    autoProvision: form.autoProvision === 'yes',
  };
}

/** The origins textarea: one per line or comma-separated, blanks dropped. */
function listOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** `reset` puts the default back (`null`); otherwise the textarea must be JSON. */
function scoringModelChange(form: Form): Change {
  if (form.action === 'reset') return { body: { scoringModel: null } };
  const text = form.scoringModel ?? '';
  try {
    return { body: { scoringModel: JSON.parse(text) } };
  } catch (error) {
    return {
      invalid: `The model is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      draft: text,
    };
  }
}

async function settingsPage(c: Ctx, signed: Session, saved?: string, failure?: SettingsFailure) {
  const { client } = signed;
  const settings = await settle(client.settings());
  // The code for the organisation's consent mode (what the API gives by default), and the OneTrust
  // variant beside it unless that is the mode already.
  const [plain, onetrust] = settings.ok
    ? await Promise.all([
        settle(client.trackingCode()),
        settings.data.consentMode === 'onetrust' ? null : settle(client.trackingCode('onetrust')),
      ])
    : [null, null];
  const status = failure ? failure.problem.status : statusOf(settings);
  return render(c, signed, status, saved, {
    tab: 'engagement',
    settings,
    plain,
    onetrust,
    failure,
  });
}

async function signInPage(c: Ctx, signed: Session, saved?: string, failure?: SignInFailure) {
  const signIn = await settle(signed.client.signInSettings());
  const status = failure ? failure.problem.status : statusOf(signIn);
  return render(c, signed, status, saved, { tab: 'sign-in', signIn, failure });
}

function render(
  c: Ctx,
  signed: Session,
  status: number,
  saved: string | undefined,
  view: SettingsView,
) {
  return c.html(
    <SettingsPage who={signed.who} view={view} saved={saved} />,
    // The refusal's own status (a 400 or 403 from the API), which Hono types only as literals.
    status as 200,
  );
}

/** Sends one change to the API; on success back to the page, else the page again with the problem. */
async function saveSettings(
  c: Ctx,
  signed: Session,
  { section, form, change }: { section: SettingsSection; form: Form; change: Change },
) {
  if ('invalid' in change) {
    const problem = new ApiError(400, 'invalid_json', change.invalid);
    return settingsPage(c, signed, undefined, { section, problem, draft: change.draft });
  }
  const result = await settle(signed.client.updateSettings(change.body));
  if (!result.ok) {
    // The textarea as typed (the tracking form has none).
    const draft = section === 'origins' ? form.allowedOrigins : form.scoringModel;
    return settingsPage(c, signed, undefined, { section, problem: result.problem, draft });
  }
  return c.redirect(`/console/settings?saved=${section}`, 303);
}
