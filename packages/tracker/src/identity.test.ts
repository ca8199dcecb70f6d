import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  currentVisitor,
  FINGERPRINT_KEY,
  type Fingerprint,
  forgetVisitor,
  randomId,
  runFingerprint,
  STORED_ID_KEY,
} from './identity.js';

afterEach(() => {
  vi.restoreAllMocks();
  localStorage.clear();
  sessionStorage.clear();
});

const fp: Fingerprint = { fp: 'a'.repeat(32), version: '5.2.0', confidence: 0.5 };
/** The result is still wanted (consent granted, the run current). */
const live = () => true;
/** Safari with "block all cookies": the storage getters themselves throw. */
function refuseStorage() {
  const refuse = () => {
    throw new DOMException('denied', 'SecurityError');
  };
  vi.spyOn(window, 'localStorage', 'get').mockImplementation(refuse);
  vi.spyOn(window, 'sessionStorage', 'get').mockImplementation(refuse);
}

describe('visitor id', () => {
  it('makes random ids the API accepts', () => {
    const ids = new Set(Array.from({ length: 100 }, randomId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it('is the random id kept in localStorage, made on first use and the same afterwards', () => {
    const first = currentVisitor();
    expect(first).toEqual({ id: expect.stringMatching(/^[\w-]{8,64}$/), kind: 'stored' });
    expect(localStorage.getItem(STORED_ID_KEY)).toBe(first.id);
    expect(currentVisitor()).toEqual(first);
  });

  it('replaces a stored value that is not an id the API takes', () => {
    for (const bad of ['short', 'x'.repeat(65), 'has space in it', 'null']) {
      localStorage.setItem(STORED_ID_KEY, bad);
      const visitor = currentVisitor();
      expect(visitor.id).not.toBe(bad);
      expect(localStorage.getItem(STORED_ID_KEY)).toBe(visitor.id);
    }
  });

  it('is a per-page id when storage is refused', () => {
    refuseStorage();
    const visitor = currentVisitor();
    expect(visitor).toEqual({ id: expect.stringMatching(/^[\w-]{8,64}$/), kind: 'page' });
    expect(currentVisitor().id).not.toBe(visitor.id);
  });

  it("is each profile's own: two profiles of one browser share the fingerprint, never the id", () => {
    // Two profiles = two separate stores; FingerprintJS gives both the same result.
    const profileA = currentVisitor();
    sessionStorage.setItem(FINGERPRINT_KEY, JSON.stringify(fp));
    const seenA = currentVisitor();
    localStorage.clear();
    sessionStorage.clear();
    const profileB = currentVisitor();
    sessionStorage.setItem(FINGERPRINT_KEY, JSON.stringify(fp));
    const seenB = currentVisitor();
    expect(seenA).toEqual({ ...fp, id: profileA.id, kind: 'stored' });
    expect(seenB).toEqual({ ...fp, id: profileB.id, kind: 'stored' });
    expect(profileB.id).not.toBe(profileA.id);
  });

  it("never takes the fingerprint as the id, even from an older tracker's cache", () => {
    // What the tracker before issue 14 cached: the fingerprint as the visitor id.
    const old = { id: 'f'.repeat(32), kind: 'fingerprint', version: '5.2.0', confidence: 0.4 };
    sessionStorage.setItem(FINGERPRINT_KEY, JSON.stringify(old));
    expect(currentVisitor()).toEqual({ id: localStorage.getItem(STORED_ID_KEY), kind: 'stored' });
    // A cache that names an id and a kind of its own does not override the visitor's either.
    sessionStorage.setItem(
      FINGERPRINT_KEY,
      JSON.stringify({ ...fp, id: 'b'.repeat(32), kind: 'page' }),
    );
    expect(currentVisitor()).toMatchObject({
      id: localStorage.getItem(STORED_ID_KEY),
      kind: 'stored',
      fp: fp.fp,
    });
    sessionStorage.setItem(FINGERPRINT_KEY, 'not json');
    expect(currentVisitor()).toEqual({ id: localStorage.getItem(STORED_ID_KEY), kind: 'stored' });
  });
});

describe('fingerprint (beside the visitor id)', () => {
  it('runs FingerprintJS once per session, its result cached for the next pages', async () => {
    const load = vi.fn(async () => fp);
    expect(await runFingerprint(load, 1000, live)).toEqual(fp);
    expect(load).toHaveBeenCalledTimes(1);
    expect(JSON.parse(sessionStorage.getItem(FINGERPRINT_KEY)!)).toEqual(fp);
    // The next page of the session: the visitor comes with it, without running FingerprintJS.
    expect(currentVisitor()).toEqual({
      ...fp,
      id: localStorage.getItem(STORED_ID_KEY),
      kind: 'stored',
    });
  });

  it('gives nothing and stores nothing when FingerprintJS fails, is blocked or hangs', async () => {
    expect(
      await runFingerprint(() => Promise.reject(new Error('blocked')), 1000, live),
    ).toBeUndefined();
    expect(await runFingerprint(() => new Promise(() => {}), 10, live)).toBeUndefined();
    expect(await runFingerprint(undefined, 1000, live)).toBeUndefined(); // no loader at all
    expect(sessionStorage.length).toBe(0);
  });

  it('still gives the fingerprint when storage is refused (no cache: it runs again next page)', async () => {
    refuseStorage();
    expect(await runFingerprint(async () => fp, 1000, live)).toEqual(fp);
  });

  it('writes nothing and gives nothing once the result is no longer wanted', async () => {
    let wanted = true;
    let arrive: (found: Fingerprint) => void = () => {};
    const load = vi.fn((isLive: () => boolean) => {
      expect(isLive()).toBe(true);
      return new Promise<Fingerprint>((resolve) => {
        arrive = resolve;
      });
    });
    const pending = runFingerprint(load, 1000, () => wanted);
    wanted = false; // consent withdrawn while FingerprintJS was loading
    arrive(fp);
    expect(await pending).toBeUndefined();
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('deletes everything it stored', async () => {
    await runFingerprint(async () => fp, 1000, live);
    currentVisitor();
    forgetVisitor();
    expect(localStorage.getItem(STORED_ID_KEY)).toBeNull();
    expect(sessionStorage.getItem(FINGERPRINT_KEY)).toBeNull();
  });
});
