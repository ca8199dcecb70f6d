// Schemas of API key management and `whoami`.
import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema.js';

export const roleSchema = z.enum(ROLES).openapi('Role');

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    prefix: z.string().openapi({ description: 'The first characters of the secret.' }),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

export const apiKeyListSchema = z.object({ keys: z.array(apiKeySchema) }).openapi('ApiKeys');

export const createKeyBodySchema = z
  .object({ name: z.string().trim().min(1).max(100), role: roleSchema })
  .openapi('ApiKeyCreate');

export const createdKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    prefix: z.string(),
    secret: z.string().openapi({ description: 'Shown once: only its hash is stored.' }),
    createdAt: z.string(),
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
