// The pieces the Users pages share: the role names, a form's fields with their hint and error
// (tied with `aria-describedby`), and the summary of a refused change in plain words. A refusal
// keeps what was typed: the fields show the posted form again, not the stored values.
import type { Child } from 'hono/jsx';
import type { ApiError, Issue, User, WhoAmI } from '../../client/index.js';
import { fieldIds, HintAndErrors } from './field-help.js';

export type Role = User['role'];
export type Form = Record<string, string>;

/** A change the API refused, and what was typed (shown again so nothing is lost). */
export interface UserFailure {
  problem: ApiError;
  form?: Form | undefined;
}

export const ROLE_LABELS: Record<Role, string> = {
  user: 'User',
  reporter: 'Reporter',
  manager: 'Manager',
  admin: 'Admin',
};

/** The roles the signed-in person may give: only an admin makes an admin. */
export function rolesFor(who: WhoAmI): Role[] {
  const roles: Role[] = ['user', 'reporter', 'manager'];
  return who.role === 'admin' ? [...roles, 'admin'] : roles;
}

export const ROLE_HINT =
  'User: opens candidates by id. Reporter: also candidate lists and reports. Manager: also users and settings. Admin: also makes and changes admins.';

export const PHONE_HINT = 'International format, e.g. +14155550123. Optional.';

/** The fields of the user forms, as the API names them, and their labels. */
export const FIELD_LABELS: Record<string, string> = {
  email: 'Email',
  displayName: 'Name',
  role: 'Role',
  licence: 'Messaging licence',
  senderPhone: 'Sender phone',
  autoReply: 'Automatic text reply',
};

/** The API's issues about one field (`senderPhone`, or a path under it). */
export function issuesOf(problem: ApiError | undefined, field: string): string[] {
  if (!problem) return [];
  return problem.issues
    .filter((issue) => issue.path === field || issue.path.startsWith(`${field}.`))
    .map((issue) => issue.message);
}

function fieldOf(issue: Issue): string | undefined {
  const field = issue.path.split('.')[0] ?? '';
  return field in FIELD_LABELS ? field : undefined;
}

/** What was typed into `field` after a refusal, else the stored value. */
export function shown(failure: UserFailure | undefined, field: string, stored: string): string {
  const typed = failure?.form?.[field];
  return failure?.form ? (typed ?? '') : stored;
}

const HEADLINES: Record<string, string> = {
  seats_exhausted: 'no messaging licence is free',
  last_admin: 'the organisation must keep an active admin',
  user_exists: 'that email already belongs to a user',
  forbidden: 'your role cannot do this',
  not_found: 'there is no such user',
};

/** A refused form's problem tied to one of its fields: linked to `#<prefix>-<field>`. */
export interface FieldProblem {
  field: string;
  label: string;
  messages: string[];
}

/**
 * The refusal at the top of a form: what did not happen and why. Field problems are listed with
 * links to their fields (each field also shows its own message); the rest in the API's words,
 * with the path they are about. Every console form's refusal is this one component.
 */
export function RefusalSummary(props: {
  problem: ApiError;
  /** What did not happen: "The invitation was not sent". */
  action: string;
  /** Why, in a recruiter's words, when the code has some ("the last admin cannot go"). */
  headline?: string | undefined;
  /** Where the form's fields are: ids are `${prefix}-${field}`. */
  prefix: string;
  fields: FieldProblem[];
  other: Issue[];
  /** The API's own message even when fields are marked (it says more than "check the fields"). */
  keepMessage?: boolean;
  /** The status and code, for the person who reports it. */
  showStatus: boolean;
  /** More to say (a link to the existing user, what to do instead). */
  extra?: Child;
}) {
  const { problem, fields, other } = props;
  return (
    <div class="message error" role="alert" id={`${props.prefix}-problem`}>
      <strong>
        {props.action}
        {props.headline ? `: ${props.headline}.` : '.'}
      </strong>{' '}
      {fields.length > 0 && !props.keepMessage
        ? `Check ${fields.length === 1 ? 'the field' : `the ${fields.length} fields`} marked below.`
        : // The API's "…; see issues." is for developers: the issues are listed right here.
          problem.message.replace(/; see issues\.$/, ':')}
      {fields.length > 0 ? (
        <ul>
          {fields.map((problem) => (
            <li>
              <a href={`#${props.prefix}-${problem.field}`}>
                {problem.label}: {problem.messages.join(' ')}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {other.length > 0 ? (
        <ul>
          {other.map((issue) => (
            <li>
              {issue.path ? <code>{issue.path}</code> : null}
              {issue.path ? ': ' : ''}
              {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
      {props.showStatus ? (
        <span class="muted">
          {' '}
          ({problem.status} <code>{problem.code}</code>)
        </span>
      ) : null}
      {props.extra ? <p>{props.extra}</p> : null}
    </div>
  );
}

/** The refusal of a Users form: its fields are FIELD_LABELS'. */
export function FailureSummary(props: {
  failure: UserFailure;
  action: string;
  prefix: string;
  extra?: Child;
}) {
  const { problem } = props.failure;
  const fields = problem.issues.flatMap((issue): FieldProblem[] => {
    const field = fieldOf(issue);
    return field === undefined
      ? []
      : [{ field, label: FIELD_LABELS[field] ?? field, messages: [issue.message] }];
  });
  const other = problem.issues.filter((issue) => fieldOf(issue) === undefined);
  const headline = HEADLINES[problem.code];
  return (
    <RefusalSummary
      problem={problem}
      action={props.action}
      headline={headline}
      prefix={props.prefix}
      fields={fields}
      other={other}
      showStatus={!headline && fields.length === 0}
      extra={props.extra}
    />
  );
}

interface FieldProps {
  prefix: string;
  name: string;
  label: string;
  hint?: string | undefined;
  errors: string[];
}

export function TextField(
  props: FieldProps & {
    value: string;
    type?: 'text' | 'email' | 'tel' | 'url' | 'date';
    required?: boolean;
    autocomplete?: string;
    maxlength?: number;
  },
) {
  const { id, describedBy, invalid } = fieldIds(props);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        type={props.type ?? 'text'}
        id={id}
        name={props.name}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete ?? 'off'}
        maxlength={props.maxlength}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      />
      <HintAndErrors {...props} />
    </div>
  );
}

export function TextArea(props: FieldProps & { value: string; maxlength?: number }) {
  const { id, describedBy, invalid } = fieldIds(props);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={3}
        maxlength={props.maxlength}
        class="prose"
        aria-describedby={describedBy}
        aria-invalid={invalid}
      >
        {props.value}
      </textarea>
      <HintAndErrors {...props} />
    </div>
  );
}

export function RoleSelect(props: FieldProps & { value: string; roles: Role[] }) {
  const { id, describedBy, invalid } = fieldIds(props);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} aria-describedby={describedBy} aria-invalid={invalid}>
        {props.roles.map((role) => (
          <option value={role} selected={role === props.value}>
            {ROLE_LABELS[role]}
          </option>
        ))}
      </select>
      <HintAndErrors {...props} />
    </div>
  );
}

export function Checkbox(props: FieldProps & { checked: boolean; disabled?: boolean }) {
  const { id, describedBy, invalid } = fieldIds(props);
  return (
    <div class="field check">
      <input
        type="checkbox"
        id={id}
        name={props.name}
        value="yes"
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      />
      <label for={id}>{props.label}</label>
      <HintAndErrors {...props} />
    </div>
  );
}
