// The tracking code's text against the tracker's own snippet module, which it must not drift from.
import { STUB, snippet } from '@cxm/tracker/snippet';
import { describe, expect, it } from 'vitest';
import { trackingSnippet } from './tracking-code.js';

const site = { origin: 'https://edge.test', siteKey: 'pk_demo', onetrustCategory: 'C0003' };

describe('trackingSnippet', () => {
  it("opens with the tracker's queue stub, exactly as the tracker's snippet pastes it", () => {
    expect(trackingSnippet({ ...site, consent: 'none' })).toContain(`<script>${STUB}</script>\n`);
    const stubLine = snippet(site.origin, site.siteKey).split('\n')[0];
    for (const consent of ['none', 'manual', 'onetrust'] as const) {
      expect(trackingSnippet({ ...site, consent }).split('\n')[0], consent).toBe(stubLine);
    }
  });

  it('loads t.js for the site with the consent mode, and the form visitor field in every mode', () => {
    const tag = (consent: 'none' | 'manual' | 'onetrust') =>
      trackingSnippet({ ...site, consent }).split('\n')[1];
    const src = 'https://edge.test/t.js?site=pk_demo';
    expect(tag('none')).toBe(
      `<script async src="${src}" data-site="pk_demo" data-form-visitor-field></script>`,
    );
    expect(tag('manual')).toBe(
      `<script async src="${src}" data-site="pk_demo" data-consent="manual" data-form-visitor-field></script>`,
    );
    // Only the tracker's tag is blocked: the stub stays runnable so early `cxm(...)` calls queue.
    expect(tag('onetrust')).toBe(
      `<script type="text/plain" class="optanon-category-C0003" async src="${src}" data-site="pk_demo" data-consent="onetrust" data-onetrust-category="C0003" data-form-visitor-field></script>`,
    );
  });
});
