// The console's cookies. `cxm_session`: the opaque session token (`auth/sessions.ts`), HttpOnly,
// SameSite=Lax (the identity provider's redirect back is a cross-site navigation, and Lax lets
// the cookie set there be sent on it; the console's same-origin check guards every form), Secure
// except on plain http to a loopback address in local development. `cxm_sign_in`: the `state` of
// the sign-in this browser started, for the callback only. `cxm_org`: the organisation last
// signed in to, to fill in the sign-in form.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isSessionToken, SESSION_LIMITS } from '../auth/sessions.js';
import { ATTEMPT_TTL_MS } from './sign-in-flow.js';

const SESSION_COOKIE = 'cxm_session';
const SIGN_IN_COOKIE = 'cxm_sign_in';
const ORG_COOKIE = 'cxm_org';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function secure(c: Context): boolean {
  const url = new URL(c.req.url);
  return !(url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

function read(c: Context, name: string, maxLength: number): string | null {
  const value = getCookie(c, name);
  return value && value.length <= maxLength ? value : null;
}

/** The session token in the cookie; anything else there (an API key, say) is no session. */
export function sessionToken(c: Context): string | null {
  const token = read(c, SESSION_COOKIE, 256);
  return token && isSessionToken(token) ? token : null;
}

export function setSession(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/console',
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    maxAge: SESSION_LIMITS.absoluteMs / 1000,
  });
}

export function clearSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console', secure: secure(c) });
}

export function signInState(c: Context): string | null {
  return read(c, SIGN_IN_COOKIE, 256);
}

export function rememberSignIn(c: Context, state: string, orgId: string): void {
  setCookie(c, SIGN_IN_COOKIE, state, {
    path: '/console/oidc',
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    maxAge: ATTEMPT_TTL_MS / 1000,
  });
  setCookie(c, ORG_COOKIE, orgId, {
    path: '/console',
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    maxAge: 365 * 24 * 60 * 60,
  });
}

export function forgetSignIn(c: Context): void {
  deleteCookie(c, SIGN_IN_COOKIE, { path: '/console/oidc', secure: secure(c) });
}

export function lastOrg(c: Context): string | null {
  return read(c, ORG_COOKIE, 100);
}
