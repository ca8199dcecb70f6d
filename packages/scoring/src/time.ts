// Turns the three accepted time forms into epoch milliseconds, with a message that names the field.
import type { TimeInput } from './types.js';

export function toEpochMs(input: TimeInput, field: string): number {
  const ms =
    input instanceof Date
      ? input.getTime()
      : typeof input === 'number'
        ? input
        : typeof input === 'string'
          ? Date.parse(input)
          : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new RangeError(
      `${field} must be a Date, an ISO 8601 string or epoch milliseconds; got ${JSON.stringify(input)}`,
    );
  }
  return ms;
}

export const MS_PER_DAY = 86_400_000;
export const MS_PER_HOUR = 3_600_000;
