// Page URLs from the browser: which ones a site may report, and the form they are stored in.
// Stored details must not carry tracking tokens (the `cxm_t` identity code or token above all:
// it names a candidate), campaign parameters that would make one page look like many, or what a
// visitor typed into a GET form or a search box (names, emails, queries).
import { IDENTITY_PARAM } from '@cxm/tracker/wire';

/** Query parameters removed before a URL is stored: ours, then common campaign/click ids. */
const TRACKING_PARAMS = new Set([
  IDENTITY_PARAM,
  'gclid',
  'gbraid',
  'wbraid',
  'dclid',
  'fbclid',
  'msclkid',
  'twclid',
  'li_fat_id',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'yclid',
  '_ga',
  '_gl',
]);

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || lower.startsWith('utm_');
}

/**
 * Parameter names that carry personal data or free text (a GET form, a search box), compared
 * case-insensitively with `-`, `_`, `.` and brackets removed: `E-Mail`, `first_name`,
 * `contact[email]` all match.
 */
const PERSONAL_PARAMS = new Set([
  'email',
  'mail',
  'phone',
  'tel',
  'mobile',
  'name',
  'firstname',
  'lastname',
  'fullname',
  'password',
  'pass',
  'pwd',
  'q',
  'query',
  'search',
  's',
  'message',
  'comment',
]);

/** Words that mark personal data inside a longer name (`user_email`, `contact[phone]`). */
const PERSONAL_WORDS = new Set([
  'email',
  'mail',
  'phone',
  'tel',
  'mobile',
  'firstname',
  'lastname',
  'fullname',
  'password',
  'pwd',
  'message',
  'comment',
]);

/** Looks like an email address wherever it appears, whatever the parameter is called. */
const EMAIL_VALUE = /[^\s@]+@[^\s@]+\.[^\s@]+/;

function isPersonalParam(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (PERSONAL_PARAMS.has(lower.replace(/[-_.[\]\s]/g, ''))) return true;
  const words = lower.split(/[^a-z0-9]+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    if (PERSONAL_WORDS.has(words[i]!)) return true;
    // `first_name`, `last-name`, `full.name` inside a longer name.
    const pair = `${words[i]}${words[i + 1] ?? ''}`;
    if (pair === 'firstname' || pair === 'lastname' || pair === 'fullname') return true;
  }
  return EMAIL_VALUE.test(value);
}

/** The origin of an http(s) URL, or null when `url` is not one. */
export function httpOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.origin;
}

/**
 * The URL as stored: no fragment, no credentials, no tracking parameters, no parameters that
 * look like personal data or free text (see PERSONAL_PARAMS, plus any value that looks like an
 * email address); other parameters (`?id=123`, `?job=42`) in their order.
 * `url` must already be known to be an http(s) URL.
 */
export function storedPageUrl(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  parsed.username = '';
  parsed.password = '';
  const kept = [...parsed.searchParams].filter(
    ([name, value]) => !isTrackingParam(name) && !isPersonalParam(name, value),
  );
  parsed.search = kept.length > 0 ? new URLSearchParams(kept).toString() : '';
  return parsed.toString();
}

/** Normalises a configured or received origin for comparison (`Origin` headers are exact). */
export function normaliseOrigin(origin: string): string | null {
  const normalised = httpOrigin(origin);
  return normalised !== null && normalised !== 'null' ? normalised : null;
}
