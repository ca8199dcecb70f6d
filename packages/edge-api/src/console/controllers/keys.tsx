// `/console/keys`: the API keys page and its forms, each sent on to `/v1/keys` as the signed-in
// person (the API decides who may do what): create and rotate answer with the page that shows
// the new secret once; revoke asks first (`GET …/revoke`), then revokes and returns to the list
// with a notice (post/redirect/get). A refused create shows the form again with the API's issues.
import type { Hono } from 'hono';
import type { ApiError, CreateKeyInput, WhoAmI } from '../../client/index.js';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { Session, SignedIn } from '../auth.js';
import { readForm } from '../forms.js';
import { Layout, Problem } from '../layout.js';
import { KeyCreatedPage, type KeyFailure, KeysPage, RevokeKeyPage } from '../pages/keys.js';
import type { Role } from '../pages/user-fields.js';
import { peopleNames } from '../people-names.js';
import { type At, whenSignedIn } from './signed-in.js';

async function keysPage(c: At<string>, signed: Session, failure?: KeyFailure) {
  const [result, names] = await Promise.all([
    settle(signed.client.listKeys()),
    peopleNames(signed.client),
  ]);
  const page = (
    <KeysPage
      who={signed.who}
      result={result}
      names={names}
      now={Date.now()}
      revoked={c.req.query('revoked')}
      failure={failure}
    />
  );
  return c.html(page, failure ? (failure.problem.status as 400) : statusOf(result));
}

/** A rotate or revoke the API refused: what it said, and the way back to the list. */
function KeyRefusal(props: { title: string; who: WhoAmI; problem: ApiError }) {
  return (
    <Layout title={props.title} who={props.who} section="keys">
      <h1>{props.title}</h1>
      <Problem problem={props.problem} hint={<a href="/console/keys">Back to the keys</a>} />
    </Layout>
  );
}

function createBody(form: Record<string, string>): CreateKeyInput {
  const expiresAt = form.expiresAt?.trim();
  return {
    name: form.name ?? '',
    // Passed on unchecked: the API validates the role (and refuses one above the caller's).
    role: (form.role ?? 'user') as Role,
    ...(expiresAt ? { expiresAt } : {}),
  };
}

export function registerKeys(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get(
    '/keys',
    whenSignedIn(signedIn, (c, signed) => keysPage(c, signed)),
  );

  routes.post(
    '/keys',
    whenSignedIn(signedIn, async (c, signed) => {
      const form = await readForm(c);
      const created = await settle(signed.client.createKey(createBody(form)));
      if (!created.ok) return keysPage(c, signed, { problem: created.problem, form });
      return c.html(<KeyCreatedPage who={signed.who} key_={created.data} />, 201);
    }),
  );

  routes.post(
    '/keys/:id/rotate',
    whenSignedIn(signedIn, async (c: At<'/keys/:id/rotate'>, signed) => {
      const rotated = await settle(signed.client.rotateKey(c.req.param('id')));
      if (!rotated.ok) {
        return c.html(
          <KeyRefusal title="Rotate a key" who={signed.who} problem={rotated.problem} />,
          statusOf(rotated),
        );
      }
      return c.html(<KeyCreatedPage who={signed.who} key_={rotated.data} />, 201);
    }),
  );

  routes.get(
    '/keys/:id/revoke',
    whenSignedIn(signedIn, async (c: At<'/keys/:id/revoke'>, signed) => {
      const id = c.req.param('id');
      const keys = await settle(signed.client.listKeys());
      if (!keys.ok) return keysPage(c, signed);
      const key = keys.data.keys.find((k) => k.id === id && k.revokedAt === null) ?? null;
      return c.html(<RevokeKeyPage who={signed.who} key_={key} id={id} />, key ? 200 : 404);
    }),
  );

  routes.post(
    '/keys/:id/revoke',
    whenSignedIn(signedIn, async (c: At<'/keys/:id/revoke'>, signed) => {
      const revoked = await settle(signed.client.revokeKey(c.req.param('id')));
      if (!revoked.ok) {
        return c.html(
          <KeyRefusal title="Revoke a key" who={signed.who} problem={revoked.problem} />,
          statusOf(revoked),
        );
      }
      return c.redirect(`/console/keys?revoked=${encodeURIComponent(revoked.data.id)}`, 303);
    }),
  );
}
