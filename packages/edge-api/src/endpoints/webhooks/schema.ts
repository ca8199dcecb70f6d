// Schemas of the webhook delivery log and its actions (`/v1/webhook-deliveries`).
import { z } from '@hono/zod-openapi';
import { DELIVERY_STATUSES } from '../../db/schema.js';
import { cursorQuery, limitQuery } from '../../schemas/common.js';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/event-types.js';

export const deliveryStatusSchema = z.enum(DELIVERY_STATUSES).openapi('WebhookDeliveryStatus');

export const deliveriesQuerySchema = z.object({
  status: deliveryStatusSchema.optional().openapi({
    description: '`pending` (not yet taken, retrying), `delivered` or `failed` (gave up).',
  }),
  type: z
    .enum(WEBHOOK_EVENT_TYPES)
    .optional()
    .openapi({ description: "The event's `type`.", example: 'candidate.tier_changed' }),
  limit: limitQuery(200, 50),
  cursor: cursorQuery,
});

export const deliveryIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({
      param: { name: 'id', in: 'path' },
      example: '5f0c6d1e-0b7a-4e53-9a57-3c1f1d2b9e40',
    }),
});

export const deliverySchema = z
  .object({
    id: z
      .string()
      .openapi({ description: "The event id: the payload's `id` and the `cxm-delivery` header." }),
    type: z.string().openapi({ example: 'candidate.tier_changed' }),
    status: deliveryStatusSchema,
    attempts: z
      .number()
      .int()
      .openapi({ description: 'Posts so far (since the last redelivery).' }),
    createdAt: z.string().openapi({ example: '2026-12-03T10:15:00.000Z' }),
    deliveredAt: z
      .string()
      .nullable()
      .openapi({ description: 'When a receiver last took it with a 2xx; null until then.' }),
    nextAttemptAt: z
      .string()
      .nullable()
      .openapi({ description: 'The next try of a pending event; null once delivered or failed.' }),
    lastError: z
      .string()
      .nullable()
      .openapi({ description: 'Why the last attempt failed (`HTTP 500`, a timeout), else null.' }),
    payload: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The exact JSON body posted (and signed).' }),
  })
  .openapi('WebhookDelivery');

export const deliveryPageSchema = z
  .object({ deliveries: z.array(deliverySchema), nextCursor: z.string().nullable() })
  .openapi('WebhookDeliveryPage');
