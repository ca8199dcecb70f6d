// The HTTP app: routes, and the rules every reply follows. Client mistakes get a 4xx with a
// JSON error body; an unknown path or method gets JSON 404/405, never HTML; anything
// unexpected becomes a JSON 500 with code `internal` and no stack.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { registerConsole } from './console/index.js';
import type { AppEnv } from './env.js';
import { apiError, errorResponse, invalidRequest, issuesFromZod } from './errors.js';
import { WriteContention } from './ingest/retry.js';
import { registerCollect } from './routes/collect.js';
import { registerEngagements } from './routes/engagements.js';
import { registerHealth } from './routes/health.js';
import { registerVisitors } from './routes/visitors.js';

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(c, invalidRequest(issuesFromZod(result.error)));
    },
  });

  registerHealth(app);
  registerCollect(app);
  registerEngagements(app);
  registerVisitors(app);
  registerConsole(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer <key>`.',
  });
  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'cxm edge API', version: '0.1.0' },
  });

  app.notFound((c) => {
    const allowed = methodsFor(app, c.req.path);
    if (allowed.length > 0) {
      return errorResponse(
        c,
        apiError(
          'method_not_allowed',
          `${c.req.method} is not allowed here; use ${allowed.join(', ')}.`,
        ),
        { Allow: allowed.join(', ') },
      );
    }
    return errorResponse(c, apiError('not_found', `No route for ${c.req.method} ${c.req.path}.`));
  });

  app.onError((error, c) => onError(error, c));
  return app;
}

function onError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof HTTPException) {
    // Raised by Hono or @hono/zod-openapi before our own checks could answer.
    if (error.status === 415) {
      return errorResponse(c, apiError('unsupported_media_type', 'Unsupported Content-Type.'));
    }
    if (error.status === 413) {
      return errorResponse(c, apiError('payload_too_large', 'The body is too large.'));
    }
    if (error.status === 400) {
      return errorResponse(c, apiError('invalid_json', error.message || 'Malformed body.'));
    }
  }
  if (error instanceof WriteContention) {
    return errorResponse(c, apiError('unavailable', 'Too many concurrent writes; retry shortly.'), {
      'Retry-After': '1',
    });
  }
  console.error('unhandled error', error);
  return errorResponse(c, apiError('internal', 'Something went wrong on our side.'));
}

/** The methods routed for `path`, for a 405 instead of a 404. */
function methodsFor(app: OpenAPIHono<AppEnv>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const pattern = new RegExp(`^${route.path.replace(/:[^/]+/g, '[^/]+')}$`);
    if (pattern.test(path)) methods.add(route.method);
  }
  return [...methods].sort();
}
