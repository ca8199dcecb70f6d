// The snippet a career site pastes: the tracker's queue stub, then `t.js` for the site's key.
// The stub is the tracker's own `STUB` (`@cxm/tracker/snippet`: two constants, no browser
// code), so the two cannot drift. The OneTrust variant is how OneTrust blocks scripts until
// consent: `type="text/plain"` plus the `optanon-category-<category>` class on the script tag.
// The stub stays unblocked: it only queues calls (no request, no storage), and blocking it would
// make the page's own early `cxm(...)` calls throw a ReferenceError before consent.
import { STUB } from '@cxm/tracker/snippet';

export function trackingSnippet(input: {
  origin: string;
  siteKey: string;
  consent: 'none' | 'onetrust' | 'manual';
  onetrustCategory: string;
}): string {
  const { origin, siteKey, consent } = input;
  const src = `${origin}/t.js?site=${encodeURIComponent(siteKey)}`;
  if (consent === 'onetrust') {
    const category = input.onetrustCategory;
    const blocked = `type="text/plain" class="optanon-category-${category}"`;
    return (
      `<script>${STUB}</script>\n` +
      `<script ${blocked} async src="${src}" data-site="${siteKey}" data-consent="onetrust" data-onetrust-category="${category}"></script>`
    );
  }
  const consentAttribute = consent === 'manual' ? ' data-consent="manual"' : '';
  return (
    `<script>${STUB}</script>\n` +
    `<script async src="${src}" data-site="${siteKey}"${consentAttribute}></script>`
  );
}
