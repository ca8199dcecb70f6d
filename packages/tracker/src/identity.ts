// The visitor id: FingerprintJS when it works, else a random id in first-party storage, else one
// for this page view only. Fewer linked engagements when a browser resists, never an error.
import type { BeaconVisitor } from './wire.js';

/** localStorage: the random fallback id. sessionStorage: this tab's FingerprintJS result, so the
 * fingerprint is computed once per session, not on every page (100-250 ms of main thread each). */
export const STORED_ID_KEY = 'cxm_id';
export const FINGERPRINT_KEY = 'cxm_fp';

/**
 * Loads and runs FingerprintJS. `live()` says whether the result is still wanted (consent still
 * granted, the same run still waiting): checked before FingerprintJS starts, so a withdrawal while
 * the chunk is loading runs none of it.
 */
export type FingerprintLoader = (live: () => boolean) => Promise<BeaconVisitor>;

/**
 * 128 random bits: four 32-bit numbers in decimal joined by `_` (usually 40-43 characters, fewer
 * than 8 only when all four are below 10); `getRandomValues` works outside secure contexts.
 */
export function randomId(): string {
  return crypto.getRandomValues(new Uint32Array(4)).join('_');
}

// Storage can throw rather than return null: the `localStorage` getter itself throws a
// SecurityError when the browser blocks site data (Safari "block all cookies", Chromium's blocked
// third-party storage in iframes), and `setItem` throws when the quota is full. Hence a try around
// every access.

/** The fallback: a stored random id, or a fresh one for this page view when storage is refused. */
export function fallbackVisitor(): BeaconVisitor {
  try {
    let id = localStorage.getItem(STORED_ID_KEY);
    // A visitor id as the API takes it. (`null` fails the test as the string "null".)
    if (!/^[\w-]{8,64}$/.test(id!)) {
      id = randomId();
      localStorage.setItem(STORED_ID_KEY, id);
    }
    return { id: id!, kind: 'stored' };
  } catch {}
  return { id: randomId(), kind: 'page' };
}

/**
 * FingerprintJS with a time limit (a blocked or hung chunk must not hold events back for ever),
 * cached for the tab's session, falling back as above. Resolves, never rejects; with nothing, and
 * having written nothing, when `live()` has turned false meanwhile (the result is not wanted).
 */
export async function resolveVisitor(
  loadFingerprint: FingerprintLoader | undefined,
  timeoutMs: number,
  live: () => boolean,
): Promise<BeaconVisitor | undefined> {
  try {
    // (Whatever the page puts there, the API validates ids again.)
    const cached = JSON.parse(sessionStorage.getItem(FINGERPRINT_KEY)!) as BeaconVisitor | null;
    if (cached?.id) return cached;
  } catch {}
  let visitor: BeaconVisitor | undefined;
  try {
    visitor = await Promise.race([
      loadFingerprint!(live),
      new Promise<never>((_, reject) => setTimeout(reject, timeoutMs)),
    ]);
    if (live()) sessionStorage.setItem(FINGERPRINT_KEY, JSON.stringify(visitor));
  } catch {}
  if (live()) return visitor || fallbackVisitor();
}

/** Consent withdrawn: delete everything the tracker stored. */
export function forgetVisitor(): void {
  try {
    // Both stores follow the same site-data setting: when one throws, the other does too.
    localStorage.removeItem(STORED_ID_KEY);
    sessionStorage.removeItem(FINGERPRINT_KEY);
  } catch {}
}
