// The host pages of the tracker benchmark: one small career-site page in four variants, served by
// a tiny HTTP server on its own loopback origin (another origin than the worker, as a real career
// site is, so the collector's CORS and allowed-origin checks run as they do in production).
import { createServer, type Server } from 'node:http';
import { snippet } from '@cxm/tracker';

/** The site the benchmark inserts into the worker's temp D1, allowing the pages' origin. */
export const SITE = 'pk_bench_tracker';

export const PATHS = {
  /** The host page alone. */
  plain: '/plain.html',
  /** The host page with the snippet pasted exactly as `snippet()` writes it (consent mode none). */
  tracked: '/tracked.html',
  /** The snippet in `manual` mode; the page's consent button calls `cxm('consent', true)`. */
  consentTracker: '/consent-tracker.html',
  /** No tracker; the page's consent button sends one plain `fetch` to the same collector. */
  consentBaseline: '/consent-baseline.html',
} as const;

/** The page's own clock at the moment its consent handler ran (set by both consent pages). */
export const GRANT_GLOBAL = 'benchGrantAt';
/**
 * The page's own clock when each of the tracker's storage calls first returned, by `<method> <key>`
 * (e.g. `setItem cxm_fp`): an object both consent pages keep (see `storageMarks`).
 */
export const STORAGE_MARKS_GLOBAL = 'benchStorageMarks';

/** Where the tracker keeps the visitor id (localStorage) and this tab's FingerprintJS result
 * (sessionStorage), as packages/tracker/src/identity.ts and its README name them. */
export const STORED_ID_KEY = 'cxm_id';
export const FINGERPRINT_KEY = 'cxm_fp';

/**
 * A modest career-site page, the same in every variant, so the only difference between two runs
 * is the tracker (or the consent handler). Some DOM and style work, no other scripts.
 */
function hostPage(head: string, body: string): string {
  const jobs = Array.from(
    { length: 12 },
    (_, i) =>
      `<li><a href="/jobs/${i}">Role ${i + 1}, Platform team</a> <span>Remote (EU)</span></li>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Careers</title>
  <style>
    body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1d2433; background: #f7f8fb; }
    main { max-width: 880px; margin: 0 auto; padding: 0 20px; }
    .card { background: #fff; border: 1px solid #e3e7ef; border-radius: 10px; padding: 16px 20px; margin: 16px 0; }
    li span { color: #5b6475; }
  </style>
  ${head}
</head>
<body>
  <main>
    <h1>Build what is next with us</h1>
    <p>We build logistics software used by 4,000 warehouses, and hire engineers, designers and
      operators who like hard, useful problems.</p>
    <div class="card"><h2>Open roles</h2><ul>
${jobs}
    </ul></div>
    <div class="card"><h2>Talent network</h2>
      <form action="/thanks" method="post"><label>Email <input type="email" name="email"></label>
        <button>Join</button></form></div>
    ${body}
  </main>
</body>
</html>
`;
}

/**
 * The consent button. The handler notes the page clock first, then does the variant's work; the
 * benchmark reads that mark and the collector request's resource-timing `startTime` from the same
 * clock (`performance.now()`), so no process boundary sits between the two.
 */
function consentButton(action: string): string {
  return `<button id="consent" type="button">Accept cookies</button>
    <script>
      document.getElementById('consent').addEventListener('click', () => {
        window.${GRANT_GLOBAL} = performance.now();
        ${action}
      });
    </script>`;
}

/**
 * Marks, in the page's clock, when the tracker's storage calls return: above all its write of
 * FingerprintJS's result to sessionStorage (`setItem cxm_fp`), the end of FingerprintJS's work
 * after consent, which no beacon shows any more (the first one does not wait for it); and its
 * reads and writes on the way to the first beacon (in a fresh profile the first access to each
 * storage opens it, which takes a moment). Wrappers around `Storage.prototype.getItem` and
 * `setItem` that call the browser's own, unchanged, then note the time of the first call per
 * method and `cxm_` key. In the consent pages only, whose figures are wall time read from page
 * marks (the page-load runs, which count main-thread time, are left unwrapped and learn of the
 * writes from CDP instead); in both of them, so they differ only in their handler.
 */
const storageMarks = `<script>
    (() => {
      const marks = (window.${STORAGE_MARKS_GLOBAL} = {});
      for (const method of ['getItem', 'setItem']) {
        const own = Storage.prototype[method];
        Storage.prototype[method] = function (...args) {
          try {
            return own.apply(this, args);
          } finally {
            const name = method + ' ' + args[0];
            if (String(args[0]).startsWith('cxm_') && !(name in marks)) marks[name] = performance.now();
          }
        };
      }
    })();
  </script>`;

/** The baseline's request: one beacon as the tracker would send it, built and posted at once. */
function plainBeacon(edge: string): string {
  return `const id = () => crypto.getRandomValues(new Uint32Array(4)).join('_');
        fetch(${JSON.stringify(`${edge}/v1/collect`)}, {
          method: 'POST',
          keepalive: true,
          headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify({
            v: 1,
            site: ${JSON.stringify(SITE)},
            visitor: { id: id(), kind: 'page' },
            events: [{ id: id(), type: 'visit_landing_page', url: location.href, at: Date.now() }],
          }),
        });`;
}

export function pages(edge: string): Record<string, string> {
  const pasted = snippet(edge, SITE);
  const manual = pasted.replace(' data-site=', ' data-consent="manual" data-site=');
  // Fail here rather than measure a tracker that never waits for consent.
  if (manual === pasted)
    throw new Error(`snippet() changed shape; cannot add data-consent:\n${pasted}`);
  return {
    [PATHS.plain]: hostPage('', ''),
    [PATHS.tracked]: hostPage(pasted, ''),
    [PATHS.consentTracker]: hostPage(
      `${storageMarks}\n  ${manual}`,
      consentButton("cxm('consent', true);"),
    ),
    [PATHS.consentBaseline]: hostPage(storageMarks, consentButton(plainBeacon(edge))),
  };
}

/** Serves `content` by path (404 otherwise, the browser's favicon request included), uncached. */
export function pagesServer(content: Record<string, string>): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    req.resume();
    const body = content[path];
    if (body === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
      .end(body);
  });
}
