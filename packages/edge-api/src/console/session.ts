// The console's sign-in: the API key itself, kept in an HttpOnly, SameSite=Strict cookie scoped
// to /console. Good enough for a console on your own machine (see the README for why, and what a
// deployed console would do instead); the key is checked against the API on every page.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'cxm_console_key';
const EIGHT_HOURS = 8 * 60 * 60;

export function sessionKey(c: Context): string | null {
  const key = getCookie(c, SESSION_COOKIE);
  return key && key.length <= 256 ? key : null;
}

export function startSession(c: Context, key: string): void {
  setCookie(c, SESSION_COOKIE, key, {
    path: '/console',
    httpOnly: true,
    sameSite: 'Strict',
    // Plain http on 127.0.0.1 in development; any deployment is https and gets Secure.
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: EIGHT_HOURS,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console' });
}
