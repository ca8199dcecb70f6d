// Users (`/v1/users`, manager and above): everyone who can sign in to the console and those
// deactivated, the messaging licences in use, and the invite form (`/console/users/new`). A role
// below manager gets the API's refusal as a message, never the list.
import type { User, Users, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { formatTime } from '../labels.js';
import { Layout, Notice, Problem, RoleRefused } from '../layout.js';
import {
  Checkbox,
  FailureSummary,
  type Form,
  issuesOf,
  PHONE_HINT,
  ROLE_HINT,
  ROLE_LABELS,
  RoleSelect,
  rolesFor,
  TextArea,
  TextField,
  type UserFailure,
} from './user-fields.js';

export const AUTO_REPLY_HINT =
  'Texted back when a candidate replies to them and no campaign auto-response applies. Optional.';

/** The refusal of a role below manager, or any other problem reading the users. */
export function UsersRefused(props: { who: WhoAmI; result: ApiResult<unknown> }) {
  const { result } = props;
  if (result.ok) return null;
  return result.problem.code === 'forbidden' ? (
    <RoleRefused role={props.who.role} cannot="manage users">
      Managing users needs the manager or admin role.
    </RoleRefused>
  ) : (
    <Problem problem={result.problem} />
  );
}

function licenceLine(licences: Users['licences']): string {
  const { seats, used } = licences;
  return `${used} of ${seats} messaging licence${seats === 1 ? '' : 's'} in use`;
}

function InvitedNotice(props: { user: User | undefined }) {
  const { user } = props;
  return (
    <Notice kind="ok">
      {user ? (
        <>
          Invited <strong>{user.displayName}</strong> ({user.email}) as{' '}
          {ROLE_LABELS[user.role].toLowerCase()}
          {user.licence ? ', with a messaging licence' : ''}. They sign in through your
          organisation’s identity provider with this email.
        </>
      ) : (
        'The user was invited.'
      )}
    </Notice>
  );
}

export function UsersPage(props: {
  who: WhoAmI;
  result: ApiResult<Users>;
  saved?: string | undefined;
  savedUser?: string | undefined;
}) {
  const { result } = props;
  return (
    <Layout title="Users" who={props.who} section="users">
      <h1>Users</h1>
      {!result.ok ? (
        <UsersRefused who={props.who} result={result} />
      ) : (
        <>
          {props.saved === 'invited' ? (
            <InvitedNotice user={result.data.users.find((user) => user.id === props.savedUser)} />
          ) : null}
          <div class="card">
            <div class="row spread">
              <p class="licences">
                <strong>{licenceLine(result.data.licences)}</strong>
                {result.data.licences.used >= result.data.licences.seats ? (
                  <span class="muted">
                    {' '}
                    · none free: take one from someone before giving it to another.
                  </span>
                ) : null}
              </p>
              <a class="button" href="/console/users/new">
                Invite a user
              </a>
            </div>
            <UserTable users={result.data.users} who={props.who} />
          </div>
        </>
      )}
    </Layout>
  );
}

function UserTable(props: { users: User[]; who: WhoAmI }) {
  if (props.users.length === 0) {
    return <p>No users yet: invite the people who should sign in to the console.</p>;
  }
  return (
    <table>
      <caption>
        {props.users.length} user{props.users.length === 1 ? '' : 's'}, oldest first; deactivated
        users stay listed so history keeps their names.
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Role</th>
          <th scope="col">Licence</th>
          <th scope="col">Sender number</th>
          <th scope="col">Last signed in</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {props.users.map((user) => (
          <tr>
            <th scope="row">
              <a href={`/console/users/${encodeURIComponent(user.id)}`}>{user.displayName}</a>
              {user.id === props.who.userId ? <span class="muted"> (you)</span> : null}
            </th>
            <td>{user.email}</td>
            <td>{ROLE_LABELS[user.role]}</td>
            <td>{user.licence ? 'Yes' : 'No'}</td>
            <td>{user.senderPhone ?? <span class="muted">—</span>}</td>
            <td>{user.lastSignedInAt ? formatTime(user.lastSignedInAt) : 'Never'}</td>
            <td>
              <StatusBadge active={user.active} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function StatusBadge(props: { active: boolean }) {
  return props.active ? (
    <span class="badge user-active">Active</span>
  ) : (
    <span class="badge user-deactivated">Deactivated</span>
  );
}

/** After `user_exists`, the user with the email that was typed (to link to), if they are listed. */
function existingUser(users: User[], failure: UserFailure): User | undefined {
  if (failure.problem.code !== 'user_exists') return undefined;
  const email = (failure.form?.email ?? '').trim().toLowerCase();
  return users.find((user) => user.email === email);
}

/** Why the invitation was refused, with a way on: the existing user's page, or the licences. */
function InviteRefusal(props: { failure: UserFailure; users: User[] }) {
  const { failure } = props;
  const existing = existingUser(props.users, failure);
  return (
    <FailureSummary
      failure={failure}
      action="The invitation was not sent"
      prefix="invite"
      extra={
        existing ? (
          <a href={`/console/users/${encodeURIComponent(existing.id)}`}>
            Open {existing.displayName}’s page
            {existing.active ? '' : ' to reactivate them'}
          </a>
        ) : failure.problem.code === 'seats_exhausted' ? (
          'Invite them without a messaging licence, or free one first.'
        ) : undefined
      }
    />
  );
}

/** The invite form's fields, filled with what was typed and the API's issues beside each. */
function InviteFields(props: {
  who: WhoAmI;
  form: Form;
  problem: UserFailure['problem'] | undefined;
  licences: Users['licences'];
}) {
  const { form, problem } = props;
  return (
    <>
      <TextField
        prefix="invite"
        name="email"
        label="Email"
        type="email"
        value={form.email ?? ''}
        required
        maxlength={254}
        hint="The address they sign in with at your identity provider."
        errors={issuesOf(problem, 'email')}
      />
      <TextField
        prefix="invite"
        name="displayName"
        label="Name"
        value={form.displayName ?? ''}
        required
        maxlength={100}
        errors={issuesOf(problem, 'displayName')}
      />
      <RoleSelect
        prefix="invite"
        name="role"
        label="Role"
        value={form.role ?? 'user'}
        roles={rolesFor(props.who)}
        hint={ROLE_HINT}
        errors={issuesOf(problem, 'role')}
      />
      <Checkbox
        prefix="invite"
        name="licence"
        label="Messaging licence"
        checked={form.licence === 'yes'}
        hint={`Needed to text candidates. ${licenceLine(props.licences)}.`}
        errors={issuesOf(problem, 'licence')}
      />
      <TextField
        prefix="invite"
        name="senderPhone"
        label="Sender phone"
        type="tel"
        value={form.senderPhone ?? ''}
        maxlength={32}
        autocomplete="off"
        hint={PHONE_HINT}
        errors={issuesOf(problem, 'senderPhone')}
      />
      <TextArea
        prefix="invite"
        name="autoReply"
        label="Automatic text reply"
        value={form.autoReply ?? ''}
        maxlength={1600}
        hint={AUTO_REPLY_HINT}
        errors={issuesOf(problem, 'autoReply')}
      />
    </>
  );
}

/** `/console/users/new`: the invite form, again with what was typed after a refusal. */
export function InvitePage(props: {
  who: WhoAmI;
  /** The list, for the licences left and (after `user_exists`) a link to that user. */
  result: ApiResult<Users>;
  failure?: UserFailure | undefined;
}) {
  const { result, failure } = props;
  return (
    <Layout title="Invite a user" who={props.who} section="users">
      <p class="crumbs">
        <a href="/console/users">Users</a>
      </p>
      <h1>Invite a user</h1>
      {!result.ok ? (
        <UsersRefused who={props.who} result={result} />
      ) : (
        <>
          {failure ? <InviteRefusal failure={failure} users={result.data.users} /> : null}
          <form method="post" action="/console/users" class="card" novalidate>
            <InviteFields
              who={props.who}
              form={failure?.form ?? {}}
              problem={failure?.problem}
              licences={result.data.licences}
            />
            <div class="row">
              <button type="submit">Invite user</button>
              <a class="button secondary" href="/console/users">
                Cancel
              </a>
            </div>
          </form>
        </>
      )}
    </Layout>
  );
}
