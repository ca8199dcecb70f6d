// Where texts may go. SMS reaches only the countries our Twilio senders are registered for
// (tiered by how much each costs and how reliably it delivers); WhatsApp reaches anywhere except
// the places Meta does not serve under trade sanctions. Countries are ISO 3166-1 alpha-2 codes,
// found from the number itself, never from what the candidate typed as their country.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** An E.164 phone number: `+`, the country calling code, the national number (`+14155552671`). */
export type E164 = string;

/** An ISO 3166-1 alpha-2 country code in capitals (`US`, `GB`, `PR`). */
export type CountryCode = string;

/** 1 is the cheapest and most reliable route, 3 the dearest. */
export type SmsTier = 1 | 2 | 3;

export const SMS_COUNTRIES: Readonly<Record<CountryCode, SmsTier>> = {
  CA: 1,
  US: 1,
  AU: 2,
  LT: 2,
  PL: 2,
  PR: 2,
  GB: 2,
  AT: 3,
  CL: 3,
  CZ: 3,
  DK: 3,
  EE: 3,
  HU: 3,
  IL: 3,
  IT: 3,
  NL: 3,
  PH: 3,
  PT: 3,
  CH: 3,
};

/** The tier of SMS to `country`, or null when SMS does not go there. */
export function smsTier(country: CountryCode): SmsTier | null {
  return SMS_COUNTRIES[country] ?? null;
}

/** Countries where WhatsApp is refused outright. Crimea has no code: see `CRIMEA_PREFIXES`. */
export const WHATSAPP_EMBARGOED: readonly CountryCode[] = ['CU', 'IR', 'KP', 'SY'];

/**
 * Crimea has no ISO code and its numbers parse as Russian or Ukrainian, so it is recognised by
 * number prefix (digits after the `+`):
 * - `7978`: the Russian mobile range issued to Crimean operators since 2014;
 * - `7365`: Russian geographic code of the Republic of Crimea (Simferopol 3652, Yalta 3654, …);
 * - `7869`: Russian geographic code of Sevastopol (8692), part of the sanctioned region too;
 * - `38065`: Ukrainian area code of the Autonomous Republic of Crimea (065x);
 * - `38069`: Ukrainian area code of Sevastopol (0692).
 * Ukrainian mobile numbers (+380 50, 66, 67, …) carried into Crimea cannot be told apart from
 * the rest of Ukraine by number; nothing short of asking the carrier would find them.
 */
export const CRIMEA_PREFIXES: readonly string[] = ['7978', '7365', '7869', '38065', '38069'];

/** Names used in messages. Others come from `Intl.DisplayNames` (English). */
const NAMES: Readonly<Record<CountryCode, string>> = {
  CA: 'Canada',
  US: 'the United States',
  AU: 'Australia',
  LT: 'Lithuania',
  PL: 'Poland',
  PR: 'Puerto Rico',
  GB: 'the United Kingdom',
  AT: 'Austria',
  CL: 'Chile',
  CZ: 'the Czech Republic',
  DK: 'Denmark',
  EE: 'Estonia',
  HU: 'Hungary',
  IL: 'Israel',
  IT: 'Italy',
  NL: 'the Netherlands',
  PH: 'the Philippines',
  PT: 'Portugal',
  CH: 'Switzerland',
  CU: 'Cuba',
  IR: 'Iran',
  KP: 'North Korea',
  SY: 'Syria',
  RU: 'Russia',
};

/** A country's English name for a sentence ("to the United Kingdom"), or its code if unknown. */
export function countryName(country: CountryCode): string {
  const known = NAMES[country];
  if (known) return known;
  try {
    return (
      new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' }).of(country) ?? country
    );
  } catch {
    // Not a well-formed region code; the code itself is the most honest name.
    return country;
  }
}

function parse(e164: E164) {
  // Only the international form: a national number ("07911 123456") means different numbers in
  // different countries, so without the `+` there is nothing to decide from.
  if (!e164.trim().startsWith('+')) return undefined;
  return parsePhoneNumberFromString(e164);
}

/**
 * The country a number belongs to, or null when it is not a valid number or belongs to no
 * country (+800 freephone and the like). The full ("max") metadata tells apart the countries
 * that share a calling code: +1 787/939 is Puerto Rico, not the United States; +1 416 is Canada.
 * A number the metadata does not know is null rather than guessed from its calling code.
 */
export function phoneCountry(e164: E164): CountryCode | null {
  const phone = parse(e164);
  if (!phone?.isValid()) return null;
  return phone.country ?? null;
}

/** The calling code with its plus (`+44`), for messages; null when the number does not parse. */
export function callingCode(e164: E164): string | null {
  const phone = parse(e164);
  return phone ? `+${phone.countryCallingCode}` : null;
}

function digits(e164: E164): string {
  return e164.replace(/\D/g, '');
}

/** Whether the number is Crimean, by the prefixes above (formatting characters ignored). */
export function isCrimeanNumber(e164: E164): boolean {
  const number = digits(e164);
  return e164.trim().startsWith('+') && CRIMEA_PREFIXES.some((prefix) => number.startsWith(prefix));
}

/**
 * The embargoed place a number belongs to ("Crimea", "Cuba", …), or null when WhatsApp may go
 * there. Crimea is checked first: its numbers are otherwise Russian or Ukrainian.
 */
export function whatsappEmbargo(e164: E164): string | null {
  if (isCrimeanNumber(e164)) return 'Crimea';
  const country = phoneCountry(e164);
  return country && WHATSAPP_EMBARGOED.includes(country) ? countryName(country) : null;
}
