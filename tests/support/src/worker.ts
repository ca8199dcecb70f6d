// The edge API as the browser suites meet it: `wrangler dev` for packages/edge-api on free loopback
// ports, over a fresh local D1 in a temp dir (migrations, the dev seed, the suite's own SQL).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute, migrate } from './d1.js';
import { EDGE_API, TRACKER, WRANGLER } from './paths.js';
import { freePort } from './ports.js';
import { type Child, start, stop, waitFor } from './processes.js';

export interface WorkerOptions {
  /** The temp dir's name prefix, e.g. `cxm-e2e-d1-`. */
  tempPrefix: string;
  /** Run after the migrations and the dev seed (the suite's sites, allowed origins). */
  sql?: string;
}

export interface Worker {
  /** `http://127.0.0.1:<port>`: the API, the console, `/t.js` and `/t/<file>`. */
  origin: string;
  /** The local D1's directory, for `d1.query`. */
  persist: string;
  /** Stops wrangler and its workerd, and deletes the temp D1. */
  stop: () => Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  // The worker serves packages/tracker/dist as its assets: it must exist before wrangler starts.
  if (!existsSync(join(TRACKER, 'dist', 'manifest.json'))) {
    spawnSync('pnpm', ['build'], { cwd: TRACKER, stdio: 'inherit' });
  }
  const persist = mkdtempSync(join(tmpdir(), options.tempPrefix));
  let child: Child | undefined;
  const stopWorker = async () => {
    await stop(child);
    rmSync(persist, { recursive: true, force: true });
  };
  try {
    migrate(persist);
    execute(persist, { file: join(EDGE_API, 'seed', 'dev.sql') });
    if (options.sql) execute(persist, { command: options.sql });

    const port = await freePort();
    const inspector = await freePort();
    child = start(
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
      EDGE_API,
      {},
    );
    const origin = `http://127.0.0.1:${port}`;
    await waitFor(`${origin}/healthz`, child, 'wrangler dev', 150_000);
    return { origin, persist, stop: stopWorker };
  } catch (error) {
    await stopWorker();
    throw error;
  }
}
