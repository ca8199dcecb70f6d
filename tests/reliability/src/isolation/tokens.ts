// Tokens and cursors as a caller sees them. Tokens are opaque (an encrypted payload, then a
// signature: @cxm/test-support/tokens); the suite knows the development TOKEN_SECRET the worker
// under test runs with, so it reads what each token names as the worker would, searches replies
// with them opened, and rewrites its own token's payload (keeping its signature) to aim it at
// another organisation. A base64url JSON segment (a plain cursor, a token from before
// encryption) is decoded as well.
import { openToken, tokensIn, withPayload } from '@cxm/test-support/tokens';
import { DEV_VARS } from '@cxm/test-support/worker';

export function decodeBase64urlJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** What a token names, opened with the development secret (null when it is no token). */
export function payloadOf(token: string): Record<string, unknown> | null {
  return openToken(DEV_VARS.TOKEN_SECRET, token);
}

/** The same token with `changes` in its payload and its original signature: a forgery. */
export function rewritten(token: string, changes: Record<string, unknown>): string {
  return withPayload(DEV_VARS.TOKEN_SECRET, token, { ...payloadOf(token), ...changes });
}

/** The token at the end of a `/v1/o/<token>` or `/v1/c/<token>` URL. */
export function tokenOfUrl(url: string): string {
  return new URL(url).pathname.split('/').at(-1) ?? '';
}

/**
 * Every token in `text` (link tokens, `cxm_t` in a redirect) opened, and every base64url JSON
 * segment decoded: what they name is searched like the rest of the reply.
 */
export function decodedSegments(text: string): string[] {
  const found: string[] = [];
  for (const token of tokensIn(text)) {
    const payload = payloadOf(token);
    if (payload) found.push(JSON.stringify(payload));
  }
  for (const match of text.matchAll(/eyJ[A-Za-z0-9_-]{8,}/g)) {
    const payload = decodeBase64urlJson(match[0]);
    if (payload) found.push(JSON.stringify(payload));
  }
  return found;
}
