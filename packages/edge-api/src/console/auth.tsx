// Who is signed in: the session cookie's key, checked against `GET /v1/whoami` on every page (a
// revoked key ends the session at once), and the routes that start and end a session.
import type { Context, Hono } from 'hono';
import type { Client, WhoAmI } from '../client/index.js';
import type { AppEnv } from '../env.js';
import { type AppFetch, consoleClient, settle } from './api.js';
import { readForm } from './forms.js';
import { SignInPage } from './pages/sign-in.js';
import { endSession, sessionKey, startSession } from './session.js';

export interface Session {
  /** The typed client, acting with the signed-in key. */
  client: Client;
  who: WhoAmI;
}

/** The signed-in session, or the reply to send instead (a redirect to sign in, or an error page). */
export type SignedIn = (c: Context<AppEnv>) => Promise<Session | Response>;

function signedIn(appFetch: AppFetch): SignedIn {
  return async (c) => {
    const key = sessionKey(c);
    if (!key) return c.redirect('/console', 303);
    const client = consoleClient(appFetch, c, key);
    const who = await settle(client.whoami());
    if (!who.ok) {
      if (who.problem.status === 401) {
        endSession(c);
        return c.redirect('/console?ended=1', 303);
      }
      return c.html(
        <SignInPage error={`The API could not check your key: ${who.problem.message}`} />,
        502,
      );
    }
    return { client, who: who.data };
  };
}

/** `/` (sign-in page, or on to the candidates), `/sign-in` and `/sign-out`; returns the page gate. */
export function registerSignIn(routes: Hono<AppEnv>, appFetch: AppFetch): SignedIn {
  const session = signedIn(appFetch);

  routes.get('/', async (c) => {
    if (sessionKey(c)) {
      const signed = await session(c);
      if (signed instanceof Response) return signed;
      return c.redirect('/console/candidates', 303);
    }
    const notice =
      c.req.query('ended') !== undefined
        ? 'Your key is no longer valid (revoked or unknown). Sign in again.'
        : c.req.query('signed-out') !== undefined
          ? 'Signed out.'
          : undefined;
    return c.html(<SignInPage notice={notice} />);
  });

  routes.post('/sign-in', async (c) => {
    const key = ((await readForm(c)).key ?? '').trim();
    if (!key) return c.html(<SignInPage error="Enter an API key." />, 400);
    const who = await settle(consoleClient(appFetch, c, key).whoami());
    if (!who.ok) {
      const error =
        who.problem.status === 401
          ? 'That key is unknown or revoked.'
          : `The API could not check the key: ${who.problem.message}`;
      return c.html(<SignInPage error={error} />, who.problem.status === 401 ? 401 : 502);
    }
    startSession(c, key);
    return c.redirect('/console/candidates', 303);
  });

  routes.post('/sign-out', (c) => {
    endSession(c);
    return c.redirect('/console?signed-out', 303);
  });

  return session;
}
