// The tracker script, served from the tracker's build (packages/tracker/dist, bound as Workers
// Static Assets `ASSETS` with `run_worker_first`, so every request passes through here first).
//
// `GET /t.js?site=<key>`: the real script while the site's tracking is on; while it is off, or
// for an unknown key, an inert script (a comment: valid JS that does nothing and requests
// nothing). Neither varies on anything but the URL, and both have short cache lifetimes, so
// flipping the toggle takes effect on live sites within those lifetimes without touching them.
// `GET /t.js` without `site` serves the real script (the site key is then only in the tag's
// `data-site`, and `/v1/collect` still stores nothing for a site whose tracking is off).
// `GET /t/<file>`: the content-hashed chunks, cached as immutable (the manifest says how).
// Loads per site key are limited (limits/rate-limit.ts) before the site is looked up; without
// `site` the script is the static build, and nothing is counted.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../env.js';
import { overLimit } from '../../limits/rate-limit.js';
import { siteByKey } from '../../orgs/sites.js';
import { errorResponses } from '../../schemas/error.js';
import { apiError, errorResponse } from '../../utils/errors.js';

/** While tracking is off: at most this long until switching it on reaches browsers. */
export const INERT_CACHE = 'public, max-age=60';
export const INERT_SCRIPT = '/* cxm: career-site tracking is off for this site. */\n';
const JS = 'text/javascript; charset=utf-8';

interface Manifest {
  entry: string;
  files: Record<string, string>;
}

async function manifest(c: Context<AppEnv>): Promise<Manifest | null> {
  if (!c.env.ASSETS) return null;
  const response = await c.env.ASSETS.fetch(new URL('/manifest.json', c.req.url));
  if (!response.ok) return null;
  return (await response.json()) as Manifest;
}

async function serveBuilt(c: Context<AppEnv>, file: string): Promise<Response> {
  const built = await manifest(c);
  const cacheControl = built?.files[file];
  if (!built || !cacheControl || !c.env.ASSETS) {
    return errorResponse(c, apiError('not_found', `No tracker file ${file}.`));
  }
  const asset = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
  if (!asset.ok) return errorResponse(c, apiError('not_found', `No tracker file ${file}.`));
  return new Response(asset.body, {
    status: 200,
    headers: {
      'Content-Type': JS,
      'Cache-Control': cacheControl,
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

export const trackerScriptRoute = createRoute({
  method: 'get',
  path: '/t.js',
  summary: 'The tracker script for a site',
  description:
    `The real script while the site's tracking is on; an inert one (\`Cache-Control: ${INERT_CACHE}\`) ` +
    'while it is off or the key is unknown. The real one has a short cache too ' +
    '(`max-age=300`), so toggling takes effect without touching the site. 429: too many loads ' +
    'for the site; wait `Retry-After` seconds.',
  tags: ['Tracker'],
  request: {
    query: z.object({
      site: z.string().max(100).optional().openapi({ description: "The site's public key." }),
    }),
  },
  responses: {
    200: {
      description: 'JavaScript.',
      content: { 'text/javascript': { schema: { type: 'string' } } },
    },
    // 400: a `site` the query schema refuses (over 100 characters, or given twice).
    ...errorResponses([400, 404, 429]),
  },
});

export function registerTrackerScript(app: OpenAPIHono<AppEnv>): void {
  app.openapi(trackerScriptRoute, async (c) => {
    const { site: key } = c.req.valid('query');
    if (key !== undefined) {
      const limited = await overLimit(c, 'SCRIPT_LIMITER', key);
      if (limited) return limited;
      const site = (await siteByKey(c.env, key))?.site;
      if (!site?.trackingEnabled) {
        return c.body(INERT_SCRIPT, 200, {
          'Content-Type': JS,
          'Cache-Control': INERT_CACHE,
          'Access-Control-Allow-Origin': '*',
          'X-Content-Type-Options': 'nosniff',
        });
      }
    }
    return serveBuilt(c, 't.js');
  });

  app.get('/t/:file{[A-Za-z0-9._-]+\\.js}', (c) => serveBuilt(c, `t/${c.req.param('file')}`));
}
