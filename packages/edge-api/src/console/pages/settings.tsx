// Admin settings, Engagement tab (`/v1/settings/engagement`, manager and above): the career-site
// tracking toggle, the tracking code to paste (plain and OneTrust-wrapped), allowed origins and
// the scoring model. Every form posts here and the worker sends it on with `PUT`; the API's
// validation (the scoring model's `validateModel` errors included) comes back as a message.
import { DEFAULT_MODEL } from '@cxm/scoring';
import type { ApiProblem, ApiResult } from '../api.js';
import { Layout, Notice, Problem, Tabs } from '../layout.js';
import type { EngagementSettings, TrackingCode, WhoAmI } from '../types.js';

export type SettingsSection = 'tracking' | 'origins' | 'model';

export interface SettingsFailure {
  section: SettingsSection;
  problem: ApiProblem;
  /** What the manager typed, shown again so nothing is lost. */
  draft?: string;
}

const SAVED: Record<string, string> = {
  tracking: 'Career-site tracking updated.',
  origins: 'Allowed origins saved.',
  model: 'Scoring model saved; scores use it from now on.',
};

export function SettingsPage(props: {
  who: WhoAmI;
  settings: ApiResult<EngagementSettings>;
  plain: ApiResult<TrackingCode> | null;
  onetrust: ApiResult<TrackingCode> | null;
  saved?: string | undefined;
  failure?: SettingsFailure | undefined;
}) {
  const { settings, failure } = props;
  const failed = (section: SettingsSection) =>
    failure?.section === section ? <Problem problem={failure.problem} /> : null;
  return (
    <Layout title="Admin settings" who={props.who} section="settings">
      <h1>Admin settings</h1>
      <Tabs
        label="Settings"
        tabs={[{ href: '/console/settings', label: 'Engagement', current: true }]}
      />
      {props.saved && SAVED[props.saved] ? <Notice kind="ok">{SAVED[props.saved]}</Notice> : null}
      {!settings.ok ? (
        settings.problem.code === 'forbidden' ? (
          <div class="message info" role="status">
            <strong>Your key's role ({props.who.role}) cannot see the settings.</strong> They need a
            manager or admin key.
          </div>
        ) : (
          <Problem problem={settings.problem} />
        )
      ) : (
        <>
          <section class="card" aria-labelledby="tracking-heading">
            <h2 id="tracking-heading">Career-site tracking</h2>
            {failed('tracking')}
            <form method="post" action="/console/settings/tracking" class="switch">
              <input
                type="hidden"
                name="trackingEnabled"
                value={settings.data.trackingEnabled ? 'false' : 'true'}
              />
              <button
                type="submit"
                role="switch"
                aria-checked={settings.data.trackingEnabled ? 'true' : 'false'}
                aria-labelledby="tracking-label"
                aria-describedby="tracking-hint"
              />
              <span id="tracking-label">
                Enable Career Site Tracking:{' '}
                <span class="state">{settings.data.trackingEnabled ? 'On' : 'Off'}</span>
              </span>
            </form>
            <p class="hint" id="tracking-hint">
              When off, the collector accepts beacons for <code>{settings.data.siteKey}</code> but
              stores nothing, and career-site platforms stop adding the tracking code to your pages.
            </p>
          </section>

          <section class="card" aria-labelledby="code-heading">
            <h2 id="code-heading">Copy Tracking Code</h2>
            <p class="hint">
              Paste it into the <code>&lt;head&gt;</code> of every career-site page. A career-site
              platform with a cxm integration adds it for you when tracking is on.
            </p>
            <CodeBlock id="code-plain" title="Tracking code" result={props.plain} />
            <CodeBlock
              id="code-onetrust"
              title="Tracking code, wrapped for OneTrust"
              result={props.onetrust}
            />
          </section>

          <section class="card" aria-labelledby="origins-heading">
            <h2 id="origins-heading">Allowed origins</h2>
            {failed('origins')}
            <form method="post" action="/console/settings/origins">
              <label for="allowedOrigins">Career-site origins, one per line</label>
              <textarea
                id="allowedOrigins"
                name="allowedOrigins"
                rows={4}
                aria-describedby="origins-hint"
              >
                {failure?.section === 'origins' && failure.draft !== undefined
                  ? failure.draft
                  : settings.data.allowedOrigins.join('\n')}
              </textarea>
              <p class="hint" id="origins-hint">
                Beacons from any other origin are refused, e.g.{' '}
                <code>https://careers.example.com</code>.
              </p>
              <button type="submit">Save origins</button>
            </form>
          </section>

          <section class="card" aria-labelledby="model-heading">
            <h2 id="model-heading">Scoring model</h2>
            {failed('model')}
            <form method="post" action="/console/settings/scoring-model">
              <label for="scoringModel">
                Model (JSON){settings.data.scoringModel ? '' : ': the default, not customised'}
              </label>
              <textarea
                id="scoringModel"
                name="scoringModel"
                rows={18}
                aria-describedby="model-hint"
              >
                {failure?.section === 'model' && failure.draft !== undefined
                  ? failure.draft
                  : JSON.stringify(settings.data.scoringModel ?? DEFAULT_MODEL, null, 2)}
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

          <section class="card" aria-labelledby="other-heading">
            <h2 id="other-heading">Other engagement settings</h2>
            <dl class="settings">
              <dt>Site key</dt>
              <dd>
                <code>{settings.data.siteKey}</code>
              </dd>
              <dt>Consent mode</dt>
              <dd>{settings.data.consentMode}</dd>
              <dt>OneTrust category</dt>
              <dd>{settings.data.onetrustCategory}</dd>
              <dt>Page-view dedupe window</dt>
              <dd>{settings.data.dedupe.visitMinutes} minutes</dd>
              <dt>Form dedupe window</dt>
              <dd>{settings.data.dedupe.formMinutes} minutes</dd>
            </dl>
          </section>
        </>
      )}
    </Layout>
  );
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
