// Admin settings (manager and above), three tabs. Engagement (`/v1/settings/engagement`): the
// career-site tracking toggle, the tracking code to paste (plain and OneTrust-wrapped), allowed
// origins and the scoring model, one section each. Messaging (`?tab=messaging`,
// `/v1/settings/messaging` and `/v1/usage`): the monthly contact allowance, time zone, send hours
// and sender numbers (`messaging-settings.tsx`). Sign-in (`?tab=sign-in`, `/v1/settings/sign-in`):
// the organisation's identity provider (`sign-in-settings.tsx`). Every form posts to the console,
// which sends it on with `PUT`; the API's validation (the model's `validateModel` errors
// included) comes back as a message.
import type {
  ApiError,
  MessagingSettings,
  Settings,
  SignInSettings,
  TrackingCode,
  Usage,
  WhoAmI,
} from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { Layout, Notice, Problem, RoleRefused, Tabs } from '../layout.js';
import { type MessagingFailure, MessagingSection } from './messaging-settings.js';
import { type SignInFailure, SignInSection } from './sign-in-settings.js';

export type SettingsSection = 'tracking' | 'origins' | 'model';
export type SettingsTab = 'engagement' | 'messaging' | 'sign-in';

const TABS: readonly SettingsTab[] = ['engagement', 'messaging', 'sign-in'];

export interface SettingsFailure {
  section: SettingsSection;
  problem: ApiError;
  /** What the manager typed, shown again so nothing is lost. */
  draft?: string | undefined;
}

/** The notice after a save (`?saved=`), on the tab of the section saved. */
const SAVED: Record<string, { tab: SettingsTab; text: string }> = {
  tracking: { tab: 'engagement', text: 'Career-site tracking updated.' },
  origins: { tab: 'engagement', text: 'Allowed origins saved.' },
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

/** What the tab shows: the engagement settings and tracking codes, or the sign-in settings. */
export type SettingsView =
  | {
      tab: 'engagement';
      settings: ApiResult<Settings>;
      plain: ApiResult<TrackingCode> | null;
      onetrust: ApiResult<TrackingCode> | null;
      failure?: SettingsFailure | undefined;
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
          <>
            <TrackingSection settings={view.settings.data} failure={view.failure} />
            <CodeSection plain={view.plain} onetrust={view.onetrust} />
            <OriginsSection settings={view.settings.data} failure={view.failure} />
            <ModelSection settings={view.settings.data} failure={view.failure} />
            <OtherSettings settings={view.settings.data} />
          </>
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

/** The failed save's problem, above the form it came from. */
function Failed(props: { section: SettingsSection; failure?: SettingsFailure | undefined }) {
  const { failure } = props;
  return failure?.section === props.section ? <Problem problem={failure.problem} /> : null;
}

/** The draft to show again after a failed save of this section, else the saved value. */
function draftOr(section: SettingsSection, failure: SettingsFailure | undefined, saved: string) {
  return failure?.section === section && failure.draft !== undefined ? failure.draft : saved;
}

function TrackingSection({ settings, failure }: SectionProps) {
  return (
    <section class="card" aria-labelledby="tracking-heading">
      <h2 id="tracking-heading">Career-site tracking</h2>
      <Failed section="tracking" failure={failure} />
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

function OriginsSection({ settings, failure }: SectionProps) {
  return (
    <section class="card" aria-labelledby="origins-heading">
      <h2 id="origins-heading">Allowed origins</h2>
      <Failed section="origins" failure={failure} />
      <form method="post" action="/console/settings/origins">
        <label for="allowedOrigins">Career-site origins, one per line</label>
        <textarea
          id="allowedOrigins"
          name="allowedOrigins"
          rows={4}
          aria-describedby="origins-hint"
        >
          {draftOr('origins', failure, settings.allowedOrigins.join('\n'))}
        </textarea>
        <p class="hint" id="origins-hint">
          Beacons from any other origin are refused, e.g. <code>https://careers.example.com</code>.
        </p>
        <button type="submit">Save origins</button>
      </form>
    </section>
  );
}

function ModelSection({ settings, failure }: SectionProps) {
  return (
    <section class="card" aria-labelledby="model-heading">
      <h2 id="model-heading">Scoring model</h2>
      <Failed section="model" failure={failure} />
      <form method="post" action="/console/settings/scoring-model">
        <label for="scoringModel">
          Model (JSON){settings.scoringModelIsDefault ? ': the default, not customised' : ''}
        </label>
        <textarea id="scoringModel" name="scoringModel" rows={18} aria-describedby="model-hint">
          {/* The model in force: the API sends the default when none is customised. */}
          {draftOr('model', failure, JSON.stringify(settings.scoringModel, null, 2))}
        </textarea>
        <p class="hint" id="model-hint">
          Weights per engagement type, half-life in days, tier thresholds, daily window caps,
          machine factor and hysteresis. It is checked before it is saved.
        </p>
        <div class="row">
          <button type="submit" name="action" value="save">
            Save model
          </button>
          <button type="submit" name="action" value="reset" class="secondary">
            Reset to the default
          </button>
        </div>
      </form>
    </section>
  );
}

function OtherSettings({ settings }: { settings: Settings }) {
  return (
    <section class="card" aria-labelledby="other-heading">
      <h2 id="other-heading">Other engagement settings</h2>
      <dl class="settings">
        <dt>Site key</dt>
        <dd>
          {settings.siteKey ? (
            <code>{settings.siteKey}</code>
          ) : (
            <span class="muted">None yet: saving allowed origins creates the site.</span>
          )}
        </dd>
        <dt>Consent mode</dt>
        <dd>{settings.consentMode}</dd>
        <dt>OneTrust category</dt>
        <dd>{settings.onetrustCategory}</dd>
        <dt>Page-view dedupe window</dt>
        <dd>{settings.dedupe.visitMinutes} minutes</dd>
        <dt>Form dedupe window</dt>
        <dd>{settings.dedupe.formMinutes} minutes</dd>
      </dl>
    </section>
  );
}
