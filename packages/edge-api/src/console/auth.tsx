// Who is signed in, and the routes that sign people in and out. A page asks `signedIn`: the
// session cookie's token, checked against `GET /v1/whoami` on every page (a session that ended,
// was revoked or whose person was deactivated sends them back to sign in, keeping the page they
// asked for). Signing in goes through the organisation's identity provider (`sign-in-flow.ts`);
// sign-in attempts per client are limited (limits/rate-limit.ts), answered with this page.
import type { Context, Hono } from 'hono';
import { endSession } from '../auth/sessions.js';
import type { Client, WhoAmI } from '../client/index.js';
import { database } from '../db/client.js';
import { callbackUrl } from '../endpoints/sign-in-settings/route.js';
import type { AppEnv } from '../env.js';
import { client, LIMITS, overLimit } from '../limits/rate-limit.js';
import { routeOrg } from '../shards/route.js';
import { flagOn } from '../utils/outbound-url.js';
import { type AppFetch, consoleClient, settle } from './api.js';
import { readForm } from './forms.js';
import { signInCsp } from './headers.js';
import { SignInPage } from './pages/sign-in.js';
import {
  clearSession,
  forgetSignIn,
  lastOrg,
  rememberSignIn,
  sessionToken,
  setSession,
  signInState,
} from './session.js';
import { finishSignIn, startSignIn } from './sign-in-flow.js';

export interface Session {
  /** The typed client, acting as the signed-in person. */
  client: Client;
  who: WhoAmI;
}

/** The signed-in session, or the reply to send instead (a redirect to sign in, or an error page). */
export type SignedIn = (c: Context<AppEnv>) => Promise<Session | Response>;

const HOME = '/console/candidates';

/** A console path to come back to: same origin, under /console, nothing that leaves the site. */
export function safeReturn(path: string | undefined | null): string | null {
  if (!path || path.length > 1000) return null;
  if (!/^\/console(\/|\?|$)/.test(path) || /[\\\s]|\/\//.test(path)) return null;
  // Resolved as the browser will (`..`, `%2e%2e`): it must still be under /console.
  const base = 'http://console.invalid';
  const url = new URL(path, base);
  if (url.origin !== base || !/^\/console(\/|$)/.test(url.pathname)) return null;
  return `${url.pathname}${url.search}`;
}

function signInUrl(c: Context, extra: Record<string, string> = {}): string {
  const url = new URL(c.req.url);
  const next = safeReturn(`${url.pathname}${url.search}`);
  const query = new URLSearchParams({ ...extra, ...(next && next !== HOME ? { next } : {}) });
  const text = query.toString();
  return text ? `/console?${text}` : '/console';
}

function signedIn(appFetch: AppFetch): SignedIn {
  return async (c) => {
    const token = sessionToken(c);
    if (!token) return c.redirect(signInUrl(c), 303);
    const client = consoleClient(appFetch, c, token);
    const who = await settle(client.whoami());
    if (!who.ok) {
      if (who.problem.status === 401) {
        clearSession(c);
        return c.redirect(signInUrl(c, { ended: '1' }), 303);
      }
      return page(
        c,
        { error: `The API could not check your session: ${who.problem.message}` },
        502,
      );
    }
    return { client, who: who.data };
  };
}

type PageStatus = 200 | 400 | 401 | 403 | 404 | 409 | 429 | 502 | 503;

/**
 * The sign-in page saying to wait, when this client has tried too often (a 429 with
 * `Retry-After`, as the API answers, but a page: this is a person's browser).
 */
async function tooManySignIns(c: Context<AppEnv>, next: string | null): Promise<Response | null> {
  const limited = await overLimit(c, 'SIGN_IN_LIMITER', client(c));
  if (!limited) return null;
  const { period } = LIMITS.SIGN_IN_LIMITER;
  c.header('Retry-After', String(period));
  return page(
    c,
    {
      error: `Too many sign-in attempts from your network. Wait ${period} seconds and try again.`,
      next,
    },
    429,
  );
}

/** While a move holds the organisation's writes (src/endpoints/ops/move.ts). */
const MOVING =
  'Your organisation’s data is moving to another database for a few seconds. Try again in a moment.';

/** The sign-in page, with the one CSP that lets its form go on to an identity provider. */
function page(
  c: Context<AppEnv>,
  props: { error?: string; notice?: string; next?: string | null },
  status: PageStatus = 200,
) {
  const demo = flagOn(c.env.LOCAL_DEMO);
  c.header('Content-Security-Policy', signInCsp(demo));
  return c.html(
    <SignInPage
      org={lastOrg(c) ?? (demo ? 'demo' : '')}
      demo={demo}
      next={props.next ?? null}
      error={props.error}
      notice={props.notice}
    />,
    status,
  );
}

/** `/` (sign-in page, or on), `/sign-in`, `/oidc/callback` and `/sign-out`; returns the page gate. */
export function registerSignIn(routes: Hono<AppEnv>, appFetch: AppFetch): SignedIn {
  const session = signedIn(appFetch);

  routes.get('/', async (c) => {
    const next = safeReturn(c.req.query('next'));
    if (sessionToken(c)) {
      const signed = await session(c);
      if (signed instanceof Response) return signed;
      return c.redirect(next ?? HOME, 303);
    }
    const notice =
      c.req.query('ended') !== undefined
        ? 'Your session has ended (signed out elsewhere, expired, or your access changed). Sign in again.'
        : c.req.query('signed-out') !== undefined
          ? 'Signed out.'
          : undefined;
    return page(c, { ...(notice ? { notice } : {}), next });
  });

  routes.post('/sign-in', async (c) => {
    const form = await readForm(c);
    const orgId = (form.org ?? '').trim().toLowerCase();
    const next = safeReturn(form.next);
    const limited = await tooManySignIns(c, next);
    if (limited) return limited;
    if (!orgId || orgId.length > 100) {
      return page(c, { error: 'Enter your organisation’s name.', next }, 400);
    }
    const route = await routeOrg(c.env, orgId);
    if (route.kind === 'moving') return page(c, { error: MOVING, next }, 503);
    const started = await startSignIn(database(route.env.DB), route.env, {
      orgId,
      returnTo: next,
      redirectUri: callbackUrl(c.req.url),
      now: Date.now(),
    });
    if (!started.ok) return page(c, { error: started.message, next }, started.status);
    rememberSignIn(c, started.state, orgId);
    return c.redirect(started.url, 303);
  });

  routes.get('/oidc/callback', async (c) => {
    const limited = await tooManySignIns(c, null);
    if (limited) return limited;
    // The organisation the sign-in started for: its shard holds the attempt (a cookie set with
    // the state; without it the attempt is looked for on the first shard, and a wrong one is
    // simply not found there).
    const route = await routeOrg(c.env, lastOrg(c) ?? '');
    if (route.kind === 'moving') return page(c, { error: MOVING }, 503);
    const finished = await finishSignIn(database(route.env.DB), route.env, {
      callback: new URL(c.req.url),
      browserState: signInState(c),
      redirectUri: callbackUrl(c.req.url),
      now: Date.now(),
    });
    forgetSignIn(c);
    if (!finished.ok) return page(c, { error: finished.message }, finished.status);
    setSession(c, finished.token);
    return c.redirect(safeReturn(finished.returnTo) ?? HOME, 303);
  });

  routes.post('/sign-out', async (c) => {
    const token = sessionToken(c);
    if (token && !(await endSession(c.env, token))) return page(c, { error: MOVING }, 503);
    clearSession(c);
    return c.redirect('/console?signed-out', 303);
  });

  return session;
}
