// The visitor id is one browser profile's: a random id in first-party storage, else one for this
// page view only. FingerprintJS is a second signal sent beside it (`fp`), never the id: it is the
// same for every profile of one browser build on one device, so it would merge the people who
// share a computer (issue 14). Fewer linked engagements when a browser resists, never an error.
import type { BeaconVisitor } from './wire.js';

/** localStorage: the visitor id. sessionStorage: this tab's FingerprintJS result, so the
 * fingerprint is computed once per session, not on every page (100-250 ms of main thread each). */
export const STORED_ID_KEY = 'cxm_id';
export const FINGERPRINT_KEY = 'cxm_fp';

/** What FingerprintJS adds to the visitor: its id, the version that made it, its confidence. */
export type Fingerprint = Required<Pick<BeaconVisitor, 'fp' | 'version' | 'confidence'>>;

/**
 * Loads and runs FingerprintJS. `live()` says whether the result is still wanted (consent still
 * granted, the same run, within the time limit): checked before FingerprintJS starts, so a
 * withdrawal while the chunk is loading runs none of it.
 */
export type FingerprintLoader = (live: () => boolean) => Promise<Fingerprint>;

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

/**
 * The visitor: the stored random id (made and stored on first use), with this session's cached
 * fingerprint when there is one; or, when storage is refused, a fresh id for this page view.
 * Synchronous, so the first beacon never waits.
 */
export function currentVisitor(): BeaconVisitor {
  let visitor: BeaconVisitor = { id: randomId(), kind: 'page' };
  try {
    let id = localStorage.getItem(STORED_ID_KEY);
    // A visitor id as the API takes it. (`null` fails the test as the string "null".)
    if (!/^[\w-]{8,64}$/.test(id!)) {
      id = randomId();
      localStorage.setItem(STORED_ID_KEY, id);
    }
    visitor = { id: id!, kind: 'stored' };
    // A cache without `fp` (an older tracker's, or the page's) is ignored, and one that is not
    // JSON throws here, leaving the stored id; the API checks `fp` as it checks ids.
    const cached = JSON.parse(sessionStorage.getItem(FINGERPRINT_KEY)!) as Fingerprint | null;
    visitor = { ...(cached?.fp && cached), ...visitor };
  } catch {}
  return visitor;
}

/**
 * FingerprintJS with a time limit (a blocked or hung chunk is given up, and does not start late),
 * kept for the tab's session. Resolves, never rejects: with nothing when it failed or timed out,
 * and with nothing, having written nothing, when `live()` has turned false meanwhile.
 */
export async function runFingerprint(
  loadFingerprint: FingerprintLoader | undefined,
  timeoutMs: number,
  live: () => boolean,
): Promise<Fingerprint | undefined> {
  let found: Fingerprint | undefined;
  try {
    found = await Promise.race([
      loadFingerprint!(live),
      new Promise<never>((_, reject) => setTimeout(reject, timeoutMs)),
    ]);
    // (Storage refused: the fingerprint is still sent, computed again on the next page.)
    if (live()) sessionStorage.setItem(FINGERPRINT_KEY, JSON.stringify(found));
  } catch {}
  if (live()) return found;
}

/** Consent withdrawn: delete everything the tracker stored. */
export function forgetVisitor(): void {
  try {
    // Both stores follow the same site-data setting: when one throws, the other does too.
    localStorage.removeItem(STORED_ID_KEY);
    sessionStorage.removeItem(FINGERPRINT_KEY);
  } catch {}
}
