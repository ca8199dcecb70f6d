// CSRF guard for the console's forms: a state-changing request must come from a page of the
// console's own origin. Browsers send `Origin` on every cross-origin POST (and on same-origin
// ones); when it is missing (an old browser), `Sec-Fetch-Site` decides; with neither, refuse.
// The session cookie is SameSite=Strict as well: this is the second lock, not the only one.
import type { MiddlewareHandler } from 'hono';

export function sameOrigin(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const origin = c.req.header('origin');
    const own = new URL(c.req.url).origin;
    const fetchSite = c.req.header('sec-fetch-site');
    const allowed = origin ? origin === own : fetchSite === 'same-origin';
    if (!allowed) {
      return c.text(
        'Refused: this form must be sent from a console page on this server (cross-origin request).',
        403,
      );
    }
    return next();
  };
}
