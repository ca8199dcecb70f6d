// `GET`/`PUT /v1/settings/messaging` (manager and above): the organisation's monthly contact
// allowance, time zone, send hours and sender numbers, which sending reads
// (`endpoints/messages/load-send.ts`). Every effective change is audited with what changed;
// raising the allowance is how contacts are bought, so it is never changed silently.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { errorResponses } from '../../schemas/error.js';
import { apiError, errorResponse } from '../../utils/errors.js';
import { messagingSettingsBodySchema, messagingSettingsSchema } from './schema.js';
import { readMessagingSettings, updateMessagingSettings } from './write-messaging-settings.js';

const reply = { 'application/json': { schema: messagingSettingsSchema } };

export const getMessagingSettingsRoute = createRoute({
  method: 'get',
  path: '/v1/settings/messaging',
  summary: 'The organisation’s messaging settings',
  description:
    'Monthly contact allowance, time zone, send hours and sender numbers (see `GET /v1/usage` for the contacts used).',
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [requireRole('manager')] as const,
  responses: {
    200: { description: 'The settings.', content: reply },
    ...errorResponses([401, 403]),
  },
});

export const putMessagingSettingsRoute = createRoute({
  method: 'put',
  path: '/v1/settings/messaging',
  summary: 'Change the organisation’s messaging settings',
  description: [
    'Only the fields given change; the reply is the whole settings. Send hours may narrow',
    '08:00–20:00, never widen it. Each sender number must be a valid number of its country, and',
    'that country one SMS goes to. A number another organisation sends from (its SMS or WhatsApp',
    'sender, or one of its people’s own number) is refused with 409 `sender_number_taken`: inbound',
    'texts find their organisation by it. Every effective change writes one audit entry',
    '(`settings.messaging`) with each changed field before and after; a change to the same values',
    'writes nothing. A new time zone moves the month’s boundaries from then on; contacts already',
    'used stay in the month they were counted in.',
  ].join(' '),
  tags: ['Settings'],
  security: [{ apiKey: ['manager'] }],
  middleware: [
    requireRole('manager'),
    jsonBody({ maxBytes: 8192, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: messagingSettingsBodySchema } },
    },
  },
  responses: {
    200: { description: 'The settings after the change.', content: reply },
    ...errorResponses([400, 401, 403, 409, 413, 415]),
  },
});

const getSettings: RouteHandler<typeof getMessagingSettingsRoute, AppEnv> = async (c) => {
  const settings = await readMessagingSettings(c.env.DB, c.get('caller').orgId);
  if (!settings) throw new Error('the caller’s organisation has no row');
  return c.json(settings, 200);
};

const putSettings: RouteHandler<typeof putMessagingSettingsRoute, AppEnv> = async (c) => {
  const result = await updateMessagingSettings(
    c.env,
    c.get('caller'),
    c.req.valid('json'),
    Date.now(),
  );
  if (!result.ok) return errorResponse(c, apiError(result.refusal.code, result.refusal.message));
  return c.json(result.settings, 200);
};

export function registerMessagingSettings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getMessagingSettingsRoute, getSettings);
  app.openapi(putMessagingSettingsRoute, putSettings);
}
