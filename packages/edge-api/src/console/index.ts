// The recruiter console at /console: server-rendered pages that call the public API with the
// signed-in key, so the console can never do more than that key's role allows.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';

export function registerConsole(app: OpenAPIHono<AppEnv>): void {
  app.get('/console', (c) =>
    c.html('<!doctype html><title>cxm console</title><p>The console is being built.</p>'),
  );
}
