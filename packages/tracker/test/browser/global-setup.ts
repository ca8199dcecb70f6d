// Browser suite setup: a fresh local D1 in a temp dir (migrations, the dev seed, and this suite's
// own sites), `wrangler dev` for packages/edge-api on a free loopback port, the test pages on
// another loopback origin, and the edge stand-in when the worker does not serve /t.js itself.
// Everything is torn down at the end; only processes started here are stopped, by their id.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { edgeStandIn, listen, pagesServer } from './servers.js';

export const TRACKER = resolve(import.meta.dirname, '..', '..');
export const EDGE_API = resolve(TRACKER, '..', 'edge-api');
const WRANGLER = join(EDGE_API, 'node_modules', '.bin', 'wrangler');

/** This suite's sites in the demo organisation (the seed's pk_demo allows port 8080 only). */
export const SITE = 'pk_tracker_test';
export const SITE_OFF = 'pk_tracker_off';

export interface BrowserEnv {
  edge: string;
  worker: string;
  pages: string;
  persist: string;
  standIn: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    browserEnv: BrowserEnv;
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
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

async function waitFor(url: string, child: ChildProcess, log: () => string, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up in ${ms / 1000} s:\n${log()}`);
}

export default async function setup(project: TestProject) {
  if (!existsSync(join(TRACKER, 'dist', 'manifest.json'))) {
    spawnSync('pnpm', ['build'], { cwd: TRACKER, stdio: 'inherit' });
  }
  const persist = mkdtempSync(join(tmpdir(), 'cxm-tracker-d1-'));
  const servers: Server[] = [];
  let worker: ChildProcess | undefined;

  const teardown = async () => {
    if (worker?.pid && worker.exitCode === null) {
      try {
        process.kill(-worker.pid, 'SIGTERM'); // wrangler and the workerd it started
      } catch {}
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const server of servers) server.close();
    rmSync(persist, { recursive: true, force: true });
  };

  try {
    // Pages first: their origin goes into the sites' allowed origins.
    const pagesPort = await freePort();
    const pages = `http://127.0.0.1:${pagesPort}`;
    wrangler(['d1', 'migrations', 'apply', 'DB'], persist);
    wrangler(['d1', 'execute', 'DB', '--file', join(EDGE_API, 'seed', 'dev.sql')], persist);
    wrangler(
      [
        'd1',
        'execute',
        'DB',
        '--command',
        `INSERT INTO sites (id, org_id, public_key, name, allowed_origins, tracking_enabled) VALUES
          ('site_tracker_test', 'demo', '${SITE}', 'Tracker browser tests', '["${pages}"]', 1),
          ('site_tracker_off', 'demo', '${SITE_OFF}', 'Tracking off', '["${pages}"]', 0)`,
      ],
      persist,
    );

    const port = await freePort();
    const inspector = await freePort();
    let output = '';
    worker = spawn(
      WRANGLER,
      [
        'dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--inspector-port',
        String(inspector),
        '--persist-to',
        persist,
        '--show-interactive-dev-session=false',
      ],
      {
        cwd: EDGE_API,
        detached: true, // its own process group, so teardown stops workerd too
        env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    worker.stdout?.on('data', (d) => (output += d));
    worker.stderr?.on('data', (d) => (output += d));
    const workerOrigin = `http://127.0.0.1:${port}`;
    await waitFor(`${workerOrigin}/healthz`, worker, () => output.slice(-4000), 150_000);

    // The worker serves the tracker itself once its route exists; until then, a stand-in does.
    const built = readFileSync(join(TRACKER, 'dist', 't.js'), 'utf8');
    const served = await fetch(`${workerOrigin}/t.js`).then((r) => (r.ok ? r.text() : ''));
    let edge = workerOrigin;
    if (served !== built) {
      const standIn = edgeStandIn(join(TRACKER, 'dist'), workerOrigin);
      servers.push(standIn);
      edge = await listen(standIn);
    }

    const pagesServerInstance = pagesServer(join(TRACKER, 'test', 'pages'), { edge, site: SITE });
    servers.push(pagesServerInstance);
    await new Promise<void>((done, fail) => {
      pagesServerInstance.once('error', fail);
      pagesServerInstance.listen(pagesPort, '127.0.0.1', done);
    });

    project.provide('browserEnv', {
      edge,
      worker: workerOrigin,
      pages,
      persist,
      standIn: edge !== workerOrigin,
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
