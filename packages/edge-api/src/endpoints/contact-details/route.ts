// A candidate's contact details for texting (user role): `PUT` sets the number, first name, time
// zone and consent per channel (creating the candidate if unknown, like tags), `GET` shows them
// with the opt-out state of each channel. Every change is audited as
// `candidate.contact_updated`, without the number, name or zone themselves.
import { createRoute, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-role.js';
import { database } from '../../db/client.js';
import type { AppEnv } from '../../env.js';
import { jsonBody } from '../../middleware/json-body.js';
import { candidateIdParams } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { apiError, errorResponse, invalidRequest } from '../../utils/errors.js';
import { candidateNotFound } from '../candidates/route.js';
import { CONTACT_RULES, contactDetailsBodySchema, contactDetailsSchema } from './schema.js';
import { contactReply, readContact, writeContact } from './write-contact-details.js';

const reply = { 'application/json': { schema: contactDetailsSchema } };

export const getContactRoute = createRoute({
  method: 'get',
  path: '/v1/candidates/{candidateId}/contact',
  summary: "A candidate's contact details for texting, with their opt-outs",
  description:
    'The number (E.164) and its country, first name, time zone, consent per channel, and ' +
    'whether the candidate opted out of SMS or WhatsApp (STOP; START opts back in). 404 for a ' +
    'candidate this organisation does not have, or one without contact details.',
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [requireRole('user')] as const,
  request: { params: candidateIdParams },
  responses: {
    200: { description: 'The contact details.', content: reply },
    ...errorResponses([400, 401, 403, 404]),
  },
});

export const putContactRoute = createRoute({
  method: 'put',
  path: '/v1/candidates/{candidateId}/contact',
  summary: "Set a candidate's contact details and consent for texting",
  description: [
    'The number must be in international format (a leading `+`) and valid for its country;',
    'it is stored as E.164 with its country. The time zone is an IANA name. A candidate not',
    `seen yet is created. ${CONTACT_RULES}`,
    'Each change is written to the audit log (`candidate.contact_updated`: who, and which',
    'fields changed; the consent records themselves, but not the number, name or zone).',
  ].join(' '),
  tags: ['Candidates'],
  security: [{ apiKey: ['user'] }],
  middleware: [
    requireRole('user'),
    jsonBody({ maxBytes: 4096, mediaTypes: ['application/json'] }),
  ] as const,
  request: {
    params: candidateIdParams,
    body: {
      required: true,
      content: { 'application/json': { schema: contactDetailsBodySchema } },
    },
  },
  responses: {
    200: { description: 'The contact details as now stored.', content: reply },
    ...errorResponses([400, 401, 403, 413, 415, 503]),
  },
});

const getContact: RouteHandler<typeof getContactRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const stored = await readContact(database(c.env.DB), c.get('caller').orgId, candidateId);
  if (!stored.candidate) return candidateNotFound(c, candidateId);
  if (!stored.row) {
    return errorResponse(
      c,
      apiError('not_found', `Candidate ${candidateId} has no contact details yet.`),
    );
  }
  return c.json(contactReply(candidateId, stored.row), 200);
};

const putContact: RouteHandler<typeof putContactRoute, AppEnv> = async (c) => {
  const { candidateId } = c.req.valid('param');
  const caller = c.get('caller');
  const outcome = await writeContact(database(c.env.DB), {
    orgId: caller.orgId,
    externalId: candidateId,
    actor: caller.actor,
    body: c.req.valid('json'),
  });
  if (!outcome.ok) return errorResponse(c, invalidRequest(outcome.issues));
  return c.json(outcome.reply, 200);
};

export function registerContactDetails(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getContactRoute, getContact);
  app.openapi(putContactRoute, putContact);
}
