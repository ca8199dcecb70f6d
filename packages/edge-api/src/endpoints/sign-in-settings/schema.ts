// Schemas of the console sign-in settings (`/v1/settings/sign-in`): the organisation's OpenID
// Provider. The client secret goes in and never comes out.
import { z } from '@hono/zod-openapi';

export const signInSettingsSchema = z
  .object({
    issuer: z.string().nullable().openapi({ example: 'https://login.example.com' }),
    clientId: z.string().nullable(),
    clientSecretSet: z.boolean().openapi({ description: 'The secret itself is never returned.' }),
    emailClaim: z.string().openapi({ description: 'The ID token claim holding the email.' }),
    autoProvision: z.boolean().openapi({
      description:
        'A verified email that matches no user gets one (role user, no licence) instead of a refusal.',
    }),
    redirectUri: z.string().openapi({
      description: 'Register this redirect URI for the client at the identity provider.',
    }),
  })
  .openapi('SignInSettings');

export const signInSettingsBodySchema = z
  .object({
    issuer: z.string().trim().min(1).max(500).openapi({
      description:
        'The issuer identifier: https, its `/.well-known/openid-configuration` must answer.',
    }),
    clientId: z.string().trim().min(1).max(300),
    clientSecret: z.string().min(1).max(1000).optional().openapi({
      description: 'Required the first time; omit to keep the stored one. Stored encrypted.',
    }),
    emailClaim: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.:/-]{1,100}$/, 'A claim name: letters, digits and _ . : / -')
      .default('email'),
    autoProvision: z.boolean().default(false),
  })
  .strict()
  .openapi('SignInSettingsUpdate');
