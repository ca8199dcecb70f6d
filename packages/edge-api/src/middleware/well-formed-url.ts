// Path and query parameters must be valid UTF-8 once percent-decoded (utils/well-formed.ts says
// why). A URL cannot carry a lone surrogate any other way: URL parsers turn a raw one into
// U+FFFD, which is well-formed and taken as it is. Refused before the route's own checks, as a
// 400 naming the parameter, so no route ever reads or writes an undecoded escape.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../env.js';
import { errorResponse, type Issue } from '../utils/errors.js';
import { decodeEscapes, escapesAreUtf8, malformedTextError } from '../utils/well-formed.js';

const MESSAGE = 'must be valid UTF-8 once percent-decoded';

export function wellFormedUrl(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    // Most URLs have no escape at all: nothing to decode.
    if (!url.pathname.includes('%') && !url.search.includes('%')) return next();
    const issues = [...pathIssues(url.pathname, routePath(c, -1)), ...queryIssues(url.search)];
    if (issues.length === 0) return next();
    return errorResponse(c, malformedTextError(issues, 'not valid UTF-8 once percent-decoded'));
  };
}

/**
 * A path segment that does not decode, named by the matched route's parameter at its place
 * (`/v1/candidates/:candidateId`). A static segment that does not decode matches no route, so
 * such a request goes on to its 404.
 */
function pathIssues(pathname: string, route: string): Issue[] {
  const pattern = route.split('/');
  const issues: Issue[] = [];
  pathname.split('/').forEach((segment, index) => {
    const param = /^:(\w+)/.exec(pattern[index] ?? '')?.[1];
    if (param && !escapesAreUtf8(segment))
      issues.push({ path: param, code: 'invalid', message: MESSAGE });
  });
  return issues;
}

/** Each query parameter whose name or value does not decode (`+` is a space, as in forms). */
function queryIssues(search: string): Issue[] {
  const issues: Issue[] = [];
  for (const pair of search.slice(1).split('&')) {
    const split = pair.indexOf('=');
    const rawName = split === -1 ? pair : pair.slice(0, split);
    const rawValue = split === -1 ? '' : pair.slice(split + 1);
    if (!escapesAreUtf8(rawName)) {
      issues.push({ path: rawName, code: 'invalid', message: `a parameter name ${MESSAGE}` });
    } else if (!escapesAreUtf8(rawValue)) {
      const name = decodeEscapes(rawName.replaceAll('+', ' '));
      issues.push({ path: name, code: 'invalid', message: MESSAGE });
    }
  }
  return issues;
}
