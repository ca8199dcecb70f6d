// `/docs`: the API reference (Scalar) for the OpenAPI document at `documentUrl`, with Scalar's
// script and its settings served by the worker itself.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';
import { DOCS_CSP, DOCS_PATHS, docsPage, initScript } from './page.js';

const HEADERS = {
  'Content-Security-Policy': DOCS_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

export function registerDocs(app: OpenAPIHono<AppEnv>, title: string, documentUrl: string): void {
  app.get(DOCS_PATHS.page, (c) =>
    c.html(docsPage(title, documentUrl), 200, {
      ...HEADERS,
      'Cache-Control': 'public, max-age=300',
    }),
  );
  app.get(DOCS_PATHS.init, (c) =>
    c.body(initScript(documentUrl), 200, {
      ...HEADERS,
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
    }),
  );
  app.get(DOCS_PATHS.scalar, async (c) => {
    const { SCALAR_JS } = await import('./scalar-bundle.js');
    return c.body(SCALAR_JS, 200, {
      ...HEADERS,
      'Content-Type': 'text/javascript; charset=utf-8',
      // Not versioned in its URL: a day, so an upgrade of Scalar shows within one.
      'Cache-Control': 'public, max-age=86400',
    });
  });
}
