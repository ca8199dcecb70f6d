// The date range every report covers: UTC days `from`..`to`, both included, the last 30 days
// by default, at most MAX_REPORT_DAYS. One place, so the reports and their 400s agree.
import type { Issue } from '../../utils/errors.js';

export const MAX_REPORT_DAYS = 366;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** The report's first and last day (epoch ms of their midnight UTC), or what is wrong with them. */
export function reportRange(query: { from?: string; to?: string }, now: number) {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const from = query.from ? Date.parse(`${query.from}T00:00:00Z`) : today - 29 * DAY_MS;
  const to = query.to ? Date.parse(`${query.to}T00:00:00Z`) : today;
  const issues: Issue[] = [];
  if (to < from) issues.push({ path: 'to', code: 'invalid', message: 'must not be before from' });
  else if ((to - from) / DAY_MS + 1 > MAX_REPORT_DAYS) {
    issues.push({
      path: 'to',
      code: 'invalid',
      message: `the range may cover at most ${MAX_REPORT_DAYS} days`,
    });
  }
  return { from, to, issues };
}

/** `YYYY-MM-DD` of an instant (UTC). */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
