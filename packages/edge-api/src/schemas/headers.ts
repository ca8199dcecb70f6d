// Response headers a route sets for a reason its callers should know, described once for the
// OpenAPI document beside the value the route sends.
import { z } from '@hono/zod-openapi';

/** For a reply that carries a secret (a new API key, a webhook secret): no cache keeps it. */
export const NO_STORE = { 'Cache-Control': 'no-store' } as const;

export const noStoreHeaders = z.object({
  'Cache-Control': z.literal('no-store').openapi({
    description: 'The reply may carry a secret, shown once: no cache may keep it.',
  }),
});
