// The headers every console reply carries: a strict CSP, no sniffing, same-origin referrers, and
// no caching of pages (they show one key's view of the data).
import type { MiddlewareHandler } from 'hono';

/**
 * No inline script or style anywhere, nothing from another origin; the pages cannot be framed.
 * Inline SVG in the page needs no `img-src`.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONSOLE_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    // Not `no-referrer`: with it, Chromium sends `Origin: null` on form posts, which the CSRF
    // check would (rightly) refuse.
    c.header('Referrer-Policy', 'same-origin');
    // Assets set their own caching; everything else is a page or a redirect.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
