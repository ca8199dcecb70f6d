// Admin settings (manager and above), three tabs. Engagement (`/v1/settings/engagement`): the
// career-site tracking toggle, the tracking code to paste (plain and OneTrust-wrapped), then an
// editor per concern (`engagement-settings.tsx`: origins, consent, dedupe windows, link
// destinations, webhook) and the scoring model as a form with its preview (`scoring-model.tsx`). Messaging (`?tab=messaging`,
// `/v1/settings/messaging` and `/v1/usage`): the monthly contact allowance, time zone, send hours
// and sender numbers (`messaging-settings.tsx`). Sign-in (`?tab=sign-in`, `/v1/settings/sign-in`):
// the organisation's identity provider (`sign-in-settings.tsx`). Every form posts to the console,
// which sends it on with `PUT`; a refusal comes back beside the fields it concerns, in plain words.
import type {
  ApiError,
  MessagingSettings,
  ModelPreview,
  Settings,
  SignInSettings,
  TrackingCode,
  Usage,
  WhoAmI,
} from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { Layout, Notice, Problem, RoleRefused, Tabs } from '../layout.js';
import { type Form, type SettingsSection, settingsForm } from '../settings-fields.js';
import {
  ConsentSection,
  DedupeSection,
  LinksSection,
  NewSecret,
  OriginsSection,
  SectionRefusal,
  type SectionView,
  WebhookSection,
} from './engagement-settings.js';
import { type MessagingFailure, MessagingSection } from './messaging-settings.js';
import { ModelSection } from './scoring-model.js';
import { type SignInFailure, SignInSection } from './sign-in-settings.js';

export type { SettingsSection };
export type SettingsTab = 'engagement' | 'messaging' | 'sign-in';

const TABS: readonly SettingsTab[] = ['engagement', 'messaging', 'sign-in'];

export interface SettingsFailure {
  section: SettingsSection;
  problem: ApiError;
  /** What the manager typed into the section's form, shown again so nothing is lost. */
  form: Form;
  /** What did not happen, when it was not a save (a preview). */
  action?: string | undefined;
}

/** After a model form's Update preview: what was typed, and the preview of it. */
export interface ModelDraft {
  form: Form;
  preview: ApiResult<ModelPreview>;
}

/** The notice after a save (`?saved=`), on the tab of the section saved. */
const SAVED: Record<string, { tab: SettingsTab; text: string }> = {
  tracking: { tab: 'engagement', text: 'Career-site tracking updated.' },
  origins: { tab: 'engagement', text: 'Allowed origins saved.' },
  consent: { tab: 'engagement', text: 'Consent settings saved.' },
  dedupe: { tab: 'engagement', text: 'Dedupe windows saved.' },
  links: { tab: 'engagement', text: 'Tracked link destinations saved.' },
  webhook: { tab: 'engagement', text: 'Webhook saved.' },
  model: { tab: 'engagement', text: 'Scoring model saved; scores use it from now on.' },
  messaging: { tab: 'messaging', text: 'Messaging settings saved.' },
  'sign-in': { tab: 'sign-in', text: 'Sign-in settings saved.' },
};

/** The tab a `?tab=` and `?saved=` ask for: a save comes back to the tab it was made on. */
export function settingsTab(tab: string | undefined, saved: string | undefined): SettingsTab {
  const asked = TABS.find((known) => known === tab);
  if (asked) return asked;
  return (saved !== undefined && SAVED[saved]?.tab) || 'engagement';
}

/** What each section shows: the settings, and the failed save if it was this section's. */
interface SectionProps {
  settings: Settings;
  failure?: SettingsFailure | undefined;
}

/** The sections' fields: stored values, with what was typed into a refused or previewed form. */
function sectionView(
  settings: Settings,
  failure: SettingsFailure | undefined,
  draft: ModelDraft | undefined,
): SectionView {
  const typed = failure?.form ?? draft?.form ?? {};
  return {
    settings,
    form: { ...settingsForm(settings), ...typed },
    refused: failure
      ? { section: failure.section, problem: failure.problem, action: failure.action }
      : undefined,
  };
}

/** What the tab shows: the engagement settings and tracking codes, or the sign-in settings. */
export type SettingsView =
  | {
      tab: 'engagement';
      settings: ApiResult<Settings>;
      plain: ApiResult<TrackingCode> | null;
      onetrust: ApiResult<TrackingCode> | null;
      failure?: SettingsFailure | undefined;
      /** The model form's preview: of the stored model, or of what Update preview posted. */
      preview: ApiResult<ModelPreview> | null;
      draft?: ModelDraft | undefined;
      /** A webhook secret just made, shown once. */
      webhookSecret?: string | undefined;
    }
  | {
      tab: 'messaging';
      messaging: ApiResult<MessagingSettings>;
      usage: ApiResult<Usage>;
      failure?: MessagingFailure | undefined;
    }
  | {
      tab: 'sign-in';
      signIn: ApiResult<SignInSettings>;
      failure?: SignInFailure | undefined;
    };

export function SettingsPage(props: {
  who: WhoAmI;
  view: SettingsView;
  saved?: string | undefined;
}) {
  const { view } = props;
  const saved = props.saved ? SAVED[props.saved] : undefined;
  return (
    <Layout title="Admin settings" who={props.who} section="settings">
      <h1>Admin settings</h1>
      <Tabs
        label="Settings"
        tabs={[
          { href: '/console/settings', label: 'Engagement', current: view.tab === 'engagement' },
          {
            href: '/console/settings?tab=messaging',
            label: 'Messaging',
            current: view.tab === 'messaging',
          },
          {
            href: '/console/settings?tab=sign-in',
            label: 'Sign-in',
            current: view.tab === 'sign-in',
          },
        ]}
      />
      {saved && saved.tab === view.tab ? <Notice kind="ok">{saved.text}</Notice> : null}
      {view.tab === 'engagement' ? (
        view.settings.ok ? (
          <EngagementTab
            settings={view.settings.data}
            plain={view.plain}
            onetrust={view.onetrust}
            failure={view.failure}
            preview={view.preview}
            draft={view.draft}
            webhookSecret={view.webhookSecret}
          />
        ) : (
          <Refused who={props.who} problem={view.settings.problem} />
        )
      ) : view.tab === 'messaging' ? (
        view.messaging.ok ? (
          <MessagingSection
            settings={view.messaging.data}
            usage={view.usage}
            failure={view.failure}
          />
        ) : (
          <Refused who={props.who} problem={view.messaging.problem} />
        )
      ) : view.signIn.ok ? (
        <SignInSection settings={view.signIn.data} failure={view.failure} />
      ) : (
        <Refused who={props.who} problem={view.signIn.problem} />
      )}
    </Layout>
  );
}

/** A role below manager is told so; any other problem reading the settings in the API's words. */
function Refused(props: { who: WhoAmI; problem: ApiError }) {
  return props.problem.code === 'forbidden' ? (
    <RoleRefused role={props.who.role} cannot="see the settings">
      They need a manager or admin key.
    </RoleRefused>
  ) : (
    <Problem problem={props.problem} />
  );
}

function EngagementTab(props: {
  settings: Settings;
  plain: ApiResult<TrackingCode> | null;
  onetrust: ApiResult<TrackingCode> | null;
  failure?: SettingsFailure | undefined;
  preview: ApiResult<ModelPreview> | null;
  draft?: ModelDraft | undefined;
  webhookSecret?: string | undefined;
}) {
  const { settings, failure } = props;
  const view = sectionView(settings, failure, props.draft);
  return (
    <>
      {props.webhookSecret ? <NewSecret secret={props.webhookSecret} /> : null}
      <TrackingSection settings={settings} failure={failure} />
      <CodeSection plain={props.plain} onetrust={props.onetrust} />
      <OriginsSection view={view} />
      <ConsentSection view={view} />
      <DedupeSection view={view} />
      <ModelSection view={view} preview={props.draft?.preview ?? props.preview} />
      <LinksSection view={view} />
      <WebhookSection view={view} />
      <p class="hint">
        Site key:{' '}
        {settings.siteKey ? (
          <code>{settings.siteKey}</code>
        ) : (
          'none yet: saving allowed origins creates the site.'
        )}
      </p>
    </>
  );
}

function TrackingSection({ settings, failure }: SectionProps) {
  return (
    <section class="card" aria-labelledby="tracking-heading">
      <h2 id="tracking-heading">Career-site tracking</h2>
      {failure?.section === 'tracking' ? (
        <SectionRefusal section="tracking" problem={failure.problem} form={failure.form} />
      ) : null}
      <form method="post" action="/console/settings/tracking" class="switch">
        <input
          type="hidden"
          name="trackingEnabled"
          value={settings.trackingEnabled ? 'false' : 'true'}
        />
        <button
          type="submit"
          role="switch"
          aria-checked={settings.trackingEnabled ? 'true' : 'false'}
          aria-labelledby="tracking-label"
          aria-describedby="tracking-hint"
        />
        <span id="tracking-label">
          Enable Career Site Tracking:{' '}
          <span class="state">{settings.trackingEnabled ? 'On' : 'Off'}</span>
        </span>
      </form>
      <p class="hint" id="tracking-hint">
        When off, the collector accepts beacons for{' '}
        {settings.siteKey ? <code>{settings.siteKey}</code> : 'your career site'} but stores
        nothing, and career-site platforms stop adding the tracking code to your pages.
      </p>
    </section>
  );
}

function CodeSection(props: {
  plain: ApiResult<TrackingCode> | null;
  onetrust: ApiResult<TrackingCode> | null;
}) {
  return (
    <section class="card" aria-labelledby="code-heading">
      <h2 id="code-heading">Copy Tracking Code</h2>
      <p class="hint">
        Paste it into the <code>&lt;head&gt;</code> of every career-site page. A career-site
        platform with a cxm integration adds it for you when tracking is on. It adds a hidden{' '}
        <code>cxm_vid</code> field to your forms: your backend links that visitor to the candidate
        with{' '}
        <code>
          POST /v1/visitors/{'{'}visitorId{'}'}/link
        </code>
        .
      </p>
      <CodeBlock id="code-plain" title={codeTitle(props.plain)} result={props.plain} />
      <CodeBlock
        id="code-onetrust"
        title="Tracking code, wrapped for OneTrust"
        result={props.onetrust}
      />
    </section>
  );
}

/** The code's title says which consent mode it carries: the organisation's. */
function codeTitle(result: ApiResult<TrackingCode> | null): string {
  const consent = result?.ok ? result.data.consent : null;
  if (consent === 'manual') {
    return "Tracking code (consent mode manual: it waits for your page's cxm('consent', true))";
  }
  if (consent === 'onetrust') return 'Tracking code (consent mode OneTrust)';
  return 'Tracking code (consent mode none: it starts at once)';
}

function CodeBlock(props: { id: string; title: string; result: ApiResult<TrackingCode> | null }) {
  const { result } = props;
  if (!result) return null;
  if (!result.ok) return <Problem problem={result.problem} />;
  return (
    <div class="code-block">
      <label for={props.id}>{props.title}</label>
      <textarea id={props.id} readonly rows={result.data.snippet.split('\n').length + 1}>
        {result.data.snippet}
      </textarea>
      <div class="copy-row">
        <button type="button" class="secondary" data-copy={props.id}>
          Copy
        </button>
        <span class="copied" id={`${props.id}-status`} role="status" aria-live="polite" />
      </div>
    </div>
  );
}
