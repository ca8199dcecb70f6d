// Whether a reply carries another organisation's data: its status line, headers (a redirect's
// Location) and body are searched, with every token in them (link tokens, `cxm_t`) opened and
// every base64url JSON segment decoded, for each of the victim's values. A value the request itself named (the
// victim's candidate id in the path, say) may come back as an echo and is not searched for;
// the cases then check the reply's shape instead.
import { type Answer, type Call, requestText } from './http.js';
import { decodedSegments } from './tokens.js';

export function searchable(answer: Answer): string {
  const headers = Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`);
  let body = answer.text;
  try {
    body = `${body}\n${decodeURIComponent(body)}`;
  } catch {}
  const all = [String(answer.status), ...headers, body].join('\n');
  return [all, ...decodedSegments(all)].join('\n');
}

/** The victim's values found in the reply that the request did not name itself. */
export function leaks(answer: Answer, request: Call, secrets: readonly string[]): string[] {
  const haystack = searchable(answer);
  // Tokens the request carried name what they name: a cxm_t minted from them may echo it.
  const asked = requestText(request);
  const named = [asked, ...decodedSegments(asked)].join('\n');
  return secrets.filter((secret) => !named.includes(secret) && haystack.includes(secret));
}
