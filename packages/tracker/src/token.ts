// Signed identity tokens (`cxm_t`): taken from the landing URL, then removed from the address bar
// so they are not bookmarked, shared or sent to other analytics.
import { IDENTITY_PARAM } from './wire.js';

/** Tokens are opaque signed strings (the API verifies them): URL-safe characters, bounded length. */
export function validToken(token: unknown): token is string {
  return typeof token === 'string' && /^[\w.~-]{16,2048}$/.test(token);
}

/** Returns the page URL's token, if any, after removing it from the address bar. */
export function takeUrlToken(): string | undefined {
  const url = new URL(location.href);
  const token = url.searchParams.get(IDENTITY_PARAM);
  if (token === null) return undefined;
  url.searchParams.delete(IDENTITY_PARAM);
  // Same path, same state: a replace that the SPA watcher does not count as a page view.
  history.replaceState(history.state, '', url.href);
  return validToken(token) ? token : undefined;
}
