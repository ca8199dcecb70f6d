// Schemas of the score endpoints: one candidate's score, many at once, and the daily history.
import { z } from '@hono/zod-openapi';
import { engagementTypeSchema, externalId, tierSchema } from '../../schemas/common.js';

export const scoreSchema = z
  .object({
    candidateId: externalId,
    tier: tierSchema.openapi({ description: 'The tier of `points` at `asOf`.' }),
    points: z.number().openapi({ description: 'Points decayed to `asOf`.' }),
    asOf: z.string(),
    breakdown: z.array(
      z.object({ type: engagementTypeSchema, points: z.number(), count: z.number().int() }),
    ),
    lastEngagedAt: z.string().nullable(),
    storedTier: tierSchema.openapi({
      description:
        'The tier with hysteresis, as webhooks announce it (moves on writes and in the daily run).',
    }),
    engagementCount: z.number().int(),
    lastContactedAt: z
      .string()
      .nullable()
      .openapi({
        description:
          'The latest contact (a text sent, or a call, email or text recorded with ' +
          '`POST /v1/contacts`); null: never contacted.',
        example: '2026-11-18T09:30:00.000Z',
      }),
  })
  .openapi('Score');

export const scoresBodySchema = z
  .object({ candidateIds: z.array(externalId).min(1).max(1000) })
  .openapi('ScoresRequest');

export const scoresReplySchema = z
  .object({ scores: z.array(scoreSchema), notFound: z.array(z.string()) })
  .openapi('Scores');

export const scoreHistorySchema = z
  .object({
    candidateId: externalId,
    thresholds: z.object({ engaged: z.number(), highlyEngaged: z.number() }),
    points: z.array(
      z.object({
        date: z.string().openapi({ example: '2026-11-20' }),
        points: z.number(),
        tier: tierSchema,
      }),
    ),
  })
  .openapi('ScoreHistory');
