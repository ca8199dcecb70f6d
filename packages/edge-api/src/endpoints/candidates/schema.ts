// Schemas of the candidate endpoints: the Engagement tab, tags, purge (scores: ../scores/schema.ts).
import { z } from '@hono/zod-openapi';
import { ENGAGEMENT_ATTRIBUTIONS, ENGAGEMENT_SOURCES } from '../../db/schema.js';
import { engagementTypeSchema, externalId } from '../../schemas/common.js';

const ATTRIBUTION_DESCRIPTION = [
  "How the engagement came to be this candidate's, so a recruiter can judge it:",
  "`visitor`: a career-site event from a browser profile (the tracker's stored id) already linked",
  'to the candidate (as reliable as that link; anyone else using the same browser profile counts too);',
  '`identity_token`: a career-site event whose beacon carried a valid signed identity token naming',
  'the candidate (a tracked email click or a portal link; strong, though a forwarded email credits',
  'whoever opens it);',
  '`link`: a career-site event stored anonymously, then given to the candidate when the browser was',
  "linked (`POST /v1/visitors/{id}/link`, e.g. a form's hidden visitor field through the site's",
  'backend, or an identity token on a later visit; as reliable as that link);',
  '`fingerprint`: a career-site event of a browser profile never linked itself, recognised by its',
  'device fingerprint while that pointed at this candidate alone (most likely them with cleared',
  'storage; weak: every browser of one build on one device shares it; it moves when the profile',
  'is linked to someone else);',
  '`api`: sent by a backend caller naming the candidate (`POST /v1/engagements`);',
  '`email_link`: an open or click of a tracked email link minted for the candidate;',
  '`message_link`: a click of the tracked link in a text message sent to the candidate.',
  'Null only for rows stored before attribution was recorded whose attribution is not known.',
].join(' ');

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
    attribution: z
      .enum(ENGAGEMENT_ATTRIBUTIONS)
      .nullable()
      .openapi({ description: ATTRIBUTION_DESCRIPTION }),
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
      visitors: z
        .number()
        .int()
        .openapi({
          description:
            'Devices linked to the candidate, with the fingerprints (device hints) linked to it or ' +
            'last seen with those devices.',
        }),
      webhookDeliveries: z.number().int(),
      contacts: z.number().int().openapi({
        description: 'Contacts: texts sent, and calls, emails or texts recorded from elsewhere.',
      }),
      messages: z.number().int().openapi({ description: 'Texts both ways.' }),
      contactDetails: z.number().int().openapi({
        description: 'The phone number, first name, time zone, consent and opt-outs (0 or 1).',
      }),
      contactUsage: z.number().int().openapi({
        description:
          'Monthly contacts the candidate used, one per period: they no longer count as used.',
      }),
    }),
  })
  .openapi('Purge');

export const tagChangesBodySchema = z
  .object({
    candidateIds: z
      .array(externalId)
      .min(1)
      .max(500)
      .openapi({ description: 'The candidates to change, by the organisation’s own ids.' }),
    add: z.array(tagSchema).max(20).optional().openapi({ description: 'Tags to set on each.' }),
    remove: z
      .array(tagSchema)
      .max(20)
      .optional()
      .openapi({ description: 'Tags to take off each.' }),
  })
  .strict()
  .refine((value) => (value.add?.length ?? 0) + (value.remove?.length ?? 0) > 0, {
    message: 'Give at least one tag to `add` or to `remove`.',
    path: ['add'],
  })
  .refine((value) => !(value.add ?? []).some((tag) => (value.remove ?? []).includes(tag.trim())), {
    message: 'A tag cannot be both added and removed.',
    path: ['remove'],
  })
  .openapi('TagChangesRequest');
export type TagChangesBody = z.infer<typeof tagChangesBodySchema>;

export const tagChangesReplySchema = z
  .object({
    candidates: z.number().int().openapi({ description: 'Candidates the change applied to.' }),
    added: z
      .number()
      .int()
      .openapi({ description: 'Tags newly set (a tag a candidate already had is not counted).' }),
    removed: z.number().int().openapi({ description: 'Tags taken off.' }),
  })
  .openapi('TagChanges');
