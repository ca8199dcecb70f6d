// `/console/settings`: the Admin settings page. Its Engagement tab (`GET /v1/settings/engagement`,
// both tracking codes and the scoring model's preview) has a form per concern, each sent on to
// `PUT /v1/settings/engagement` with only its own fields; the model form's Update preview goes to
// `POST /v1/settings/engagement/preview` (the page again, or the panel alone for the script); its
// Messaging tab is in `messaging-settings.tsx`; its Sign-in tab (`?tab=sign-in`,
// `GET /v1/settings/sign-in`) one, sent on to `PUT /v1/settings/sign-in`. On success the browser
// goes back to the page (post/redirect/get); on a refusal the page is shown again with each
// problem beside its field in plain words and what was typed kept (never the client secret). The
// webhook form also serves the Webhooks page, and answers with that page when sent from it.
import type { Context, Hono } from 'hono';
import type { SignInSettingsInput } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { readForm } from '../forms.js';
import { ModelPreviewPanel } from '../pages/scoring-model.js';
import {
  type ModelDraft,
  type SettingsFailure,
  SettingsPage,
  type SettingsView,
  settingsTab,
} from '../pages/settings.js';
import type { SignInDraft, SignInFailure } from '../pages/sign-in-settings.js';
import { modelOf, type SettingsSection, sectionBody } from '../settings-fields.js';
import { messagingPage, registerMessagingSettings } from './messaging-settings.js';
import { webhooksPage } from './webhooks.js';

type Ctx = Context<AppEnv>;
type Form = Record<string, string>;

/** The Engagement tab's forms: where each posts. */
const SECTION_PATHS: [SettingsSection, string][] = [
  ['tracking', '/settings/tracking'],
  ['origins', '/settings/origins'],
  ['consent', '/settings/consent'],
  ['dedupe', '/settings/dedupe'],
  ['links', '/settings/links'],
  ['webhook', '/settings/webhook'],
  ['model', '/settings/scoring-model'],
];

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

  for (const [section, path] of SECTION_PATHS) {
    routes.post(path, async (c) => {
      const signed = await signedIn(c);
      if (signed instanceof Response) return signed;
      const form = await readForm(c);
      if (section === 'model' && form.action === 'preview') return previewPage(c, signed, form);
      return saveSettings(c, signed, section, form);
    });
  }
  // The preview panel alone, for the form as it is: settings-form.js refreshes it in place.
  routes.post('/settings/scoring-model/preview', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const form = await readForm(c);
    const preview = await settle(signed.client.previewModel({ scoringModel: modelOf(form) }));
    return c.html(<ModelPreviewPanel preview={preview} form={form} />);
  });

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

interface EngagementExtras {
  failure?: SettingsFailure;
  draft?: ModelDraft;
  webhookSecret?: string;
}

async function settingsPage(
  c: Ctx,
  signed: Session,
  saved?: string,
  extras: EngagementExtras = {},
) {
  const { client } = signed;
  const settings = await settle(client.settings());
  // The code for the organisation's consent mode (what the API gives by default), and the OneTrust
  // variant beside it unless that is the mode already; the stored model's counts for the panel
  // (thresholds unchanged: three index counts), unless a draft's preview replaces them.
  const [plain, onetrust, preview] = settings.ok
    ? await Promise.all([
        settle(client.trackingCode()),
        settings.data.consentMode === 'onetrust' ? null : settle(client.trackingCode('onetrust')),
        extras.draft
          ? null
          : settle(client.previewModel({ scoringModel: settings.data.scoringModel })),
      ])
    : [null, null, null];
  const { failure } = extras;
  const status = failure ? failure.problem.status : statusOf(settings);
  return render(c, signed, status, saved, {
    tab: 'engagement',
    settings,
    plain,
    onetrust,
    preview,
    ...extras,
  });
}

/** Update preview without script: the page again, the form as typed and its preview. */
async function previewPage(c: Ctx, signed: Session, form: Form) {
  const preview = await settle(signed.client.previewModel({ scoringModel: modelOf(form) }));
  if (!preview.ok) {
    const failure: SettingsFailure = {
      section: 'model',
      problem: preview.problem,
      form,
      action: 'There is no preview of this model',
    };
    return settingsPage(c, signed, undefined, { failure });
  }
  return settingsPage(c, signed, undefined, { draft: { form, preview } });
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

/**
 * Sends one section's fields to the API; on success back to the page (or, with a new webhook
 * secret, the page with the secret shown once), else the page again with the problems beside
 * their fields and the form as typed.
 */
async function saveSettings(c: Ctx, signed: Session, section: SettingsSection, form: Form) {
  const result = await settle(signed.client.updateSettings(sectionBody(section, form)));
  // The webhook form of the Webhooks page says so with one fixed value: back there, never to a
  // URL the form could name.
  if (section === 'webhook' && form.returnTo === 'webhooks') {
    if (!result.ok) {
      return webhooksPage(
        c,
        signed,
        { failure: { problem: result.problem, form } },
        result.problem.status,
      );
    }
    if (result.data.webhookSecret)
      return webhooksPage(c, signed, { secret: result.data.webhookSecret });
    return c.redirect('/console/webhooks?saved=webhook', 303);
  }
  if (!result.ok) {
    return settingsPage(c, signed, undefined, {
      failure: { section, problem: result.problem, form },
    });
  }
  if (result.data.webhookSecret) {
    return settingsPage(c, signed, undefined, { webhookSecret: result.data.webhookSecret });
  }
  return c.redirect(`/console/settings?saved=${section}`, 303);
}
