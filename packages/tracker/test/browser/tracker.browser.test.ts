// The tracker in real headless Chromium, against the real worker (`wrangler dev`, local D1) and
// pages served from another loopback origin.
import { launch } from '@cxm/test-support/chromium';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  engagements,
  engagementsOf,
  env,
  fingerprintOf,
  fingerprintRow,
  identityToken,
  stored,
  trackerLoaded,
  trackerStorage,
  until,
  type Visit,
  visitor,
  visitorRow,
} from './harness.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** How long a page must stay quiet before "nothing was sent" is believed. */
const QUIET_MS = 1500;
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

describe('pasted snippet', () => {
  it('records the visit in D1 under the stored visitor id at once, and sends the FingerprintJS id beside it once known', async () => {
    const v = await visitor(browser);
    await v.page.goto(`${env.pages}/snippet.html?case=snippet`);
    const beacon = await until(() => v.beacons()[0]);
    const id = await v.page.evaluate(() => localStorage.getItem('cxm_id'));
    // The first beacon does not wait for FingerprintJS.
    expect(beacon.visitor).toEqual({ id, kind: 'stored' });
    expect(beacon.events).toEqual([
      expect.objectContaining({
        type: 'visit_landing_page',
        url: `${env.pages}/snippet.html?case=snippet`,
      }),
    ]);
    const [row] = await stored('/snippet.html?case=snippet');
    expect(row).toMatchObject({ type: 'visit_landing_page', device_id: id, kind: 'stored' });
    // FingerprintJS ran after it; the next page's beacons carry its id, version and confidence.
    const fp = await fingerprintOf(v.page);
    expect(fp).toEqual({
      fp: expect.stringMatching(/^[\w-]{8,64}$/),
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      confidence: expect.any(Number),
    });
    await v.page.goto(`${env.pages}/snippet.html?case=snippet-2`);
    const next = await until(() => v.beacons()[1]);
    expect(next.visitor).toEqual({ id, kind: 'stored', ...fp });
    expect(next.visitor.fp).not.toBe(id);
    const [second] = await stored('/snippet.html?case=snippet-2');
    expect(second).toMatchObject({ device_id: id, kind: 'stored' });
    await v.context.close();
  });

  it('makes network requests to the collector origin only, and defines no global but cxm', async () => {
    const v = await visitor(browser);
    await v.page.goto(`${env.pages}/blank.html`);
    const before = await v.page.evaluate(() => Object.getOwnPropertyNames(window));
    await v.page.goto(`${env.pages}/snippet.html?origin-check=1`);
    await until(() => v.beacons()[0]);
    await quiet();
    const after = await v.page.evaluate(() => Object.getOwnPropertyNames(window));
    expect(after.filter((name) => !before.includes(name))).toEqual(['cxm']);
    // The site's own origin served only documents (and the browser's favicon request).
    const own = v.requests.filter((r) => r.url().startsWith(env.pages));
    for (const r of own)
      expect(r.isNavigationRequest() || r.url().endsWith('/favicon.ico')).toBe(true);
    const tracker = v.trackerRequests();
    expect(tracker.length).toBeGreaterThanOrEqual(2); // the fingerprint chunk and the beacon
    for (const request of tracker) expect(new URL(request.url()).origin).toBe(env.edge);
    expect(tracker.map((r) => new URL(r.url()).pathname)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/t\/fp\.[0-9a-f]+\.js$/), '/v1/collect']),
    );
    await v.context.close();
  });

  it('keeps the stored visitor id, without fp, when FingerprintJS is blocked', async () => {
    const v = await visitor(browser);
    await v.context.route(/\/t\/fp\.[0-9a-f]+\.js$/, (route) => route.abort('blockedbyclient'));
    await v.page.goto(`${env.pages}/snippet.html?fp=blocked`);
    const beacon = await until(() => v.beacons()[0]);
    expect(beacon.visitor.kind).toBe('stored');
    expect(await v.page.evaluate(() => localStorage.getItem('cxm_id'))).toBe(beacon.visitor.id);
    await v.page.goto(`${env.pages}/snippet.html?fp=blocked-2`);
    const next = await until(() => v.beacons()[1]);
    expect(next.visitor).toEqual({ id: beacon.visitor.id, kind: 'stored' });
    const [row] = await stored('/snippet.html?fp=blocked');
    expect(row).toMatchObject({ device_id: beacon.visitor.id, kind: 'stored' });
    await v.context.close();
  });

  it('sends the identity token from the URL once, and removes it from the address bar', async () => {
    // Shaped as a token (a 43-character signature), but not signed by the worker.
    const token = 'eyJ0eXAiOiJjeG0ifQ.dGVzdC10b2tlbi1ub3Qtc2lnbmVkLWJ5LXdvcmtlclg';
    const v = await visitor(browser);
    await v.page.goto(`${env.pages}/snippet.html?case=token&cxm_t=${token}`);
    const beacon = await until(() => v.beacons()[0]);
    expect(v.page.url()).toBe(`${env.pages}/snippet.html?case=token`);
    expect(beacon.identity).toBe(token);
    expect(beacon.events).toEqual([
      expect.objectContaining({ url: `${env.pages}/snippet.html?case=token` }),
    ]);
    // This token is not signed by the worker: ignored there, the visit is stored anonymously.
    await stored('/snippet.html?case=token');
    // Replaced, not pushed: Back leaves the page instead of returning to the token URL.
    await v.page.goBack();
    expect(v.page.url()).toBe('about:blank');
    await v.context.close();
  });

  it('leaves every other byte of the landing URL alone, and never sends a raw id given as cxm_t', async () => {
    const uuid = '550e8400-e29b-41d4-a716-446655440000';
    const query = '?city=M%FCnchen&q=a%20b&tags=a,b&flag';
    const v = await visitor(browser);
    await v.page.goto(`${env.pages}/snippet.html${query}&cxm_t=${uuid}#apply`);
    const beacon = await until(() => v.beacons()[0]);
    expect(v.page.url()).toBe(`${env.pages}/snippet.html${query}#apply`);
    expect(beacon.identity).toBeUndefined();
    expect(beacon.events).toEqual([
      expect.objectContaining({ url: `${env.pages}/snippet.html${query}` }),
    ]);
    expect(JSON.stringify(v.beacons())).not.toContain(uuid);
    await v.context.close();
  });

  it("keeps the page's errors its own when its fetch wrapper throws", async () => {
    const v = await visitor(browser, {
      init: `addEventListener('unhandledrejection', (e) => console.error('unhandled: ' + e.reason));
        const pageFetch = window.fetch;
        window.fetch = function (url) {
          if (String(url).includes('/v1/collect')) { window.thrown = (window.thrown || 0) + 1; throw new TypeError('wrapper'); }
          return pageFetch.apply(this, arguments);
        };`,
    });
    const errors: string[] = [];
    v.page.on('pageerror', (error) => errors.push(error.message));
    await v.page.goto(`${env.pages}/snippet.html?fetch=throws`);
    // The first post and its first retry (1 s later) both throw inside the tracker.
    await v.page.waitForFunction(() => (window as { thrown?: number }).thrown! >= 2, null, {
      timeout: 30_000,
    });
    expect(errors).toEqual([]);
    expect(v.console.filter((line) => line.includes('unhandled'))).toEqual([]);
    await v.context.close();
  });

  it('sends nothing at all under automation without the test switch', async () => {
    // playwright's Chromium sets navigator.webdriver, and its own user agent says HeadlessChrome.
    const v = await visitor(browser, { userAgent: null });
    await v.page.goto(`${env.pages}/automation.html`);
    await trackerLoaded(v.page);
    await quiet();
    expect(v.trackerRequests()).toEqual([]);
    expect(await trackerStorage(v.page)).toEqual([]);
    await v.context.close();
  });

  it('stops sending for the page view when the site has tracking switched off', async () => {
    const v = await visitor(browser);
    // Listening before the page loads: the first beacon no longer waits for FingerprintJS, so
    // it may be answered before `goto` returns.
    const answered = v.page.waitForResponse(`${env.edge}/v1/collect`);
    await v.page.goto(`${env.pages}/off.html`);
    const reply = await answered;
    expect(await reply.json()).toMatchObject({ tracking: false });
    await v.page.evaluate(() => history.pushState({}, '', '/off.html?next=1'));
    await quiet();
    expect(v.beacons()).toHaveLength(1);
    await v.context.close();
  });
});

describe('single-page app', () => {
  it('records one visit per navigation, not for a replace that keeps the path', async () => {
    const v = await visitor(browser);
    await v.page.goto(`${env.pages}/spa/jobs`);
    await until(() => v.beacons()[0]);
    await v.page.evaluate(() => {
      history.pushState({}, '', '/spa/jobs/backend');
      history.replaceState({ scroll: 120 }, '', '/spa/jobs/backend?tab=benefits');
      history.pushState({}, '', '/spa/apply');
      history.pushState({}, '', '/spa/apply#step-2');
    });
    await v.page.goBack(); // to /spa/apply: only the fragment changes, not a page view
    await v.page.goBack(); // to /spa/jobs/backend?tab=benefits: a page view
    await until(() => (v.beacons().flatMap((b) => b.events).length >= 4 ? true : undefined));
    await quiet();
    const paths = v
      .beacons()
      .flatMap((b) => b.events)
      .map((e) => new URL(e.url).pathname + new URL(e.url).search);
    expect(paths).toEqual([
      '/spa/jobs',
      '/spa/jobs/backend',
      '/spa/apply',
      '/spa/jobs/backend?tab=benefits',
    ]);
    await stored('/spa/apply');
    expect((await stored('/spa/jobs/backend', 1)).length).toBeGreaterThanOrEqual(1);
    await v.context.close();
  });
});

describe('forms', () => {
  it('records a submit that navigates away at once, never a field value; skips invalid and cancelled ones', async () => {
    const v = await visitor(browser);
    await v.page.goto(`${env.pages}/form.html`);
    const visit = await until(() => v.beacons()[0]);
    await v.page.click('#send-invalid'); // fails validation: no submit event
    await v.page.click('#send-cancelled'); // the page cancels it
    const navigation = v.page.waitForURL(`${env.pages}/thanks.html`);
    await v.page.click('#send');
    await navigation;
    const events = await until(() => {
      const all = v.beacons().flatMap((b) => b.events);
      return all.some((e) => e.type === 'submit_form') ? all : undefined;
    });
    expect(events.filter((e) => e.type === 'submit_form')).toEqual([
      expect.objectContaining({ form: 'apply', url: `${env.pages}/form.html` }),
    ]);
    const bodies = v.requests.map((r) => r.postData() ?? '');
    const beaconText = JSON.stringify(v.beacons());
    expect(beaconText).not.toMatch(/secret|field-named-submit/);
    // The site's own backend got the visitor id in the hidden field, with the fields it owns.
    const formPost = v.requests.find(
      (r) => r.url() === `${env.pages}/thanks.html` && r.method() === 'POST',
    );
    expect(new URLSearchParams(formPost?.postData() ?? '').get('cxm_vid')).toBe(visit.visitor.id);
    expect(bodies.some((b) => b.includes('cancelled-secret'))).toBe(false);
    const rows = await stored('/form.html', 2);
    expect(rows.map((r) => r.type).sort()).toEqual(['submit_form', 'visit_landing_page']);
    expect(rows.find((r) => r.type === 'submit_form')?.detail).toContain('form:apply');
    await v.context.close();
  });
});

describe('forms posted by script', () => {
  it("counts a cancelled submit posted by fetch once, through cxm('submit', form), and the site's backend links the visitor to the candidate", async () => {
    const v = await visitor(browser);
    await v.page.goto(`${env.pages}/quick-apply.html`);
    const visit = await until(() => v.beacons()[0]);
    await stored('/quick-apply.html');
    const email = `quick-apply-${Date.now()}@example.com`;
    await v.page.fill('input[name="email"]', email);
    await v.page.click('#apply');
    // The page's backend (POST /apply) filed the candidate and linked the visitor it was sent.
    const result = v.page.locator('#result[data-candidate-id]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toBe('linked: true');
    const candidate = await result.getAttribute('data-candidate-id');
    // The hidden field was in the form when the page's handler read it, with the visitor's id.
    const post = v.requests.find((r) => r.url() === `${env.pages}/apply` && r.method() === 'POST');
    expect(new URLSearchParams(post?.postData() ?? '').get('cxm_vid')).toBe(visit.visitor.id);

    // Counted once: not by the listener (the page cancelled the submit), once by the command.
    const submits = () =>
      v
        .beacons()
        .flatMap((b) => b.events)
        .filter((e) => e.type === 'submit_form');
    await until(() => submits()[0]);
    await quiet();
    expect(submits()).toEqual([
      expect.objectContaining({ form: 'quick-apply', url: `${env.pages}/quick-apply.html` }),
    ]);
    expect(JSON.stringify(v.beacons())).not.toContain(email);
    expect(v.page.url()).toBe(`${env.pages}/quick-apply.html`); // a single page: no navigation

    // Stored once, and both the visit and the submit count for the linked candidate.
    const rows = await until(() => {
      const all = engagements('/quick-apply.html');
      return all.some((r) => r.type === 'submit_form') && all.every((r) => r.candidate)
        ? all
        : undefined;
    }, 60_000);
    expect(rows.map((r) => [r.type, r.device_id, r.candidate]).sort()).toEqual([
      ['submit_form', visit.visitor.id, candidate],
      ['visit_landing_page', visit.visitor.id, candidate],
    ]);
    expect(rows.find((r) => r.type === 'submit_form')?.detail).toContain('form:quick-apply');
    await v.context.close();
  });
});

describe('OneTrust', () => {
  it('makes no request and stores nothing before consent, records after, and stops and clears on withdrawal', async () => {
    const v = await visitor(browser);
    await v.page.goto(`${env.pages}/onetrust.html`);
    await trackerLoaded(v.page);
    await v.page.waitForFunction(() => document.documentElement.dataset.onetrust === 'ready');
    await quiet();
    expect(v.trackerRequests()).toEqual([]);
    expect(await trackerStorage(v.page)).toEqual([]);

    await v.page.click('#accept');
    const beacon = await until(() => v.beacons()[0]);
    expect(beacon.events[0]).toMatchObject({ type: 'visit_landing_page' });
    await stored('/onetrust.html');
    // The visitor id, and the session's fingerprint once FingerprintJS ran.
    await fingerprintOf(v.page);
    expect((await trackerStorage(v.page)).sort()).toEqual(['cxm_fp', 'cxm_id']);

    await v.page.click('#reject');
    expect(await trackerStorage(v.page)).toEqual([]);
    const sent = v.trackerRequests().length;
    await v.page.evaluate(() => history.pushState({}, '', '/onetrust.html?after=withdrawal'));
    await quiet();
    expect(v.trackerRequests()).toHaveLength(sent);
    // The site's own OptanonWrapper kept working throughout.
    expect(
      await v.page.evaluate(
        () => (window as unknown as { siteWrapperCalls: number }).siteWrapperCalls,
      ),
    ).toBe(3);
    await v.context.close();
  });
});

describe('manual consent', () => {
  it('runs nothing of FingerprintJS, and keeps nothing, when consent is withdrawn while its chunk loads', async () => {
    const v = await visitor(browser, {
      // What FingerprintJS would touch: canvas, WebGL, the cookie test, storage.
      init: `window.touched = [];
        const getContext = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (type) { touched.push('canvas ' + type); return getContext.apply(this, arguments); };
        const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
        Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get() { return cookie.get.call(this); }, set(value) { touched.push('cookie ' + value); cookie.set.call(this, value); } });
        const setItem = Storage.prototype.setItem;
        Storage.prototype.setItem = function (key) { touched.push('setItem ' + key); return setItem.apply(this, arguments); };`,
    });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await v.context.route(/\/t\/fp\.[0-9a-f]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await v.page.goto(`${env.pages}/manual.html`);
    await trackerLoaded(v.page);
    await v.page.click('#accept');
    await until(() => v.trackerRequests().find((r) => /\/t\/fp\./.test(r.url())));
    await v.page.click('#reject');
    release();
    await v.page.waitForResponse(/\/t\/fp\.[0-9a-f]+\.js$/);
    await quiet();
    // Only the tracker's own visitor id, stored at consent (and deleted on withdrawal).
    expect(
      await v.page.evaluate(() => (window as unknown as { touched: string[] }).touched),
    ).toEqual(['setItem cxm_id']);
    expect(await trackerStorage(v.page)).toEqual([]);
    // The visit went at consent, without waiting for the chunk; nothing after the withdrawal.
    expect(v.beacons().map((b) => [b.events[0]?.type, b.visitor.kind, b.visitor.fp])).toEqual([
      ['visit_landing_page', 'stored', undefined],
    ]);
    await v.context.close();
  });
});

describe('strict Content-Security-Policy', () => {
  for (const page of ['strict-csp.html', 'strict-csp-stub.html']) {
    it(`works and logs no violation (${page})`, async () => {
      const v = await visitor(browser, {
        init: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
      });
      await v.page.goto(`${env.pages}/${page}`);
      const beacon = await until(() => v.beacons()[0]);
      expect(beacon.visitor.kind).toBe('stored');
      await fingerprintOf(v.page); // the chunk loaded and FingerprintJS ran under the policy
      await stored(`/${page}`);
      await quiet();
      expect(
        v.console.filter((line) => /CSP violation|Content Security Policy|Refused to/i.test(line)),
      ).toEqual([]);
      await v.context.close();
    });
  }
});

describe('two people on one machine (issue 14)', () => {
  /** The profile's beacon for page `url` (`?case=...`), once the collector answered it. */
  function exchange(v: Visit, url: string) {
    return until(() =>
      v.exchanges.find(({ beacon }) => beacon.events.some((e) => e.url === `${env.pages}${url}`)),
    );
  }

  /**
   * Lands on a page, waits for FingerprintJS, then joins the talent network as `email`. Both page
   * views are answered before the form posts (its navigation would cut a late reply off).
   */
  async function person(v: Visit, email: string) {
    await v.page.goto(`${env.pages}/snippet.html?case=two-people`);
    const landing = (await exchange(v, '/snippet.html?case=two-people')).beacon;
    const fp = await fingerprintOf(v.page);
    await v.page.goto(`${env.pages}/talent-network.html`);
    await exchange(v, '/talent-network.html');
    await v.page.fill('input[name="email"]', email);
    const answered = v.page.waitForResponse(`${env.pages}/apply`);
    await v.page.click('#join');
    // The site's backend filed the candidate by email and linked the cxm_vid the form carried.
    const filed = (await (await answered).json()) as { candidateId: string; visitorId: string };
    expect(filed).toMatchObject({ linked: true });
    const beacons = await until(() => {
      const all = v.beacons();
      return all.some((b) => b.events.some((e) => e.type === 'submit_form')) ? all : undefined;
    });
    return { id: landing.visitor.id, fp, beacons, candidate: filed.candidateId, filed };
  }

  it('keeps two browser profiles sharing a fingerprint apart: own visitor id, visits, forms and candidate', async () => {
    const stamp = Date.now();
    // Two contexts of one browser: separate storage, the same device and browser build.
    const a = await person(await visitor(browser), `person-a-${stamp}@example.com`);
    const vb = await visitor(browser);
    const b = await person(vb, `person-b-${stamp}@example.com`);

    // The same FingerprintJS id, two visitor ids.
    expect(b.fp.fp).toBe(a.fp.fp);
    expect(b.id).not.toBe(a.id);
    for (const p of [a, b]) {
      // Every beacon names the profile's stored id; the fingerprint goes beside it once known
      // (not on the landing page's first beacon, which does not wait for it).
      expect(p.beacons.map((beacon) => beacon.visitor.id)).toEqual(p.beacons.map(() => p.id));
      expect(p.beacons[0]!.visitor).toEqual({ id: p.id, kind: 'stored' });
      for (const beacon of p.beacons.slice(1)) {
        expect(beacon.visitor).toEqual({ id: p.id, kind: 'stored', ...a.fp });
      }
      expect(p.filed.visitorId).toBe(p.id); // the hidden cxm_vid field
    }

    // In D1: each person's visits and submit under their own visitor and candidate; B's visit
    // and submit are not dropped as duplicates of A's, and no collect reply counted one.
    const rows = await until(() => {
      const all = [
        ...engagements('/snippet.html?case=two-people'),
        ...engagements('/talent-network.html'),
      ];
      return all.length >= 6 && all.every((row) => row.candidate) ? all : undefined;
    }, 60_000);
    const summary = (p: typeof a) =>
      rows
        .filter((row) => row.device_id === p.id)
        .map((row) => [row.type, row.detail.replace(env.pages, ''), row.kind, row.candidate])
        .sort();
    for (const p of [a, b]) {
      expect(summary(p)).toEqual([
        ['submit_form', '/talent-network.html form:talent-network', 'stored', p.candidate],
        ['visit_landing_page', '/snippet.html?case=two-people', 'stored', p.candidate],
        ['visit_landing_page', '/talent-network.html', 'stored', p.candidate],
      ]);
    }
    expect(rows).toHaveLength(6);
    expect(a.candidate).not.toBe(b.candidate);
    expect(vb.replies.length).toBeGreaterThanOrEqual(2);
    expect(vb.replies.every((reply) => reply.duplicates === 0 && reply.dropped === 0)).toBe(true);
  });

  /** Clears the site's storage in the profile, as "clear site data" does (on a blank page). */
  async function clearStorage(v: Visit) {
    await v.page.goto(`${env.pages}/blank.html`);
    await v.page.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
  }

  /**
   * Two pages, as a profile just cleared or new: the landing page (its beacon goes before
   * FingerprintJS ran) and, once FingerprintJS ran, a second one (its beacon carries the fp).
   * Returns the profile's stored id and, per page, the fp sent and the collector's `fingerprint`.
   */
  async function browse(v: Visit, name: string) {
    await v.page.goto(`${env.pages}/snippet.html?case=${name}-1`);
    const first = await exchange(v, `/snippet.html?case=${name}-1`);
    await fingerprintOf(v.page);
    await v.page.goto(`${env.pages}/snippet.html?case=${name}-2`);
    const second = await exchange(v, `/snippet.html?case=${name}-2`);
    expect(second.beacon.visitor.id).toBe(first.beacon.visitor.id);
    return {
      id: first.beacon.visitor.id,
      replies: [first, second].map(({ beacon, reply }) => [beacon.visitor.fp, reply.fingerprint]),
    };
  }

  /** The profile's engagements (at least `count`), as [type, path, candidate, attribution]. */
  async function rowsOf(id: string, count: number, ready = (_: string | null) => true) {
    const rows = await until(() => {
      const all = engagementsOf(id);
      return all.length >= count && all.every((row) => ready(row.candidate)) ? all : undefined;
    }, 60_000);
    return rows
      .map(
        (row) =>
          [row.type, row.detail.replace(env.pages, ''), row.candidate, row.attribution] as const,
      )
      .sort();
  }

  it('recognises a profile whose storage was cleared by its fingerprint, until a second person makes it shared; a tracked link names its candidate on any profile', async () => {
    const stamp = Date.now();
    // A device of its own: the suite's other profiles have this Chromium's default screen, and
    // their fingerprint is no use here (the test above links two people through it, which makes
    // it shared). A screen size none of them has gives these profiles a fingerprint of their own.
    const laptop = { viewport: { width: 1366, height: 768 } };

    // 1. Person A browses and joins the talent network: the fingerprint is linked to A.
    const va = await visitor(browser, laptop);
    const a = await person(va, `device-a-${stamp}@example.com`);
    const fp = a.fp.fp;
    expect(
      await until(() => {
        const row = fingerprintRow(fp);
        return row?.candidate ? row : undefined;
      }),
    ).toEqual({ candidate: a.candidate, shared_at: null });
    expect(await rowsOf(a.id, 3, (c) => c === a.candidate)).toHaveLength(3);

    // 2. A clears the site's storage: a new stored id. Its landing visit goes anonymous, before
    // FingerprintJS ran; the next page's beacon carries the fp, which recognises the profile as
    // A, and takes the landing visit along.
    await clearStorage(va);
    const cleared = await browse(va, 'cleared');
    expect(cleared.id).not.toBe(a.id);
    expect(cleared.replies).toEqual([
      [undefined, 'none'],
      [fp, 'recognised'],
    ]);
    expect(await rowsOf(cleared.id, 2, (c) => c !== null)).toEqual([
      ['visit_landing_page', '/snippet.html?case=cleared-1', a.candidate, 'fingerprint'],
      ['visit_landing_page', '/snippet.html?case=cleared-2', a.candidate, 'fingerprint'],
    ]);
    expect(visitorRow(cleared.id)).toEqual({
      candidate: a.candidate,
      link_source: 'fingerprint',
      fp,
    });
    expect(fingerprintRow(fp)).toEqual({ candidate: a.candidate, shared_at: null });

    // 3. Person B, a profile of their own on the same device, joins as someone else: whatever
    // the fingerprint gave B goes to B, and the fingerprint is shared.
    const vb = await visitor(browser, laptop);
    const b = await person(vb, `device-b-${stamp}@example.com`);
    expect(b.fp.fp).toBe(fp);
    expect(b.candidate).not.toBe(a.candidate);
    const bRows = await rowsOf(b.id, 3, (c) => c === b.candidate);
    expect(bRows.map(([type, path, candidate]) => [type, path, candidate])).toEqual([
      ['submit_form', '/talent-network.html form:talent-network', b.candidate],
      ['visit_landing_page', '/snippet.html?case=two-people', b.candidate],
      ['visit_landing_page', '/talent-network.html', b.candidate],
    ]);
    // None left as a guess for A.
    expect(bRows.filter(([, , , attribution]) => attribution === 'fingerprint')).toEqual([]);
    // Before B joined, the fingerprint had recognised B's new profile as A.
    const bSeen = vb.exchanges.map(({ beacon, reply }) => [
      beacon.events[0]?.url.replace(env.pages, ''),
      beacon.visitor.fp,
      reply.fingerprint,
    ]);
    expect(bSeen.slice(0, 2)).toEqual([
      ['/snippet.html?case=two-people', undefined, 'none'],
      ['/talent-network.html', fp, 'recognised'],
    ]);
    const shared = await until(() => {
      const row = fingerprintRow(fp);
      return row?.shared_at ? row : undefined;
    });
    expect(shared).toEqual({ candidate: a.candidate, shared_at: expect.any(Number) });
    // The cleared profile's provisional link is dropped; what it was given stays, as a guess.
    expect(visitorRow(cleared.id)).toEqual({ candidate: null, link_source: null, fp });
    expect(await rowsOf(cleared.id, 2)).toEqual([
      ['visit_landing_page', '/snippet.html?case=cleared-1', a.candidate, 'fingerprint'],
      ['visit_landing_page', '/snippet.html?case=cleared-2', a.candidate, 'fingerprint'],
    ]);
    // B's next page: B's own, by B's link; the fingerprint beside it is shared.
    await vb.page.goto(`${env.pages}/snippet.html?case=b-joined`);
    const bNext = await exchange(vb, '/snippet.html?case=b-joined');
    expect([bNext.beacon.visitor, bNext.reply.fingerprint]).toEqual([
      { id: b.id, kind: 'stored', ...b.fp },
      'shared',
    ]);
    expect((await rowsOf(b.id, 4)).filter(([, path]) => path.includes('b-joined'))).toEqual([
      ['visit_landing_page', '/snippet.html?case=b-joined', b.candidate, 'visitor'],
    ]);
    expect(visitorRow(b.id)).toEqual({ candidate: b.candidate, link_source: 'api', fp });

    // 4. A clears storage again: the fingerprint, shared, attributes nothing any more.
    await clearStorage(va);
    const again = await browse(va, 'after-shared');
    expect(again.replies).toEqual([
      [undefined, 'none'],
      [fp, 'shared'],
    ]);
    expect(await rowsOf(again.id, 2)).toEqual([
      ['visit_landing_page', '/snippet.html?case=after-shared-1', null, null],
      ['visit_landing_page', '/snippet.html?case=after-shared-2', null, null],
    ]);
    expect(visitorRow(again.id)).toEqual({ candidate: null, link_source: null, fp });

    // 5. A tracked link (an identity token for A) opened in a fresh profile of the device: the
    // landing visit is A's by the token; the shared fingerprint beside it changes nothing.
    const vd = await visitor(browser, laptop);
    const token = await identityToken(a.candidate);
    await vd.page.goto(`${env.pages}/snippet.html?case=tracked-link-1&cxm_t=${token}`);
    const landing = await exchange(vd, '/snippet.html?case=tracked-link-1');
    expect(landing.beacon.identity).toBe(token);
    expect(landing.reply.fingerprint).toBe('none');
    await fingerprintOf(vd.page);
    await vd.page.goto(`${env.pages}/snippet.html?case=tracked-link-2`);
    const next = await exchange(vd, '/snippet.html?case=tracked-link-2');
    expect([next.beacon.visitor.fp, next.reply.fingerprint]).toEqual([fp, 'shared']);
    const id = landing.beacon.visitor.id;
    const linked = await rowsOf(id, 2);
    expect(linked).toEqual([
      ['visit_landing_page', '/snippet.html?case=tracked-link-1', a.candidate, 'identity_token'],
      ['visit_landing_page', '/snippet.html?case=tracked-link-2', a.candidate, 'visitor'],
    ]);
    expect(visitorRow(id)).toEqual({ candidate: a.candidate, link_source: 'identity_token', fp });

    // 6. A tracked link for A opened in B's own profile (A's email forwarded to B, say): the
    // landing visit is A's, by the token, on B's visitor id; B's past stays B's (the profile
    // switches to A from then on; two identified people are never merged).
    const forwarded = await identityToken(a.candidate);
    await vb.page.goto(`${env.pages}/snippet.html?case=tracked-link-in-b&cxm_t=${forwarded}`);
    const inB = await exchange(vb, '/snippet.html?case=tracked-link-in-b');
    expect([inB.beacon.identity, inB.beacon.visitor.id]).toEqual([forwarded, b.id]);
    const bNow = await rowsOf(b.id, 5);
    expect(bNow.filter(([, path]) => path.includes('tracked-link-in-b'))).toEqual([
      ['visit_landing_page', '/snippet.html?case=tracked-link-in-b', a.candidate, 'identity_token'],
    ]);
    expect(bNow.filter(([, , candidate]) => candidate === b.candidate)).toHaveLength(4);
    expect(visitorRow(b.id)).toEqual({ candidate: a.candidate, link_source: 'identity_token', fp });
    for (const v of [va, vb, vd]) await v.context.close();
    // Four profiles, each computing FingerprintJS and waiting for the writer: about a minute on a
    // quiet machine, 140 s under a load average of 9 (a CI run beside other jobs).
  }, 300_000);

  it('measured: fresh profiles of this Chromium on this machine all get one FingerprintJS id', async () => {
    // Four fresh profiles: two contexts in this browser, two in a second Chromium process
    // (launched with its own temporary profile directory). Each runs FingerprintJS itself.
    const other = await launch();
    try {
      const seen: { id: string; fp: string }[] = [];
      for (const [i, b] of [browser, browser, other, other].entries()) {
        const v = await visitor(b);
        await v.page.goto(`${env.pages}/snippet.html?case=measure-${i}`);
        const fp = await fingerprintOf(v.page);
        const id = await v.page.evaluate(() => localStorage.getItem('cxm_id'));
        seen.push({ id: id!, fp: fp.fp });
        await v.context.close();
      }
      expect(new Set(seen.map((s) => s.fp)).size).toBe(1);
      expect(new Set(seen.map((s) => s.id)).size).toBe(4);
    } finally {
      await other.close();
    }
  });
});
