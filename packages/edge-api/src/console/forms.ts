// Reading the console's forms: every field a string (urlencoded forms have no files), so a
// controller turns plain text into an API request body without checking types again.
import type { Context } from 'hono';

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

export async function readForm(c: Context): Promise<Record<string, string>> {
  const form: Record<string, string> = {};
  for (const [name, value] of Object.entries(await c.req.parseBody())) {
    if (typeof value === 'string') form[name] = value;
  }
  return form;
}
