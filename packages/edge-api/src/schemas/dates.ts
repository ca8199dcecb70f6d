// The range of engagement times the API accepts: from 2000 to a little after now.
import { OPTIONS } from '../config.js';

export type DateCheck = 'ok' | 'too_early' | 'too_late';

export function checkDate(ms: number, now = Date.now()): DateCheck {
  if (ms < OPTIONS.minOccurredAt) return 'too_early';
  if (ms > now + OPTIONS.maxFutureSkewMs) return 'too_late';
  return 'ok';
}

export const DATE_RANGE_MESSAGE = `must be between 2000-01-01 and ${
  OPTIONS.maxFutureSkewMs / 3_600_000
} hours from now`;

/** The stored time: a time slightly ahead of the server's clock is taken as now. */
export function clampToNow(ms: number, now: number): number {
  return Math.min(ms, now);
}
