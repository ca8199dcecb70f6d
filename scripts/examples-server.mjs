#!/usr/bin/env node
// Serves the example career sites in examples/ on http://127.0.0.1:8080 (PORT to change it),
// a different origin from the edge API (http://127.0.0.1:8787, API_ORIGIN to change it), as a
// real career site is.
//
// Static files only, except where an example brings its own handler (examples/<name>/server.mjs
// exporting `handle(request, response, { apiOrigin })` that returns true when it answered).
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
/** The API origin the example pages name; API_ORIGIN replaces it in served HTML. */
const DEMO_API_ORIGIN = 'http://127.0.0.1:8787';
const apiOrigin = (process.env.API_ORIGIN ?? DEMO_API_ORIGIN).replace(/\/+$/, '');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Example folders with a server.mjs get their requests first. */
const handlers = new Map();
async function handlerFor(name) {
  if (!handlers.has(name)) {
    const file = join(root, name, 'server.mjs');
    handlers.set(name, existsSync(file) ? (await import(pathToFileURL(file).href)).handle : null);
  }
  return handlers.get(name);
}

function send(response, status, body, type = 'text/plain; charset=utf-8') {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

const server = createServer(async (request, response) => {
  try {
    const url = new URL(request.url ?? '/', `http://${host}:${port}`);
    const path = decodeURIComponent(url.pathname);
    // The examples have no icon; say so without a 404 in every page's console.
    if (path === '/favicon.ico') return send(response, 204, '');
    const name = path.split('/')[1] ?? '';
    const handle = name && !name.startsWith('.') ? await handlerFor(name) : null;
    if (handle && (await handle(request, response, { apiOrigin, url }))) return;

    // Resolve inside examples/ only: no `..` escapes, no dot-files, no server code.
    let file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) return send(response, 403, 'forbidden');
    if (/(^|[/\\])\.|server\.mjs$|package\.json$/.test(file.slice(root.length)))
      return send(response, 404, 'not found');
    if (existsSync(file) && statSync(file).isDirectory()) {
      if (!path.endsWith('/')) {
        response.writeHead(301, { location: `${path}/${url.search}` });
        return response.end();
      }
      file = join(file, 'index.html');
    }
    if (!existsSync(file) || !statSync(file).isFile()) return send(response, 404, 'not found');
    // A form posting to a static page stands for "the site's own backend": the body is dropped.
    if (request.method === 'POST' && extname(file) === '.html') request.resume();
    else if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(response, 405, 'method not allowed');
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    if (extname(file) === '.html' && apiOrigin !== DEMO_API_ORIGIN) {
      // The pages name the demo's API origin, as pasted; tests run the API elsewhere.
      return response.end(readFileSync(file, 'utf8').replaceAll(DEMO_API_ORIGIN, apiOrigin));
    }
    createReadStream(file).pipe(response);
  } catch (error) {
    send(
      response,
      500,
      `example server error: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
});

server.listen(port, host, () => {
  process.stdout.write(
    `[examples] serving examples/ on http://${host}:${port}/ (API ${apiOrigin})\n`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => server.close(() => process.exit(0)));
