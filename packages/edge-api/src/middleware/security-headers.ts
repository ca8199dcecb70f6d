// Security headers that do not depend on the route: no MIME sniffing on any reply, and the
// headers every page people open carries (console, /docs, /).
import type { MiddlewareHandler } from 'hono';

/** Two years, subdomains included: the value HSTS preload lists ask for. */
export const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * Every reply says `X-Content-Type-Options: nosniff`, so a browser never runs a JSON body (an
 * error echoing what was sent, say) as a script or a page.
 */
export function noSniff(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
  };
}

/**
 * What a page sends besides its own CSP: no sniffing, referrers only to this origin (not
 * `no-referrer`: Chromium then sends `Origin: null` on form posts, which the console's CSRF check
 * refuses), and HSTS when it was served over https (never over plain http: local development).
 */
export function pageHeaders(url: string): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    ...(new URL(url).protocol === 'https:' ? { 'Strict-Transport-Security': HSTS } : {}),
  };
}
