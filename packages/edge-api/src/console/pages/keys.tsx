// API keys (`/console/keys`, manager and above): the organisation's keys with who made them, when
// each was last used and when it expires; a form to create one, whose secret is shown once with a
// Copy button; rotation (a new key beside the old, both valid) and revocation after a
// confirmation that names the key. A role below manager gets the API's refusal, never the list.
import type { ApiError, ApiKeys, CreatedKey, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { formatTime } from '../labels.js';
import { Layout, Notice, Problem, RoleRefused } from '../layout.js';
import {
  type FieldProblem,
  issuesOf,
  RefusalSummary,
  ROLE_LABELS,
  RoleSelect,
  rolesFor,
  TextField,
} from './user-fields.js';

export type ApiKey = ApiKeys['keys'][number];

/** A create form the API refused: what was typed, and why. */
export interface KeyFailure {
  problem: ApiError;
  form: Record<string, string>;
}

const FIELDS: Record<string, string> = { name: 'Name', role: 'Role', expiresAt: 'Expires on' };

function status(key: ApiKey, now: number): string {
  if (key.revokedAt) return `Revoked ${formatTime(key.revokedAt)}`;
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'Expired';
  return 'Active';
}

function active(key: ApiKey, now: number): boolean {
  return status(key, now) === 'Active';
}

function creator(createdBy: string | null, names: ReadonlyMap<string, string>): string {
  if (!createdBy) return '—';
  if (createdBy.startsWith('user:')) return names.get(createdBy.slice(5)) ?? createdBy;
  return `API key ${createdBy.slice(4)}`;
}

function KeyRow(props: { key_: ApiKey; names: ReadonlyMap<string, string>; now: number }) {
  const key = props.key_;
  const live = active(key, props.now);
  return (
    <tr>
      <td>{key.name}</td>
      <td>{ROLE_LABELS[key.role]}</td>
      <td>
        <code>{key.prefix}…</code>
      </td>
      <td>
        {formatTime(key.createdAt)}
        <br />
        <span class="muted">by {creator(key.createdBy, props.names)}</span>
      </td>
      <td>{key.lastUsedAt ? formatTime(key.lastUsedAt) : 'Never'}</td>
      <td>{key.expiresAt ? formatTime(key.expiresAt) : 'Never'}</td>
      <td>{status(key, props.now)}</td>
      <td>
        {live ? (
          <div class="row">
            <form method="post" action={`/console/keys/${encodeURIComponent(key.id)}/rotate`}>
              <button type="submit" class="secondary" aria-label={`Rotate ${key.name}`}>
                Rotate
              </button>
            </form>
            <a
              class="button secondary"
              href={`/console/keys/${encodeURIComponent(key.id)}/revoke`}
              aria-label={`Revoke ${key.name}`}
            >
              Revoke…
            </a>
          </div>
        ) : null}
      </td>
    </tr>
  );
}

function CreateForm(props: { who: WhoAmI; failure: KeyFailure | undefined }) {
  const { failure } = props;
  const typed = failure?.form ?? {};
  const errors = (field: string) => issuesOf(failure?.problem, field);
  const fields: FieldProblem[] = Object.entries(FIELDS).flatMap(([field, label]) => {
    const messages = errors(field);
    return messages.length > 0 ? [{ field, label, messages }] : [];
  });
  return (
    <form method="post" action="/console/keys" aria-label="Create an API key">
      <h2>Create a key</h2>
      {failure ? (
        <RefusalSummary
          problem={failure.problem}
          action="The key was not created"
          prefix="key"
          fields={fields}
          other={failure.problem.issues.filter((issue) => !(issue.path in FIELDS))}
          showStatus={fields.length === 0}
        />
      ) : null}
      <TextField
        prefix="key"
        name="name"
        label="Name"
        hint="What uses it, e.g. ATS sync."
        value={typed.name ?? ''}
        required
        maxlength={100}
        errors={errors('name')}
      />
      <RoleSelect
        prefix="key"
        name="role"
        label="Role"
        value={typed.role ?? 'user'}
        roles={rolesFor(props.who)}
        errors={errors('role')}
      />
      <TextField
        prefix="key"
        name="expiresAt"
        label="Expires on (optional)"
        type="date"
        hint="At most three years ahead. Leave empty for a key that works until revoked."
        value={typed.expiresAt ?? ''}
        errors={errors('expiresAt')}
      />
      <button type="submit">Create key</button>
    </form>
  );
}

export function KeysPage(props: {
  who: WhoAmI;
  result: ApiResult<ApiKeys>;
  names: ReadonlyMap<string, string>;
  now: number;
  revoked?: string | undefined;
  failure?: KeyFailure | undefined;
}) {
  const { result } = props;
  return (
    <Layout title="API keys" who={props.who} section="keys">
      <h1>API keys</h1>
      <p class="hint">
        Keys let your backends (an ATS, a CRM) call the API with a role. People sign in instead.
        Rotate a key to replace it without a gap: both work until you revoke the old one, once its
        last use stops moving.
      </p>
      {props.revoked ? (
        <Notice kind="ok">Revoked {props.revoked}: it gets 401 from now on.</Notice>
      ) : null}
      {!result.ok ? (
        result.problem.code === 'forbidden' ? (
          <RoleRefused role={props.who.role} cannot="manage API keys">
            Managing keys needs the manager or admin role.
          </RoleRefused>
        ) : (
          <Problem problem={result.problem} />
        )
      ) : (
        <>
          <div class="card">
            <div class="table-scroll">
              <table>
                <caption class="visually-hidden">API keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Key</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {result.data.keys.map((key) => (
                    <KeyRow key_={key} names={props.names} now={props.now} />
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <div class="card">
            <CreateForm who={props.who} failure={props.failure} />
          </div>
        </>
      )}
    </Layout>
  );
}

/** The one page that shows a key's secret: after creating or rotating it. */
export function KeyCreatedPage(props: { who: WhoAmI; key_: CreatedKey }) {
  const key = props.key_;
  return (
    <Layout title="Key created" who={props.who} section="keys">
      <h1>{key.replaces ? 'Key rotated' : 'Key created'}</h1>
      <Notice kind="ok">
        <strong>Copy the secret now: it is shown only once.</strong> Only its hash is kept.
      </Notice>
      <div class="card code-block">
        <label for="key-secret">
          Secret of {key.name} ({ROLE_LABELS[key.role]})
        </label>
        <input type="text" id="key-secret" value={key.secret} readonly spellcheck={false} />
        <div class="copy-row">
          <button type="button" class="secondary" data-copy="key-secret">
            Copy
          </button>
          <span class="copied" id="key-secret-status" role="status" aria-live="polite" />
        </div>
        <p class="hint">
          Send it as <code>Authorization: Bearer &lt;secret&gt;</code>.
          {key.expiresAt ? ` It stops working on ${formatTime(key.expiresAt)}.` : ''}
        </p>
      </div>
      {key.replaces ? (
        <p>
          The key it replaces still works. Once your backend uses the new secret,{' '}
          <a href={`/console/keys/${encodeURIComponent(key.replaces)}/revoke`}>
            revoke the old key
          </a>
          .
        </p>
      ) : null}
      <p>
        <a href="/console/keys">Back to the keys</a>
      </p>
    </Layout>
  );
}

/** The revocation's confirmation: which key, what stops. */
export function RevokeKeyPage(props: { who: WhoAmI; key_: ApiKey | null; id: string }) {
  const key = props.key_;
  return (
    <Layout title="Revoke a key" who={props.who} section="keys">
      <h1>Revoke a key</h1>
      {!key ? (
        <div class="message error" role="alert">
          <strong>There is no key {props.id} in your organisation.</strong>{' '}
          <a href="/console/keys">Back to the keys</a>
        </div>
      ) : (
        <div class="card">
          <p>
            Revoke <strong>{key.name}</strong> (<code>{key.prefix}…</code>,{' '}
            {ROLE_LABELS[key.role].toLowerCase()}, last used{' '}
            {key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never'})? Every request with it gets 401
            from then on. This cannot be undone.
          </p>
          <form
            method="post"
            action={`/console/keys/${encodeURIComponent(key.id)}/revoke`}
            class="row"
          >
            <button type="submit" class="danger">
              Revoke {key.name}
            </button>
            <a href="/console/keys">Cancel</a>
          </form>
        </div>
      )}
    </Layout>
  );
}
