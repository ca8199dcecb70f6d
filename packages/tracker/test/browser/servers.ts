// The career site's pages of the browser suite, on another origin than the worker (as in real life).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { ROOT } from '@cxm/test-support/paths';
import { STUB } from '../../src/snippet.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
};

export const STUB_HASH = `sha256-${createHash('sha256').update(STUB).digest('base64')}`;

/**
 * Served from elsewhere in the repository: the OneTrust example's stand-in for OneTrust's banner
 * SDK, so the tracker's test and the example site meet the same fake (late, half-initialised
 * `window.OneTrust`, `OptanonWrapper()` and `OneTrustGroupsUpdated` on load and every change).
 */
const SHARED: Record<string, string> = {
  '/onetrust-standin.js': join(ROOT, 'examples', 'onetrust', 'onetrust-standin.js'),
};

/** The dev seed's key with role `user` in organisation `demo`, which owns this suite's sites. */
export const API_KEY = 'sk_demo_user';

/**
 * The site's own backend for `POST /apply` (quick-apply.html posts its form there by script), as
 * examples/pasted-snippet/server.mjs is for the demo's forms: it files the candidate under an id
 * derived from the email (as an ATS looks a person up), then links the `cxm_vid` the form carried
 * with `POST /v1/visitors/{id}/link`. Replies with the candidate id and whether the link worked.
 */
async function apply(edge: string, body: string, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(body);
  const email = form.get('email') ?? '';
  const visitorId = form.get('cxm_vid') ?? '';
  const candidateId = `cand-${createHash('sha256').update(email).digest('hex').slice(0, 16)}`;
  const reply = { candidateId, visitorId, linked: false, status: 0 };
  if (email && visitorId) {
    const response = await fetch(`${edge}/v1/visitors/${encodeURIComponent(visitorId)}/link`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ candidateId }),
    });
    reply.status = response.status;
    reply.linked = response.ok;
  }
  res.writeHead(reply.linked ? 200 : 422, { 'Content-Type': TYPES['.json']! });
  res.end(JSON.stringify(reply));
}

/**
 * Serves test/pages (and `SHARED`) with `{{EDGE}}`, `{{SITE}}` and `{{STUB}}` filled in. Pages named
 * `strict-csp*.html` get a Content-Security-Policy that allows scripts and connections to the edge
 * origin only (plus the stub's hash where the page pastes the stub). `POST /apply` is the site's
 * backend (`apply` above); other POSTs are answered like GETs (a form's target page), their
 * bodies read and discarded.
 */
export function pagesServer(dir: string, values: { edge: string; site: string }): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && path === '/apply') {
        apply(values.edge, Buffer.concat(chunks).toString('utf8'), res).catch((error: unknown) =>
          res.writeHead(502).end(String(error)),
        );
        return;
      }
      const file =
        SHARED[path] ?? normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
      let body: string;
      try {
        if (!SHARED[path] && !file.startsWith(dir)) throw new Error('outside');
        body = readFileSync(file, 'utf8');
      } catch {
        // SPA routes (/spa/...) fall back to the app's page, as an SPA host does.
        if (!path.startsWith('/spa/')) return res.writeHead(404).end('not found');
        body = readFileSync(join(dir, 'spa.html'), 'utf8');
      }
      const headers: Record<string, string> = {
        'Content-Type': TYPES[extname(file)] ?? TYPES['.html']!,
        'Cache-Control': 'no-store',
      };
      if (path.startsWith('/strict-csp')) {
        const stub = path.includes('stub') ? ` '${STUB_HASH}'` : '';
        headers['Content-Security-Policy'] =
          `default-src 'none'; script-src ${values.edge}${stub}; connect-src ${values.edge}`;
      }
      res.writeHead(200, headers);
      res.end(
        body
          .replaceAll('{{EDGE}}', values.edge)
          .replaceAll('{{SITE}}', values.site)
          .replaceAll('{{STUB}}', STUB),
      );
    });
  });
}
