// A tiny hosted career-site platform (think of the service that hosts an employer's careers
// pages). It integrates cxm the way a platform should: one toggle, no pasted code. On each page
// it asks the cxm settings API whether the organisation turned Career Site Tracking on, caches
// the answer briefly, and injects the tracking snippet only when it is on.
//
// Loaded by scripts/examples-server.mjs, which gives this folder first go at its requests.
//
//   PLATFORM_API_KEY          the platform's cxm key for this organisation (default: the demo
//                             seed's sk_demo_manager; reading settings needs a manager key)
//   PLATFORM_SETTINGS_TTL_MS  how long an answer is reused (default 10 000 ms)

const API_KEY = process.env.PLATFORM_API_KEY ?? 'sk_demo_manager';
const TTL_MS = Number(process.env.PLATFORM_SETTINGS_TTL_MS ?? 10_000);
const STUB = 'window.cxm=window.cxm||function(){(cxm.q=cxm.q||[]).push(arguments)}';
const BASE = '/career-site-platform';

const JOBS = [
  {
    slug: 'warehouse-data-analyst',
    title: 'Warehouse data analyst',
    where: 'Rotterdam · Hybrid',
    text: 'Turn scanner events from 40 warehouses into the three numbers a shift lead needs.',
  },
  {
    slug: 'mobile-engineer',
    title: 'Mobile engineer, Picker app',
    where: 'Remote (EU)',
    text: 'Build the app 9,000 pickers use all day: offline first, fast on cheap phones.',
  },
  {
    slug: 'people-partner',
    title: 'People partner',
    where: 'Lisbon',
    text: 'Partner with engineering leads on hiring, growth and the occasional hard conversation.',
  },
];

/** @type {Map<string, { at: number, value: { enabled: boolean, siteKey: string | null, note: string } }>} */
const cache = new Map();

/**
 * Whether tracking is on, from `GET /v1/settings/engagement`, reused for TTL_MS. When the API
 * cannot be read the platform leaves tracking out: no answer is not consent to track.
 */
async function trackingFor(apiOrigin) {
  const cached = cache.get(apiOrigin);
  if (cached && Date.now() - cached.at < TTL_MS) return { ...cached.value, cached: true };
  let value;
  try {
    const response = await fetch(`${apiOrigin}/v1/settings/engagement`, {
      headers: { authorization: `Bearer ${API_KEY}` },
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) throw new Error(`the settings API answered ${response.status}`);
    const settings = await response.json();
    value = {
      enabled: settings.trackingEnabled === true,
      siteKey: typeof settings.siteKey === 'string' ? settings.siteKey : null,
      note: `read from ${apiOrigin}/v1/settings/engagement`,
    };
  } catch (error) {
    value = {
      enabled: false,
      siteKey: null,
      note: `settings unavailable (${error instanceof Error ? error.message : error}), so left out`,
    };
  }
  cache.set(apiOrigin, { at: Date.now(), value });
  return { ...value, cached: false };
}

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char],
  );
}

function snippet(apiOrigin, siteKey) {
  return `<script>${STUB}</script>
  <script async src="${escapeHtml(apiOrigin)}/t.js?site=${encodeURIComponent(siteKey)}" data-site="${escapeHtml(siteKey)}" data-form-visitor-field></script>`;
}

function page({ title, body, tracking, apiOrigin }) {
  const inject = tracking.enabled && tracking.siteKey;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · Contoso Careers</title>
  <link rel="stylesheet" href="/assets/site.css">
  ${inject ? `<!-- added by the platform: the organisation turned Career Site Tracking on -->\n  ${snippet(apiOrigin, tracking.siteKey)}` : '<!-- cxm tracking is off for this organisation: nothing added -->'}
</head>
<body>
  <header><div class="bar">
    <a class="logo" href="${BASE}/">Contoso Careers</a>
    <nav><a href="${BASE}/">Jobs</a><a href="${BASE}/jobs/${JOBS[0].slug}">Data analyst</a><a href="${BASE}/jobs/${JOBS[1].slug}">Mobile engineer</a></nav>
  </div></header>
  <main>
${body}
  </main>
  <footer>Hosted on <strong>Pagewell</strong>, an example career-site platform.
    cxm tracking: <strong data-cxm-tracking="${inject ? 'on' : 'off'}">${inject ? 'on' : 'off'}</strong>
    (${escapeHtml(tracking.note)}${tracking.cached ? ', cached' : ''}; reused for ${TTL_MS / 1000} s).</footer>
</body>
</html>`;
}

function home() {
  const items = JOBS.map(
    (job) =>
      `      <li><a href="${BASE}/jobs/${job.slug}">${escapeHtml(job.title)}</a> · ${escapeHtml(job.where)}</li>`,
  ).join('\n');
  return `    <h1>Work at Contoso</h1>
    <p>Contoso runs the warehouses behind your next-day deliveries. These pages are hosted by a
      career-site platform: the employer never pasted any tracking code.</p>
    <div class="card">
      <h2>Open roles</h2>
      <ul class="jobs">
${items}
      </ul>
    </div>
    <div class="card">
      <h2>How the tracking gets here</h2>
      <p>The platform reads the organisation's <em>Enable Career Site Tracking</em> toggle
        (console: Admin settings, Engagement) and adds the snippet to every page while it is on.
        Turn it off in the console and, within seconds, these pages stop carrying it.</p>
    </div>`;
}

function job(found) {
  return `    <h1>${escapeHtml(found.title)}</h1>
    <p>${escapeHtml(found.where)} · Full time</p>
    <div class="card"><p>${escapeHtml(found.text)}</p>
      <a class="button" href="${BASE}/">See all roles</a></div>`;
}

export async function handle(request, response, { apiOrigin, url }) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = url.pathname.slice(BASE.length).replace(/\/+$/, '') || '/';
  let title;
  let body;
  if (path === '/' || path === '/index.html') {
    title = 'Jobs';
    body = home();
  } else {
    const found = JOBS.find((item) => path === `/jobs/${item.slug}`);
    if (!found) return false;
    title = found.title;
    body = job(found);
  }
  if (url.pathname === BASE) {
    response.writeHead(301, { location: `${BASE}/` });
    response.end();
    return true;
  }
  const tracking = await trackingFor(apiOrigin);
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : page({ title, body, tracking, apiOrigin }));
  return true;
}
