// The career site's pages of the browser suite, on another origin than the worker (as in real life).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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

/**
 * Serves test/pages (and `SHARED`) with `{{EDGE}}`, `{{SITE}}` and `{{STUB}}` filled in. Pages named
 * `strict-csp*.html` get a Content-Security-Policy that allows scripts and connections to the edge
 * origin only (plus the stub's hash where the page pastes the stub). POSTs are answered like GETs
 * (a form's target page), their bodies read and discarded.
 */
export function pagesServer(dir: string, values: { edge: string; site: string }): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    req.resume();
    req.on('end', () => {
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
