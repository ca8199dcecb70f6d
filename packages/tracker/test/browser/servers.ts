// The two small HTTP servers of the browser suite: the career site's pages (another origin than
// the worker, as in real life) and, until the worker serves the tracker itself, an edge stand-in
// that serves dist/ at /t.js and /t/* and forwards everything else to `wrangler dev`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { STUB } from '../../src/snippet.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
};

export const STUB_HASH = `sha256-${createHash('sha256').update(STUB).digest('base64')}`;

export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

/**
 * Serves test/pages with `{{EDGE}}`, `{{SITE}}` and `{{STUB}}` filled in. Pages named
 * `strict-csp*.html` get a Content-Security-Policy that allows scripts and connections to the edge
 * origin only (plus the stub's hash where the page pastes the stub). POSTs are answered like GETs
 * (a form's target page), their bodies read and discarded.
 */
export function pagesServer(dir: string, values: { edge: string; site: string }): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    req.resume();
    req.on('end', () => {
      const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
      let body: string;
      try {
        if (!file.startsWith(dir)) throw new Error('outside');
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

/** The built tracker at /t.js and /t/<file> with the manifest's Cache-Control; the rest proxied. */
export function edgeStandIn(dist: string, worker: string): Server {
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as {
    files: Record<string, string>;
  };
  const target = new URL(worker);
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    const cache = manifest.files[path];
    if (req.method === 'GET' && cache) {
      res.writeHead(200, { 'Content-Type': TYPES['.js']!, 'Cache-Control': cache });
      return res.end(readFileSync(join(dist, path)));
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}
