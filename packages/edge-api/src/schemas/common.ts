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

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether year, month and day name a day of the calendar. `Date.parse` does not check: it reads
 * 2026-02-30 as 2026-03-02 and 2025-02-29 as 2025-03-01, so the day is built and read back.
 */
function isCalendarDay(year: number, month: number, day: number): boolean {
  const at = new Date(Date.UTC(year, month - 1, day));
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day;
}

/** A UTC date, `YYYY-MM-DD`, as the ms of its midnight; null unless it is a calendar day. */
export function parseUtcDay(text: string): number | null {
  const match = DATE_ONLY.exec(text);
  if (!match) return null;
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  return isCalendarDay(year, month, day) ? Date.UTC(year, month - 1, day) : null;
}

/**
 * A UTC date (`2026-10-01`, midnight UTC) or an ISO 8601 date-time with an offset, as ms; null
 * for anything else, an impossible date or time (2026-02-30, 24:00, an offset of +25:00) included.
 */
export function parseInstant(text: string): number | null {
  const day = parseUtcDay(text);
  if (day !== null || DATE_ONLY.test(text)) return day;
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  // Absent seconds and the offset of `Z` are 0 (the defaults only satisfy the type checker).
  const [
    year = 0,
    month = 0,
    date = 0,
    hour = 0,
    minute = 0,
    second = 0,
    offsetH = 0,
    offsetM = 0,
  ] = match.slice(1).map((part) => Number(part ?? 0));
  const real =
    isCalendarDay(year, month, date) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetH <= 23 &&
    offsetM <= 59;
  return real ? Date.parse(text) : null;
}

const INSTANT_MESSAGE =
  'must be a real date (YYYY-MM-DD, midnight UTC) or an ISO 8601 date-time with offset';

export const instantQuery = z
  .string()
  .refine((text) => parseInstant(text) !== null, { message: INSTANT_MESSAGE })
  .openapi({ example: '2026-10-01' });

export const dateOnlyQuery = z
  .string()
  .regex(DATE_ONLY, { message: 'must be a date, YYYY-MM-DD (UTC)', abort: true })
  .refine(
    (text) => parseUtcDay(text) !== null,
    'must be a real date: that day is not in the calendar',
  )
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
