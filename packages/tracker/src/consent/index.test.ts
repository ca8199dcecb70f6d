import { describe, expect, it } from 'vitest';
import { initialConsent, nextConsent } from './index.js';

describe('consent state machine', () => {
  it('runs at once in mode none, waits in manual and onetrust', () => {
    expect(initialConsent('none', false)).toBe(true);
    expect(initialConsent('manual', false)).toBeUndefined();
    expect(initialConsent('onetrust', false)).toBeUndefined();
  });

  it('stays off for good under Global Privacy Control, whatever any source says', () => {
    for (const mode of ['none', 'manual', 'onetrust'] as const) {
      expect(initialConsent(mode, true)).toBe(false);
      expect(nextConsent(mode, true, false, mode === 'onetrust', true)).toBe(false);
    }
  });

  it('follows cxm("consent", …) in manual and none modes, both ways', () => {
    expect(nextConsent('manual', false, undefined, false, true)).toBe(true);
    expect(nextConsent('manual', false, true, false, false)).toBe(false);
    expect(nextConsent('manual', false, false, false, true)).toBe(true);
    expect(nextConsent('none', false, true, false, false)).toBe(false);
  });

  it('in onetrust mode listens to OneTrust only, so a stray cxm("consent", true) cannot override the banner', () => {
    expect(nextConsent('onetrust', false, undefined, false, true)).toBeUndefined();
    expect(nextConsent('onetrust', false, undefined, true, true)).toBe(true);
    expect(nextConsent('onetrust', false, true, true, false)).toBe(false);
  });

  it('ignores OneTrust outside onetrust mode', () => {
    expect(nextConsent('manual', false, undefined, true, true)).toBeUndefined();
  });
});
