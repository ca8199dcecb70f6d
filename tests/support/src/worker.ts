// The edge API as the suites meet it: `wrangler dev` for packages/edge-api on free loopback ports,
// over a fresh local D1 in a temp dir (migrations, the dev seed, the suite's own SQL). The worker can
// be killed hard and restarted on the same D1 and port, as the fault tests need. It runs with the
// local-development settings (packages/edge-api/scripts/dev-vars.mjs; wrangler.jsonc holds
// production's), given as `--var`s, which win over any .dev.vars of yours.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_VARS, varArgs } from '../../../packages/edge-api/scripts/dev-vars.mjs';
import { execute, migrate } from './d1.js';
import { EDGE_API, TRACKER, WRANGLER } from './paths.js';
import { freePort } from './ports.js';
import { type Child, kill, start, stop, waitFor } from './processes.js';

export interface WorkerOptions {
  /** The temp dir's name prefix, e.g. `cxm-e2e-d1-`. */
  tempPrefix: string;
  /** Run after the migrations and the dev seed (the suite's sites, allowed origins). */
  sql?: string;
  /**
   * An existing local D1 directory to serve as it is (no migrations, seed or SQL), kept on stop:
   * for data built outside wrangler, e.g. the reads benchmark's bulk load.
   */
  persist?: string;
  /** Extra `wrangler dev` arguments, e.g. `['--var', 'NAME:value']`. */
  args?: string[];
  /** The port to serve on (a free one unless given: e.g. chosen first so others can call it). */
  port?: number;
}

export interface Worker {
  /** `http://127.0.0.1:<port>`: the API, the console, `/t.js` and `/t/<file>`. */
  origin: string;
  /** The local D1's directory, for `d1.query`. */
  persist: string;
  /** SIGKILL to wrangler and its workerd, as a crash would; the D1 stays. */
  kill: () => Promise<void>;
  /** Starts wrangler again on the same port and D1, and waits until it answers. */
  restart: () => Promise<void>;
  /** Stops wrangler and its workerd, and deletes the temp D1. */
  stop: () => Promise<void>;
}

const START_MS = 150_000;

/** The development settings every suite's worker runs with (its TOKEN_SECRET signs test tokens). */
export { DEV_VARS };

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  // The worker serves packages/tracker/dist as its assets: it must exist before wrangler starts.
  if (!existsSync(join(TRACKER, 'dist', 'manifest.json'))) {
    spawnSync('pnpm', ['build'], { cwd: TRACKER, stdio: 'inherit' });
  }
  const given = options.persist;
  const persist = given ?? mkdtempSync(join(tmpdir(), options.tempPrefix));
  let child: Child | undefined;
  const stopWorker = async () => {
    await stop(child);
    if (!given) rmSync(persist, { recursive: true, force: true });
  };
  try {
    if (!given) {
      migrate(persist);
      execute(persist, { file: join(EDGE_API, 'seed', 'dev.sql') });
      if (options.sql) execute(persist, { command: options.sql });
    }

    const port = options.port ?? (await freePort());
    const origin = `http://127.0.0.1:${port}`;
    const launch = async () => {
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
          // Local development: the development secrets and flags (a suite's own `args` come later
          // and win).
          ...varArgs(DEV_VARS),
          // Campaign texts' links and status callbacks name this origin (no request to take it
          // from when the cron runs them); a suite may give its own.
          ...(options.args?.some((arg) => arg.startsWith('PUBLIC_ORIGIN:'))
            ? []
            : ['--var', `PUBLIC_ORIGIN:${origin}`]),
          ...(options.args ?? []),
        ],
        EDGE_API,
        {},
      );
      await waitFor(`${origin}/healthz`, child, 'wrangler dev', START_MS);
    };
    await launch();
    return {
      origin,
      persist,
      kill: () => kill(child),
      restart: launch,
      stop: stopWorker,
    };
  } catch (error) {
    await stopWorker();
    throw error;
  }
}
