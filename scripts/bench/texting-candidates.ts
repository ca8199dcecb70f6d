// The texting benchmark's candidates: each its own US number, a fixed-offset time zone where it
// is daytime now (so quiet hours hold none of their texts), and SMS consent, written through the
// public API as a recruiting system would (`PUT /v1/candidates/{id}/contact`).
import { createClient } from '@cxm/edge-api/client';

export interface BenchCandidate {
  id: string;
  /** E.164; distinct per candidate, so the stand-in's count per number is a count per candidate. */
  phone: string;
  zone: string;
}

/**
 * 555-0100 to 555-0199 in each area code: the numbers North America keeps for fiction, valid to
 * libphonenumber (as the API checks them), placed in the US, where `demo` has a sender number.
 */
const AREA_CODES = ['212', '312', '206', '202', '617'] as const;
export const MAX_CANDIDATES = AREA_CODES.length * 100;

/** The zone name for a whole-hour offset: POSIX-style, so `Etc/GMT-3` is UTC+3. */
function fixedZone(offsetHours: number): string {
  if (offsetHours === 0) return 'Etc/GMT';
  return `Etc/GMT${offsetHours > 0 ? '-' : '+'}${Math.abs(offsetHours)}`;
}

/**
 * The `Etc/GMT±N` zones (fixed offsets, no daylight saving) whose local hour at `now` is in
 * [`from`, `to`): with the default 09:00-18:00 every text has an hour in hand before the
 * organisation's 20:00 end of sending, however long the run takes. Offsets run from -12 to +14,
 * so every hour of the day has a zone and nine of them are always in the window.
 */
export function daytimeZones(now: number, from = 9, to = 18): string[] {
  const zones: string[] = [];
  for (let offset = -12; offset <= 14; offset++) {
    const zone = fixedZone(offset);
    const hour = Number(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hour: 'numeric',
        hourCycle: 'h23',
      }).format(now),
    );
    if (hour >= from && hour < to) zones.push(zone);
  }
  return zones;
}

/** `count` candidates `<prefix>-0000`…, numbers and zones dealt out in turn. */
export function benchCandidates(count: number, prefix: string, zones: string[]): BenchCandidate[] {
  if (count > MAX_CANDIDATES) throw new Error(`at most ${MAX_CANDIDATES} distinct numbers`);
  if (zones.length === 0) throw new Error('no daytime zone');
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(4, '0')}`,
    phone: `+1${AREA_CODES[Math.floor(i / 100)]}5550${100 + (i % 100)}`,
    zone: zones[i % zones.length] as string,
  }));
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Each candidate's number, zone and SMS consent (given a day ago on a career-site form). */
export async function putContactDetails(
  origin: string,
  apiKey: string,
  people: readonly BenchCandidate[],
  concurrency: number,
): Promise<void> {
  const client = createClient({ baseUrl: origin, apiKey });
  const consent = {
    source: 'career-site form (bench)',
    at: new Date(Date.now() - 86_400_000).toISOString(),
  };
  await eachLimited(people, concurrency, async (person) => {
    const stored = await client.setContactDetails(person.id, {
      phone: person.phone,
      timeZone: person.zone,
      smsConsent: consent,
    });
    if (stored.phone !== person.phone || stored.smsConsent === null) {
      throw new Error(
        `${person.id}: contact details not stored as sent: ${JSON.stringify(stored)}`,
      );
    }
  });
}
