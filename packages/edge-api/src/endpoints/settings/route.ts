// `GET`/`PUT /v1/settings/engagement` and the tracking code to paste (manager role). The tracking
// toggle governs browser tracking only: `/t.js` turns inert and `/v1/collect` stores nothing while
// it is off; server-to-server engagements (email, events, forms processed by the caller) are
// always recorded.
import { DEFAULT_MODEL } from '@cxm/scoring';
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { callerOrg } from '../../orgs/context.js';
import { errorResponses } from '../../schemas/error.js';
import { NO_STORE, noStoreHeaders } from '../../schemas/headers.js';
import { rescoreProgress } from '../../scoring/rescore.js';
import { apiError, errorResponse, type Issue, invalidRequest } from '../../utils/errors.js';
import { flagOn } from '../../utils/outbound-url.js';
import { sealingSecrets } from '../../utils/sealed.js';
import { previewModel } from './preview.js';
import {
  modelPreviewBodySchema,
  modelPreviewSchema,
  settingsBodySchema,
  settingsSchema,
  settingsUpdateReplySchema,
  trackingCodeQuerySchema,
  trackingCodeSchema,
} from './schema.js';
import { consentOf, settingsReply } from './settings-reply.js';
import { trackingSnippet } from './tracking-code.js';
import { updateSettings } from './update-settings.js';
import { checkModel, validateSettings } from './validate-settings.js';

export const getSettingsRoute = createRoute({
  method: 'get',
  path: '/v1/settings/engagement',
  summary: 'Engagement settings',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  responses: {
    200: {
      description: 'The settings.',
      content: { 'application/json': { schema: settingsSchema } },
    },
    ...errorResponses([401, 403]),
  },
});

export const putSettingsRoute = createRoute({
  method: 'put',
  path: '/v1/settings/engagement',
  summary: 'Change engagement settings',
  description:
    'Any subset of the writable fields; returns the whole settings. A new scoring model is ' +
    'checked with `validateModel` (every problem listed) and every candidate is rescored in ' +
    'the background, page by page: the reply shows the run as `rescore` (`queued`), and ' +
    '`GET` its progress until `done`. ' +
    'Setting a webhook URL for the first time (or `rotateWebhookSecret: true`) returns ' +
    '`webhookSecret` once; it is stored encrypted and no read returns it. After a rotation ' +
    'deliveries carry signatures by the new and the previous secret for 24 hours ' +
    '(`webhookPreviousSecretValidUntil`).',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [
    requireRole('manager'),
    jsonBody({ maxBytes: 32 * 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: settingsBodySchema } } },
  },
  responses: {
    200: {
      description: 'The settings after the change.',
      headers: noStoreHeaders,
      content: { 'application/json': { schema: settingsUpdateReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export const trackingCodeRoute = createRoute({
  method: 'get',
  path: '/v1/settings/engagement/tracking-code',
  summary: 'The snippet to paste on the career site',
  description:
    'The OneTrust variant marks the tracker script tag `type="text/plain"` with the ' +
    '`optanon-category-<category>` class, so OneTrust runs it only once that category has ' +
    'consent; the one-line queue stub stays runnable (it sends and stores nothing).',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  request: { query: trackingCodeQuerySchema },
  responses: {
    200: {
      description: 'The snippet.',
      content: { 'application/json': { schema: trackingCodeSchema } },
    },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const previewModelRoute = createRoute({
  method: 'post',
  path: '/v1/settings/engagement/preview',
  summary: "What a scoring model would do to today's tier counts",
  description:
    'Checks the model as `PUT` does (every problem listed, as `scoringModel.<path>` issues) and ' +
    'answers the tier counts now and right after saving it, as `GET /v1/reports/tiers` would ' +
    'give them. Writes nothing. A change of thresholds or weights is read from the stored ' +
    "scores; a change of half-life, window, caps or machine factor folds every candidate's " +
    'engagements, as a save does.',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [
    requireRole('manager'),
    jsonBody({ maxBytes: 32 * 1024, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: modelPreviewBodySchema } } },
  },
  responses: {
    200: {
      description: 'The tier counts now and with the model.',
      content: { 'application/json': { schema: modelPreviewSchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

const getSettings: RouteHandler<typeof getSettingsRoute, AppEnv> = async (c) => {
  const db = database(c.env.DB);
  const org = await callerOrg(db, c.get('caller').orgId);
  return c.json(settingsReply(org, await rescoreProgress(db, org.id)), 200);
};

const putSettings: RouteHandler<typeof putSettingsRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const caller = c.get('caller');
  const check = validateSettings(body, {
    allowLocalWebhooks: flagOn(c.env.ALLOW_LOCAL_WEBHOOKS),
  });
  if (!check.ok) return errorResponse(c, invalidRequest(check.issues));
  const db = database(c.env.DB);
  const before = await callerOrg(db, caller.orgId);
  const updated = await updateSettings(db, {
    directory: c.env,
    org: before,
    body,
    checked: check.settings,
    actor: caller.actor,
    now: Date.now(),
    secrets: sealingSecrets(c.env),
    rescoreQueue: c.env.RESCORE_QUEUE,
  });
  const after = await callerOrg(db, caller.orgId);
  const rescore = await rescoreProgress(db, caller.orgId);
  // It may carry a new webhook secret.
  return c.json({ ...settingsReply(after, rescore), ...updated }, 200, NO_STORE);
};

const getTrackingCode: RouteHandler<typeof trackingCodeRoute, AppEnv> = async (c) => {
  const org = await callerOrg(database(c.env.DB), c.get('caller').orgId);
  const site = org.sites[0];
  if (!site) {
    return errorResponse(
      c,
      apiError('not_found', 'The organisation has no career site yet; set allowedOrigins first.'),
    );
  }
  const consent = c.req.valid('query').consent ?? consentOf(org.consentMode);
  const snippet = trackingSnippet({
    origin: new URL(c.req.url).origin,
    siteKey: site.publicKey,
    consent,
    onetrustCategory: org.oneTrustCategory,
  });
  return c.json({ consent, siteKey: site.publicKey, snippet }, 200);
};

const postPreview: RouteHandler<typeof previewModelRoute, AppEnv> = async (c) => {
  const issues: Issue[] = [];
  const checked = checkModel(c.req.valid('json').scoringModel, issues);
  if (checked === undefined) return errorResponse(c, invalidRequest(issues));
  const db = database(c.env.DB);
  const org = await callerOrg(db, c.get('caller').orgId);
  const now = Date.now();
  const result = await previewModel(c.env.DB, db, {
    orgId: org.id,
    now,
    current: org.model,
    next: checked ?? DEFAULT_MODEL,
  });
  return c.json({ asOf: new Date(now).toISOString(), ...result }, 200);
};

export function registerSettings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getSettingsRoute, getSettings);
  app.openapi(putSettingsRoute, putSettings);
  app.openapi(trackingCodeRoute, getTrackingCode);
  app.openapi(previewModelRoute, postPreview);
}
