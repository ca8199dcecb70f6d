// Schemas of the engagement settings (`/v1/settings/engagement`) and the tracking code.
import { DEFAULT_MODEL, ENGAGEMENT_TYPES } from '@cxm/scoring';
import { z } from '@hono/zod-openapi';

export const CONSENT_MODES = ['none', 'onetrust', 'manual'] as const;

const perType = z.object(
  Object.fromEntries(ENGAGEMENT_TYPES.map((type) => [type, z.number()])) as Record<
    (typeof ENGAGEMENT_TYPES)[number],
    z.ZodNumber
  >,
);

/** The scoring model as documented; on input it is checked by `validateModel` instead. */
export const scoringModelSchema = z
  .object({
    weights: perType,
    halfLifeDays: z.number(),
    thresholds: z.object({ engaged: z.number(), highlyEngaged: z.number() }),
    window: z.object({ hours: z.number(), caps: perType }),
    machineFactor: z.number(),
    hysteresis: z.number(),
  })
  .openapi('ScoringModel');

/** The latest rescore after a scoring model change (`src/scoring/rescore.ts`). */
export const rescoreProgressSchema = z
  .object({
    state: z.enum(['queued', 'running', 'done', 'failed']).openapi({
      description:
        '`queued` until its first page runs, `running`, then `done`; `failed` when its pages ' +
        'could not be written after several resumes (saving the model again starts afresh).',
    }),
    done: z.number().int().openapi({ description: 'Candidates rescored so far.' }),
    total: z.number().int().openapi({
      description: 'Candidates with a score when it started (at least `done`).',
    }),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('RescoreProgress');

const origin = z.string().max(300).openapi({ example: 'https://careers.example.com' });

export const settingsSchema = z
  .object({
    trackingEnabled: z.boolean().openapi({
      description: "Career-site (browser) tracking for the organisation's sites.",
    }),
    allowedOrigins: z.array(z.string()),
    consentMode: z.enum(CONSENT_MODES),
    onetrustCategory: z.string(),
    dedupe: z.object({ visitMinutes: z.number().int(), formMinutes: z.number().int() }),
    scoringModel: scoringModelSchema,
    scoringModelIsDefault: z.boolean(),
    webhookUrl: z.string().nullable(),
    webhookSecretSet: z.boolean(),
    webhookPreviousSecretValidUntil: z
      .string()
      .nullable()
      .openapi({
        description:
          'After a rotation: until when deliveries also carry a signature by the previous ' +
          'secret (a second `v1=` in `cxm-signature`, 24 hours); null otherwise.',
      }),
    linkAllowlist: z.array(z.string()),
    rescore: rescoreProgressSchema.nullable().openapi({
      description:
        'The rescore after the latest scoring model change: the `PUT` that changes the model ' +
        'answers before it finishes, its pages run in the background. Null: no change recorded.',
    }),
    siteKey: z.string().nullable().openapi({ description: "The first site's public key." }),
    sites: z.array(
      z.object({
        siteKey: z.string(),
        trackingEnabled: z.boolean(),
        allowedOrigins: z.array(z.string()),
      }),
    ),
  })
  .openapi('EngagementSettings');

export const settingsUpdateReplySchema = settingsSchema
  .extend({
    webhookSecret: z.string().optional().openapi({
      description: 'Only when a secret was just created or rotated: shown once, store it.',
    }),
    rescored: z
      .number()
      .int()
      .optional()
      .openapi({
        description:
          'Only where the rescore queue is not configured: the candidates rescored before ' +
          'the reply. Otherwise `rescore` shows the run (queued) and its progress.',
      }),
  })
  .openapi('EngagementSettingsUpdated');

export const settingsBodySchema = z
  .object({
    trackingEnabled: z.boolean(),
    allowedOrigins: z.array(origin).max(50),
    consentMode: z.enum(CONSENT_MODES),
    onetrustCategory: z.string().regex(/^C\d{4}$/, 'must look like C0004'),
    dedupe: z
      .object({
        visitMinutes: z.number().int().min(0).max(1440),
        formMinutes: z.number().int().min(0).max(1440),
      })
      .partial(),
    scoringModel: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description: 'A ScoringModel (checked by validateModel), or null for the default.',
        example: DEFAULT_MODEL as unknown as Record<string, unknown>,
      }),
    webhookUrl: z.string().max(2000).nullable().openapi({
      description: 'https, or http://127.0.0.1 / localhost for development; null: off.',
    }),
    rotateWebhookSecret: z.literal(true).openapi({ description: 'Issue a new webhook secret.' }),
    linkAllowlist: z.array(origin).max(50),
  })
  .partial()
  .strict()
  .openapi('EngagementSettingsUpdate');

export type SettingsBody = z.infer<typeof settingsBodySchema>;

export const trackingCodeQuerySchema = z.object({
  consent: z.enum(CONSENT_MODES).optional().openapi({
    description: "Default: the organisation's consent mode.",
  }),
});

export const trackingCodeSchema = z
  .object({
    consent: z.enum(CONSENT_MODES),
    siteKey: z.string(),
    snippet: z.string(),
  })
  .openapi('TrackingCode');

export const modelPreviewBodySchema = z
  .object({
    scoringModel: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description: 'The model to preview (checked by validateModel), or null for the default.',
        example: DEFAULT_MODEL as unknown as Record<string, unknown>,
      }),
  })
  .strict()
  .openapi('ScoringModelPreviewRequest');

const tierCounts = z
  .object({
    inactive: z.number().int(),
    engaged: z.number().int(),
    highly_engaged: z.number().int(),
  })
  .openapi('TierCounts');

export const modelPreviewSchema = z
  .object({
    asOf: z.string(),
    method: z.enum(['thresholds', 'weights', 'rebuild']).openapi({
      description:
        'How it was computed: `thresholds` (the stored sort keys against the new thresholds), ' +
        '`weights` (the stored per-type sums scaled to the new weights), `rebuild` (every ' +
        "candidate's engagements folded under the new model, as saving it does).",
    }),
    current: tierCounts.openapi({ description: "Today's counts, as the tier report gives them." }),
    preview: tierCounts.openapi({ description: 'The counts right after saving the model.' }),
  })
  .openapi('ScoringModelPreview');
