import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanUrl, isNewPageView, watchNavigation } from './spa.js';

describe('page view rules', () => {
  it('counts a push or back/forward that changes the path or the query', () => {
    expect(isNewPageView('https://a.test/jobs', 'https://a.test/jobs/1')).toBe(true);
    expect(isNewPageView('https://a.test/jobs?gh_jid=1', 'https://a.test/jobs?gh_jid=2')).toBe(
      true,
    );
    expect(isNewPageView('https://a.test/jobs', 'https://a.test/jobs')).toBe(false);
  });

  it('does not count a replace that keeps the path, nor a fragment change', () => {
    expect(isNewPageView('https://a.test/jobs', 'https://a.test/jobs?q=eng', true)).toBe(false);
    expect(isNewPageView('https://a.test/jobs', 'https://a.test/apply', true)).toBe(true);
    expect(isNewPageView('https://a.test/jobs', 'https://a.test/jobs#apply')).toBe(false);
  });

  it('sends URLs without fragment or identity token', () => {
    expect(cleanUrl('https://a.test/jobs?cxm_t=abc&utm_source=mail#top')).toBe(
      'https://a.test/jobs?utm_source=mail',
    );
  });

  it('cuts the token out leaving every other byte of the query as it was', () => {
    expect(
      cleanUrl('https://a.test/jobs?city=M%FCnchen&q=a%20b&tags=a,b&flag&cxm_t=abc.def#apply'),
    ).toBe('https://a.test/jobs?city=M%FCnchen&q=a%20b&tags=a,b&flag');
    expect(cleanUrl('https://a.test/jobs?cxm_t=1&q=a+b&cxm_t&x=?y#cxm_t=2')).toBe(
      'https://a.test/jobs?q=a+b&x=?y',
    );
    expect(cleanUrl('https://a.test/jobs?cxm_t=abc')).toBe('https://a.test/jobs');
    expect(cleanUrl('https://a.test/jobs?')).toBe('https://a.test/jobs?');
    expect(cleanUrl('https://a.test/jobs?cxm_tt=1&xcxm_t=2')).toBe(
      'https://a.test/jobs?cxm_tt=1&xcxm_t=2',
    );
  });
});

describe('SPA navigation watch', () => {
  const onPageView = vi.fn();
  watchNavigation(onPageView);
  beforeEach(() => onPageView.mockClear());

  it('produces one page view per navigation through pushState, replaceState and popstate', async () => {
    history.pushState({}, '', '/one');
    expect(onPageView).toHaveBeenCalledTimes(1);
    history.pushState({}, '', '/one'); // same page again
    history.replaceState({ scroll: 10 }, '', '/one?filter=x'); // router keeping state
    history.replaceState({}, '', '/one#section');
    expect(onPageView).toHaveBeenCalledTimes(1);
    history.replaceState({}, '', '/two');
    expect(onPageView).toHaveBeenCalledTimes(2);
    history.pushState({}, '', '/three');
    expect(onPageView).toHaveBeenCalledTimes(3);
    const popped = new Promise((resolve) => addEventListener('popstate', resolve, { once: true }));
    history.back();
    await popped;
    expect(location.pathname).toBe('/two');
    expect(onPageView).toHaveBeenCalledTimes(4);
  });

  it("keeps the page's own history calls working and returning as before", () => {
    expect(history.pushState({ a: 1 }, '', '/five')).toBeUndefined();
    expect(history.state).toEqual({ a: 1 });
    expect(location.pathname).toBe('/five');
  });
});
