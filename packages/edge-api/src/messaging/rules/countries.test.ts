import { describe, expect, it } from 'vitest';
import {
  CRIMEA_PREFIXES,
  callingCode,
  countryName,
  isCrimeanNumber,
  phoneCountry,
  SMS_COUNTRIES,
  smsTier,
  whatsappEmbargo,
} from './countries.js';

/** A valid mobile number of each SMS country, with the country it must come out as. */
const SAMPLES: readonly [string, string][] = [
  ['+14165550123', 'CA'],
  ['+14155552671', 'US'],
  ['+61412345678', 'AU'],
  ['+37061234567', 'LT'],
  ['+48512345678', 'PL'],
  ['+17872345678', 'PR'],
  ['+447400123456', 'GB'],
  ['+436641234567', 'AT'],
  ['+56961234567', 'CL'],
  ['+420601123456', 'CZ'],
  ['+4520123456', 'DK'],
  ['+3725123456', 'EE'],
  ['+36201234567', 'HU'],
  ['+972502345678', 'IL'],
  ['+393123456789', 'IT'],
  ['+31612345678', 'NL'],
  ['+639051234567', 'PH'],
  ['+351912345678', 'PT'],
  ['+41781234567', 'CH'],
];

describe('SMS countries', () => {
  it('have the three tiers of the price list', () => {
    const byTier = (tier: number) =>
      Object.entries(SMS_COUNTRIES)
        .filter(([, t]) => t === tier)
        .map(([country]) => country)
        .sort();
    expect(byTier(1)).toEqual(['CA', 'US']);
    expect(byTier(2)).toEqual(['AU', 'GB', 'LT', 'PL', 'PR']);
    expect(byTier(3)).toEqual([
      'AT',
      'CH',
      'CL',
      'CZ',
      'DK',
      'EE',
      'HU',
      'IL',
      'IT',
      'NL',
      'PH',
      'PT',
    ]);
    expect(smsTier('US')).toBe(1);
    expect(smsTier('PR')).toBe(2);
    expect(smsTier('CH')).toBe(3);
    expect(smsTier('DE')).toBeNull();
    expect(smsTier('us')).toBeNull();
  });

  it('each has a sample number found in it', () => {
    expect(SAMPLES.map(([, country]) => country).sort()).toEqual(Object.keys(SMS_COUNTRIES).sort());
    for (const [number, country] of SAMPLES)
      expect([number, phoneCountry(number)]).toEqual([number, country]);
  });
});

describe('phoneCountry', () => {
  it('tells Puerto Rico (+1 787, +1 939) from the United States and Canada', () => {
    expect(phoneCountry('+17872345678')).toBe('PR');
    expect(phoneCountry('+19392345678')).toBe('PR');
    expect(phoneCountry('+12125551234')).toBe('US');
    expect(phoneCountry('+16135550123')).toBe('CA');
  });

  it('keeps the Crown Dependencies apart from the United Kingdom, though they share +44', () => {
    expect(phoneCountry('+447911123456')).toBe('GG');
    expect(phoneCountry('+447400123456')).toBe('GB');
  });

  it('accepts the international form with spacing, not a national number', () => {
    expect(phoneCountry('+1 787 234 5678')).toBe('PR');
    expect(phoneCountry(' +44 7400 123456 ')).toBe('GB');
    expect(phoneCountry('07911123456')).toBeNull();
    expect(phoneCountry('4155552671')).toBeNull();
  });

  it('is null for what is not a valid number of a country', () => {
    expect(phoneCountry('')).toBeNull();
    expect(phoneCountry('+')).toBeNull();
    expect(phoneCountry('not a number')).toBeNull();
    expect(phoneCountry('+1415')).toBeNull();
    expect(phoneCountry('+447700900123')).toBeNull(); // Ofcom's range reserved for drama
    expect(phoneCountry('+80012345678')).toBeNull(); // international freephone: no country
  });

  it('finds the calling code for messages', () => {
    expect(callingCode('+4915123456789')).toBe('+49');
    expect(callingCode('+17872345678')).toBe('+1');
    expect(callingCode('garbage')).toBeNull();
  });
});

describe('country names', () => {
  it('read in a sentence, with the code when nothing better is known', () => {
    expect(countryName('GB')).toBe('the United Kingdom');
    expect(countryName('CZ')).toBe('the Czech Republic');
    expect(countryName('PR')).toBe('Puerto Rico');
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('not a region')).toBe('not a region');
  });
});

describe('WhatsApp embargo', () => {
  it('refuses Cuba, Iran, North Korea and Syria by country', () => {
    expect(whatsappEmbargo('+5352345678')).toBe('Cuba');
    expect(whatsappEmbargo('+989123456789')).toBe('Iran');
    expect(whatsappEmbargo('+8501921234567')).toBe('North Korea');
    expect(whatsappEmbargo('+963944567890')).toBe('Syria');
  });

  it('refuses Crimea by prefix, Russian- and Ukrainian-assigned', () => {
    expect(CRIMEA_PREFIXES).toEqual(['7978', '7365', '7869', '38065', '38069']);
    for (const number of [
      '+79781234567', // Russian mobile range of Crimea
      '+73652123456', // Simferopol, Russian code
      '+78692123456', // Sevastopol, Russian code
      '+380652123456', // Simferopol, Ukrainian code
      '+380692123456', // Sevastopol, Ukrainian code
      '+7 978 123-45-67', // formatted
    ]) {
      expect([number, isCrimeanNumber(number), whatsappEmbargo(number)]).toEqual([
        number,
        true,
        'Crimea',
      ]);
    }
  });

  it('lets the rest of Russia and Ukraine through, and near-miss prefixes', () => {
    for (const number of [
      '+79161234567', // Moscow mobile
      '+74951234567', // Moscow landline
      '+380501234567', // Ukrainian mobile
      '+380442123456', // Kyiv
      '+77012345678', // Kazakhstan shares +7
      '+3806', // too short to be Crimean (prefix 38065 not reached)
    ]) {
      expect([number, isCrimeanNumber(number), whatsappEmbargo(number)]).toEqual([
        number,
        false,
        null,
      ]);
    }
    expect(isCrimeanNumber('79781234567')).toBe(false); // not E.164: no plus, no decision
  });

  it('lets ordinary countries through', () => {
    expect(whatsappEmbargo('+4915123456789')).toBeNull();
    expect(whatsappEmbargo('+14155552671')).toBeNull();
    expect(whatsappEmbargo('+919812345678')).toBeNull();
  });
});
