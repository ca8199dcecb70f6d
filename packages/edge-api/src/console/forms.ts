// Reading the console's forms: every field a string (urlencoded forms have no files), so a
// controller turns plain text into an API request body without checking types again.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { readCappedText } from '../middleware/capped-body.js';

/**
 * The most a console form may post: its longest field is a campaign's text (1,600 characters) or
 * a settings list; far below this. Past it the app answers 413 with the JSON error (app.ts).
 */
export const MAX_FORM_BYTES = 64 * 1024;

/**
 * A tags field as the API's list: `java, london` (commas or lines) → `['java', 'london']`, blanks
 * dropped; the API trims, dedupes and checks each tag.
 */
export function tagsOfText(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,\n]/)
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** The posted urlencoded form with every value of a repeated field, read at most MAX_FORM_BYTES. */
export async function readFormFields(c: Context): Promise<URLSearchParams> {
  const body = await readCappedText(c.req.raw, MAX_FORM_BYTES);
  if (!body.ok) throw new HTTPException(413, { message: body.error.message });
  return new URLSearchParams(body.text);
}

/** The posted urlencoded form, read at most MAX_FORM_BYTES; a later field of the same name wins. */
export async function readForm(c: Context): Promise<Record<string, string>> {
  return Object.fromEntries(await readFormFields(c));
}
