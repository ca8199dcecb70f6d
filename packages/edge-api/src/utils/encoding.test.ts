import { describe, expect, it } from 'vitest';
import { base64url, fromBase64url, hex, hmacSha256, hmacVerify, sha256Hex } from './encoding.js';

describe('encoding', () => {
  it('round-trips every byte through base64url without padding or +/', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    const text = base64url(bytes);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(fromBase64url(text)).toEqual(bytes);
  });

  it('refuses text that is not base64url instead of throwing', () => {
    expect(fromBase64url('a+b/')).toBeNull();
    expect(fromBase64url('a')).toBeNull();
  });

  it('writes lowercase two-digit hex', () => {
    expect(hex(new Uint8Array([0, 15, 16, 255]))).toBe('000f10ff');
  });

  it('hashes and signs with the published test vectors', async () => {
    expect(await sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // RFC 4231 test case 2.
    const mac = await hmacSha256('Jefe', 'what do ya want for nothing?');
    expect(hex(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(await hmacVerify('Jefe', 'what do ya want for nothing?', mac)).toBe(true);
    expect(await hmacVerify('Jefe', 'what do ya want for nothing!', mac)).toBe(false);
  });
});
