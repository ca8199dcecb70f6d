// IANA time zones as the API takes them: checked against the runtime's own zone data (what
// quiet hours and monthly periods are computed with) and returned in its canonical spelling.
import { z } from '@hono/zod-openapi';

/**
 * The IANA zone's own spelling (`europe/london` is `Europe/London`), or null when the runtime's
 * time zone data does not know it. Offsets such as `+01:00` are not zones (no daylight saving).
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z]/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: name }).resolvedOptions().timeZone;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** A time zone field: refused in words when the runtime does not know it; `openapi` describes it. */
export function timeZoneSchema(openapi: { description?: string; example?: string } = {}) {
  return z
    .string()
    .trim()
    .max(64, 'Unknown time zone.')
    .transform((value, ctx) => {
      const zone = canonicalTimeZone(value);
      if (zone === null) {
        ctx.addIssue({
          code: 'custom',
          message: `Unknown time zone ${JSON.stringify(value)}: give an IANA time zone name, e.g. Europe/London.`,
        });
        return z.NEVER;
      }
      return zone;
    })
    .openapi({ type: 'string', example: 'Europe/London', ...openapi });
}
