// The reports page's date range and scale, kept in its URL (`?from=&to=&scale=`, or a preset
// `?days=`), checked here before the API is asked, so a wrong range gets a sentence a recruiter
// can act on rather than the API's 400. The API's own limit (MAX_REPORT_DAYS) is the one used.
import { MAX_REPORT_DAYS } from '../endpoints/audiences/report-range.js';
import { parseUtcDay } from '../schemas/common.js';
import type { ChartScale } from './charts/stacked-days.js';

/** The presets offered as links: the last N days, ending today. */
export const REPORT_PRESETS = [
  { days: 14, label: 'Last 14 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 365, label: 'Last 12 months' },
] as const;

const DAY_MS = 86_400_000;

export interface ReportChoice {
  /** What the form shows: the dates asked for, even when they are wrong. */
  from: string;
  to: string;
  scale: ChartScale;
  /** Null when the range can be reported on; otherwise what is wrong, in words. */
  problem: string | null;
}

function day(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** `2026-11-05` as `5 November 2026`. */
function spelled(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** The range and scale a query asks for (default: the last 30 days, linear). */
export function chooseReport(
  query: { from?: string; to?: string; days?: string; scale?: string },
  now: number,
): ReportChoice {
  const scale: ChartScale = query.scale === 'log' ? 'log' : 'linear';
  const today = day(now);
  if (!query.from && !query.to) {
    const asked = Number(query.days);
    const days = Number.isInteger(asked) && asked >= 1 && asked <= MAX_REPORT_DAYS ? asked : 30;
    return { from: day(now - (days - 1) * DAY_MS), to: today, scale, problem: null };
  }
  const to = query.to || today;
  const toAt = parseUtcDay(to);
  const from = query.from || (toAt === null ? today : day(toAt - 29 * DAY_MS));
  const fromAt = parseUtcDay(from);
  const choice = { from, to, scale };
  if (fromAt === null) {
    return {
      ...choice,
      problem: `The start date “${from}” is not a date. Pick one, or write it as ${today}.`,
    };
  }
  if (toAt === null) {
    return {
      ...choice,
      problem: `The end date “${to}” is not a date. Pick one, or write it as ${today}.`,
    };
  }
  if (toAt < fromAt) {
    return {
      ...choice,
      problem: `The start date, ${spelled(from)}, is after the end date, ${spelled(to)}. Pick a start on or before the end.`,
    };
  }
  const days = (toAt - fromAt) / DAY_MS + 1;
  if (days > MAX_REPORT_DAYS) {
    return {
      ...choice,
      problem: `That is ${days} days; a report covers at most ${MAX_REPORT_DAYS} (about a year). Pick a later start or an earlier end.`,
    };
  }
  return { ...choice, problem: null };
}

/** The preset a range is, if it is one (for `aria-current`). */
export function presetOf(choice: ReportChoice, now: number): number | null {
  if (choice.problem || choice.to !== day(now)) return null;
  const days =
    (Date.parse(`${choice.to}T00:00:00Z`) - Date.parse(`${choice.from}T00:00:00Z`)) / DAY_MS + 1;
  return REPORT_PRESETS.find((preset) => preset.days === days)?.days ?? null;
}
