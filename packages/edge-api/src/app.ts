// The HTTP app: routes, and the rules every reply follows. Client mistakes get a 4xx with a
// JSON error body; an unknown path or method gets JSON 404/405, never HTML; anything
// unexpected becomes a JSON 500 with code `internal` and no stack. Every reply says `nosniff`; a
// path or query value that is not UTF-8 is a 400 before any route looks at it.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { registerConsole } from './console/index.js';
import { WriteContention } from './db/retry.js';
import { registerDocs } from './docs/route.js';
import { withAppStatuses } from './docs/statuses.js';
import { registerAudiences } from './endpoints/audiences/route.js';
import { registerAudit } from './endpoints/audit/route.js';
import { registerCampaigns } from './endpoints/campaigns/route.js';
import { registerCandidates } from './endpoints/candidates/route.js';
import { registerCollect } from './endpoints/collect/route.js';
import { registerTrackerScript } from './endpoints/collect/tracker-script.js';
import { registerContactDetails } from './endpoints/contact-details/route.js';
import { registerContacts } from './endpoints/contacts/route.js';
import { registerLinks } from './endpoints/email-links/route.js';
import { registerEngagements } from './endpoints/engagements/route.js';
import { registerHealth } from './endpoints/health/route.js';
import { registerKeys } from './endpoints/keys/route.js';
import { registerMessageLinks } from './endpoints/message-links/route.js';
import { registerMessages } from './endpoints/messages/route.js';
import { registerMessagingSettings } from './endpoints/messaging-settings/route.js';
import { registerOps } from './endpoints/ops/route.js';
import { registerProviderWebhooks } from './endpoints/provider-webhooks/route.js';
import { registerScores } from './endpoints/scores/route.js';
import { registerSettings } from './endpoints/settings/route.js';
import { registerSignInSettings } from './endpoints/sign-in-settings/route.js';
import { registerUsage } from './endpoints/usage/route.js';
import { registerUsers } from './endpoints/users/route.js';
import { registerVisitors } from './endpoints/visitors/route.js';
import { registerWebhookDeliveries } from './endpoints/webhooks/route.js';
import type { AppEnv } from './env.js';
import { registerLanding } from './landing/route.js';
import { documentRateLimits } from './limits/rate-limit.js';
import { requireSafeConfiguration } from './middleware/configuration.js';
import { noSniff } from './middleware/security-headers.js';
import { wellFormedUrl } from './middleware/well-formed-url.js';
import { apiError, errorResponse, invalidRequest, issuesFromZod } from './utils/errors.js';

/** The OpenAPI document's header; the paths come from the routes' own zod schemas. */
export const OPENAPI_CONFIG = {
  openapi: '3.1.0',
  info: {
    title: 'cxm edge API',
    version: '0.2.0',
    description: [
      'Candidate engagement: ingestion from the browser tracker and other systems, reads and',
      'administration for backend callers (ATS, CRM, campaign tools, the recruiter console).',
      '',
      'Authentication: `Authorization: Bearer <API key>` for backends. People use the recruiter',
      'console, signed in through their organisation’s identity provider (OpenID Connect); the',
      'console calls this API with their session the same way, so a person and a key with the same',
      'role may do the same things (`GET /v1/whoami` says which is calling). Roles, each including',
      'the one before:',
      '  user      read engagements and scores, send engagements, link visitors, mint links/tokens,',
      '            manage campaigns',
      '  reporter  + audiences, reports and monthly contact usage',
      '  manager   + settings (engagement, messaging, sign-in), API keys and users',
      '  admin     + purging candidates; making and changing admins',
      'The role a route needs is the scope of its `apiKey` security requirement. A missing or',
      'unknown key gets 401, a key below the role 403; a key never sees another organisation.',
      'Each key (and session) has a request limit, as have refused keys per client: over it, 429',
      'with `Retry-After` (seconds to wait). Limits are listed in the README ("Rate limits").',
      '',
      'Errors: `{ "error": { "code", "message", "issues"? } }`.',
    ].join('\n'),
  },
} as const;

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(c, invalidRequest(issuesFromZod(result.error)));
    },
  });

  app.use('*', noSniff());
  // Before any route: a deployment missing a required secret, or running with a development value
  // or flag, answers every request with a 503 naming the setting (middleware/configuration.ts).
  app.use('*', requireSafeConfiguration());
  // Before every route's own checks: a parameter that is not UTF-8 is a 400 naming it.
  app.use('/v1/*', wellFormedUrl());
  app.use('/t.js', wellFormedUrl());

  registerHealth(app);
  registerCollect(app);
  registerEngagements(app);
  registerContacts(app);
  registerVisitors(app);
  registerKeys(app);
  registerUsers(app);
  registerCandidates(app);
  registerContactDetails(app);
  registerScores(app);
  registerMessages(app);
  registerMessageLinks(app);
  registerUsage(app);
  registerAudit(app);
  registerWebhookDeliveries(app);
  registerProviderWebhooks(app);
  registerAudiences(app);
  registerLinks(app);
  registerSettings(app);
  registerSignInSettings(app);
  registerMessagingSettings(app);
  registerCampaigns(app);
  registerTrackerScript(app);
  registerConsole(app);
  registerOps(app);
  documentRateLimits(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer <key>`.',
  });
  app.get('/v1/openapi.json', (c) =>
    c.json(withAppStatuses(app.getOpenAPI31Document(OPENAPI_CONFIG))),
  );
  registerDocs(app, OPENAPI_CONFIG.info.title, '/v1/openapi.json');
  registerLanding(app);

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
      return errorResponse(
        c,
        apiError('payload_too_large', error.message || 'The body is too large.'),
      );
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
