// `/docs`: the API reference (Scalar) for the OpenAPI document at `documentUrl`, with Scalar's
// script and its settings served by the worker itself.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';
import { pageHeaders } from '../middleware/security-headers.js';
import { DOCS_CSP, DOCS_PATHS, docsPage, initScript } from './page.js';

function headers(url: string): Record<string, string> {
  return { 'Content-Security-Policy': DOCS_CSP, ...pageHeaders(url) };
}

export function registerDocs(app: OpenAPIHono<AppEnv>, title: string, documentUrl: string): void {
  app.get(DOCS_PATHS.page, (c) =>
    c.html(docsPage(title, documentUrl), 200, {
      ...headers(c.req.url),
      'Cache-Control': 'public, max-age=300',
    }),
  );
  app.get(DOCS_PATHS.init, (c) =>
    c.body(initScript(documentUrl), 200, {
      ...headers(c.req.url),
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
    }),
  );
  app.get(DOCS_PATHS.scalar, async (c) => {
    const { SCALAR_JS } = await import('./scalar-bundle.js');
    return c.body(SCALAR_JS, 200, {
      ...headers(c.req.url),
      'Content-Type': 'text/javascript; charset=utf-8',
      // Not versioned in its URL: a day, so an upgrade of Scalar shows within one.
      'Cache-Control': 'public, max-age=86400',
    });
  });
}
