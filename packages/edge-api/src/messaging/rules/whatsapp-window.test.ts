import { describe, expect, it } from 'vitest';
import {
  REPLY_WINDOW_MS,
  whatsappContentRule,
  whatsappFreeformAllowed,
  withinReplyWindow,
} from './whatsapp-window.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const NOW = Date.parse('2026-07-01T09:30:00Z');

describe('the 24-hour window', () => {
  it('is 24 hours, half-open', () => {
    expect(REPLY_WINDOW_MS).toBe(24 * HOUR);
    expect(whatsappFreeformAllowed(NOW, NOW)).toBe(true);
    expect(whatsappFreeformAllowed(NOW - HOUR, NOW)).toBe(true);
    expect(whatsappFreeformAllowed(NOW - (23 * HOUR + 59 * MINUTE + 59 * SECOND), NOW)).toBe(true);
    expect(whatsappFreeformAllowed(NOW - (24 * HOUR - 1), NOW)).toBe(true);
    expect(whatsappFreeformAllowed(NOW - 24 * HOUR, NOW)).toBe(false);
    expect(whatsappFreeformAllowed(NOW - (24 * HOUR + MINUTE), NOW)).toBe(false);
    expect(whatsappFreeformAllowed(NOW - 7 * 24 * HOUR, NOW)).toBe(false);
  });

  it('is closed when the candidate never wrote', () => {
    expect(whatsappFreeformAllowed(null, NOW)).toBe(false);
    expect(withinReplyWindow(Number.NaN, NOW)).toBe(false);
  });

  it('counts an inbound time a little ahead of now as just received', () => {
    expect(whatsappFreeformAllowed(NOW + 2 * SECOND, NOW)).toBe(true);
  });

  it('does not care about daylight saving: 24 elapsed hours, not a calendar day', () => {
    // 2026-03-29 is 23 hours long in London; 24 elapsed hours later is 10:00 local, not 09:00.
    const inbound = Date.parse('2026-03-28T09:00:00Z');
    expect(whatsappFreeformAllowed(inbound, Date.parse('2026-03-29T08:59:59Z'))).toBe(true);
    expect(whatsappFreeformAllowed(inbound, Date.parse('2026-03-29T09:00:00Z'))).toBe(false);
  });
});

describe('whatsappContentRule', () => {
  const closed = NOW - 24 * HOUR;
  const open = NOW - 23 * HOUR;

  it('lets free text through inside the window', () => {
    expect(whatsappContentRule({ hasTemplate: false, lastInboundAt: open, now: NOW })).toEqual({
      ok: true,
    });
  });

  it('lets a template through at any time', () => {
    for (const lastInboundAt of [null, closed, open]) {
      expect(whatsappContentRule({ hasTemplate: true, lastInboundAt, now: NOW })).toEqual({
        ok: true,
      });
    }
  });

  it('refuses free text outside the window, saying to use a template', () => {
    const refusal = {
      ok: false,
      code: 'whatsapp_window_closed',
      message:
        "WhatsApp allows free text only within 24 hours of the candidate's last message; send an approved template instead",
    };
    expect(whatsappContentRule({ hasTemplate: false, lastInboundAt: closed, now: NOW })).toEqual(
      refusal,
    );
    expect(whatsappContentRule({ hasTemplate: false, lastInboundAt: null, now: NOW })).toEqual(
      refusal,
    );
  });
});
