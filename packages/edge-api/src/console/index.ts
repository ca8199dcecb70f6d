// The recruiter console at /console: server-rendered pages that call the public API with the
// signed-in person's session, so the console can never do more than their role allows.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import type { AppFetch } from './api.js';
import { registerAssets } from './assets.js';
import { registerSignIn } from './auth.js';
import { registerAudit } from './controllers/audit.js';
import { registerCampaign } from './controllers/campaign.js';
import { registerCampaigns } from './controllers/campaigns.js';
import { registerCandidate } from './controllers/candidate.js';
import { registerCandidates } from './controllers/candidates.js';
import { registerKeys } from './controllers/keys.js';
import { registerReports } from './controllers/reports.js';
import { registerSettings } from './controllers/settings.js';
import { registerUsers } from './controllers/users.js';
import { registerWebhooks } from './controllers/webhooks.js';
import { securityHeaders } from './headers.js';
import { sameOrigin } from './same-origin.js';

export function registerConsole(app: OpenAPIHono<AppEnv>): void {
  // The API is called through the app itself (not over the network, not the database).
  const appFetch: AppFetch = (request, env, ctx) => app.fetch(request, env, ctx);
  const routes = new Hono<AppEnv>();
  routes.use('*', securityHeaders());
  routes.use('*', sameOrigin());
  registerAssets(routes);
  const signedIn = registerSignIn(routes, appFetch);
  registerCandidates(routes, signedIn);
  registerCandidate(routes, signedIn);
  // Before `/campaigns/:id`, so `/campaigns/new` is the form, not a campaign called "new".
  registerCampaigns(routes, signedIn);
  registerCampaign(routes, signedIn);
  registerReports(routes, signedIn);
  registerSettings(routes, signedIn);
  registerUsers(routes, signedIn);
  registerKeys(routes, signedIn);
  registerWebhooks(routes, signedIn);
  registerAudit(routes, signedIn);
  app.route('/console', routes);
}
