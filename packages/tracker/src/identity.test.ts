import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FINGERPRINT_KEY,
  fallbackVisitor,
  forgetVisitor,
  randomId,
  resolveVisitor,
  STORED_ID_KEY,
} from './identity.js';

afterEach(() => {
  vi.restoreAllMocks();
  localStorage.clear();
  sessionStorage.clear();
});

const fp = { id: 'a'.repeat(32), kind: 'fingerprint', version: '5.2.0', confidence: 0.5 } as const;
/** The result is still wanted (consent granted, the run current). */
const live = () => true;

describe('visitor id', () => {
  it('makes random ids the API accepts', () => {
    const ids = new Set(Array.from({ length: 100 }, randomId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it('uses FingerprintJS with its version and confidence, once per session', async () => {
    const load = vi.fn(async () => fp);
    expect(await resolveVisitor(load, 1000, live)).toEqual(fp);
    expect(await resolveVisitor(load, 1000, live)).toEqual(fp);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('falls back to a stored random id when FingerprintJS fails, is blocked or hangs', async () => {
    const failed = await resolveVisitor(() => Promise.reject(new Error('blocked')), 1000, live);
    expect(failed!.kind).toBe('stored');
    expect(localStorage.getItem(STORED_ID_KEY)).toBe(failed!.id);
    const hung = await resolveVisitor(() => new Promise(() => {}), 10, live);
    expect(hung).toEqual(failed); // the same stored id
  });

  it('falls back to a per-page id when storage is unavailable', () => {
    // Safari with "block all cookies": the getter itself throws.
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    const visitor = fallbackVisitor();
    expect(visitor.kind).toBe('page');
    expect(visitor.id).toMatch(/^[\w-]{8,64}$/);
  });

  it('deletes everything it stored', async () => {
    await resolveVisitor(async () => fp, 1000, live);
    fallbackVisitor();
    forgetVisitor();
    expect(localStorage.getItem(STORED_ID_KEY)).toBeNull();
    expect(sessionStorage.getItem(FINGERPRINT_KEY)).toBeNull();
  });

  it('writes nothing and gives nothing once the result is no longer wanted', async () => {
    let wanted = true;
    let arrive: (visitor: typeof fp) => void = () => {};
    const load = vi.fn((isLive: () => boolean) => {
      expect(isLive()).toBe(true);
      return new Promise<typeof fp>((resolve) => {
        arrive = resolve;
      });
    });
    const pending = resolveVisitor(load, 1000, () => wanted);
    wanted = false; // consent withdrawn while FingerprintJS was loading
    arrive(fp);
    expect(await pending).toBeUndefined();
    // A hung FingerprintJS whose run was abandoned: no fallback id is stored either.
    expect(
      await resolveVisitor(
        () => new Promise(() => {}),
        10,
        () => false,
      ),
    ).toBeUndefined();
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });
});
