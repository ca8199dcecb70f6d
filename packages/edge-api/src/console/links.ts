// Links between console pages: a path and its query string, with empty values left out (an
// unset filter is not `?tier=`), built by the client's own query-string writer.
import { queryString } from '../client/index.js';

export function withQuery(path: string, query: Record<string, string | number | undefined>) {
  const kept: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') kept[name] = value;
  }
  return `${path}${queryString(kept)}`;
}
