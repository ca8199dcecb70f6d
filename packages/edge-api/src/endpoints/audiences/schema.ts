// Schemas of `GET /v1/audiences`, `GET /v1/reports/tiers` and `GET /v1/reports/tier-history`.
import { z } from '@hono/zod-openapi';
import { engagementTypeSchema, externalId, tierSchema } from '../../schemas/common.js';

export const audienceMemberSchema = z
  .object({
    candidateId: externalId,
    tier: tierSchema,
    points: z.number(),
    lastEngagedAt: z.string().nullable(),
    lastContactedAt: z
      .string()
      .nullable()
      .openapi({ description: 'The latest contact; null: never contacted.' }),
    tags: z.array(z.string()),
  })
  .openapi('AudienceMember');

export const audienceSchema = z
  .object({
    candidates: z.array(audienceMemberSchema),
    total: z.number().int().openapi({ description: 'Candidates matching, over all pages.' }),
    nextCursor: z.string().nullable(),
  })
  .openapi('Audience');

export const tierReportSchema = z
  .object({
    asOf: z.string(),
    from: z.string().openapi({ example: '2026-10-25' }),
    to: z.string().openapi({ example: '2026-11-23' }),
    tiers: z.object({
      inactive: z.number().int(),
      engaged: z.number().int(),
      highly_engaged: z.number().int(),
    }),
    engagementsPerDay: z.array(
      z.object({ date: z.string(), type: engagementTypeSchema, count: z.number().int() }),
    ),
  })
  .openapi('TierReport');

export const tierHistorySchema = z
  .object({
    asOf: z.string(),
    from: z.string().openapi({ example: '2025-11-24' }),
    to: z.string().openapi({ example: '2026-11-23' }),
    days: z.array(
      z.object({
        date: z.string().openapi({ example: '2026-11-23' }),
        inactive: z.number().int(),
        engaged: z.number().int(),
        highly_engaged: z.number().int(),
      }),
    ),
  })
  .openapi('TierHistory');
