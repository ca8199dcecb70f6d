// The recruiter console at /console: server-rendered pages that call the public API with the
// signed-in key, so the console can never do more than that key's role allows.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';
import { consoleRoutes } from './routes.js';

export function registerConsole(app: OpenAPIHono<AppEnv>): void {
  // The API is called through the app itself (not over the network, not the database).
  app.route(
    '/console',
    consoleRoutes((request, env, ctx) => app.fetch(request, env, ctx)),
  );
}
