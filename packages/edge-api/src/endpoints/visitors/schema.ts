// The zod schemas of `POST /v1/visitors/{visitorId}/link`.
import { z } from '@hono/zod-openapi';
import { externalId } from '../../schemas/common.js';

export const visitorIdParams = z.object({
  visitorId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 characters from [A-Za-z0-9_-]')
    .openapi({ param: { name: 'visitorId', in: 'path' }, example: 'v_3f9a1c2b7d' }),
});

export const linkBodySchema = z.object({ candidateId: externalId });

export const linkReplySchema = z
  .object({
    visitorId: z.string(),
    candidateId: z.string(),
    linkedEngagements: z
      .number()
      .int()
      .openapi({ description: "The visitor's past anonymous engagements now counted." }),
    alreadyLinked: z
      .boolean()
      .openapi({ description: 'It was linked to this candidate already: nothing changed.' }),
    tier: z.string().openapi({ description: "The candidate's stored tier after the link." }),
  })
  .openapi('VisitorLink');
