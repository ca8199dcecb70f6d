import { afterEach, describe, expect, it, vi } from 'vitest';
import { FINGERPRINT_KEY, type Fingerprint, STORED_ID_KEY } from './identity.js';
import { DEFAULTS, type Options } from './options.js';
import { type Command, FINGERPRINT_TIMEOUT_MS, start } from './tracker.js';
import { OFF, type Outcome, SENT } from './transport.js';
import { type BeaconPayload, MAX_URL_LENGTH } from './wire.js';

const fp: Fingerprint = { fp: 'f'.repeat(32), version: '5.2.0', confidence: 0.4 };
/** The id this browser profile stored (what every beacon names as the visitor). */
const storedId = () => localStorage.getItem(STORED_ID_KEY)!;
// Shaped as the API mints them: base64url(payload).base64url(HMAC-SHA256), 43 characters.
const TOKEN =
  'eyJrIjoiaWRlbnRpdHkiLCJvIjoib3JnX2RlbW8iLCJjIjoiQ0FORC0yMDI0LTAwMDEyMyIsIngiOjE4OTM0NTYwMDB9.2OlK5a649a3bUz5pi4PXl0DxH_ZcucDvtKaHR8SmzDM';

let active: Command[] = [];
afterEach(() => {
  // Each started tracker keeps its listeners: withdraw consent so it goes quiet for later tests.
  for (const cmd of active) cmd('consent', false);
  active = [];
  localStorage.clear();
  sessionStorage.clear();
  document.body.innerHTML = '';
  history.replaceState(null, '', '/');
});

function setup(options: Partial<Options> = {}, outcome: Outcome = SENT) {
  const posts: BeaconPayload[] = [];
  const post = vi.fn(async (url: string, body: string) => {
    expect(url).toBe('https://edge.test/v1/collect');
    posts.push(JSON.parse(body));
    return outcome;
  });
  const loader = vi.fn(async () => fp);
  const cmd = start(
    { ...DEFAULTS, site: 'pk_demo', collector: 'https://edge.test', consent: 'manual', ...options },
    loader,
    post,
  );
  active.push(cmd);
  const events = () => posts.flatMap((p) => p.events);
  return { cmd, posts, events, loader };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('tracker', () => {
  it('does nothing before consent: no fingerprint, no storage, no request', async () => {
    const { posts, loader } = setup({ consent: 'manual' });
    history.pushState({}, '', '/jobs');
    await settled();
    expect(posts).toHaveLength(0);
    expect(loader).not.toHaveBeenCalled();
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('records the current page once consent arrives, under the stored id, without waiting for FingerprintJS', async () => {
    history.replaceState(null, '', '/jobs/42?utm_source=mail#apply');
    const { cmd, posts, loader } = setup({ consent: 'manual' });
    cmd('consent', true);
    cmd('consent', true); // no second visit for the same page view
    // Sent in the same task: FingerprintJS (started, still loading) is not waited for.
    expect(loader).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    await settled();
    expect(posts).toEqual([
      {
        v: 1,
        site: 'pk_demo',
        visitor: { id: storedId(), kind: 'stored' },
        events: [
          {
            id: expect.stringMatching(/^[\w-]{8,64}$/),
            type: 'visit_landing_page',
            url: 'http://localhost:3000/jobs/42?utm_source=mail',
            at: expect.any(Number),
          },
        ],
      },
    ]);
    expect(storedId()).toMatch(/^[\w-]{8,64}$/);
  });

  it('sends the fingerprint beside the stored id once it is known, never as the id', async () => {
    const { cmd, posts } = setup({ consent: 'manual' });
    cmd('consent', true);
    await vi.waitFor(() => expect(sessionStorage.getItem(FINGERPRINT_KEY)).not.toBeNull());
    history.pushState({}, '', '/next');
    await vi.waitFor(() => expect(posts).toHaveLength(2));
    expect(posts.map((p) => p.visitor)).toEqual([
      { id: storedId(), kind: 'stored' },
      { id: storedId(), kind: 'stored', fp: fp.fp, version: '5.2.0', confidence: 0.4 },
    ]);
  });

  it("sends the session's cached fingerprint from the first beacon of the next page, without running FingerprintJS again", async () => {
    const first = setup({ consent: 'none' });
    await vi.waitFor(() => expect(sessionStorage.getItem(FINGERPRINT_KEY)).not.toBeNull());
    first.cmd('consent', false); // (ends the first page: withdrawal also deletes the storage)
    localStorage.setItem(STORED_ID_KEY, 'stored-id-0001');
    sessionStorage.setItem(FINGERPRINT_KEY, JSON.stringify(fp));
    const next = setup({ consent: 'none' }); // the next page load in the same tab
    await vi.waitFor(() => expect(next.posts).toHaveLength(1));
    expect(next.posts[0]!.visitor).toEqual({ ...fp, id: 'stored-id-0001', kind: 'stored' });
    expect(next.loader).not.toHaveBeenCalled();
  });

  it('keeps sending under the stored id, without fp, when FingerprintJS fails', async () => {
    const posts: BeaconPayload[] = [];
    const cmd = start(
      { ...DEFAULTS, site: 'pk_demo', collector: 'https://edge.test', consent: 'none' },
      () => Promise.reject(new Error('blocked')),
      async (_url, body): Promise<Outcome> => {
        posts.push(JSON.parse(body));
        return SENT;
      },
    );
    active.push(cmd);
    await settled();
    history.pushState({}, '', '/next');
    await vi.waitFor(() => expect(posts).toHaveLength(2));
    expect(posts.map((p) => p.visitor)).toEqual([
      { id: storedId(), kind: 'stored' },
      { id: storedId(), kind: 'stored' },
    ]);
    expect(sessionStorage.getItem(FINGERPRINT_KEY)).toBeNull();
  });

  it('sends a page id with the fingerprint beside it when the browser refuses storage', async () => {
    const refuse = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(refuse);
    vi.spyOn(window, 'sessionStorage', 'get').mockImplementation(refuse);
    try {
      const { posts } = setup({ consent: 'none' });
      await vi.waitFor(() => expect(posts).toHaveLength(1));
      await settled();
      history.pushState({}, '', '/next');
      await vi.waitFor(() => expect(posts).toHaveLength(2));
      expect(posts[0]!.visitor).toEqual({ id: expect.any(String), kind: 'page' });
      expect(posts[1]!.visitor).toEqual({ ...fp, id: posts[0]!.visitor.id, kind: 'page' });
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('counts one visit per SPA page view', async () => {
    const { events } = setup({ consent: 'none' });
    await vi.waitFor(() => expect(events()).toHaveLength(1));
    history.pushState({}, '', '/a');
    history.replaceState({ y: 1 }, '', '/a?sort=new');
    history.pushState({}, '', '/b');
    await vi.waitFor(() => expect(events()).toHaveLength(3));
    await settled();
    expect(events().map((e) => new URL(e.url).pathname)).toEqual(['/', '/a', '/b']);
  });

  it('takes the identity token from the URL, removes it from the address bar and sends it', async () => {
    history.replaceState(null, '', `/jobs?cxm_t=${TOKEN}&ref=mail`);
    const { posts } = setup({ consent: 'none' });
    expect(location.search).toBe('?ref=mail');
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]!.identity).toBe(TOKEN);
    expect(posts[0]!.events[0]!.url).toBe('http://localhost:3000/jobs?ref=mail');
    expect(posts[0]!.events).toHaveLength(1); // removing the token is not a page view
  });

  it('accepts a signed token through cxm("identify"), never a raw id', async () => {
    const { cmd, posts } = setup({ consent: 'manual' });
    cmd('identify', '12345');
    cmd('consent', true);
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]!.identity).toBeUndefined();
    cmd('identify', TOKEN);
    history.pushState({}, '', '/next');
    await vi.waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[1]!.identity).toBe(TOKEN);
  });

  it('stops at once on withdrawal and deletes what it stored', async () => {
    const { cmd, posts } = setup({ consent: 'manual' }, SENT);
    cmd('consent', true);
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    await vi.waitFor(() => expect(sessionStorage.getItem(FINGERPRINT_KEY)).not.toBeNull());
    expect(localStorage.getItem(STORED_ID_KEY)).not.toBeNull();
    cmd('consent', false);
    expect(localStorage.getItem(STORED_ID_KEY)).toBeNull();
    expect(sessionStorage.getItem(FINGERPRINT_KEY)).toBeNull();
    history.pushState({}, '', '/after');
    await settled();
    expect(posts).toHaveLength(1);
  });

  it('cuts an over-long URL rather than have the API refuse the beacon', async () => {
    history.replaceState(null, '', `/search?q=${'x'.repeat(5000)}`);
    const { events } = setup({ consent: 'none' });
    await vi.waitFor(() => expect(events()).toHaveLength(1));
    expect(events()[0]!.url).toHaveLength(MAX_URL_LENGTH);
  });

  it('goes quiet for the page when the API says tracking is off', async () => {
    const { posts } = setup({ consent: 'none' }, OFF);
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    await settled(); // the reply arrives
    history.pushState({}, '', '/more');
    await settled();
    expect(posts).toHaveLength(1);
  });

  it('stays off under Global Privacy Control unless told to ignore it', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true });
    try {
      const honoured = setup({ consent: 'none' });
      honoured.cmd('consent', true);
      const ignored = setup({ consent: 'none', gpc: false });
      await vi.waitFor(() => expect(ignored.posts).toHaveLength(1));
      expect(honoured.posts).toHaveLength(0);
    } finally {
      Reflect.deleteProperty(navigator, 'globalPrivacyControl');
    }
  });

  it('records a form submit with the form name and no field values, and adds the visitor field when asked', async () => {
    addEventListener('submit', (e) => Object.defineProperty(e, 'isTrusted', { value: true }), true);
    const { events } = setup({ consent: 'none', formVisitorField: true });
    await vi.waitFor(() => expect(events()).toHaveLength(1));
    document.body.innerHTML =
      '<form id="apply"><input name="email" value="secret@example.com"><input name="submit" value="Go"></form>';
    const form = document.querySelector('form')!;
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(form.querySelector<HTMLInputElement>('input[name="cxm_vid"]')!.value).toBe(storedId());
    await vi.waitFor(() => expect(events()).toHaveLength(2));
    expect(events()[1]).toMatchObject({ type: 'submit_form', form: 'apply' });
    expect(JSON.stringify(events())).not.toContain('secret');
  });

  describe('forms posted by script: cxm("submit", form)', () => {
    // A browser's submit events are trusted; happy-dom's are not (see forms.test.ts).
    addEventListener('submit', (e) => Object.defineProperty(e, 'isTrusted', { value: true }), true);

    function quickApply() {
      document.body.innerHTML =
        '<form id="quick-apply"><input name="email" value="secret@example.com"></form>';
      return document.querySelector('form')!;
    }
    const submit = (form: HTMLFormElement) =>
      form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    const forms = (events: BeaconPayload['events']) =>
      events.filter((e) => e.type === 'submit_form');

    it('counts a cancelled submit once the page calls it, with the visitor field filled at submit time', async () => {
      const { cmd, events } = setup({ consent: 'none', formVisitorField: true });
      await vi.waitFor(() => expect(events()).toHaveLength(1));
      const form = quickApply();
      let posted: string | null = null;
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        posted = new FormData(form).get('cxm_vid') as string | null; // what the page's fetch sends
      });
      submit(form);
      expect(posted).toBe(storedId());
      await settled();
      expect(forms(events())).toEqual([]); // cancelled: not counted by the listener
      cmd('submit', form); // the page's fetch succeeded
      await vi.waitFor(() => expect(forms(events())).toHaveLength(1));
      await settled();
      expect(forms(events())).toEqual([
        expect.objectContaining({ type: 'submit_form', form: 'quick-apply' }),
      ]);
      expect(JSON.stringify(events())).not.toContain('secret');
    });

    it('does not count twice a submit the page did not cancel', async () => {
      const { cmd, events } = setup({ consent: 'none' });
      await vi.waitFor(() => expect(events()).toHaveLength(1));
      const form = quickApply();
      submit(form);
      await vi.waitFor(() => expect(forms(events())).toHaveLength(1));
      cmd('submit', form);
      await settled();
      expect(forms(events())).toHaveLength(1);
    });

    it('counts a form posted without a submit event, and fills its visitor field', async () => {
      const { cmd, events } = setup({ consent: 'none', formVisitorField: true });
      await vi.waitFor(() => expect(events()).toHaveLength(1));
      const form = quickApply();
      cmd('submit', form);
      expect(form.querySelector<HTMLInputElement>('input[name="cxm_vid"]')!.value).toBe(storedId());
      await vi.waitFor(() => expect(forms(events())).toHaveLength(1));
    });

    it('records nothing before consent (as for a native submit), and ignores what is not a form', async () => {
      const { cmd, posts, events } = setup({ consent: 'manual', formVisitorField: true });
      const form = quickApply();
      cmd('submit', form);
      expect(form.querySelector('input[name="cxm_vid"]')).toBeNull();
      await settled();
      expect(posts).toHaveLength(0);
      cmd('consent', true);
      await vi.waitFor(() => expect(events()).toHaveLength(1));
      expect(() => {
        cmd('submit', 'quick-apply');
        cmd('submit', {});
        cmd('submit');
      }).not.toThrow();
      await settled();
      expect(events().map((e) => e.type)).toEqual(['visit_landing_page']);
    });
  });

  it('takes a token out of the address bar leaving every other byte of the URL as it was', async () => {
    history.replaceState(
      null,
      '',
      `/jobs?city=M%FCnchen&q=a%20b&tags=a,b&flag&cxm_t=${TOKEN}&q=a+b#apply`,
    );
    const { posts } = setup({ consent: 'none' });
    expect(location.href).toBe(
      'http://localhost:3000/jobs?city=M%FCnchen&q=a%20b&tags=a,b&flag&q=a+b#apply',
    );
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]!.identity).toBe(TOKEN);
    expect(posts[0]!.events[0]!.url).toBe(
      'http://localhost:3000/jobs?city=M%FCnchen&q=a%20b&tags=a,b&flag&q=a+b',
    );
  });

  it('removes a raw candidate id given as cxm_t and never sends it', async () => {
    const uuid = '550e8400-e29b-41d4-a716-446655440000';
    history.replaceState(null, '', `/jobs?cxm_t=${uuid}#apply`);
    const { cmd, posts } = setup({ consent: 'none' });
    expect(location.href).toBe('http://localhost:3000/jobs#apply');
    cmd('identify', 'CAND-2024-000123');
    cmd('identify', `${TOKEN.split('.')[0]}.${'x'.repeat(27)}`); // too short a signature
    await vi.waitFor(() => expect(posts).toHaveLength(1));
    history.pushState({}, '', '/next');
    await vi.waitFor(() => expect(posts).toHaveLength(2));
    expect(posts.map((p) => p.identity)).toEqual([undefined, undefined]);
    expect(JSON.stringify(posts)).not.toMatch(/550e8400|CAND-2024/);
  });

  /** A loader that hands out its `live()` check and arrives when told. */
  function heldLoader() {
    const calls: { live: () => boolean; arrive: () => void }[] = [];
    const loader = vi.fn(
      (live: () => boolean) =>
        new Promise<Fingerprint>((resolve) => {
          calls.push({ live, arrive: () => resolve(fp) });
        }),
    );
    return { loader, calls };
  }

  function startWith(loader: ReturnType<typeof heldLoader>['loader']) {
    const posts: BeaconPayload[] = [];
    const cmd = start(
      { ...DEFAULTS, site: 'pk_demo', collector: 'https://edge.test', consent: 'manual' },
      loader,
      async (_url, body): Promise<Outcome> => {
        posts.push(JSON.parse(body));
        return SENT;
      },
    );
    active.push(cmd);
    return { cmd, posts };
  }

  it('does not start FingerprintJS, and keeps nothing, when consent is withdrawn while it loads', async () => {
    const { loader, calls } = heldLoader();
    const { cmd, posts } = startWith(loader);
    cmd('consent', true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.live()).toBe(true);
    await vi.waitFor(() => expect(posts).toHaveLength(1)); // the visit did not wait
    cmd('consent', false);
    expect(calls[0]!.live()).toBe(false); // the chunk arriving now runs nothing
    calls[0]!.arrive();
    await settled();
    expect(posts).toHaveLength(1);
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('keeps the fingerprint when consent is withdrawn and granted again while it loads', async () => {
    const { loader, calls } = heldLoader();
    const { cmd, posts } = startWith(loader);
    cmd('consent', true);
    cmd('consent', false);
    cmd('consent', true);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.live())).toEqual([false, true]);
    calls[1]!.arrive();
    await settled();
    calls[0]!.arrive(); // the stale run's result is discarded
    await settled();
    // (The page view's visit was recorded before the withdrawal, under the first stored id, which
    // the withdrawal deleted; the grant after it stored a new one.)
    history.pushState({}, '', '/next');
    await vi.waitFor(() => expect(posts.at(-1)!.events[0]!.url).toContain('/next'));
    expect(posts.at(-1)!.visitor).toEqual({ ...fp, id: storedId(), kind: 'stored' });
    expect(posts[0]!.visitor.id).not.toBe(storedId());
    expect(JSON.parse(sessionStorage.getItem(FINGERPRINT_KEY)!)).toEqual(fp);
  });

  it('does not run FingerprintJS when it arrives after the time limit, and sends without fp', async () => {
    vi.useFakeTimers();
    try {
      const { loader, calls } = heldLoader();
      const { cmd, posts } = startWith(loader);
      cmd('consent', true);
      await vi.advanceTimersByTimeAsync(0);
      expect(posts).toHaveLength(1); // sent at once, not after the time limit
      await vi.advanceTimersByTimeAsync(FINGERPRINT_TIMEOUT_MS);
      expect(calls[0]!.live()).toBe(false);
      calls[0]!.arrive();
      await vi.advanceTimersByTimeAsync(0);
      expect(sessionStorage.getItem(FINGERPRINT_KEY)).toBeNull();
      history.pushState({}, '', '/later');
      await vi.advanceTimersByTimeAsync(0);
      expect(posts.map((p) => p.visitor)).toEqual([
        { id: storedId(), kind: 'stored' },
        { id: storedId(), kind: 'stored' },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
