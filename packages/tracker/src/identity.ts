// The visitor id: FingerprintJS when it works, else a random id in first-party storage, else one
// for this page view only. Fewer linked engagements when a browser resists, never an error.
import type { BeaconVisitor } from './wire.js';

/** localStorage: the random fallback id. sessionStorage: this tab's FingerprintJS result, so the
 * fingerprint is computed once per session, not on every page (100-250 ms of main thread each). */
export const STORED_ID_KEY = 'cxm_id';
export const FINGERPRINT_KEY = 'cxm_fp';

export type FingerprintLoader = () => Promise<BeaconVisitor>;

/** 128 random bits in base 36 (20-28 characters); `getRandomValues` works outside secure contexts. */
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(36)).join('');
}

const ID = /^[\w-]{8,64}$/;

// Storage can throw rather than return null: the `localStorage` getter itself throws a
// SecurityError when the browser blocks site data (Safari "block all cookies", Chromium's blocked
// third-party storage in iframes), and `setItem` throws when the quota is full. Hence a try around
// every access.

/** The fallback: a stored random id, or a fresh one for this page view when storage is refused. */
export function fallbackVisitor(): BeaconVisitor {
  const id = randomId();
  try {
    const stored = localStorage.getItem(STORED_ID_KEY);
    if (stored && ID.test(stored)) return { id: stored, kind: 'stored' };
    localStorage.setItem(STORED_ID_KEY, id);
    return { id, kind: 'stored' };
  } catch {}
  return { id, kind: 'page' };
}

/**
 * FingerprintJS with a time limit (a blocked or hung chunk must not hold events back for ever),
 * cached for the tab's session, falling back as above. Resolves, never rejects.
 */
export async function resolveVisitor(
  loadFingerprint: FingerprintLoader | undefined,
  timeoutMs: number,
): Promise<BeaconVisitor> {
  try {
    // (Whatever the page puts there, the API validates ids again.)
    const cached = JSON.parse(sessionStorage.getItem(FINGERPRINT_KEY)!) as BeaconVisitor | null;
    if (cached?.id) return cached;
  } catch {}
  try {
    const visitor = await Promise.race([
      loadFingerprint!(),
      new Promise<never>((_, reject) => setTimeout(reject, timeoutMs)),
    ]);
    try {
      sessionStorage.setItem(FINGERPRINT_KEY, JSON.stringify(visitor));
    } catch {}
    return visitor;
  } catch {
    return fallbackVisitor();
  }
}

/** Consent withdrawn: delete everything the tracker stored. */
export function forgetVisitor(): void {
  try {
    // Both stores follow the same site-data setting: when one throws, the other does too.
    localStorage.removeItem(STORED_ID_KEY);
    sessionStorage.removeItem(FINGERPRINT_KEY);
  } catch {}
}
