// Pieces the read and admin schemas share: path and query parameters, dates, tiers.
import { ENGAGEMENT_TYPES, TIERS } from '@cxm/scoring';
import { z } from '@hono/zod-openapi';

export const externalId = z
  .string()
  .min(1)
  .max(128)
  .openapi({ description: "The organisation's own id for the candidate.", example: 'cand-1042' });

export const candidateIdParams = z.object({
  candidateId: externalId.openapi({ param: { name: 'candidateId', in: 'path' } }),
});

export const tierSchema = z.enum(TIERS).openapi('Tier');
export const engagementTypeSchema = z.enum(ENGAGEMENT_TYPES).openapi('EngagementType');

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A UTC date (`2026-10-01`, midnight UTC) or an ISO 8601 date-time with an offset, as ms. */
export function parseInstant(text: string): number | null {
  if (!DATE_ONLY.test(text) && !DATE_TIME.test(text)) return null;
  const ms = Date.parse(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isFinite(ms) ? ms : null;
}

export const instantQuery = z
  .string()
  .refine((text) => parseInstant(text) !== null, {
    message: 'must be a date (YYYY-MM-DD, midnight UTC) or an ISO 8601 date-time with offset',
  })
  .openapi({ example: '2026-10-01' });

export const dateOnlyQuery = z
  .string()
  .regex(DATE_ONLY, 'must be a date, YYYY-MM-DD (UTC)')
  .refine((text) => Number.isFinite(Date.parse(`${text}T00:00:00Z`)), 'must be a real date')
  .openapi({ example: '2026-11-01' });

/** `?x=a&x=b` arrives as an array, `?x=a` as a string: both are accepted. */
export function repeatable<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).max(10)]);
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function limitQuery(max: number, byDefault: number) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .refine((text) => Number(text) >= 1 && Number(text) <= max, `must be from 1 to ${max}`)
    .optional()
    .openapi({ description: `Page size, 1 to ${max} (default ${byDefault}).` });
}

export const cursorQuery = z
  .string()
  .max(512)
  .optional()
  .openapi({ description: '`nextCursor` of the previous page.' });

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
