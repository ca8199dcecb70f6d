// The demo as `npm start` runs it, on ports of its own so it never collides with a running demo:
// a fresh local D1 in a temp dir (migrations, the development seed, the example sites' origin
// added to pk_demo), `wrangler dev`, the example sites (scripts/examples-server.mjs), and the
// demo candidates (scripts/seed-demo.mjs). Torn down at the end; only processes started here
// are stopped, by their id.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  type Child,
  edgeProxy,
  freePort,
  listen,
  portBusy,
  start,
  stop,
  waitFor,
} from './servers.js';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const EDGE_API = join(ROOT, 'packages', 'edge-api');
const TRACKER_DIST = join(ROOT, 'packages', 'tracker', 'dist');
const WRANGLER = join(EDGE_API, 'node_modules', '.bin', 'wrangler');
/** The API origin the example pages are written with (`npm start`'s). */
const DEMO_API = 'http://127.0.0.1:8787';

export interface E2eEnv {
  /** The worker: API and console. */
  api: string;
  /** What the example pages load the tracker from and send beacons to (the worker, or a proxy). */
  edge: string;
  /** The example sites. */
  sites: string;
  persist: string;
  screenshots: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eEnv;
  }
}

function wrangler(args: string[], persist: string): string {
  const result = spawnSync(WRANGLER, [...args, '--local', '--persist-to', persist], {
    cwd: EDGE_API,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' },
    timeout: 180_000,
  });
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

export default async function setup(project: TestProject) {
  const persist = mkdtempSync(join(tmpdir(), 'cxm-e2e-d1-'));
  const screenshots = join(ROOT, '.test-results', 'screenshots');
  mkdirSync(screenshots, { recursive: true });
  let worker: Child | undefined;
  let sites: Child | undefined;
  let proxy: Server | undefined;

  const teardown = async () => {
    await stop(sites);
    await stop(worker);
    proxy?.close();
    rmSync(persist, { recursive: true, force: true });
  };

  try {
    const sitesPort = await freePort();
    const sitesOrigin = `http://127.0.0.1:${sitesPort}`;
    wrangler(['d1', 'migrations', 'apply', 'DB'], persist);
    wrangler(['d1', 'execute', 'DB', '--file', join(EDGE_API, 'seed', 'dev.sql')], persist);
    // The example sites run on this run's own port: allow it for pk_demo, as a manager would.
    wrangler(
      [
        'd1',
        'execute',
        'DB',
        '--command',
        `UPDATE sites SET allowed_origins = json_insert(allowed_origins, '$[#]', '${sitesOrigin}') WHERE public_key = 'pk_demo'`,
      ],
      persist,
    );

    const apiPort = await freePort();
    const inspector = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    worker = start(
      WRANGLER,
      [
        'dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(apiPort),
        '--inspector-port',
        String(inspector),
        '--persist-to',
        persist,
        '--show-interactive-dev-session=false',
      ],
      EDGE_API,
      {},
    );
    await waitFor(`${api}/healthz`, worker, 'wrangler dev', 150_000);

    // Does the worker serve the built tracker, and do the example pages follow API_ORIGIN?
    const servesTracker = await fetch(`${api}/t.js`).then(
      (r) => r.ok && (r.headers.get('content-type') ?? '').includes('javascript'),
    );
    const startSites = async (apiOrigin: string) => {
      await stop(sites);
      sites = start(process.execPath, [join(ROOT, 'scripts', 'examples-server.mjs')], ROOT, {
        PORT: String(sitesPort),
        API_ORIGIN: apiOrigin,
        // The platform example rereads the toggle every 10 s by default; the test waits less.
        PLATFORM_SETTINGS_TTL_MS: '1500',
      });
      await waitFor(`${sitesOrigin}/`, sites, 'the example sites', 30_000);
    };
    let edge = api;
    await startSites(servesTracker ? api : `http://127.0.0.1:${await freePort()}`);
    const page = await fetch(`${sitesOrigin}/pasted-snippet/`).then((r) => r.text());
    const followsApiOrigin = !page.includes(`${DEMO_API}/t.js`);
    if (!followsApiOrigin) {
      // The pages name the demo's fixed API origin: put the edge there, if it is free.
      if (await portBusy(8787)) {
        throw new Error(
          'The example pages load the tracker from http://127.0.0.1:8787, and something already ' +
            'listens there (a running `npm start`?). Stop it and run the tests again.',
        );
      }
      edge = DEMO_API;
    } else if (!servesTracker) {
      edge = `http://127.0.0.1:${await freePort()}`;
    }
    if (edge !== api) {
      proxy = edgeProxy(TRACKER_DIST, api, !servesTracker);
      await listen(proxy, Number(new URL(edge).port));
      await startSites(edge);
    }

    const seeded = spawnSync(
      process.execPath,
      [join(ROOT, 'scripts', 'seed-demo.mjs'), '--api', api],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (seeded.status !== 0)
      throw new Error(`seed-demo failed:\n${seeded.stdout}\n${seeded.stderr}`);

    project.provide('e2e', { api, edge, sites: sitesOrigin, persist, screenshots });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
