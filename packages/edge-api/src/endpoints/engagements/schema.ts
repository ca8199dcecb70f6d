// The zod schema of `POST /v1/engagements`.
import { ENGAGEMENT_TYPES } from '@cxm/scoring';
import { z } from '@hono/zod-openapi';
import { OPTIONS } from '../../config.js';
import { externalId } from '../../schemas/common.js';
import { checkDate, DATE_RANGE_MESSAGE } from '../../schemas/dates.js';

const occurredAt = z.iso
  .datetime({ offset: true })
  .refine(
    (text) => {
      const ms = Date.parse(text);
      // An unparsable date is reported by the format check above, not as out of range.
      return !Number.isFinite(ms) || checkDate(ms) === 'ok';
    },
    { message: DATE_RANGE_MESSAGE, params: { code: 'date_out_of_range' } },
  )
  .openapi({ example: '2026-11-20T15:00:00Z' });

export const engagementItemSchema = z
  .object({
    id: z.string().min(1).max(128).openapi({
      description: "The caller's idempotency id: the same id is stored once per organisation.",
      example: 'evt-8c1f',
    }),
    candidateId: externalId,
    type: z.enum(ENGAGEMENT_TYPES),
    detail: z
      .string()
      .max(OPTIONS.maxDetailLength)
      .optional()
      .openapi({ description: 'Email subject, page URL or event name.' }),
    occurredAt,
    machine: z
      .boolean()
      .optional()
      .openapi({ description: 'Produced by a machine, e.g. a mail privacy proxy open.' }),
  })
  .openapi('EngagementInput');

export const engagementsBodySchema = z
  .object({
    engagements: z.array(engagementItemSchema).min(1).max(OPTIONS.maxEngagementsPerRequest),
  })
  .openapi('EngagementsRequest');

export const engagementsReplySchema = z
  .object({
    accepted: z.number().int().openapi({ description: 'Newly stored.' }),
    duplicates: z.number().int().openapi({ description: 'Already seen (same id).' }),
  })
  .openapi('EngagementsReply');
