// `POST /v1/contacts`: contacts made elsewhere (the ATS's calls and emails, texts sent by another
// tool), up to 500 per request, all or nothing: one bad item rejects the request and nothing is
// stored. Each moves its candidate's last contacted (`lastContactedAt`), which audiences select on.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import { OPTIONS } from '../../config.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { clampToNow } from '../../schemas/dates.js';
import { errorResponses } from '../../schemas/error.js';
import { contactsBodySchema, contactsReplySchema } from './schema.js';
import { writeContacts } from './write-contacts.js';

export const contactsRoute = createRoute({
  method: 'post',
  path: '/v1/contacts',
  summary: 'Record contacts made in another system',
  description:
    'Outbound touches of candidates made elsewhere: a text, a phone call or an email. Each ' +
    "moves the candidate's `lastContactedAt` (returned with the score, selectable in " +
    '`GET /v1/audiences`) to its `occurredAt` if that is later; it never goes backwards. ' +
    'Texts sent through this API are recorded as contacts by themselves. An unknown ' +
    '`candidateId` creates the candidate. Idempotent by `id`, per organisation. Up to ' +
    `${OPTIONS.maxEngagementsPerRequest} contacts and ${OPTIONS.maxEngagementBytes / 1024} KiB ` +
    'per request; one bad item rejects the request (every problem listed in `issues`, with ' +
    'paths such as `contacts.3.occurredAt`) and nothing is stored.',
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: OPTIONS.maxEngagementBytes, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: contactsBodySchema } } },
  },
  responses: {
    202: {
      description: 'Stored: how many were new and how many had been seen before.',
      content: { 'application/json': { schema: contactsReplySchema } },
    },
    ...errorResponses([400, 401, 403, 413, 415]),
  },
});

export function registerContacts(app: OpenAPIHono<AppEnv>): void {
  app.openapi(contactsRoute, async (c) => {
    const { contacts } = c.req.valid('json');
    const { orgId } = c.get('caller');
    const receivedAt = Date.now();
    const outcome = await writeContacts(database(c.env.DB), {
      orgId,
      receivedAt,
      items: contacts.map((item) => ({
        id: item.id,
        candidateId: item.candidateId,
        kind: item.kind,
        occurredAt: clampToNow(Date.parse(item.occurredAt), receivedAt),
      })),
    });
    return c.json(outcome, 202);
  });
}
