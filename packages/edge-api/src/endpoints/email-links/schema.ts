// Schemas of tracked email links and identity tokens.
import { z } from '@hono/zod-openapi';
import { externalId } from '../../schemas/common.js';

export const linksBodySchema = z
  .object({
    candidateId: externalId,
    subject: z.string().min(1).max(500).openapi({ example: 'Join us at the Spring hiring fair' }),
    destinations: z
      .array(z.string().min(1).max(1000))
      .min(1)
      .max(20)
      .openapi({ example: ['https://careers.example.com/events/spring-fair'] }),
  })
  .openapi('LinksRequest');

export const linksReplySchema = z
  .object({
    linkId: z.string(),
    openUrl: z.string().openapi({ description: 'The 1x1 open pixel: `<img src="...">`.' }),
    clickUrls: z
      .record(z.string(), z.string())
      .openapi({ description: 'One redirect URL per destination, keyed by the destination.' }),
    expiresAt: z.string().openapi({ description: 'After this, links redirect without tracking.' }),
  })
  .openapi('Links');

export const identityTokenBodySchema = z
  .object({
    candidateId: externalId,
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(24 * 60 * 60)
      .optional()
      .openapi({ description: 'Lifetime, 60 s to 24 h (default 1 h).' }),
  })
  .openapi('IdentityTokenRequest');

export const identityTokenReplySchema = z
  .object({
    token: z.string(),
    param: z.literal('cxm_t').openapi({ description: 'The URL parameter the tracker reads.' }),
    expiresAt: z.string(),
  })
  .openapi('IdentityToken');

export const tokenParams = z.object({
  token: z
    .string()
    .max(4096)
    .openapi({ param: { name: 'token', in: 'path' }, description: 'An opaque link token.' }),
});
