import { describe, expect, it } from 'vitest';
import { candidateInitiatedAllowed, smsRoute, whatsappRoute } from './channels.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-05-12T10:00:00Z');

const US_CANDIDATE = '+14155552671';
const PR_CANDIDATE = '+17872345678';
const GB_CANDIDATE = '+447400123456';
const US_ORG_1 = '+12125550101';
const US_ORG_2 = '+12125550102';
const PR_ORG = '+17872340000';
const GB_ORG = '+447400000001';
const US_USER = '+16505550123';
const GB_USER = '+447123456789';

const orgSenders = { US: [US_ORG_1, US_ORG_2], PR: [PR_ORG], GB: [GB_ORG] };

describe('smsRoute', () => {
  it("sends from the user's own number when it is in the recipient's country", () => {
    expect(smsRoute(US_CANDIDATE, { orgSenders, userSender: US_USER })).toEqual({
      ok: true,
      from: US_USER,
      country: 'US',
      tier: 1,
    });
  });

  it("otherwise from the organisation's first number for that country", () => {
    expect(smsRoute(US_CANDIDATE, { orgSenders })).toEqual({
      ok: true,
      from: US_ORG_1,
      country: 'US',
      tier: 1,
    });
    expect(smsRoute(US_CANDIDATE, { orgSenders, userSender: null })).toMatchObject({
      from: US_ORG_1,
    });
    // A British user texting an American: the user's number is in the wrong country.
    expect(smsRoute(US_CANDIDATE, { orgSenders, userSender: GB_USER })).toMatchObject({
      from: US_ORG_1,
    });
    expect(smsRoute(GB_CANDIDATE, { orgSenders, userSender: US_USER })).toEqual({
      ok: true,
      from: GB_ORG,
      country: 'GB',
      tier: 2,
    });
  });

  it('treats Puerto Rico as its own country, though it shares +1', () => {
    expect(smsRoute(PR_CANDIDATE, { orgSenders, userSender: US_USER })).toEqual({
      ok: true,
      from: PR_ORG,
      country: 'PR',
      tier: 2,
    });
    // A US number is not a sender in Puerto Rico, and a Puerto Rican one not in the US.
    expect(smsRoute(PR_CANDIDATE, { orgSenders: { US: [US_ORG_1] } })).toMatchObject({
      ok: false,
      code: 'no_sender_number',
    });
    expect(
      smsRoute(US_CANDIDATE, { orgSenders: { US: [] }, userSender: '+17872349999' }),
    ).toMatchObject({ ok: false, code: 'no_sender_number' });
  });

  it('refuses a country without a sender number, naming it', () => {
    expect(smsRoute('+48512345678', { orgSenders })).toEqual({
      ok: false,
      code: 'no_sender_number',
      message: 'The organisation has no sender number in Poland; a manager adds one',
    });
    expect(smsRoute(GB_CANDIDATE, { orgSenders: { GB: [] } })).toEqual({
      ok: false,
      code: 'no_sender_number',
      message: 'The organisation has no sender number in the United Kingdom; a manager adds one',
    });
  });

  it('refuses a country SMS does not reach, pointing to WhatsApp', () => {
    expect(smsRoute('+4915123456789', { orgSenders, userSender: US_USER })).toEqual({
      ok: false,
      code: 'sms_unsupported_country',
      message: 'SMS to Germany (+49) is not supported; use WhatsApp',
    });
    expect(smsRoute('+919812345678', { orgSenders })).toMatchObject({
      code: 'sms_unsupported_country',
      message: 'SMS to India (+91) is not supported; use WhatsApp',
    });
  });

  it('does not point to WhatsApp where WhatsApp is embargoed', () => {
    expect(smsRoute('+5352345678', { orgSenders })).toEqual({
      ok: false,
      code: 'sms_unsupported_country',
      message: 'SMS to Cuba (+53) is not supported, and WhatsApp is not available there either',
    });
    expect(smsRoute('+79781234567', { orgSenders })).toMatchObject({
      code: 'sms_unsupported_country',
      message: 'SMS to Crimea (+7) is not supported, and WhatsApp is not available there either',
    });
  });

  it('refuses what is not an international number', () => {
    for (const number of ['', '4155552671', '+1415', '+80012345678']) {
      expect(smsRoute(number, { orgSenders })).toMatchObject({ ok: false, code: 'invalid_number' });
    }
  });
});

describe('whatsappRoute', () => {
  const whatsappSender = '+14155550000';

  it("goes from the organisation's WhatsApp number to most countries", () => {
    expect(whatsappRoute('+4915123456789', { whatsappSender })).toEqual({
      ok: true,
      from: whatsappSender,
      country: 'DE',
    });
    expect(whatsappRoute('+79161234567', { whatsappSender })).toMatchObject({
      ok: true,
      country: 'RU',
    });
    expect(whatsappRoute('+380501234567', { whatsappSender })).toMatchObject({
      ok: true,
      country: 'UA',
    });
  });

  it('refuses the embargoed places, naming them', () => {
    const cases: [string, string][] = [
      ['+5352345678', 'Cuba'],
      ['+989123456789', 'Iran'],
      ['+8501921234567', 'North Korea'],
      ['+963944567890', 'Syria'],
      ['+79781234567', 'Crimea'],
      ['+73652123456', 'Crimea'],
      ['+380652123456', 'Crimea'],
      ['+380692123456', 'Crimea'],
    ];
    for (const [number, place] of cases) {
      expect(whatsappRoute(number, { whatsappSender })).toEqual({
        ok: false,
        code: 'whatsapp_unavailable',
        message: `WhatsApp is not available in ${place}: trade sanctions keep Meta from serving numbers there`,
      });
    }
  });

  it('refuses the embargo before a missing sender (the place is the real reason)', () => {
    expect(whatsappRoute('+5352345678', { whatsappSender: null })).toMatchObject({
      code: 'whatsapp_unavailable',
    });
  });

  it('refuses without a WhatsApp sender, and for an invalid number', () => {
    expect(whatsappRoute('+4915123456789', { whatsappSender: null })).toEqual({
      ok: false,
      code: 'no_sender_number',
      message: 'The organisation has no WhatsApp sender number; a manager adds one',
    });
    expect(whatsappRoute('+4915', { whatsappSender })).toMatchObject({ code: 'invalid_number' });
  });
});

describe('candidateInitiatedAllowed (Messenger, WeChat)', () => {
  it('allows a reply within 24 hours of the last inbound message', () => {
    expect(candidateInitiatedAllowed(NOW, NOW)).toEqual({ ok: true });
    expect(candidateInitiatedAllowed(NOW - 24 * HOUR + 1, NOW)).toEqual({ ok: true });
    expect(candidateInitiatedAllowed(NOW - (24 * HOUR - 1000), NOW)).toEqual({ ok: true });
  });

  it('refuses at exactly 24 hours and later', () => {
    for (const ago of [24 * HOUR, 24 * HOUR + 60_000, 30 * 24 * HOUR]) {
      expect(candidateInitiatedAllowed(NOW - ago, NOW)).toMatchObject({
        ok: false,
        code: 'reply_window_closed',
        message: expect.stringContaining('within 24 hours'),
      });
    }
  });

  it('refuses when the candidate has never written', () => {
    expect(candidateInitiatedAllowed(null, NOW)).toEqual({
      ok: false,
      code: 'reply_window_closed',
      message:
        'Messenger and WeChat allow only replies, and the candidate has not written; wait for their message',
    });
  });
});
