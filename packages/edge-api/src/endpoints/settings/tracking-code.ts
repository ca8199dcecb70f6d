// The tracking code a career site pastes: the tracker's queue stub, then `t.js` for the site's
// key. The one function behind the console's Copy Tracking Code, `GET
// /v1/settings/engagement/tracking-code` and the example sites' pasted code (a test compares them).
// The stub is the tracker's own `STUB` (`@cxm/tracker/snippet`: two constants, no browser code),
// so the two cannot drift. `data-form-visitor-field` makes the tracker add the hidden `cxm_vid`
// field to forms, which the site's backend sends to `POST /v1/visitors/{id}/link`: without it a
// form submit cannot link the visitor to the candidate. The consent attribute follows the
// organisation's consent mode. The OneTrust variant is how OneTrust blocks scripts until consent:
// `type="text/plain"` plus the `optanon-category-<category>` class on the script tag. The stub
// stays unblocked: it only queues calls (no request, no storage), and blocking it would make the
// page's own early `cxm(...)` calls throw a ReferenceError before consent.
import { STUB } from '@cxm/tracker/snippet';

export interface TrackingCodeInput {
  /** The collector's origin (this API's). */
  origin: string;
  siteKey: string;
  consent: 'none' | 'onetrust' | 'manual';
  onetrustCategory: string;
}

export function trackingSnippet(input: TrackingCodeInput): string {
  const { origin, siteKey, consent } = input;
  const src = `${origin}/t.js?site=${encodeURIComponent(siteKey)}`;
  const attributes = [`async src="${src}"`, `data-site="${siteKey}"`];
  if (consent === 'onetrust') {
    const category = input.onetrustCategory;
    attributes.unshift(`type="text/plain" class="optanon-category-${category}"`);
    attributes.push(`data-consent="onetrust" data-onetrust-category="${category}"`);
  } else if (consent === 'manual') {
    attributes.push('data-consent="manual"');
  }
  attributes.push('data-form-visitor-field');
  return `<script>${STUB}</script>\n<script ${attributes.join(' ')}></script>`;
}
