// Identity tokens and codes (`cxm_t`): taken from the landing URL, then removed from the address
// bar so they are not bookmarked, shared or sent to other analytics. A tracked click's `cxm_t` is
// an identity code: the API honours it for the first browser that sends it, so the copy a log
// keeps is of no use (packages/edge-api/src/auth/click-identity.ts).
import { IDENTITY_PARAM } from './wire.js';

/**
 * Tokens as the API mints them (packages/edge-api/src/auth/tokens.ts): `base64url(body)`, a dot
 * and the 43-character base64url HMAC-SHA256 signature, 2048 characters at most. The API verifies
 * the signature; this only refuses what cannot be a token, such as a raw candidate id (a UUID,
 * `CAND-2024-000123`), so that it is never sent.
 */
export function validToken(token: unknown): token is string {
  return typeof token === 'string' && /^[\w-]{8,2004}\.[\w-]{43}$/.test(token);
}

/**
 * `href` without its `cxm_t` parameters, and the first one's raw value. The parameters are cut out
 * of the string: every other byte of the URL (the query's own encoding, `+` and `%20`, bare
 * `flag`s, the fragment) stays as it was, where URLSearchParams would re-encode the whole query.
 */
export function withoutToken(href: string): [string, string?] {
  const removed: string[] = [];
  return [
    href.replace(/^([^#?]*)\?([^#]*)/, (_, start: string, query: string) => {
      const kept = query
        .split('&')
        .filter((param) => param.split('=')[0] !== IDENTITY_PARAM || !removed.push(param));
      return kept.length ? `${start}?${kept.join('&')}` : start;
    }),
    removed[0]?.slice(IDENTITY_PARAM.length + 1),
  ];
}

/**
 * Returns the page URL's token, if it is one, after removing every `cxm_t` from the address bar
 * (a value that is not a token is removed too, and never sent).
 */
export function takeUrlToken(): string | undefined {
  const [href, token] = withoutToken(location.href);
  // Same path, same state: a replace that the SPA watcher does not count as a page view.
  if (href !== location.href) history.replaceState(history.state, '', href);
  return validToken(token) ? token : undefined;
}
