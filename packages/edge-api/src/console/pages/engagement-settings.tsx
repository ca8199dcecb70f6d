// Admin settings, Engagement tab: the editors of `/v1/settings/engagement` other than the toggle
// and the scoring model, one form per concern (allowed origins, consent, dedupe windows, link
// destinations, webhook), each saving only its own fields. A refusal comes back above the form
// that was sent, each problem in plain words beside its field, and what was typed kept.
import type { Child } from 'hono/jsx';
import type { ApiError, Settings } from '../../client/index.js';
import { FIELD_LABELS, FIELD_PREFIX, type Form, fieldProblems } from '../settings-fields.js';
import { HintAndErrors, fieldIds as prefixedIds } from './field-help.js';
import { type FieldProblem, RefusalSummary } from './user-fields.js';

/** What did not happen, per section, for the refusal's headline. */
const NOT_SAVED: Record<string, string> = {
  tracking: 'Career-site tracking was not changed',
  origins: 'The allowed origins were not saved',
  consent: 'The consent settings were not saved',
  dedupe: 'The dedupe windows were not saved',
  links: 'The link destinations were not saved',
  webhook: 'The webhook was not saved',
  model: 'The scoring model was not saved',
};

/** The refusal above a form: each field's problem linked to it, anything else in words. */
export function SectionRefusal(props: {
  section: string;
  problem: ApiError;
  form: Form;
  /** What did not happen, when it was not a save ("There is no preview of this model"). */
  action?: string | undefined;
}) {
  const { byField, other } = fieldProblems(props.problem, props.form);
  const fields = [...byField.entries()].map(
    ([field, messages]): FieldProblem => ({
      field,
      label: FIELD_LABELS[field] ?? field,
      messages,
    }),
  );
  return (
    <RefusalSummary
      problem={{ ...props.problem, message: plainProblem(props.problem) }}
      action={props.action ?? NOT_SAVED[props.section] ?? 'The settings were not saved'}
      prefix={FIELD_PREFIX}
      fields={fields}
      other={other}
      showStatus={false}
    />
  );
}

/** A refusal with no field to point at, said without the API's codes. */
function plainProblem(problem: ApiError): string {
  if (problem.code === 'forbidden') return 'Your role cannot change the settings.';
  if (problem.code === 'unauthorized') return 'Your session has ended. Sign in again.';
  if (problem.code === 'payload_too_large') return 'What was sent is too large.';
  if (problem.issues.length > 0) return 'Check what was typed.';
  return problem.message;
}

interface FieldProps {
  name: string;
  hint?: Child;
  errors: string[];
}

/** A field's id and the ids that describe it: its error first, then its hint. */
export function fieldIds(props: FieldProps) {
  return prefixedIds({ prefix: FIELD_PREFIX, ...props });
}

export function Input(
  props: FieldProps & {
    value: string;
    label?: string;
    inputmode?: 'numeric' | 'decimal' | 'url';
    type?: 'text' | 'url';
    size?: number;
    maxlength?: number;
  },
) {
  const { id, describedBy, invalid } = fieldIds(props);
  return (
    <div class="field">
      <label for={id}>{props.label ?? FIELD_LABELS[props.name]}</label>
      <input
        type={props.type ?? 'text'}
        id={id}
        name={props.name}
        value={props.value}
        inputmode={props.inputmode}
        size={props.size}
        maxlength={props.maxlength}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      />
      <HintAndErrors prefix={FIELD_PREFIX} {...props} />
    </div>
  );
}

function OriginList(props: FieldProps & { value: string; label: string }) {
  const { id, describedBy, invalid } = fieldIds(props);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={4}
        spellcheck={false}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      >
        {props.value}
      </textarea>
      <HintAndErrors prefix={FIELD_PREFIX} {...props} />
    </div>
  );
}

/** What the sections show: the values (typed, after a refusal), and the refusal if it was theirs. */
export interface SectionView {
  settings: Settings;
  /** The fields' values: the stored ones, or what was typed into the refused form. */
  form: Form;
  /** The refused section and why. */
  refused?: { section: string; problem: ApiError; action?: string | undefined } | undefined;
}

function Section(props: {
  view: SectionView;
  section: string;
  title: string;
  intro?: Child;
  action: string;
  children: Child;
  submit: string;
}) {
  const { refused } = props.view;
  const heading = `${props.section}-heading`;
  return (
    <section class="card" aria-labelledby={heading}>
      <h2 id={heading}>{props.title}</h2>
      {props.intro ? <p class="hint">{props.intro}</p> : null}
      {refused?.section === props.section ? (
        <SectionRefusal section={props.section} problem={refused.problem} form={props.view.form} />
      ) : null}
      <form method="post" action={props.action}>
        {props.children}
        <button type="submit">{props.submit}</button>
      </form>
    </section>
  );
}

/** The errors of a field, if the refusal was of its section. */
export function errorsOf(view: SectionView, section: string, field: string): string[] {
  if (view.refused?.section !== section) return [];
  return fieldProblems(view.refused.problem, view.form).byField.get(field) ?? [];
}

export function OriginsSection({ view }: { view: SectionView }) {
  return (
    <Section
      view={view}
      section="origins"
      title="Allowed origins"
      action="/console/settings/origins"
      submit="Save origins"
    >
      <OriginList
        name="allowedOrigins"
        label="Career-site origins, one per line"
        value={view.form.allowedOrigins ?? ''}
        hint={
          <>
            Beacons from any other origin are refused, e.g. <code>https://careers.example.com</code>
            : the scheme and host (and a port if it has one), no path. Tracked links may point to
            them too.
          </>
        }
        errors={errorsOf(view, 'origins', 'allowedOrigins')}
      />
    </Section>
  );
}

const CONSENT_OPTIONS: [Settings['consentMode'], string][] = [
  ['none', 'None: the tracker starts at once'],
  ['onetrust', 'OneTrust: it waits until the OneTrust category below has consent'],
  ['manual', "Manual: it waits for your page's cxm('consent', true)"],
];

const CONSENT_HINT =
  'The mode of the tracking code above: it decides when the tracker may start on your career site.';

export function ConsentSection({ view }: { view: SectionView }) {
  const errors = errorsOf(view, 'consent', 'consentMode');
  const { id, describedBy, invalid } = fieldIds({
    name: 'consentMode',
    errors,
    hint: CONSENT_HINT,
  });
  const selected = view.form.consentMode ?? '';
  return (
    <Section
      view={view}
      section="consent"
      title="Consent"
      action="/console/settings/consent"
      submit="Save consent settings"
    >
      <div class="field">
        <label for={id}>{FIELD_LABELS.consentMode}</label>
        <select id={id} name="consentMode" aria-describedby={describedBy} aria-invalid={invalid}>
          {/* What was sent stays selectable even when it is none of the modes. */}
          {CONSENT_OPTIONS.some(([mode]) => mode === selected) ? null : (
            <option value={selected} selected>
              {selected}
            </option>
          )}
          {CONSENT_OPTIONS.map(([mode, label]) => (
            <option value={mode} selected={mode === selected}>
              {label}
            </option>
          ))}
        </select>
        <HintAndErrors
          prefix={FIELD_PREFIX}
          name="consentMode"
          errors={errors}
          hint={CONSENT_HINT}
        />
      </div>
      <Input
        name="onetrustCategory"
        value={view.form.onetrustCategory ?? ''}
        size={8}
        maxlength={20}
        hint="The OneTrust cookie category the tracker belongs to (OneTrust mode), e.g. C0004 for targeting cookies."
        errors={errorsOf(view, 'consent', 'onetrustCategory')}
      />
    </Section>
  );
}

export function DedupeSection({ view }: { view: SectionView }) {
  return (
    <Section
      view={view}
      section="dedupe"
      title="Dedupe windows"
      intro="A repeat within its window is counted once: a reload of the same page, a form sent twice."
      action="/console/settings/dedupe"
      submit="Save dedupe windows"
    >
      <div class="row">
        <Input
          name="dedupe.visitMinutes"
          value={view.form['dedupe.visitMinutes'] ?? ''}
          inputmode="numeric"
          size={6}
          hint="Minutes, 0 to 1440."
          errors={errorsOf(view, 'dedupe', 'dedupe.visitMinutes')}
        />
        <Input
          name="dedupe.formMinutes"
          value={view.form['dedupe.formMinutes'] ?? ''}
          inputmode="numeric"
          size={6}
          hint="Minutes, 0 to 1440."
          errors={errorsOf(view, 'dedupe', 'dedupe.formMinutes')}
        />
      </div>
    </Section>
  );
}

export function LinksSection({ view }: { view: SectionView }) {
  return (
    <Section
      view={view}
      section="links"
      title="Tracked link destinations"
      intro="Tracked email and text links may point to the allowed origins above and to these."
      action="/console/settings/links"
      submit="Save link destinations"
    >
      <OriginList
        name="linkAllowlist"
        label="Other origins links may point to, one per line"
        value={view.form.linkAllowlist ?? ''}
        hint={
          <>
            E.g. <code>https://events.example.com</code>. Empty: only the allowed origins.
          </>
        }
        errors={errorsOf(view, 'links', 'linkAllowlist')}
      />
    </Section>
  );
}

/**
 * The webhook URL and secret rotation, on the settings page and on the Webhooks page. Both post
 * to `/console/settings/webhook`; from the Webhooks page the form says so (`returnTo`, one fixed
 * value, never a URL), and the reply is that page again.
 */
export function WebhookSection({ view, returnTo }: { view: SectionView; returnTo?: 'webhooks' }) {
  const { settings } = view;
  return (
    <Section
      view={view}
      section="webhook"
      title="Webhook: tier changes"
      intro="Each time a candidate's tier changes, a signed POST goes to this URL."
      action="/console/settings/webhook"
      submit="Save webhook"
    >
      {returnTo ? <input type="hidden" name="returnTo" value={returnTo} /> : null}
      <Input
        name="webhookUrl"
        type="url"
        value={view.form.webhookUrl ?? ''}
        maxlength={2000}
        hint="https and a public host name, e.g. https://hooks.example.com/cxm. Empty: webhooks off."
        errors={errorsOf(view, 'webhook', 'webhookUrl')}
      />
      {settings.webhookSecretSet ? (
        <div class="field check">
          <input
            type="checkbox"
            id={`${FIELD_PREFIX}-rotateWebhookSecret`}
            name="rotateWebhookSecret"
            value="yes"
            aria-describedby={`${FIELD_PREFIX}-rotateWebhookSecret-hint`}
          />
          <label for={`${FIELD_PREFIX}-rotateWebhookSecret`}>Issue a new signing secret</label>
          <p class="hint" id={`${FIELD_PREFIX}-rotateWebhookSecret-hint`}>
            It is shown once; the current one stops working.
          </p>
        </div>
      ) : null}
    </Section>
  );
}

/** A new webhook secret, shown once after the save that made it. */
export function NewSecret({ secret }: { secret: string }) {
  const id = 'webhook-secret';
  return (
    <div class="message ok" role="status">
      <strong>Webhook saved. Its signing secret, shown this once:</strong>
      <div class="code-block">
        <label for={id}>Signing secret (store it with your webhook receiver)</label>
        <input type="text" id={id} value={secret} readonly spellcheck={false} />
        <div class="copy-row">
          <button type="button" class="secondary" data-copy={id}>
            Copy
          </button>
          <span class="copied" id={`${id}-status`} role="status" aria-live="polite" />
        </div>
      </div>
    </div>
  );
}
