// Axis arithmetic for the console's server-rendered SVG charts: round tick steps and the days
// between two dates. Pure, so the charts are easy to test and draw the same on every request.

/** A round step (1, 2 or 5 times a power of ten) splitting 0..max into about `ticks` parts. */
export function niceStep(max: number, ticks = 4): number {
  if (!(max > 0)) return 1;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** The top of a 0-based axis showing `max`, and its tick values. */
export function axis(max: number, ticks = 4): { top: number; ticks: number[] } {
  const step = niceStep(max, ticks);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const values: number[] = [];
  for (let value = 0; value <= top + step / 2; value += step) values.push(Number(value.toFixed(6)));
  return { top, ticks: values };
}

/**
 * A log axis that still shows 0: 0 at the bottom, then 1, 10, 100… one grid step apart, up to
 * the power of ten at or above `max` (at least 10). `share(value)` is its height, 0..1, so a spike
 * of thousands leaves a day of three readable.
 */
export function logAxis(max: number): {
  top: number;
  ticks: number[];
  share: (value: number) => number;
} {
  const decades = Math.max(1, Math.ceil(Math.log10(Math.max(1, max)) - 1e-9));
  const ticks = [0, ...Array.from({ length: decades + 1 }, (_, power) => 10 ** power)];
  return {
    top: 10 ** decades,
    ticks,
    share: (value) => (value > 0 ? Math.min(1, (Math.log10(value) + 1) / (decades + 1)) : 0),
  };
}

/** Every `YYYY-MM-DD` from `from` to `to`, both included (UTC days). */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return [];
  const days: string[] = [];
  for (let at = start; at <= end && days.length < 400; at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-20` → `20 Nov`. */
export function shortDate(day: string): string {
  const month = MONTHS[Number(day.slice(5, 7)) - 1] ?? '';
  return `${Number(day.slice(8, 10))} ${month}`;
}

/** Rounds a coordinate to 0.1 px, which keeps the SVG small. */
export function px(value: number): number {
  return Math.round(value * 10) / 10;
}
