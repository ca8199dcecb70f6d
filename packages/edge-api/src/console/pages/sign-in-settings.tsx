// Admin settings, Sign-in tab (`/v1/settings/sign-in`, manager and above): the organisation's
// OpenID Provider that people sign in to the console through. The form posts to the console,
// which sends it on with `PUT`; a refusal comes back with each problem beside its field and what
// was typed kept, except the client secret, which is never put in a page (not even its own).
import type { ApiError, SignInSettings } from '../../client/index.js';
import { fieldIds, HintAndErrors } from './field-help.js';
import { type FieldProblem, RefusalSummary } from './user-fields.js';

/** The form's fields, as the API names them, and their labels. */
export const SIGN_IN_FIELDS = {
  issuer: 'Issuer URL',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  emailClaim: 'Email claim',
  autoProvision: 'Let in people the identity provider verifies who are not users yet',
} as const;

type Field = keyof typeof SIGN_IN_FIELDS;

/** What was typed, shown again after a refusal (there is no `clientSecret` here, ever). */
export interface SignInDraft {
  issuer: string;
  clientId: string;
  emailClaim: string;
  autoProvision: boolean;
}

export interface SignInFailure {
  problem: ApiError;
  draft: SignInDraft;
}

const PREFIX = 'sso';
const REDIRECT_ID = `${PREFIX}-redirect-uri`;

function fieldOf(path: string): Field | undefined {
  const field = path.split('.')[0] ?? '';
  return field in SIGN_IN_FIELDS ? (field as Field) : undefined;
}

function messagesFor(problem: ApiError | undefined, field: Field): string[] {
  if (!problem) return [];
  return problem.issues.filter((issue) => fieldOf(issue.path) === field).map((i) => i.message);
}

/** The refusal above the form: field problems link to their fields, the rest in the API's words. */
function FailureSummary({ problem }: { problem: ApiError }) {
  const fields = problem.issues.flatMap((issue): FieldProblem[] => {
    const field = fieldOf(issue.path);
    return field ? [{ field, label: SIGN_IN_FIELDS[field], messages: [issue.message] }] : [];
  });
  return (
    <RefusalSummary
      problem={problem}
      action="The sign-in settings were not saved"
      prefix={PREFIX}
      fields={fields}
      other={problem.issues.filter((issue) => fieldOf(issue.path) === undefined)}
      showStatus={false}
    />
  );
}

interface FieldProps {
  name: Field;
  label: string;
  hint?: string | undefined;
  errors: string[];
}

/** The field's id and what describes it: its error first, then its hint. */
function ids(props: FieldProps) {
  return fieldIds({ prefix: PREFIX, ...props });
}

function Input(
  props: FieldProps & {
    type: 'text' | 'url' | 'password';
    /** Never given for the secret. */
    value?: string;
    required?: boolean;
    maxlength: number;
  },
) {
  const { id, describedBy, invalid } = ids(props);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        type={props.type}
        id={id}
        name={props.name}
        value={props.value}
        required={props.required}
        maxlength={props.maxlength}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      />
      <HintAndErrors prefix={PREFIX} {...props} />
    </div>
  );
}

function Checkbox(props: FieldProps & { checked: boolean }) {
  const { id, describedBy, invalid } = ids(props);
  return (
    <div class="field check">
      <input
        type="checkbox"
        id={id}
        name={props.name}
        value="yes"
        checked={props.checked}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      />
      <label for={id}>{props.label}</label>
      <HintAndErrors prefix={PREFIX} {...props} />
    </div>
  );
}

/** The redirect URI, read-only, with the copy button the tracking code has. */
function RedirectUri({ uri }: { uri: string }) {
  return (
    <div class="code-block">
      <label for={REDIRECT_ID}>Redirect URI to register at your identity provider</label>
      <input
        type="text"
        id={REDIRECT_ID}
        value={uri}
        readonly
        spellcheck={false}
        aria-describedby={`${REDIRECT_ID}-hint`}
      />
      <div class="copy-row">
        <button type="button" class="secondary" data-copy={REDIRECT_ID}>
          Copy
        </button>
        <span class="copied" id={`${REDIRECT_ID}-status`} role="status" aria-live="polite" />
      </div>
      <p class="hint" id={`${REDIRECT_ID}-hint`}>
        Register it as a redirect (callback) URI of the client at your identity provider, then enter
        the client's details below.
      </p>
    </div>
  );
}

/** The stored settings as the form shows them, or what was typed when a save was refused. */
function draftOf(settings: SignInSettings, failure: SignInFailure | undefined): SignInDraft {
  return (
    failure?.draft ?? {
      issuer: settings.issuer ?? '',
      clientId: settings.clientId ?? '',
      emailClaim: settings.emailClaim,
      autoProvision: settings.autoProvision,
    }
  );
}

export function SignInSection(props: {
  settings: SignInSettings;
  failure?: SignInFailure | undefined;
}) {
  const { settings, failure } = props;
  const draft = draftOf(settings, failure);
  const problem = failure?.problem;
  const errors = (field: Field) => messagesFor(problem, field);
  return (
    <section class="card" aria-labelledby="sso-heading">
      <h2 id="sso-heading">Single sign-on (OpenID Connect)</h2>
      <p class="hint">
        People sign in to the console through your organisation's identity provider (the
        authorization code flow with PKCE).{' '}
        {settings.issuer
          ? 'Saving checks that the issuer answers before anything changes.'
          : 'None is set up yet: nobody can sign in to the console until one is. Saving checks that the issuer answers.'}
      </p>
      {failure ? <FailureSummary problem={failure.problem} /> : null}
      <RedirectUri uri={settings.redirectUri} />
      <form method="post" action="/console/settings/sign-in">
        <Input
          type="url"
          name="issuer"
          label={SIGN_IN_FIELDS.issuer}
          value={draft.issuer}
          required
          maxlength={500}
          hint="https, as the identity provider names itself; its /.well-known/openid-configuration must answer. E.g. https://login.example.com"
          errors={errors('issuer')}
        />
        <Input
          type="text"
          name="clientId"
          label={SIGN_IN_FIELDS.clientId}
          value={draft.clientId}
          required
          maxlength={300}
          errors={errors('clientId')}
        />
        <Input
          type="password"
          name="clientSecret"
          label={SIGN_IN_FIELDS.clientSecret}
          required={!settings.clientSecretSet}
          maxlength={1000}
          hint={
            settings.clientSecretSet
              ? 'Stored encrypted and never shown again. Leave empty to keep the current one.'
              : 'Required'
          }
          errors={errors('clientSecret')}
        />
        <Input
          type="text"
          name="emailClaim"
          label={SIGN_IN_FIELDS.emailClaim}
          value={draft.emailClaim}
          maxlength={100}
          hint="The ID token claim holding the person's email: email unless your provider uses another."
          errors={errors('emailClaim')}
        />
        <Checkbox
          name="autoProvision"
          label={`${SIGN_IN_FIELDS.autoProvision} (as role user, without a licence)`}
          checked={draft.autoProvision}
          hint="Otherwise a verified email that matches no user is refused."
          errors={errors('autoProvision')}
        />
        <button type="submit">Save sign-in settings</button>
      </form>
    </section>
  );
}
