// Signed tokens and cursors as a caller sees them: `base64url(JSON)` (plus `.signature` for
// tokens). Their payloads are readable, so replies are searched with them decoded, and a caller
// can rewrite its own token's payload (keeping its signature) to aim it at another organisation.

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

/** The payload of a signed token (`<payload>.<signature>`), or of a cursor. */
export function payloadOf(token: string): Record<string, unknown> | null {
  return decodeBase64urlJson(token.split('.')[0] ?? '');
}

/** The same token with `changes` in its payload and its original signature: a forgery. */
export function rewritten(token: string, changes: Record<string, unknown>): string {
  const [, signature = ''] = token.split('.');
  const payload = { ...payloadOf(token), ...changes };
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}

/** The token at the end of a `/v1/o/<token>` or `/v1/c/<token>` URL. */
export function tokenOfUrl(url: string): string {
  return new URL(url).pathname.split('/').at(-1) ?? '';
}

/**
 * Every base64url JSON segment in `text` (tokens, cursors, `cxm_t` in a redirect), decoded: what
 * they name is searched like the rest of the reply.
 */
export function decodedSegments(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/eyJ[A-Za-z0-9_-]{8,}/g)) {
    const payload = decodeBase64urlJson(match[0]);
    if (payload) found.push(JSON.stringify(payload));
  }
  return found;
}
