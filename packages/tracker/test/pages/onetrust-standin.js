// A local stand-in for OneTrust's banner SDK, with the behaviour a consent adapter meets: a
// half-initialised `window.OneTrust` first, the decision later, and on load and every change
// `OnetrustActiveGroups` updated, the site's `OptanonWrapper()` called and `OneTrustGroupsUpdated`
// fired with the active groups. C0001 (strictly necessary) is always active.
(() => {
  window.OneTrust = { geolocationResponse: { countryCode: 'DE' } };
  const apply = (active) => {
    window.OnetrustActiveGroups = `,${active.join(',')},`;
    if (typeof window.OptanonWrapper === 'function') window.OptanonWrapper();
    window.dispatchEvent(new CustomEvent('OneTrustGroupsUpdated', { detail: active }));
  };
  setTimeout(() => {
    Object.assign(window.OneTrust, {
      AllowAll: () => apply(['C0001', 'C0002', 'C0003', 'C0004']),
      RejectAll: () => apply(['C0001']),
      UpdateConsent: (_kind, groups) => apply(groups.split(',')),
    });
    document.documentElement.dataset.onetrust = 'ready';
    apply(['C0001']); // opt-in: nothing but strictly necessary until the visitor chooses
  }, 300);
})();
