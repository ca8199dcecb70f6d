// The edge API as the suites meet it: `wrangler dev` for packages/edge-api on free loopback ports,
// over a fresh local D1 in a temp dir (migrations, the dev seed, the suite's own SQL). The worker can
// be killed hard and restarted on the same D1 and port, as the fault tests need. It runs with the
// local-development settings (packages/edge-api/scripts/dev-vars.mjs; wrangler.jsonc holds
// production's), given as `--var`s, which win over any .dev.vars of yours.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_VARS, varArgs } from '../../../packages/edge-api/scripts/dev-vars.mjs';
import { execute, migrate, migrateShards } from './d1.js';
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
  /**
   * Databases holding organisations' data (packages/edge-api/src/shards), 1 unless given: with
   * more, the worker runs with DB and SHARD_2 … SHARD_<n> bound and listed in SHARDS (a temp
   * wrangler config beside wrangler.jsonc), every one migrated. The seed's organisations are on
   * DB; `POST /ops/organisations` places new ones, and `/ops/organisations/{id}/move` moves one.
   */
  shards?: number;
}

export interface Worker {
  /** `http://127.0.0.1:<port>`: the API, the console, `/t.js` and `/t/<file>`. */
  origin: string;
  /** The local D1's directory, for `d1.query` (and `d1.read` of a shard by binding). */
  persist: string;
  /** The shard bindings, `DB` first (`['DB']` unless `shards` was given). */
  shards: string[];
  /** SIGKILL to wrangler and its workerd, as a crash would; the D1 stays. */
  kill: () => Promise<void>;
  /** Starts wrangler again on the same port and D1, and waits until it answers. */
  restart: () => Promise<void>;
  /** Stops wrangler and its workerd, and deletes the temp D1. */
  stop: () => Promise<void>;
}

const START_MS = 150_000;

/**
 * wrangler.jsonc with SHARD_2 … SHARD_<count> bound beside DB (same migrations), written beside
 * it (wrangler resolves `main`, assets and migrations from the config's folder); its path.
 */
function shardedConfig(count: number): { file: string; bindings: string[] } {
  const bindings = Array.from({ length: count - 1 }, (_, i) => `SHARD_${i + 2}`);
  const source = readFileSync(join(EDGE_API, 'wrangler.jsonc'), 'utf8');
  const end = /"migrations_dir": "migrations"\s*\}\s*\]/;
  if (!end.test(source)) throw new Error('wrangler.jsonc: cannot find the end of d1_databases');
  const extra = bindings
    .map(
      (binding) =>
        `{ "binding": "${binding}", "database_name": "cxm-${binding.toLowerCase()}", "migrations_dir": "migrations" }`,
    )
    .join(',\n    ');
  const text = source.replace(end, `"migrations_dir": "migrations"\n    },\n    ${extra}\n  ]`);
  const file = join(EDGE_API, `.wrangler-shards-${process.pid}-${Date.now()}.jsonc`);
  writeFileSync(file, text);
  return { file, bindings };
}

/** The development settings every suite's worker runs with (its TOKEN_SECRET signs test tokens). */
export { DEV_VARS };

/**
 * An operator's request (`/ops/…`, packages/edge-api/src/endpoints/ops) with the development
 * operator token: GET without a body, POST with one. The reply's JSON; an error naming the status
 * otherwise.
 */
export async function operator(
  origin: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const reply = await fetch(`${origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${DEV_VARS.OPERATOR_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await reply.text();
  if (!reply.ok) throw new Error(`${path}: ${reply.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  // The worker serves packages/tracker/dist as its assets: it must exist before wrangler starts.
  if (!existsSync(join(TRACKER, 'dist', 'manifest.json'))) {
    spawnSync('pnpm', ['build'], { cwd: TRACKER, stdio: 'inherit' });
  }
  const given = options.persist;
  const persist = given ?? mkdtempSync(join(tmpdir(), options.tempPrefix));
  let child: Child | undefined;
  const sharded = (options.shards ?? 1) > 1 ? shardedConfig(options.shards ?? 1) : null;
  const shards = ['DB', ...(sharded?.bindings ?? [])];
  const stopWorker = async () => {
    await stop(child);
    if (!given) rmSync(persist, { recursive: true, force: true });
    if (sharded) rmSync(sharded.file, { force: true });
  };
  try {
    if (!given) {
      migrate(persist);
      if (sharded) migrateShards(persist, sharded.file, sharded.bindings);
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
          ...(sharded ? ['--config', sharded.file, '--var', `SHARDS:${shards.join(',')}`] : []),
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
      shards,
      kill: () => kill(child),
      restart: launch,
      stop: stopWorker,
    };
  } catch (error) {
    await stopWorker();
    throw error;
  }
}
