// Schemas of texting (`POST /v1/messages`, `GET /v1/candidates/{id}/messages`).
import { z } from '@hono/zod-openapi';
import { CHANNELS } from '../../db/schema.js';
import { externalId } from '../../schemas/common.js';

export const channelSchema = z.enum(CHANNELS).openapi('Channel');

export const sendMessageBodySchema = z
  .object({
    candidateId: externalId,
    channel: channelSchema,
    body: z.string().trim().min(1, 'Empty message.').max(1600).optional().openapi({
      description: 'Free text (SMS; WhatsApp within 24 hours of the candidate’s last message).',
    }),
    templateId: z.string().trim().min(1).max(64).optional().openapi({
      description: 'An approved template (WhatsApp outside its 24-hour window).',
    }),
    variables: z.record(z.string().max(40), z.string().max(500)).optional(),
    url: z
      .string()
      .max(2000)
      .optional()
      .openapi({
        description:
          'A link to track: on one of the organisation’s sites’ allowed origins or its link ' +
          'allowlist. The candidate receives a tracked link of their own (`/v1/m/{code}`) where ' +
          'the body says `{link}`, else after the text; for a template it is the variable ' +
          '`link`. A click records `click_message` and counts on the message.',
        example: 'https://careers.example.com/jobs/42',
      }),
  })
  .strict()
  .refine((value) => (value.body === undefined) !== (value.templateId === undefined), {
    message: 'Send either `body` or `templateId` (with `variables`), not both and not neither.',
    path: ['body'],
  })
  .refine((value) => value.variables === undefined || value.templateId !== undefined, {
    message: '`variables` go with a `templateId`.',
    path: ['variables'],
  })
  .openapi('MessageSend');
export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

export const MESSAGE_STATUSES = [
  'scheduled',
  'queued',
  'sending',
  'accepted',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'cancelled',
  'received',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const sentMessageSchema = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'scheduled']),
    scheduledFor: z.string().nullable().openapi({
      description: 'When quiet hours hold it: the next 08:00 (or the organisation’s start) local.',
    }),
    channel: channelSchema,
    from: z.string(),
    usesContact: z.boolean().openapi({
      description: 'Whether it used one of the month’s contacts (first message in 45 days).',
    }),
    link: z.string().nullable().openapi({
      description: 'The tracked link the candidate receives for `url` (null without one).',
    }),
  })
  .openapi('MessageQueued');

export const messageSchema = z
  .object({
    id: z.string(),
    direction: z.enum(['outbound', 'inbound']),
    channel: channelSchema,
    from: z.string(),
    to: z.string(),
    body: z.string().nullable(),
    templateId: z.string().nullable(),
    status: z.enum(MESSAGE_STATUSES),
    scheduledFor: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    sentBy: z.string().nullable(),
    link: z
      .object({
        url: z.string().openapi({ description: 'Where the tracked link goes.' }),
        clicks: z.number().int().openapi({
          description: 'Clicks by a person (link previews and scanners are not counted).',
        }),
      })
      .nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Message');

export const messageListSchema = z
  .object({ candidateId: z.string(), messages: z.array(messageSchema) })
  .openapi('Messages');
