// Text the API takes must be well-formed Unicode. JSON may spell a lone UTF-16 surrogate
// (`"\ud800lone"`), which has no UTF-8 form: D1 stores replacement characters in its place, so a
// candidate id holding one could never be found, nor purged, by either spelling. In a URL the
// same mistake is a percent-escape that is not UTF-8 (`%ED%A0%80`, `%FF`), which Hono leaves
// undecoded, so the route would see the escape itself as the value. Both are refused, naming
// the field, before anything is read or written.
import { type ApiError, apiError, type Issue } from './errors.js';

/** More than this many are summed up in the last issue: a hostile body may hold thousands. */
const MAX_ISSUES = 20;

const SURROGATE_MESSAGE = 'must be well-formed Unicode: it holds a lone UTF-16 surrogate';

/**
 * Every string of a parsed JSON value, property names included, that is not well-formed, as
 * issues at their dotted paths (`engagements.0.candidateId`). Iterative: a body may nest
 * thousands of levels deep.
 */
export function malformedStrings(value: unknown): Issue[] {
  const issues: Issue[] = [];
  let found = 0;
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [item, path] = stack.pop() as [unknown, string];
    if (typeof item === 'string') {
      if (!item.isWellFormed()) {
        found += 1;
        if (found <= MAX_ISSUES) issues.push({ path, code: 'invalid', message: SURROGATE_MESSAGE });
      }
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], join(path, String(i))]);
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, child] = entries[i] as [string, unknown];
        // The name goes in the path as it would be stored: replacement characters for surrogates.
        const at = join(path, name.toWellFormed());
        if (!name.isWellFormed()) {
          found += 1;
          if (found <= MAX_ISSUES) {
            issues.push({
              path: at,
              code: 'invalid',
              message:
                'a property name must be well-formed Unicode: it holds a lone UTF-16 surrogate',
            });
          }
        }
        stack.push([child, at]);
      }
    }
  }
  if (found > MAX_ISSUES) {
    issues.push({
      path: '',
      code: 'invalid',
      message: `and ${found - MAX_ISSUES} more strings that are not well-formed Unicode`,
    });
  }
  return issues;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Runs of percent-escapes, decoded together since one character may take up to four. */
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;

/**
 * Whether every percent-escape in `text` decodes as UTF-8. A `%` not followed by two hex digits
 * is a plain character, as Hono and URLSearchParams take it.
 */
export function escapesAreUtf8(text: string): boolean {
  for (const [run] of text.matchAll(ESCAPES)) {
    try {
      decodeURIComponent(run);
    } catch {
      return false;
    }
  }
  return true;
}

/** `text` with its escapes decoded; only for text whose escapes are all UTF-8. */
export function decodeEscapes(text: string): string {
  return text.replace(ESCAPES, (run) => decodeURIComponent(run));
}

/** The 400 for text that is not well-formed: its message names the fields, its issues each one. */
export function malformedTextError(issues: Issue[], what: string): ApiError {
  const named = issues
    .map((issue) => issue.path)
    .filter((path) => path !== '')
    .slice(0, 5);
  const fields = named.length > 0 ? named.join(', ') : 'the request';
  return apiError('invalid_request', `${fields}: ${what}; see issues.`, issues);
}
