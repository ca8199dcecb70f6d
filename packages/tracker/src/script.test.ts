// The snippet entry (`t.js`): queue replay, options from the script tag, the fingerprint chunk.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STUB } from './snippet.js';

// FingerprintJS itself, as the chunk's `fingerprint` would start it.
const fpLoad = vi.hoisted(() => vi.fn());
vi.mock('@fingerprintjs/fingerprintjs', () => ({ load: fpLoad }));

import type { BeaconPayload } from './wire.js';

type Cxm = ((...args: unknown[]) => void) & { q?: unknown[]; loaded?: boolean };
const w = window as Window & { cxm?: Cxm };
// Shaped as the API mints them: base64url(payload).base64url(HMAC-SHA256), 43 characters.
const TOKEN =
  'eyJrIjoiaWRlbnRpdHkiLCJvIjoib3JnX2RlbW8iLCJjIjoiQ0FORC0yMDI0LTAwMDEyMyIsIngiOjE4OTM0NTYwMDB9.2OlK5a649a3bUz5pi4PXl0DxH_ZcucDvtKaHR8SmzDM';
const fp = { fp: 'f'.repeat(32), version: '5.2.0', confidence: 0.4 };

let bodies: BeaconPayload[];
let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  vi.resetModules();
  // happy-dom says `navigator.webdriver === true` (it is automation); a visitor's browser does not.
  vi.spyOn(navigator, 'webdriver', 'get').mockReturnValue(false);
  // happy-dom's Request lacks `keepalive`, which every current browser has.
  if (!('keepalive' in Request.prototype)) {
    Object.defineProperty(Request.prototype, 'keepalive', { get: () => false, configurable: true });
  }
  bodies = [];
  fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(init.body as string));
    return new Response('{"accepted":1,"duplicates":0,"dropped":0,"tracking":true}', {
      status: 202,
    });
  });
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  w.cxm?.('consent', false);
  vi.restoreAllMocks();
  delete w.cxm;
  vi.unstubAllGlobals();
  document.head.innerHTML = '';
  localStorage.clear();
  sessionStorage.clear();
});

/** Pastes the snippet: the inline stub runs, then `t.js` loads with these attributes. */
async function paste(attrs: Record<string, string>, before: (cxm: Cxm) => void = () => {}) {
  // Global-scope eval of the exact stub text the README publishes, as an inline script runs it.
  // biome-ignore lint/security/noGlobalEval: test only, on a constant.
  const globalEval = eval;
  globalEval(STUB);
  before(w.cxm!);
  const script = document.createElement('script');
  script.setAttribute('src', 'https://edge.test/t.js');
  for (const [name, value] of Object.entries(attrs)) script.setAttribute(`data-${name}`, value);
  Object.defineProperty(document, 'currentScript', { value: script, configurable: true });
  try {
    await import('./script.js');
  } finally {
    Object.defineProperty(document, 'currentScript', { value: null, configurable: true });
  }
}

/**
 * Plays the browser loading the fingerprint chunk, which calls back through `cxm('_fp', …)`, or
 * failing to (blocked): happy-dom loads no scripts.
 */
function serveChunk(blocked = false) {
  const chunks: string[] = [];
  vi.spyOn(document.head, 'append').mockImplementation((node) => {
    const script = node as HTMLScriptElement;
    chunks.push(script.src);
    setTimeout(() =>
      blocked ? script.onerror?.(new Event('error')) : w.cxm!('_fp', async () => fp),
    );
  });
  return chunks;
}

describe('snippet entry', () => {
  it('replays calls queued before the script arrived, then keeps the one global', async () => {
    const chunks = serveChunk();
    await paste({ site: 'pk_demo', consent: 'manual' }, (cxm) => {
      cxm('identify', TOKEN);
      cxm('consent', true);
    });
    expect(w.cxm!.loaded).toBe(true);
    await vi.waitFor(() => expect(bodies).toHaveLength(1));
    const visitor = { id: localStorage.getItem('cxm_id'), kind: 'stored' };
    expect(bodies[0]).toMatchObject({ site: 'pk_demo', identity: TOKEN, visitor });
    // The fingerprint arrives after the first beacon, and goes beside the id in the next ones.
    await vi.waitFor(() => expect(sessionStorage.getItem('cxm_fp')).not.toBeNull());
    history.pushState({}, '', '/second-page');
    await vi.waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]!.visitor).toEqual({ ...visitor, ...fp });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('https://edge.test/v1/collect');
    expect(init).toMatchObject({ method: 'POST', keepalive: true });
    expect(typeof init.body).toBe('string'); // text/plain: no CORS preflight
    expect(chunks).toEqual(['https://edge.test/t/fp.test.js']);
  });

  it('sends to data-collector when set', async () => {
    serveChunk(true);
    await paste({ site: 'pk_demo', collector: 'https://collect.example/' });
    await vi.waitFor(() => expect(bodies).toHaveLength(1));
    expect(fetchMock.mock.calls[0]![0]).toBe('https://collect.example/v1/collect');
    expect(bodies[0]!.visitor.kind).toBe('stored'); // the chunk was blocked: the fallback id
  });

  it('falls back to sendBeacon where fetch keepalive is missing', async () => {
    serveChunk(true);
    const keepalive = Object.getOwnPropertyDescriptor(Request.prototype, 'keepalive');
    Reflect.deleteProperty(Request.prototype, 'keepalive');
    const beacon = vi
      .spyOn(navigator, 'sendBeacon')
      .mockImplementation((_url, body) => bodies.push(JSON.parse(body as string)) > 0);
    try {
      await paste({ site: 'pk_demo' });
      await vi.waitFor(() => expect(bodies).toHaveLength(1));
      expect(beacon.mock.calls[0]![0]).toBe('https://edge.test/v1/collect');
      expect(fetchMock).not.toHaveBeenCalled();
    } finally {
      if (keepalive) Object.defineProperty(Request.prototype, 'keepalive', keepalive);
    }
  });

  it('does nothing under automation without the test switch, yet cxm calls never throw', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue('Mozilla/5.0 HeadlessChrome/156.0');
    await paste({ site: 'pk_demo' });
    expect(() => w.cxm!('consent', true)).not.toThrow();
    expect(() => w.cxm!('_fp', 42)).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fetchMock).not.toHaveBeenCalled();
    expect(localStorage.length).toBe(0);
  });

  it('runs under automation with data-allow-automation, without an automation flag', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue('Mozilla/5.0 HeadlessChrome/156.0');
    serveChunk(true);
    await paste({ site: 'pk_demo', 'allow-automation': '' });
    await vi.waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]!.automation).toBeUndefined();
  });

  it('starts once when the snippet is pasted twice', async () => {
    serveChunk(true);
    await paste({ site: 'pk_demo' });
    const first = w.cxm;
    vi.resetModules();
    await import('./script.js');
    expect(w.cxm).toBe(first);
    await vi.waitFor(() => expect(bodies).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bodies).toHaveLength(1);
  });

  /** The chunk arrives (calls `cxm('_fp', fingerprint)`) only when told; counts the requests. */
  async function heldChunk() {
    const { fingerprint } = await import('./fingerprint.js');
    fpLoad.mockReset().mockResolvedValue({
      get: async () => ({ visitorId: fp.fp, version: fp.version, confidence: { score: 0.4 } }),
    });
    const requested: string[] = [];
    vi.spyOn(document.head, 'append').mockImplementation((...nodes) => {
      requested.push(...nodes.map((node) => (node as HTMLScriptElement).src));
    });
    return { requested, arrive: () => w.cxm!('_fp', fingerprint) };
  }

  it('starts nothing of FingerprintJS when consent is withdrawn while the chunk loads', async () => {
    const chunk = await heldChunk();
    await paste({ site: 'pk_demo', consent: 'manual' }, (cxm) => cxm('consent', true));
    expect(chunk.requested).toHaveLength(1);
    w.cxm!('consent', false);
    chunk.arrive();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fpLoad).not.toHaveBeenCalled();
    // Only the visit, sent at consent without waiting for the chunk; withdrawal deleted its id.
    expect(bodies.map((b) => [b.events[0]!.type, b.visitor.kind, b.visitor.fp])).toEqual([
      ['visit_landing_page', 'stored', undefined],
    ]);
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('loads the chunk once and uses its fingerprint when consent is withdrawn and granted again meanwhile', async () => {
    const chunk = await heldChunk();
    await paste({ site: 'pk_demo', consent: 'manual' }, (cxm) => cxm('consent', true));
    w.cxm!('consent', false);
    w.cxm!('consent', true);
    chunk.arrive();
    await vi.waitFor(() => expect(sessionStorage.getItem('cxm_fp')).not.toBeNull());
    expect(chunk.requested).toHaveLength(1);
    expect(fpLoad).toHaveBeenCalledTimes(1);
    history.pushState({}, '', '/after-regrant');
    await vi.waitFor(() => expect(bodies.at(-1)?.events[0]?.url).toContain('/after-regrant'));
    expect(bodies.at(-1)!.visitor).toEqual({
      id: localStorage.getItem('cxm_id'),
      kind: 'stored',
      ...fp,
    });
  });

  it("keeps the page's errors out when its fetch wrapper throws, or keepalive and sendBeacon are both missing", async () => {
    serveChunk(true);
    const thrown = vi.fn(() => {
      throw new TypeError('wrapper: sync throw');
    });
    vi.stubGlobal('fetch', thrown);
    const errors: unknown[] = [];
    const onError = (event: Event) => errors.push(event);
    addEventListener('unhandledrejection', onError);
    addEventListener('error', onError);
    const unhandled = (reason: unknown) => errors.push(reason);
    process.on('unhandledRejection', unhandled);
    try {
      await paste({ site: 'pk_demo' });
      await vi.waitFor(() => expect(thrown).toHaveBeenCalled());
      const keepalive = Object.getOwnPropertyDescriptor(Request.prototype, 'keepalive');
      Reflect.deleteProperty(Request.prototype, 'keepalive');
      const beacon = Object.getOwnPropertyDescriptor(Navigator.prototype, 'sendBeacon');
      Reflect.deleteProperty(Navigator.prototype, 'sendBeacon');
      try {
        history.pushState({}, '', '/no-transport');
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        if (keepalive) Object.defineProperty(Request.prototype, 'keepalive', keepalive);
        if (beacon) Object.defineProperty(Navigator.prototype, 'sendBeacon', beacon);
      }
      expect(errors).toEqual([]);
    } finally {
      process.off('unhandledRejection', unhandled);
      removeEventListener('unhandledrejection', onError);
      removeEventListener('error', onError);
    }
  });
});
