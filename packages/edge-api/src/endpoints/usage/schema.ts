// Schemas of `GET /v1/usage`: the organisation's monthly contacts, used and left, and which
// candidates used them.
import { z } from '@hono/zod-openapi';
import { cursorQuery, externalId, limitQuery } from '../../schemas/common.js';

/** `YYYY-MM`, a real month from 2000 on (what the contacts' periods are labelled with). */
export const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const usageQuerySchema = z.object({
  period: z
    .string()
    .regex(PERIOD, 'must be a month, YYYY-MM (e.g. 2026-03)')
    .refine((text) => Number(text.slice(0, 4)) >= 2000, 'must be a month from 2000-01 on')
    .optional()
    .openapi({
      description:
        'A past month on the organisation’s calendar, `YYYY-MM`; default the current one. A month after the current one is refused.',
      example: '2026-03',
    }),
  limit: limitQuery(1000, 100),
  cursor: cursorQuery,
});

export const contactUsedSchema = z
  .object({
    candidateId: externalId,
    usedAt: z.string().openapi({ example: '2026-03-04T15:00:00.000Z' }),
    messageId: z.string().openapi({ description: 'The text that used it.', example: 'msg_3f0c…' }),
  })
  .openapi('ContactUsed');

export const usageSchema = z
  .object({
    period: z
      .string()
      .openapi({ description: 'The month, on the organisation’s calendar.', example: '2026-03' }),
    periodStart: z.string().openapi({
      description: 'Midnight starting the 1st of the month in `timeZone`.',
      example: '2026-03-01T00:00:00.000Z',
    }),
    renewsAt: z.string().openapi({
      description:
        'When the month ends and the allowance renews: midnight starting the next month.',
      example: '2026-04-01T00:00:00.000Z',
    }),
    timeZone: z.string().openapi({ example: 'Europe/London' }),
    allowance: z.number().int().openapi({
      description:
        'The monthly allowance now (the allowance is not kept per month, so a past month shows today’s).',
      example: 500,
    }),
    used: z
      .number()
      .int()
      .openapi({ description: 'Contacts used in the month, over all pages.', example: 42 }),
    remaining: z
      .number()
      .int()
      .openapi({ description: '`allowance - used`, never below 0.', example: 458 }),
    contacts: z.array(contactUsedSchema).openapi({
      description: 'The contacts used in the month, newest first: one per candidate.',
    }),
    nextCursor: z.string().nullable(),
  })
  .openapi('Usage');
