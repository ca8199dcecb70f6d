// Page views in single-page apps: one per navigation through `history.pushState`, `replaceState`
// or `popstate`, never two for the same page.
import { withoutToken } from './token.js';

/**
 * The URL as sent: no fragment, no identity token (it must not end up in analytics), every other
 * byte as the page has it.
 */
export function cleanUrl(href: string): string {
  return withoutToken(href.split('#')[0]!)[0];
}

/**
 * Whether moving from `previous` to `next` is a new page view. A push or a back/forward counts
 * when the path or the query changes (job boards such as Greenhouse put the job in `?gh_jid=`); a
 * replace counts only when the path changes, because routers and search boxes use `replaceState`
 * to keep filter state and scroll position in the query, and counting those inflates page views.
 * Fragments never count.
 */
export function isNewPageView(previous: string, next: string, replace?: boolean): boolean {
  return replace
    ? new URL(previous).pathname !== new URL(next).pathname
    : cleanUrl(previous) !== cleanUrl(next);
}

/** Calls `onPageView` for every SPA navigation that is a new page view. */
export function watchNavigation(onPageView: () => void): void {
  let current = location.href;
  const changed = (replace?: boolean) => {
    try {
      if (isNewPageView(current, location.href, replace)) onPageView();
      current = location.href;
    } catch {}
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    // Routers that kept a reference to the original before this script ran bypass the patch; their
    // back/forward navigations still arrive through `popstate`. Errors of the page's own call are
    // the page's: they propagate as they would without the tracker.
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      changed(method === 'replaceState');
      return result;
    };
  }
  addEventListener('popstate', () => changed());
  // A page restored from the back/forward cache runs no script again, yet the candidate sees the
  // page anew: count it like a load.
  addEventListener('pageshow', (event) => {
    if (event.persisted) onPageView();
  });
}
