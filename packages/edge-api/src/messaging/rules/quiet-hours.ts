// Quiet hours: nothing is delivered to a candidate outside 08:00–20:00 on their own clock. The
// clock is the candidate's zone when we know it, else their number's country when that country
// keeps one time, else the organisation's. An organisation may shorten the day, never lengthen it.
import type { CountryCode } from './countries.js';
import { type Refusal, refuse } from './result.js';
import { isValidZone, wallClock, zonedEpoch } from './zoned-time.js';

export { isValidZone } from './zoned-time.js';

/** Whole local hours: sending may start at `startHour`:00 and must stop before `endHour`:00. */
export interface SendHours {
  startHour: number;
  endHour: number;
}

/** The widest day the law and carriers' codes allow; an organisation may only narrow it. */
export const SEND_HOURS: Readonly<SendHours> = { startHour: 8, endHour: 20 };

/**
 * Countries whose numbers all keep one local time, with its zone. A country with several zones
 * (US, CA, AU, CL, PT, ES, MX, BR, RU, ID, NZ, CN, KZ, …) is absent, so its numbers fall back to
 * the organisation's zone. "One time" is judged by today's clocks: Germany's Büsingen, Malaysia's
 * Kuching and Argentina's provinces have zones of their own in the tz database that differ only
 * in history, so those countries are here. Ukraine is Europe/Kyiv: Crimea keeps Moscow time, but
 * Crimean numbers can be reached neither by WhatsApp (embargoed) nor by SMS (Ukraine is not an
 * SMS country), so no message waits on it. Overseas parts with their own ISO codes (Réunion,
 * Greenland, the Caribbean Netherlands, Puerto Rico) are their own entries or absent.
 */
export const SINGLE_ZONE_COUNTRIES: Readonly<Record<CountryCode, string>> = {
  // SMS countries with one zone (US, CA, AU, CL and PT have several).
  LT: 'Europe/Vilnius',
  PL: 'Europe/Warsaw',
  PR: 'America/Puerto_Rico',
  GB: 'Europe/London',
  AT: 'Europe/Vienna',
  CZ: 'Europe/Prague',
  DK: 'Europe/Copenhagen',
  EE: 'Europe/Tallinn',
  HU: 'Europe/Budapest',
  IL: 'Asia/Jerusalem',
  IT: 'Europe/Rome',
  NL: 'Europe/Amsterdam',
  PH: 'Asia/Manila',
  CH: 'Europe/Zurich',
  // Europe.
  DE: 'Europe/Berlin',
  FR: 'Europe/Paris',
  BE: 'Europe/Brussels',
  LU: 'Europe/Luxembourg',
  IE: 'Europe/Dublin',
  SE: 'Europe/Stockholm',
  NO: 'Europe/Oslo',
  FI: 'Europe/Helsinki',
  IS: 'Atlantic/Reykjavik',
  GR: 'Europe/Athens',
  TR: 'Europe/Istanbul',
  UA: 'Europe/Kyiv',
  RO: 'Europe/Bucharest',
  BG: 'Europe/Sofia',
  HR: 'Europe/Zagreb',
  SI: 'Europe/Ljubljana',
  SK: 'Europe/Bratislava',
  RS: 'Europe/Belgrade',
  LV: 'Europe/Riga',
  MT: 'Europe/Malta',
  // Middle East and Africa.
  AE: 'Asia/Dubai',
  SA: 'Asia/Riyadh',
  QA: 'Asia/Qatar',
  KW: 'Asia/Kuwait',
  BH: 'Asia/Bahrain',
  OM: 'Asia/Muscat',
  JO: 'Asia/Amman',
  LB: 'Asia/Beirut',
  EG: 'Africa/Cairo',
  MA: 'Africa/Casablanca',
  TN: 'Africa/Tunis',
  DZ: 'Africa/Algiers',
  NG: 'Africa/Lagos',
  GH: 'Africa/Accra',
  CI: 'Africa/Abidjan',
  SN: 'Africa/Dakar',
  CM: 'Africa/Douala',
  KE: 'Africa/Nairobi',
  UG: 'Africa/Kampala',
  TZ: 'Africa/Dar_es_Salaam',
  ET: 'Africa/Addis_Ababa',
  RW: 'Africa/Kigali',
  ZM: 'Africa/Lusaka',
  ZW: 'Africa/Harare',
  ZA: 'Africa/Johannesburg',
  // Asia.
  IN: 'Asia/Kolkata',
  PK: 'Asia/Karachi',
  BD: 'Asia/Dhaka',
  LK: 'Asia/Colombo',
  NP: 'Asia/Kathmandu',
  SG: 'Asia/Singapore',
  MY: 'Asia/Kuala_Lumpur',
  TH: 'Asia/Bangkok',
  VN: 'Asia/Ho_Chi_Minh',
  HK: 'Asia/Hong_Kong',
  TW: 'Asia/Taipei',
  JP: 'Asia/Tokyo',
  KR: 'Asia/Seoul',
  // The Americas.
  AR: 'America/Argentina/Buenos_Aires',
  CO: 'America/Bogota',
  PE: 'America/Lima',
  VE: 'America/Caracas',
  UY: 'America/Montevideo',
  PY: 'America/Asuncion',
  BO: 'America/La_Paz',
  CR: 'America/Costa_Rica',
  PA: 'America/Panama',
  GT: 'America/Guatemala',
  SV: 'America/El_Salvador',
  HN: 'America/Tegucigalpa',
  NI: 'America/Managua',
  DO: 'America/Santo_Domingo',
  JM: 'America/Jamaica',
};

export interface ZoneInputs {
  /** The candidate's own IANA zone, when known (their profile, their browser). */
  candidateZone?: string | null;
  /** The country of the number the message goes to (`phoneCountry`). */
  numberCountry?: CountryCode | null;
  /** The organisation's IANA zone, validated when it was saved. */
  orgZone: string;
}

export interface ZoneChoice {
  zone: string;
  /** Where the zone came from, so a caller can say why a message waits. */
  from: 'candidate' | 'number' | 'organisation' | 'utc';
}

/**
 * The zone whose clock quiet hours follow: the candidate's, else the one zone of the number's
 * country, else the organisation's. A zone Intl does not know is skipped rather than trusted;
 * if even the organisation's is unknown (it should have been refused when saved), UTC.
 */
export function zoneFor(inputs: ZoneInputs): ZoneChoice {
  if (inputs.candidateZone && isValidZone(inputs.candidateZone)) {
    return { zone: inputs.candidateZone, from: 'candidate' };
  }
  const single = inputs.numberCountry ? SINGLE_ZONE_COUNTRIES[inputs.numberCountry] : undefined;
  if (single) return { zone: single, from: 'number' };
  if (isValidZone(inputs.orgZone)) return { zone: inputs.orgZone, from: 'organisation' };
  return { zone: 'UTC', from: 'utc' };
}

export type SendWindow = { open: true } | { open: false; opensAt: number };

/**
 * Whether a message may be delivered at `now` in `zone`, and if not, when it may: the next local
 * `startHour`:00 (today's when it is still early, tomorrow's when the day is over). That instant
 * is found on the local calendar, so on a day the clocks change it is still 08:00 on the clock.
 * `zone` must be valid (`zoneFor` only answers valid ones): an unknown one throws, as Intl does.
 */
export function sendWindow(now: number, zone: string, window: SendHours = SEND_HOURS): SendWindow {
  const local = wallClock(now, zone);
  if (local.hour >= window.startHour && local.hour < window.endHour) return { open: true };
  const day = local.hour < window.startHour ? local.day : local.day + 1;
  const opensAt = zonedEpoch(
    { year: local.year, month: local.month, day, hour: window.startHour },
    zone,
  );
  return { open: false, opensAt };
}

export type NarrowedWindow = { ok: true; window: SendHours } | Refusal<'invalid_send_hours'>;

function clock(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/**
 * An organisation's own sending hours, accepted only inside `limit` (08:00–20:00): it may start
 * later or stop earlier, never the reverse, and the day must not be empty.
 */
export function narrowWindow(requested: SendHours, limit: SendHours = SEND_HOURS): NarrowedWindow {
  const { startHour, endHour } = requested;
  if (!Number.isInteger(startHour) || !Number.isInteger(endHour)) {
    return refuse('invalid_send_hours', 'Sending hours are whole hours, such as 9 for 09:00');
  }
  if (startHour < limit.startHour) {
    return refuse(
      'invalid_send_hours',
      `Messages may not start before ${clock(limit.startHour)} on the candidate's clock; ${clock(startHour)} would widen the sending hours`,
    );
  }
  if (endHour > limit.endHour) {
    return refuse(
      'invalid_send_hours',
      `Messages must stop by ${clock(limit.endHour)} on the candidate's clock; ${clock(endHour)} would widen the sending hours`,
    );
  }
  if (startHour >= endHour) {
    return refuse(
      'invalid_send_hours',
      `The start (${clock(startHour)}) must be before the end (${clock(endHour)}), or no message could ever go`,
    );
  }
  return { ok: true, window: { startHour, endHour } };
}
