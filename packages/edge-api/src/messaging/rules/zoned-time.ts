// Wall-clock arithmetic in IANA time zones with nothing but Intl. Local midnight or 08:00 is
// found by asking Intl what the clock shows, never by adding 24 hours to yesterday's: a day is
// 23 or 25 hours long when the clocks change, and some offsets are half or quarter hours.

/** A local date and time as a clock in the zone shows it. `month` is 1–12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A local date and time to find the instant of; `day` may overflow (32 March is 1 April). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/**
 * Whether `name` is an IANA time zone Intl knows (`Europe/London`, `UTC`). Intl throws a
 * RangeError on an unknown name. Fixed offsets (`+01:00`), which newer engines accept, are
 * refused: they know nothing of daylight saving, so quiet hours would drift by an hour.
 */
export function isValidZone(name: string): boolean {
  if (!/^[A-Za-z]/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** What a clock in `zone` shows at the instant `at` (epoch ms). Throws on an unknown zone. */
export function wallClock(at: number, zone: string): WallClock {
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(zone).formatToParts(at)) {
    if (part.type in clock) clock[part.type as keyof WallClock] = Number(part.value);
  }
  // Some engines still write midnight as 24 despite h23.
  if (clock.hour === 24) clock.hour = 0;
  return clock;
}

function asUtc(time: WallClock | LocalTime): number {
  const second = 'second' in time ? time.second : 0;
  return Date.UTC(time.year, time.month - 1, time.day, time.hour ?? 0, time.minute ?? 0, second);
}

/** The zone's offset from UTC at `at`, in ms (London in summer: +3 600 000). */
export function offsetAt(at: number, zone: string): number {
  const whole = Math.floor(at / 1000) * 1000;
  return asUtc(wallClock(whole, zone)) - whole;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The instant a clock in `zone` shows `local`. When the clocks go back and the time happens
 * twice, the first one. When they go forward and it never happens, the instant the clock jumps
 * past it (02:30 on the US spring-forward day is 03:30 EDT; a midnight skipped is the 01:00 the
 * day starts with). The offsets tried are those a day either side and at the time itself, which
 * covers every change the tz database has (never two within two days).
 */
export function zonedEpoch(local: LocalTime, zone: string): number {
  const wall = asUtc(local);
  const offsets = new Set([
    offsetAt(wall - DAY, zone),
    offsetAt(wall, zone),
    offsetAt(wall + DAY, zone),
  ]);
  const candidates = [...offsets].map((offset) => wall - offset);
  const exact = candidates.filter((at) => asUtc(wallClock(at, zone)) === wall);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}
