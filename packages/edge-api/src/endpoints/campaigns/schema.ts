// Schemas of campaigns (`/v1/campaigns`, issue 17): the definition of a daily re-engagement text.
// Every check a field can make on its own is here, so its refusal names the field; the checks that
// need the whole campaign or the organisation (channel and content, `{{url}}` without a url, the
// url's origin, send hours, the sender) are in `rules.ts` and `write-campaigns.ts`.
import { z } from '@hono/zod-openapi';
import { CAMPAIGN_RUN_STATES, CAMPAIGN_STATES } from '../../db/schema.js';
import { cursorQuery, limitQuery } from '../../schemas/common.js';
import { tagSchema } from '../candidates/schema.js';

/** The last-contacted timeframes a campaign may use, in days. */
export const TIMEFRAME_DAYS = [7, 14, 30, 60, 90, 180, 365] as const;

/** Mail-merge placeholders a campaign message may use. */
export const PLACEHOLDERS = ['firstName', 'url'] as const;

export const MAX_TAGS = 20;
export const MAX_TEXT = 1600;

const TIMEFRAME_MESSAGE = `Give one of notContactedForDays (${TIMEFRAME_DAYS.join(', ')}) or neverContacted: true.`;

const DESCRIPTIONS = {
  reengagement:
    'A re-engagement campaign (texts the warm pool every day). Set at creation and never changed: a re-engagement campaign cannot become a standard one. Only `true` is supported so far.',
  timeframe:
    'Last contacted: candidates last contacted more than `notContactedForDays` days ago (7, 14, 30, 60, 90, 180 or 365), or `neverContacted: true`. Exactly one.',
  tags: `Candidates with these tags (at most ${MAX_TAGS}); none means any candidate.`,
  tagsMode: '`all`: candidates with every tag; `any`: with at least one.',
  fromUserId:
    'The person the texts are from: an active user of the organisation holding a messaging licence. Defaults to the calling person (an API key must give one); only a manager or admin may choose someone other than themselves.',
  sendTime:
    'When each day’s run starts, `HH:MM` (24-hour) on the organisation’s clock; within its send hours.',
  channel: '`sms` (with a `message`) or `whatsapp` (with an approved `templateId`).',
  message: `The text, 1 to ${MAX_TEXT} characters, with mail merge: \`{{firstName}}\`, \`{{url}}\` (the campaign's tracked URL).`,
  templateId:
    'A saved template: required for WhatsApp (a campaign text is always outside the 24-hour window).',
  url: 'Tracked click-through URL, on the organisation’s sites or link allowlist.',
  autoResponse: `Sent when a candidate replies to a campaign text, instead of the sender's own auto-reply (up to ${MAX_TEXT} characters).`,
  code: 'The job code the campaign is for (up to 40 characters).',
} as const;

const name = z
  .string({ error: 'Give the campaign a name.' })
  .trim()
  .min(1, 'Give the campaign a name.')
  .max(120, 'At most 120 characters.');

const days = z
  .number({ error: TIMEFRAME_MESSAGE })
  .refine((value) => (TIMEFRAME_DAYS as readonly number[]).includes(value), {
    message: `Not a timeframe: notContactedForDays is one of ${TIMEFRAME_DAYS.join(', ')}.`,
  });

export const timeframeSchema = z
  .object({
    notContactedForDays: days.optional(),
    neverContacted: z.literal(true, { error: 'Only true: leave it out otherwise.' }).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if ((value.notContactedForDays === undefined) === (value.neverContacted === undefined)) {
      ctx.addIssue({ code: 'custom', message: TIMEFRAME_MESSAGE });
    }
  })
  .openapi('CampaignTimeframe', {
    description: DESCRIPTIONS.timeframe,
    example: { notContactedForDays: 30 },
  });

export type Timeframe = { notContactedForDays: number } | { neverContacted: true };

const tags = z
  .array(tagSchema, { error: 'A list of tags.' })
  .max(MAX_TAGS, `At most ${MAX_TAGS} tags.`)
  .openapi({ description: DESCRIPTIONS.tags, example: ['engineering', 'london'] });

const SEND_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const sendTime = z
  .string({ error: 'A time of day, HH:MM.' })
  .regex(SEND_TIME, 'A time of day on the 24-hour clock, HH:MM from 00:00 to 23:59 (e.g. 09:30).')
  .openapi({ description: DESCRIPTIONS.sendTime, example: '09:30' });

/** `{{name}}` placeholders in `text`, in order, as written between the braces. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{\{([^{}]*)\}\}/g)].map((match) => match[1] ?? '');
}

const message = z
  .string()
  .trim()
  .min(1, 'Empty: send null to remove it.')
  .max(MAX_TEXT, `At most ${MAX_TEXT} characters.`)
  .superRefine((text, ctx) => {
    for (const placeholder of new Set(placeholdersOf(text))) {
      if (!(PLACEHOLDERS as readonly string[]).includes(placeholder)) {
        ctx.addIssue({
          code: 'custom',
          message: `{{${placeholder}}} is not a mail-merge field: use {{firstName}} or {{url}}.`,
        });
      }
    }
  })
  .openapi({ description: DESCRIPTIONS.message, example: 'Hi {{firstName}}, new roles: {{url}}' });

const templateId = z
  .string()
  .trim()
  .min(1, 'Empty: send null to remove it.')
  .max(64)
  .openapi({ description: DESCRIPTIONS.templateId, example: 'HX0123456789abcdef' });

const templateVariables = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((value) => Object.keys(value).length <= 20, 'At most 20 variables.')
  .openapi({ description: 'Values of the template’s variables.', example: { '1': 'engineering' } });

const url = z
  .string()
  .trim()
  .min(1, 'Empty: send null to remove it.')
  .max(2048)
  .openapi({ description: DESCRIPTIONS.url, example: 'https://careers.example.com/jobs' });

const autoResponse = z
  .string()
  .trim()
  .min(1, 'Empty: send null to remove it.')
  .max(MAX_TEXT, `At most ${MAX_TEXT} characters.`)
  .openapi({ description: DESCRIPTIONS.autoResponse });

const code = z
  .string()
  .trim()
  .min(1, 'Empty: send null to remove it.')
  .max(40, 'At most 40 characters.')
  .openapi({ description: DESCRIPTIONS.code, example: 'ENG-1042' });

const fromUserId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .openapi({ description: DESCRIPTIONS.fromUserId, example: 'usr_demo_user' });

export const CAMPAIGN_CHANNELS = ['sms', 'whatsapp'] as const;
const channel = z
  .enum(CAMPAIGN_CHANNELS, { error: 'sms or whatsapp.' })
  .openapi({ description: DESCRIPTIONS.channel });
const tagsMode = z
  .enum(['all', 'any'], { error: 'all or any.' })
  .openapi({ description: DESCRIPTIONS.tagsMode });

export const campaignSchema = z
  .object({
    id: z.string().openapi({ example: 'cmp_0f8e…' }),
    name: z.string(),
    reengagement: z.boolean().openapi({ description: DESCRIPTIONS.reengagement }),
    code: z.string().nullable(),
    url: z.string().nullable(),
    autoResponse: z.string().nullable(),
    timeframe: timeframeSchema,
    tags: z.array(z.string()),
    tagsMode: z.enum(['all', 'any']),
    fromUserId: z.string(),
    sendTime: z.string().openapi({ example: '09:30' }),
    channel: z.enum(CAMPAIGN_CHANNELS),
    message: z.string().nullable(),
    templateId: z.string().nullable(),
    templateVariables: z.record(z.string(), z.string()).nullable(),
    state: z.enum(CAMPAIGN_STATES),
    createdBy: z.string().openapi({ example: 'user:usr_demo_user' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Campaign');

export type CampaignJson = z.infer<typeof campaignSchema>;

export const campaignPageSchema = z
  .object({ campaigns: z.array(campaignSchema), nextCursor: z.string().nullable() })
  .openapi('CampaignPage');

export const createCampaignBodySchema = z
  .object({
    name,
    reengagement: z
      .boolean({ error: 'Say whether this is a re-engagement campaign (true).' })
      .openapi({ description: DESCRIPTIONS.reengagement }),
    code: code.nullable().optional(),
    url: url.nullable().optional(),
    autoResponse: autoResponse.nullable().optional(),
    timeframe: timeframeSchema,
    tags: tags.default([]),
    tagsMode: tagsMode.default('any'),
    fromUserId: fromUserId.optional(),
    sendTime,
    channel,
    message: message.nullable().optional(),
    templateId: templateId.nullable().optional(),
    templateVariables: templateVariables.nullable().optional(),
    state: z
      .enum(['enabled', 'disabled'], { error: 'enabled or disabled.' })
      .default('enabled')
      .openapi({ description: 'Start enabled (default) or disabled.' }),
  })
  .strict()
  .openapi('CampaignCreate', {
    example: {
      name: 'Warm pool, 30 days',
      reengagement: true,
      timeframe: { notContactedForDays: 30 },
      tags: ['engineering'],
      sendTime: '09:30',
      channel: 'sms',
      message: 'Hi {{firstName}}, we have new roles for you: {{url}}',
      url: 'https://careers.example.com/jobs',
    },
  });

export type CreateCampaignBody = z.infer<typeof createCampaignBodySchema>;

export const updateCampaignBodySchema = z
  .object({
    name: name.optional(),
    reengagement: z.boolean().optional().openapi({
      description: 'May be sent as it is; a re-engagement campaign cannot become a standard one.',
    }),
    code: code.nullable().optional(),
    url: url.nullable().optional(),
    autoResponse: autoResponse.nullable().optional(),
    timeframe: timeframeSchema.optional(),
    tags: tags.optional(),
    tagsMode: tagsMode.optional(),
    fromUserId: fromUserId.optional(),
    sendTime: sendTime.optional(),
    channel: channel.optional(),
    message: message.nullable().optional(),
    templateId: templateId.nullable().optional(),
    templateVariables: templateVariables.nullable().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change.' })
  .openapi('CampaignUpdate', {
    description:
      'Only the fields given change (null removes an optional one); state changes through enable, disable and archive.',
  });

export type UpdateCampaignBody = z.infer<typeof updateCampaignBodySchema>;

export const campaignListQuerySchema = z.object({
  type: z
    .enum(['reengagement', 'standard'], { error: 'reengagement or standard.' })
    .optional()
    .openapi({ description: 'Only re-engagement or only standard campaigns; default both.' }),
  name: z
    .string()
    .max(120)
    .optional()
    .openapi({ description: 'Campaigns whose name contains this (case-insensitive).' }),
  code: z
    .string()
    .max(40)
    .optional()
    .openapi({ description: 'Campaigns whose code contains this (case-insensitive).' }),
  state: z
    .enum(CAMPAIGN_STATES, { error: 'enabled, disabled or archived.' })
    .optional()
    .openapi({ description: 'Only this state; default enabled and disabled (archived hidden).' }),
  limit: limitQuery(200, 50),
  cursor: cursorQuery,
});

export const campaignIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'cmp_0f8e…' }),
});

const skipCount = (description: string) => z.number().int().openapi({ description });

export const skippedSchema = z
  .object({
    inactive: skipCount('In the Inactive tier now.'),
    optedOut: skipCount('Opted out of the channel (replied STOP).'),
    noNumberOrConsent: skipCount(
      'No number, no consent for the channel (SMS consent, WhatsApp opt-in), or a number SMS does not reach (WhatsApp: an embargoed country or Crimea).',
    ),
    textedToday: skipCount(
      'Already sent a campaign text since midnight on the organisation’s clock.',
    ),
    noSenderNumber: skipCount(
      'No number to send from to their country: neither the sender’s own number nor an organisation number there (SMS), or no WhatsApp number.',
    ),
    quietHours: skipCount(
      'Outside the send hours on their clock now (their zone, else their number’s, else the organisation’s).',
    ),
    noContactsLeft: skipCount(
      'Would use a monthly contact (not messaged for 45 days) when none is left.',
    ),
  })
  .openapi({
    description:
      'Matched but skipped, each candidate under the first reason that applies, in this order.',
  });

export const campaignEstimateSchema = z
  .object({
    campaignId: z
      .string()
      .nullable()
      .openapi({ description: 'Null for a draft.', example: 'cmp_0f8e…' }),
    asOf: z.string().openapi({ description: 'The instant estimated (now).' }),
    wouldText: z.number().int().openapi({
      description: 'Matched candidates a run at `asOf` would text: `matched` less every skip.',
      example: 412,
    }),
    matched: z.number().int().openapi({
      description: 'Candidates matching the last-contacted timeframe and the tags.',
      example: 530,
    }),
    skipped: skippedSchema,
  })
  .openapi('CampaignEstimate');

export const draftEstimateBodySchema = z
  .object({
    timeframe: timeframeSchema,
    tags: tags.default([]),
    tagsMode: tagsMode.default('any'),
    channel,
    fromUserId: fromUserId.optional(),
  })
  .strict()
  .openapi('CampaignDraftEstimate', {
    description:
      'The audience part of a campaign not saved yet: who it would text now (the console’s live estimate while adding one).',
  });

export const runListQuerySchema = z.object({
  limit: limitQuery(100, 30),
  cursor: cursorQuery,
});

const runCount = (description: string) => z.number().int().openapi({ description });

export const campaignRunSchema = z
  .object({
    id: z.string().openapi({ example: 'run_4b1c…' }),
    date: z.string().openapi({
      description: 'The organisation’s local date the run is for (one run per date).',
      example: '2026-12-02',
    }),
    state: z.enum(CAMPAIGN_RUN_STATES).openapi({
      description:
        '`running` (pages still being written), `done`, `stopped` (the campaign was disabled or archived during the run) or `failed` (see `error`).',
    }),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    matched: runCount('Candidates matching the timeframe and tags when the run started.'),
    sent: runCount('Texts the run wrote and queued (each a contact once sent).'),
    delivered: runCount('Of those, delivered to the handset (status callbacks).'),
    failed: runCount('Of those, failed, undelivered or cancelled (an opt-out before sending).'),
    skipped: skippedSchema,
    clicks: runCount('Texts whose tracked link a person followed.'),
    replies: runCount('Candidates who answered (keywords aside).'),
    optOuts: runCount('Candidates who answered STOP (or a variant).'),
    error: z.string().nullable(),
  })
  .openapi('CampaignRun');

export const campaignRunPageSchema = z
  .object({ data: z.array(campaignRunSchema), nextCursor: z.string().nullable() })
  .openapi('CampaignRunPage');
