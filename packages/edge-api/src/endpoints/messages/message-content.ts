// What a send's candidate receives: the text (or template variables) and, with a `url`, a
// tracked link of their own (`message-links/`), placed where the body says `{link}` or after it,
// or given to a template as its `link` variable. The destination must be one the organisation
// allows, like a tracked email link's, so the redirect is never open.
import { destinationIssues } from '../../orgs/context.js';
import { type ApiError, invalidRequest } from '../../utils/errors.js';
import { bodyWithLink, messageLinkUrl, newLinkCode } from '../message-links/message-links.js';
import type { SendMessageBody } from './schema.js';

/** A text's longest body, the tracked link included (Twilio's limit is 1,600 characters). */
export const MAX_BODY = 1600;

export interface Content {
  body: string | null;
  variables: Record<string, string> | null;
  link: { code: string; url: string; tracked: string } | null;
}

export function messageContent(
  request: SendMessageBody,
  where: { allowed: ReadonlySet<string>; base: string },
): { ok: true; content: Content } | { ok: false; error: ApiError } {
  const plain = { body: request.body ?? null, variables: request.variables ?? null, link: null };
  if (request.url === undefined) return { ok: true, content: plain };
  const issues = destinationIssues([request.url], where.allowed, () => 'url');
  if (issues.length > 0) return { ok: false, error: invalidRequest(issues) };
  const code = newLinkCode();
  const tracked = messageLinkUrl(where.base, code);
  const link = { code, url: request.url, tracked };
  if (request.body === undefined) {
    const variables = { ...plain.variables, link: tracked };
    return { ok: true, content: { ...plain, variables, link } };
  }
  const body = bodyWithLink(request.body, tracked);
  if (body.length > MAX_BODY) {
    return {
      ok: false,
      error: invalidRequest([
        {
          path: 'body',
          code: 'too_long',
          message: `With its tracked link the text is ${body.length} characters; at most ${MAX_BODY}.`,
        },
      ]),
    };
  }
  return { ok: true, content: { ...plain, body, link } };
}
