// Schemas of the audit log read (`GET /v1/audit`).
import { z } from '@hono/zod-openapi';
import { cursorQuery, instantQuery, limitQuery } from '../../schemas/common.js';

export const auditQuerySchema = z.object({
  action: z
    .string()
    .max(64)
    .regex(/^[a-z_.]+$/, 'lowercase letters, dots and underscores, as in key.create')
    .optional()
    .openapi({
      description:
        'An action (`key.create`), or a family ending in a dot (`key.` for every key action).',
      example: 'key.',
    }),
  actor: z
    .string()
    .max(140)
    .optional()
    .openapi({ description: 'Who: `user:<id>`, `key:<id>` or `system`.', example: 'user:usr_1' }),
  from: instantQuery.optional().openapi({ description: 'On or after (a date or date-time).' }),
  to: instantQuery.optional().openapi({ description: 'Before (a date or date-time).' }),
  limit: limitQuery(200, 50),
  cursor: cursorQuery,
});

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string().openapi({ example: '2026-12-03T10:15:00.000Z' }),
    actor: z
      .string()
      .openapi({ description: '`user:<id>`, `key:<id>`, `tracker:<site>` or `system`.' }),
    action: z.string().openapi({ example: 'key.create' }),
    subject: z.string().nullable().openapi({ description: 'What it was done to (an id).' }),
    details: z
      .unknown()
      .openapi({ description: 'What the action needs to be understood later; never a secret.' }),
  })
  .openapi('AuditEntry');

export const auditPageSchema = z
  .object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() })
  .openapi('AuditPage');
