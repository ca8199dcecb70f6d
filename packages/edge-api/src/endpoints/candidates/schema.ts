// Schemas of the candidate endpoints: the Engagement tab, tags, purge (scores: ../scores/schema.ts).
import { z } from '@hono/zod-openapi';
import { ENGAGEMENT_SOURCES } from '../../db/schema.js';
import { engagementTypeSchema, externalId } from '../../schemas/common.js';

export const engagementSchema = z
  .object({
    id: z.string(),
    type: engagementTypeSchema,
    detail: z.string().nullable().openapi({ description: 'Email subject, page URL or event.' }),
    occurredAt: z.string().openapi({ example: '2026-11-20T15:00:00.000Z' }),
    receivedAt: z.string(),
    source: z.enum(ENGAGEMENT_SOURCES),
    machine: z
      .boolean()
      .openapi({ description: 'Made by a machine (e.g. a mail privacy proxy open).' }),
  })
  .openapi('Engagement');

export const engagementPageSchema = z
  .object({
    engagements: z.array(engagementSchema),
    nextCursor: z.string().nullable(),
  })
  .openapi('EngagementPage');

export const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^,]+$/, 'must not contain a comma');

export const tagsBodySchema = z
  .object({ tags: z.array(tagSchema).max(100) })
  .openapi('TagsRequest');

export const tagsReplySchema = z
  .object({ candidateId: externalId, tags: z.array(z.string()) })
  .openapi('Tags');

export const purgeReplySchema = z
  .object({
    candidateId: externalId,
    purged: z.literal(true),
    removed: z.object({
      engagements: z.number().int(),
      trackedLinks: z.number().int(),
      tags: z.number().int(),
      scores: z.number().int(),
      visitors: z.number().int().openapi({ description: 'Devices linked to the candidate.' }),
      webhookDeliveries: z.number().int(),
    }),
  })
  .openapi('Purge');
