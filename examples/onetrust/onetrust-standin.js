// A local stand-in for OneTrust's cookie banner, behaving like its public browser API:
// - window.OnetrustActiveGroups: ",C0001,...," (C0001, strictly necessary, is always active);
// - window.OptanonWrapper(): called once the banner has loaded and after every consent change;
// - the `OneTrustGroupsUpdated` window event (detail: the active groups) on load and every change;
// - scripts blocked as <script type="text/plain" class="optanon-category-C0004"> run only once
//   their category is active (re-inserted as runnable scripts, as OneTrust does);
// - window.OneTrust appears late, first half-initialised, as the real one can.
// The choice is kept in localStorage (the real banner uses its OptanonConsent cookie).
(() => {
  const KEY = 'onetrust-standin-groups';
  const ALL = ['C0001', 'C0002', 'C0003', 'C0004'];
  let groups = (localStorage.getItem(KEY) || '').split(',').filter(Boolean);
  const decided = groups.length > 0;
  if (!decided) groups = ['C0001'];

  const publish = () => {
    window.OnetrustActiveGroups = `,${groups.join(',')},`;
    for (const script of document.querySelectorAll(
      'script[type="text/plain"][class*="optanon-category-"]',
    )) {
      const category = /optanon-category-([\w-]+)/.exec(script.className)?.[1];
      if (!category?.split('-').every((c) => groups.includes(c))) continue;
      const runnable = document.createElement('script');
      for (const { name, value } of script.attributes)
        if (name !== 'type') runnable.setAttribute(name, value);
      runnable.text = script.text;
      script.replaceWith(runnable);
    }
    if (typeof window.OptanonWrapper === 'function') window.OptanonWrapper();
    window.dispatchEvent(new CustomEvent('OneTrustGroupsUpdated', { detail: groups.slice() }));
    render();
  };

  const choose = (next) => {
    groups = next;
    localStorage.setItem(KEY, groups.join(','));
    publish();
  };

  let banner;
  const render = () => {
    if (!document.body) return;
    banner ||= document.body.appendChild(document.createElement('div'));
    banner.id = 'onetrust-banner-sdk';
    banner.style.cssText =
      'position:fixed;left:16px;right:16px;bottom:16px;max-width:720px;margin:auto;background:#fff;border:1px solid #ccd;border-radius:10px;padding:16px 20px;box-shadow:0 8px 30px rgba(0,0,0,.15);font:15px/1.5 system-ui,sans-serif;z-index:10';
    const targeting = groups.includes('C0004');
    banner.innerHTML = `
      <strong>Cookies on Northwind Careers</strong>
      <p style="margin:6px 0 12px">We use targeting cookies (category C0004) to follow up on your interest in our roles and events.
        Current choice: <b id="onetrust-state">${decided || localStorage.getItem(KEY) ? (targeting ? 'targeting accepted' : 'targeting rejected') : 'not decided'}</b>.</p>
      <button id="onetrust-accept-btn-handler" type="button">Accept all</button>
      <button id="onetrust-reject-all-handler" type="button" class="secondary">Reject all</button>
      <button id="onetrust-withdraw-handler" type="button" class="secondary">Withdraw consent</button>`;
    banner.querySelector('#onetrust-accept-btn-handler').onclick = () => choose(ALL.slice());
    banner.querySelector('#onetrust-reject-all-handler').onclick = () => choose(['C0001']);
    banner.querySelector('#onetrust-withdraw-handler').onclick = () => choose(['C0001']);
  };

  // Like the real SDK: a partial OneTrust object first, the full one a moment later.
  window.OneTrust = { geolocationResponse: { countryCode: 'PT' } };
  setTimeout(() => {
    window.OneTrust = {
      ...window.OneTrust,
      GetDomainData: () => ({ Groups: ALL.map((id) => ({ CustomGroupId: id })) }),
      AllowAll: () => choose(ALL.slice()),
      RejectAll: () => choose(['C0001']),
      UpdateConsent: (_kind, pair) => {
        const [id, on] = String(pair).split(':');
        choose(
          on === '1'
            ? [...new Set([...groups, id])]
            : groups.filter((g) => g !== id || g === 'C0001'),
        );
      },
      ToggleInfoDisplay: () => render(),
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', publish);
    else publish();
  }, 150);
})();
