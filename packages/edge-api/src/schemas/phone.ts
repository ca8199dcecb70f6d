// Phone numbers as texting needs them: international format parsed by libphonenumber-js's full
// metadata into E.164 and the number's country. One parser for every number the API takes (a
// candidate's, a person's own sender number, the organisation's sender numbers).
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export const PHONE_MESSAGE =
  'Not a valid phone number in international format (E.164, e.g. +447400123456).';

/** Digits and the usual separators after a leading `+`: no letters, extensions or prose. */
const PHONE_CHARACTERS = /^\+[\d\s().-]+$/;

export interface ParsedPhone {
  /** E.164, e.g. `+447400123456`. */
  number: string;
  /** ISO 3166-1 alpha-2 from the number's metadata: `+1 787…` is `PR`, not `US`. */
  country: string;
}

/**
 * The number in E.164 and its country, or why not: it must be written in international format
 * (a leading `+`; no default country is assumed), be a valid number of a country, and have no
 * extension (a text cannot go to one).
 */
export function parsePhone(text: string): ParsedPhone | { problem: string } {
  if (!PHONE_CHARACTERS.test(text)) return { problem: PHONE_MESSAGE };
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed?.isValid() || parsed.ext) return { problem: PHONE_MESSAGE };
  if (!parsed.country) {
    return {
      problem:
        'Not the number of a country (e.g. an international freephone number); texts need one.',
    };
  }
  return { number: parsed.number, country: parsed.country };
}
