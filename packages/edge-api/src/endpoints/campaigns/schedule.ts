// When a campaign runs: once per local day of its organisation, at (or after) its send time on
// the organisation's clock. Cron Triggers are UTC only and may fire late or twice, so a run is
// "due" from the send time until the local day ends, and the local date names the run (one run
// per campaign and date is what makes a run happen exactly once). Daylight saving is the zone
// arithmetic's job (`zonedEpoch`): a send time the clocks skip runs when they jump past it, one
// they repeat runs the first time.
import { wallClock, zonedEpoch } from '../../messaging/rules/zoned-time.js';

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `YYYY-MM-DD` on `zone`'s calendar at `at`. */
export function localDate(at: number, zone: string): string {
  const { year, month, day } = wallClock(at, zone);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** The instant of `sendTime` (`HH:MM`) on the local date `date` (`YYYY-MM-DD`) in `zone`. */
export function sendInstant(date: string, sendTime: string, zone: string): number {
  return zonedEpoch(
    {
      year: Number(date.slice(0, 4)),
      month: Number(date.slice(5, 7)),
      day: Number(date.slice(8, 10)),
      hour: Number(sendTime.slice(0, 2)),
      minute: Number(sendTime.slice(3, 5)),
    },
    zone,
  );
}

export type Due = { due: true; date: string; at: number } | { due: false; next: number };

/**
 * Whether a run of a campaign with `sendTime` is due at `now` in `zone`, given the local date of
 * its latest run (null: never ran). Due: the date the run is for and its send instant. Not due:
 * when it next will be (today's send time, or tomorrow's once today's run is done).
 */
export function runDue(
  now: number,
  zone: string,
  sendTime: string,
  lastRunDate: string | null,
): Due {
  const today = localDate(now, zone);
  const at = sendInstant(today, sendTime, zone);
  if (now >= at && lastRunDate !== today) return { due: true, date: today, at };
  if (now < at) return { due: false, next: at };
  const { year, month, day } = wallClock(now, zone);
  // The 32nd overflows into the next month: zonedEpoch takes day overflow, as Date.UTC does.
  const tomorrow = localDate(zonedEpoch({ year, month, day: day + 1, hour: 12 }, zone), zone);
  return { due: false, next: sendInstant(tomorrow, sendTime, zone) };
}
