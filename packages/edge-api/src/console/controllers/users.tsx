// `/console/users`: the user list, the invite form, one user's page and its changes, each sent
// on to `/v1/users` as the signed-in person (the API decides who may do what). Success goes back
// to a page with a notice (post/redirect/get); a refusal shows the form again with what was typed,
// the API's issues beside the fields, and the API's status.
import type { Context, Hono } from 'hono';
import type { CreateUserInput, UpdateUserInput } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { type ApiResult, settle } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { readForm } from '../forms.js';
import { DeactivatePage, type UserAction, UserPage } from '../pages/user.js';
import type { Form, Role, UserFailure } from '../pages/user-fields.js';
import { InvitePage, UsersPage } from '../pages/users.js';

type Ctx = Context<AppEnv>;

/** The page's status: the API's own (a 400, 403, 404 or 409), which Hono types only as literals. */
function statusFor(result: ApiResult<unknown>, failure?: UserFailure): 200 {
  const status = failure ? failure.problem.status : result.ok ? 200 : result.problem.status;
  return status as 200;
}

/** Text typed into an optional field: blank means none. */
function optional(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The invite form as a request body; the API checks every value. */
function inviteBody(form: Form): CreateUserInput {
  const senderPhone = optional(form.senderPhone);
  const autoReply = optional(form.autoReply);
  return {
    email: form.email ?? '',
    displayName: form.displayName ?? '',
    // Passed on unchecked: the API validates the role (and refuses an admin from a manager).
    ...(form.role ? { role: form.role as Role } : {}),
    licence: form.licence === 'yes',
    ...(senderPhone ? { senderPhone } : {}),
    ...(autoReply ? { autoReply } : {}),
  };
}

/** The edit form as a patch: an emptied phone or auto-reply is removed (`null`). */
function updateBody(form: Form): UpdateUserInput {
  return {
    ...(form.displayName !== undefined ? { displayName: form.displayName } : {}),
    ...(form.role ? { role: form.role as Role } : {}),
    licence: form.licence === 'yes',
    ...(form.senderPhone !== undefined ? { senderPhone: optional(form.senderPhone) ?? null } : {}),
    ...(form.autoReply !== undefined ? { autoReply: optional(form.autoReply) ?? null } : {}),
  };
}

function userPath(id: string, saved?: string): string {
  return `/console/users/${encodeURIComponent(id)}${saved ? `?saved=${saved}` : ''}`;
}

async function invitePage(c: Ctx, signed: Session, failure?: UserFailure) {
  const result = await settle(signed.client.listUsers());
  return c.html(
    <InvitePage who={signed.who} result={result} failure={failure} />,
    statusFor(result, result.ok ? failure : undefined),
  );
}

async function userPage(
  c: Ctx,
  signed: Session,
  id: string,
  options: { saved?: string | undefined; failure?: UserFailure & { action: UserAction } } = {},
) {
  const result = await settle(signed.client.user(id));
  return c.html(
    <UserPage who={signed.who} result={result} saved={options.saved} failure={options.failure} />,
    statusFor(result, result.ok ? options.failure : undefined),
  );
}

/** The context of a route at `Path`, which types its `:id`. */
type At<Path extends string> = Context<AppEnv, Path>;

/** The route handler: the signed-in check (or its redirect to sign in), then `handler`. */
function whenSignedIn<Path extends string>(
  signedIn: SignedIn,
  handler: (c: At<Path>, signed: Session) => Promise<Response>,
) {
  return async (c: At<Path>): Promise<Response> => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    return handler(c, signed);
  };
}

/** GET /users: the list, with the notice of what was just saved. */
async function listUsers(c: Ctx, signed: Session): Promise<Response> {
  const result = await settle(signed.client.listUsers());
  return c.html(
    <UsersPage
      who={signed.who}
      result={result}
      saved={c.req.query('saved')}
      savedUser={c.req.query('user')}
    />,
    statusFor(result),
  );
}

/** GET /users/new: the empty invite form. */
function newUser(c: Ctx, signed: Session): Promise<Response> {
  return invitePage(c, signed);
}

/** POST /users: invites; a refusal shows the form again. */
async function inviteUser(c: Ctx, signed: Session): Promise<Response> {
  const form = await readForm(c);
  const created = await settle(signed.client.createUser(inviteBody(form)));
  if (!created.ok) return invitePage(c, signed, { problem: created.problem, form });
  return c.redirect(
    `/console/users?saved=invited&user=${encodeURIComponent(created.data.id)}`,
    303,
  );
}

/** GET /users/:id: one user's page. */
function showUser(c: At<'/users/:id'>, signed: Session): Promise<Response> {
  return userPage(c, signed, c.req.param('id'), { saved: c.req.query('saved') });
}

/** POST /users/:id: saves the edit form; a refusal shows it again. */
async function saveUser(c: At<'/users/:id'>, signed: Session): Promise<Response> {
  const id = c.req.param('id');
  const form = await readForm(c);
  const updated = await settle(signed.client.updateUser(id, updateBody(form)));
  if (!updated.ok) {
    return userPage(c, signed, id, {
      failure: { action: 'save', problem: updated.problem, form },
    });
  }
  // After changing your own role the API has ended your session: this sends you to sign in.
  return c.redirect(userPath(id, 'updated'), 303);
}

/** POST /users/:id/deactivate: asks first, then deactivates once confirmed. */
async function deactivateUser(c: At<'/users/:id/deactivate'>, signed: Session): Promise<Response> {
  const id = c.req.param('id');
  const form = await readForm(c);
  if (form.confirm !== 'yes') {
    // The first press only asks: nothing changes until the confirmation is sent.
    const result = await settle(signed.client.user(id));
    if (result.ok && !result.data.active) return c.redirect(userPath(id), 303);
    return c.html(<DeactivatePage who={signed.who} result={result} />, statusFor(result));
  }
  const done = await settle(signed.client.deactivateUser(id));
  if (!done.ok) {
    return userPage(c, signed, id, { failure: { action: 'deactivate', problem: done.problem } });
  }
  return c.redirect(userPath(id, 'deactivated'), 303);
}

/** POST /users/:id/reactivate: makes a deactivated user active again. */
async function reactivateUser(c: At<'/users/:id/reactivate'>, signed: Session): Promise<Response> {
  const id = c.req.param('id');
  const done = await settle(signed.client.updateUser(id, { active: true }));
  if (!done.ok) {
    return userPage(c, signed, id, { failure: { action: 'reactivate', problem: done.problem } });
  }
  return c.redirect(userPath(id, 'reactivated'), 303);
}

export function registerUsers(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/users', whenSignedIn(signedIn, listUsers));
  routes.get('/users/new', whenSignedIn(signedIn, newUser));
  routes.post('/users', whenSignedIn(signedIn, inviteUser));
  routes.get('/users/:id', whenSignedIn(signedIn, showUser));
  routes.post('/users/:id', whenSignedIn(signedIn, saveUser));
  routes.post('/users/:id/deactivate', whenSignedIn(signedIn, deactivateUser));
  routes.post('/users/:id/reactivate', whenSignedIn(signedIn, reactivateUser));
}
