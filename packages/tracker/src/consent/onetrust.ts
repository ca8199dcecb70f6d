// OneTrust adapter: reports whether the configured category is active, now and on every change,
// without polling for ever and without breaking the site's own `OptanonWrapper`.

type OneTrustWindow = Window & {
  OnetrustActiveGroups?: unknown;
  OptanonWrapper?: unknown;
};

/** `",C0001,C0004,"` → is `category` in it? */
export function categoryActive(groups: string, category: string): boolean {
  return groups.split(',').includes(category);
}

export function watchOneTrust(category: string, report: (granted: boolean) => void): void {
  const check = () => {
    try {
      // `OnetrustActiveGroups` is absent until OneTrust has decided; `window.OneTrust` may already
      // exist half-initialised (e.g. only `geolocationResponse`), so it is not a signal on its own.
      const groups = (window as OneTrustWindow).OnetrustActiveGroups;
      if (typeof groups === 'string') report(categoryActive(groups, category));
    } catch {}
  };
  // Fires when OneTrust loads and on every consent change, after it updated
  // `OnetrustActiveGroups` (the event's `detail` holds the same groups as an array).
  addEventListener('OneTrustGroupsUpdated', check);
  // OneTrust also calls the global `OptanonWrapper()` on load and on every change. A site that
  // defined its own keeps it: chain onto it (this, arguments and result intact). None is created
  // when the site has none (no global beyond `cxm`), and a site that replaces the chained one
  // later is still heard through the event above.
  const previous = (window as OneTrustWindow).OptanonWrapper;
  if (typeof previous === 'function') {
    (window as OneTrustWindow).OptanonWrapper = function (this: unknown, ...args: unknown[]) {
      check();
      return previous.apply(this, args);
    };
  }
  // OneTrust may have decided before this script ran (its event is gone): read the groups now.
  // Nothing polls: a OneTrust that loads later fires the event and calls the wrapper.
  check();
}
