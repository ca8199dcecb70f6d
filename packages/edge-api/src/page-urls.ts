// Page URLs from the browser: which ones a site may report, and the form they are stored in.
// Stored details must not carry tracking tokens (the signed `cxm_t` identity token above all:
// it names a candidate) or campaign parameters that would make one page look like many.
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
 * The URL as stored: no fragment, no tracking parameters, other parameters in their order.
 * `url` must already be known to be an http(s) URL.
 */
export function storedPageUrl(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  parsed.username = '';
  parsed.password = '';
  const kept = [...parsed.searchParams].filter(([name]) => !isTrackingParam(name));
  parsed.search = kept.length > 0 ? new URLSearchParams(kept).toString() : '';
  return parsed.toString();
}

/** Normalises a configured or received origin for comparison (`Origin` headers are exact). */
export function normaliseOrigin(origin: string): string | null {
  const normalised = httpOrigin(origin);
  return normalised !== null && normalised !== 'null' ? normalised : null;
}
