// The headers every console reply carries: a strict CSP, no sniffing, same-origin referrers, HSTS
// over https, and no caching of pages (they show one key's view of the data).
import type { MiddlewareHandler } from 'hono';
import { pageHeaders } from '../middleware/security-headers.js';

/**
 * No inline script or style anywhere, nothing from another origin; the pages cannot be framed.
 * Inline SVG in the page needs no `img-src`.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The sign-in page's form posts to the console, which redirects to the organisation's identity
 * provider, and browsers apply `form-action` to the whole redirect chain: this page alone may
 * send its form on to an https origin (plus http on loopback in the local demo).
 */
export function signInCsp(localDemo: boolean): string {
  const providers = localDemo ? 'https: http://127.0.0.1:* http://localhost:*' : 'https:';
  return CONSOLE_CSP.replace("form-action 'self'", `form-action 'self' ${providers}`);
}

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // A page that set its own (the sign-in page) keeps it.
    if (!c.res.headers.has('Content-Security-Policy')) {
      c.header('Content-Security-Policy', CONSOLE_CSP);
    }
    for (const [name, value] of Object.entries(pageHeaders(c.req.url))) c.header(name, value);
    // Assets set their own caching; everything else is a page or a redirect.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
