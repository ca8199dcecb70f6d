// The zod schema of `POST /v1/contacts`: the limits, idempotency ids and date rules of
// `POST /v1/engagements` (its `occurredAt` check is reused as is).
import { z } from '@hono/zod-openapi';
import { OPTIONS } from '../../config.js';
import { CONTACT_KINDS } from '../../db/schema.js';
import { externalId } from '../../schemas/common.js';
import { engagementItemSchema } from '../engagements/schema.js';

export const contactKindSchema = z.enum(CONTACT_KINDS).openapi('ContactKind', {
  description:
    'How the candidate was contacted: a text (`sms`, `whatsapp`), a `phone_call` or an `email`.',
});

export const contactItemSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(128)
      .openapi({
        description:
          "The caller's idempotency id: the same id is stored once per organisation (a retried " +
          'request stores nothing new).',
        example: 'call-5521',
      }),
    candidateId: externalId,
    kind: contactKindSchema,
    occurredAt: engagementItemSchema.shape.occurredAt.openapi({
      description:
        'When the contact happened: from 2000-01-01 to 24 hours ahead of the server clock (a ' +
        'time ahead of it is stored as the time received).',
      example: '2026-11-20T15:00:00Z',
    }),
  })
  .openapi('ContactInput');

export const contactsBodySchema = z
  .object({
    contacts: z.array(contactItemSchema).min(1).max(OPTIONS.maxEngagementsPerRequest),
  })
  .openapi('ContactsRequest');

export const contactsReplySchema = z
  .object({
    accepted: z.number().int().openapi({ description: 'Newly stored.' }),
    duplicates: z.number().int().openapi({ description: 'Already seen (same id).' }),
  })
  .openapi('ContactsReply');
