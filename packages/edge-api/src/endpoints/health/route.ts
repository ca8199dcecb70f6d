// `GET /healthz`: the worker is up and can reach its database. A deployment that is not configured
// safely answers 503 `misconfigured` here, as on every route (middleware/configuration.ts).
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.js';
import { errorResponses } from '../../schemas/error.js';

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness and database check',
  responses: {
    200: {
      description: 'Up.',
      content: {
        'application/json': { schema: z.object({ ok: z.literal(true), db: z.boolean() }) },
      },
    },
    // `misconfigured`: a required secret missing, or a development value or flag set.
    ...errorResponses([503]),
  },
});

const health: RouteHandler<typeof healthRoute, AppEnv> = async (c) => {
  let db = false;
  try {
    await c.env.DB.prepare('SELECT 1').first();
    db = true;
  } catch {
    // Reported in the body; the worker itself is up.
  }
  return c.json({ ok: true as const, db }, 200);
};

export function registerHealth(app: OpenAPIHono<AppEnv>): void {
  app.openapi(healthRoute, health);
}
