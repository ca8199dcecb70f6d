// Schemas of API key management and `whoami`.
import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema.js';
import { instantQuery } from '../../schemas/common.js';

export const roleSchema = z.enum(ROLES).openapi('Role');

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    prefix: z.string().openapi({ description: 'The first characters of the secret.' }),
    createdAt: z.string(),
    createdBy: z
      .string()
      .nullable()
      .openapi({ description: 'Who made it: `user:<id>` or `key:<id>`; null for older keys.' }),
    lastUsedAt: z
      .string()
      .nullable()
      .openapi({ description: 'The last request it made, to the minute; null if never.' }),
    expiresAt: z.string().nullable().openapi({ description: 'After this it gets 401.' }),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

export const apiKeyListSchema = z.object({ keys: z.array(apiKeySchema) }).openapi('ApiKeys');

/** The longest a key may be made to last. */
export const MAX_KEY_LIFETIME_DAYS = 3 * 366;

export const createKeyBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: roleSchema,
    expiresAt: instantQuery.optional().openapi({
      description: `When it stops working (a date or date-time, in the next ${MAX_KEY_LIFETIME_DAYS} days); default never.`,
      example: '2027-12-31',
    }),
  })
  .strict()
  .openapi('ApiKeyCreate');

export const createdKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    prefix: z.string(),
    secret: z.string().openapi({ description: 'Shown once: only its hash is stored.' }),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: z.string().nullable(),
    replaces: z.string().optional().openapi({
      description: 'After a rotation: the key it replaces, still valid until revoked.',
    }),
  })
  .openapi('ApiKeyCreated');

export const revokedKeySchema = z
  .object({ id: z.string(), revoked: z.literal(true), revokedAt: z.string() })
  .openapi('ApiKeyRevoked');

export const keyIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const whoamiSchema = z
  .object({
    orgId: z.string(),
    orgName: z.string(),
    kind: z.enum(['key', 'user']).openapi({
      description: '`key`: an API key (a backend). `user`: a person signed in to the console.',
    }),
    role: roleSchema,
    licence: z.boolean().openapi({
      description:
        'May text candidates: a user’s messaging licence, or a key’s messaging permission.',
    }),
    keyId: z.string().optional().openapi({ description: 'For a key: its id.' }),
    userId: z.string().optional().openapi({ description: 'For a user: their id.' }),
    email: z.string().optional().openapi({ description: 'For a user: their email.' }),
    displayName: z.string().optional().openapi({ description: 'For a user: their name.' }),
  })
  .openapi('WhoAmI');
