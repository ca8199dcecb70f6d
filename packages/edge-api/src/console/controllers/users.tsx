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

export function registerUsers(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get('/users', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
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
  });

  routes.get('/users/new', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    return invitePage(c, signed);
  });

  routes.post('/users', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const form = await readForm(c);
    const created = await settle(signed.client.createUser(inviteBody(form)));
    if (!created.ok) return invitePage(c, signed, { problem: created.problem, form });
    return c.redirect(
      `/console/users?saved=invited&user=${encodeURIComponent(created.data.id)}`,
      303,
    );
  });

  routes.get('/users/:id', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    return userPage(c, signed, c.req.param('id'), { saved: c.req.query('saved') });
  });

  routes.post('/users/:id', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
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
  });

  routes.post('/users/:id/deactivate', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
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
  });

  routes.post('/users/:id/reactivate', async (c) => {
    const signed = await signedIn(c);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    const done = await settle(signed.client.updateUser(id, { active: true }));
    if (!done.ok) {
      return userPage(c, signed, id, { failure: { action: 'reactivate', problem: done.problem } });
    }
    return c.redirect(userPath(id, 'reactivated'), 303);
  });
}
