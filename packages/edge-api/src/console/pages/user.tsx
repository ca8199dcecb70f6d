// One user (`/console/users/{id}`): their details, the form to change name, role, licence,
// sender number and auto-reply, and deactivation (after a confirmation page) or reactivation.
// An admin seen by a manager is read-only: the API lets only an admin change an admin.
import type { User, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { formatTime } from '../labels.js';
import { Layout, Notice } from '../layout.js';
import {
  Checkbox,
  FailureSummary,
  issuesOf,
  PHONE_HINT,
  ROLE_HINT,
  ROLE_LABELS,
  RoleSelect,
  rolesFor,
  shown,
  TextArea,
  TextField,
  type UserFailure,
} from './user-fields.js';
import { AUTO_REPLY_HINT, StatusBadge, UsersRefused } from './users.js';

/** Which of the page's forms a refusal came from. */
export type UserAction = 'save' | 'deactivate' | 'reactivate';

const NOT_DONE: Record<UserAction, string> = {
  save: 'The changes were not saved',
  deactivate: 'The user was not deactivated',
  reactivate: 'The user was not reactivated',
};

function savedText(saved: string | undefined, user: User): string | null {
  switch (saved) {
    case 'updated':
      return `Saved the changes to ${user.displayName}.`;
    case 'deactivated':
      return `${user.displayName} is deactivated: signed out, and their messaging licence is free again.`;
    case 'reactivated':
      return `${user.displayName} is active again, without a messaging licence: give them one below if they need it.`;
    default:
      return null;
  }
}

function userPath(user: User): string {
  return `/console/users/${encodeURIComponent(user.id)}`;
}

/** Whether the signed-in person may change this user: only an admin changes an admin. */
function canChange(who: WhoAmI, user: User): boolean {
  return user.role !== 'admin' || who.role === 'admin';
}

export function UserPage(props: {
  who: WhoAmI;
  result: ApiResult<User>;
  saved?: string | undefined;
  failure?: (UserFailure & { action: UserAction }) | undefined;
}) {
  const { result, failure } = props;
  const title = result.ok ? result.data.displayName : 'User';
  return (
    <Layout title={title} who={props.who} section="users">
      <p class="crumbs">
        <a href="/console/users">Users</a>
      </p>
      {!result.ok ? (
        <>
          <h1>User</h1>
          <UsersRefused who={props.who} result={result} />
        </>
      ) : (
        <>
          <h1>
            {result.data.displayName} <StatusBadge active={result.data.active} />
          </h1>
          {savedText(props.saved, result.data) ? (
            <Notice kind="ok">{savedText(props.saved, result.data)}</Notice>
          ) : null}
          {failure ? (
            <FailureSummary failure={failure} action={NOT_DONE[failure.action]} prefix="user" />
          ) : null}
          <UserDetails user={result.data} who={props.who} />
          {canChange(props.who, result.data) ? (
            <>
              <EditForm
                user={result.data}
                who={props.who}
                failure={failure?.action === 'save' ? failure : undefined}
              />
              {result.data.active ? (
                <DeactivateCard user={result.data} />
              ) : (
                <ReactivateCard user={result.data} />
              )}
            </>
          ) : (
            <ReadOnly user={result.data} />
          )}
        </>
      )}
    </Layout>
  );
}

function UserDetails(props: { user: User; who: WhoAmI }) {
  const { user } = props;
  return (
    <section class="card" aria-labelledby="details-heading">
      <h2 id="details-heading">Account</h2>
      <dl class="settings">
        <dt>Email</dt>
        <dd>
          {user.email}
          {user.id === props.who.userId ? <span class="muted"> (you)</span> : null}
        </dd>
        <dt>Status</dt>
        <dd>
          {user.active
            ? 'Active: can sign in'
            : `Deactivated ${formatTime(user.deactivatedAt)}: cannot sign in`}
        </dd>
        <dt>Last signed in</dt>
        <dd>{user.lastSignedInAt ? formatTime(user.lastSignedInAt) : 'Never'}</dd>
        <dt>Invited</dt>
        <dd>{formatTime(user.createdAt)}</dd>
      </dl>
    </section>
  );
}

/** An admin as a manager sees them: the values, and who can change them. */
function ReadOnly(props: { user: User }) {
  const { user } = props;
  return (
    <section class="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Role and messaging</h2>
      <Notice kind="info">
        Only an admin can change an admin, so {user.displayName}’s settings are read-only for you.
      </Notice>
      <dl class="settings">
        <dt>Name</dt>
        <dd>{user.displayName}</dd>
        <dt>Role</dt>
        <dd>{ROLE_LABELS[user.role]}</dd>
        <dt>Messaging licence</dt>
        <dd>{user.licence ? 'Yes' : 'No'}</dd>
        <dt>Sender phone</dt>
        <dd>{user.senderPhone ?? <span class="muted">None</span>}</dd>
        <dt>Automatic text reply</dt>
        <dd>{user.autoReply ?? <span class="muted">None</span>}</dd>
      </dl>
    </section>
  );
}

function EditForm(props: { user: User; who: WhoAmI; failure?: UserFailure | undefined }) {
  const { user, failure } = props;
  const problem = failure?.problem;
  const self = user.id === props.who.userId;
  // A deactivated user gets a licence only by being reactivated first (the API says so too).
  const licenceHint = user.active
    ? 'Needed to text candidates; counts against your organisation’s seats.'
    : 'Reactivate them first to give them a licence.';
  const roleHint = self ? `${ROLE_HINT} This is you: changing your role signs you out.` : ROLE_HINT;
  return (
    <section class="card" aria-labelledby="edit-heading">
      <h2 id="edit-heading">Role and messaging</h2>
      <form method="post" action={userPath(user)} novalidate>
        <TextField
          prefix="user"
          name="displayName"
          label="Name"
          value={shown(failure, 'displayName', user.displayName)}
          required
          maxlength={100}
          errors={issuesOf(problem, 'displayName')}
        />
        <RoleSelect
          prefix="user"
          name="role"
          label="Role"
          value={shown(failure, 'role', user.role)}
          roles={rolesFor(props.who)}
          hint={roleHint}
          errors={issuesOf(problem, 'role')}
        />
        <Checkbox
          prefix="user"
          name="licence"
          label="Messaging licence"
          checked={failure?.form ? failure.form.licence === 'yes' : user.licence}
          disabled={!user.active}
          hint={licenceHint}
          errors={issuesOf(problem, 'licence')}
        />
        <TextField
          prefix="user"
          name="senderPhone"
          label="Sender phone"
          type="tel"
          value={shown(failure, 'senderPhone', user.senderPhone ?? '')}
          maxlength={32}
          hint={`${PHONE_HINT} Leave empty to remove it.`}
          errors={issuesOf(problem, 'senderPhone')}
        />
        <TextArea
          prefix="user"
          name="autoReply"
          label="Automatic text reply"
          value={shown(failure, 'autoReply', user.autoReply ?? '')}
          maxlength={1600}
          hint={`${AUTO_REPLY_HINT} Leave empty to remove it.`}
          errors={issuesOf(problem, 'autoReply')}
        />
        <button type="submit">Save changes</button>
      </form>
    </section>
  );
}

function DeactivateCard(props: { user: User }) {
  const { user } = props;
  return (
    <section class="card" aria-labelledby="deactivate-heading">
      <h2 id="deactivate-heading">Deactivate</h2>
      <p class="hint" id="deactivate-hint">
        They can no longer sign in and lose their messaging licence; their name stays in history.
        You will be asked to confirm.
      </p>
      <form method="post" action={`${userPath(user)}/deactivate`}>
        <button type="submit" class="danger secondary" aria-describedby="deactivate-hint">
          Deactivate {user.displayName}…
        </button>
      </form>
    </section>
  );
}

function ReactivateCard(props: { user: User }) {
  const { user } = props;
  return (
    <section class="card" aria-labelledby="reactivate-heading">
      <h2 id="reactivate-heading">Reactivate</h2>
      <p class="hint" id="reactivate-hint">
        They can sign in again with the same role; give them a messaging licence afterwards if they
        need one.
      </p>
      <form method="post" action={`${userPath(user)}/reactivate`}>
        <button type="submit" aria-describedby="reactivate-hint">
          Reactivate {user.displayName}
        </button>
      </form>
    </section>
  );
}

/** The confirmation step before deactivating (`POST …/deactivate` without `confirm=yes`). */
export function DeactivatePage(props: { who: WhoAmI; result: ApiResult<User> }) {
  const { result } = props;
  if (!result.ok) {
    return (
      <Layout title="Deactivate a user" who={props.who} section="users">
        <p class="crumbs">
          <a href="/console/users">Users</a>
        </p>
        <h1>Deactivate a user</h1>
        <UsersRefused who={props.who} result={result} />
      </Layout>
    );
  }
  const user = result.data;
  return (
    <Layout title={`Deactivate ${user.displayName}?`} who={props.who} section="users">
      <p class="crumbs">
        <a href="/console/users">Users</a> › <a href={userPath(user)}>{user.displayName}</a>
      </p>
      <h1>Deactivate {user.displayName}?</h1>
      <div class="card">
        <p id="confirm-text">
          Deactivate {user.displayName} ({user.email})? They will be signed out at once and lose
          their licence; their name stays in history.
          {user.id === props.who.userId ? ' This is you: you will be signed out too.' : ''}
        </p>
        <form method="post" action={`${userPath(user)}/deactivate`} class="row">
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" class="danger" aria-describedby="confirm-text">
            Yes, deactivate {user.displayName}
          </button>
          <a class="button secondary" href={userPath(user)}>
            No, keep them active
          </a>
        </form>
      </div>
    </Layout>
  );
}
