// Opaque pagination cursors: base64url JSON of the last row's sort position. They are not
// signed (they only say where to continue, within the caller's own organisation); a cursor
// that does not decode is a 400 like any other bad parameter.
import { base64url, fromBase64url, utf8 } from './encoding.js';

export function encodeCursor(value: unknown): string {
  return base64url(utf8(JSON.stringify(value)));
}

export function decodeCursor<T>(cursor: string, check: (value: unknown) => value is T): T | null {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const bytes = fromBase64url(cursor);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return check(value) ? value : null;
  } catch {
    return null;
  }
}
