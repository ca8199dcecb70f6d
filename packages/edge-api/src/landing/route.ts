// `GET /`: a small HTML page for people (a browser asks for `text/html`); API clients asking for
// anything else get the JSON 404 every unknown path gets, pointing at the reference. The reply
// depends on `Accept`, so it says so (`Vary: Accept`) to caches.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { CONSOLE_CSP } from '../console/headers.js';
import type { AppEnv } from '../env.js';
import { pageHeaders } from '../middleware/security-headers.js';
import { apiError, errorResponse } from '../utils/errors.js';
import { landingPage } from './page.js';

/** Whether `accept` names `text/html` (not merely `*\/*`, which curl and most clients send). */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const refused = params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
    return type?.trim() === 'text/html' && !refused;
  });
}

export function registerLanding(app: OpenAPIHono<AppEnv>): void {
  app.get('/', (c) => {
    if (!wantsHtml(c.req.header('accept'))) {
      return errorResponse(
        c,
        apiError(
          'not_found',
          'No route for GET /. The API reference is at /docs, the OpenAPI document at /v1/openapi.json.',
        ),
        { Vary: 'Accept' },
      );
    }
    return c.html(landingPage(), 200, {
      'Content-Security-Policy': CONSOLE_CSP,
      ...pageHeaders(c.req.url),
      'Cache-Control': 'public, max-age=300',
      Vary: 'Accept',
    });
  });
}
