import { describe, expect, it } from 'vitest';
import { validToken, withoutToken } from './token.js';

// Shaped as packages/edge-api/src/auth/tokens.ts mints them:
// base64url(body).base64url(HMAC-SHA256) (a legacy plain-JSON body here: the shape is what counts).
const TOKEN =
  'eyJrIjoiaWRlbnRpdHkiLCJvIjoib3JnX2RlbW8iLCJjIjoiQ0FORC0yMDI0LTAwMDEyMyIsIngiOjE4OTM0NTYwMDB9.2OlK5a649a3bUz5pi4PXl0DxH_ZcucDvtKaHR8SmzDM';

describe('identity tokens', () => {
  it('accepts signed tokens only, never a raw candidate id', () => {
    expect(validToken(TOKEN)).toBe(true);
    expect(validToken(`${'a'.repeat(2004)}.${'s'.repeat(43)}`)).toBe(true); // 2048 characters
    for (const raw of [
      '550e8400-e29b-41d4-a716-446655440000',
      'CAND-2024-000123',
      'candidate.42@example.com',
      `${TOKEN.split('.')[0]}.${'s'.repeat(42)}`,
      `${TOKEN}.extra`,
      `${'a'.repeat(2005)}.${'s'.repeat(43)}`,
      `${TOKEN} `,
      42,
      undefined,
    ]) {
      expect(validToken(raw), String(raw)).toBe(false);
    }
  });

  it('cuts every cxm_t out of the raw URL, keeping the first value and every other byte', () => {
    expect(withoutToken(`https://a.test/p?cxm_t=${TOKEN}`)).toEqual(['https://a.test/p', TOKEN]);
    expect(withoutToken('https://a.test/p?a=%FC&cxm_t=x&cxm_t=y&b=a+b#h?cxm_t=z')).toEqual([
      'https://a.test/p?a=%FC&b=a+b#h?cxm_t=z',
      'x',
    ]);
    expect(withoutToken('https://a.test/p#cxm_t=z')).toEqual([
      'https://a.test/p#cxm_t=z',
      undefined,
    ]);
  });
});
