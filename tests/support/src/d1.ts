// A local D1 (`--local --persist-to <dir>`) driven through wrangler, as a person would, and read
// straight from its SQLite file when a suite reads often.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EDGE_API, WRANGLER } from './paths.js';

// `node:sqlite` needs no flag from Node 22.13 on; before that, `read` goes through wrangler.
const sqlite = await import('node:sqlite').catch(() => null);

function wrangler(args: string[], persist: string, timeout: number): string {
  const result = spawnSync(WRANGLER, [...args, '--local', '--persist-to', persist], {
    cwd: EDGE_API,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' },
    timeout,
  });
  if (result.status !== 0) {
    const why = result.error?.message ?? `exit ${result.status}`;
    throw new Error(
      `wrangler ${args.join(' ')} failed (${why}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Applies packages/edge-api/migrations (to DB, or to `binding` of the wrangler config given). */
export function migrate(persist: string, shard?: { binding: string; config: string }): void {
  const target = shard ? [shard.binding, '--config', shard.config] : ['DB'];
  wrangler(['d1', 'migrations', 'apply', ...target], persist, 180_000);
}

/** Where each binding's SQLite file is, when a persist dir holds several (`migrateShards`). */
const BINDINGS_FILE = 'cxm-d1-bindings.json';

function sqliteFiles(persist: string): string[] {
  const dir = join(persist, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite')
    .map((name) => join(dir, name));
}

/**
 * Migrates each shard binding of `config` after DB (already migrated), noting the SQLite file
 * each one made, so `databaseFile(persist, binding)` finds it (wrangler names files by a hash).
 */
export function migrateShards(persist: string, config: string, bindings: string[]): void {
  const files: Record<string, string> = { DB: databaseFile(persist) };
  for (const binding of bindings) {
    const before = new Set(sqliteFiles(persist));
    migrate(persist, { binding, config });
    const made = sqliteFiles(persist).filter((file) => !before.has(file));
    if (made.length !== 1) throw new Error(`migrating ${binding} made ${made.length} databases`);
    files[binding] = made[0] ?? '';
  }
  writeFileSync(join(persist, BINDINGS_FILE), JSON.stringify(files));
}

/** Runs a SQL file, or SQL given as text. */
export function execute(persist: string, sql: { file: string } | { command: string }): void {
  const source = 'file' in sql ? ['--file', sql.file] : ['--command', sql.command];
  wrangler(['d1', 'execute', 'DB', ...source], persist, 180_000);
}

/** The rows of a read-only query. */
export function query<T = Record<string, unknown>>(persist: string, sql: string): T[] {
  const stdout = wrangler(['d1', 'execute', 'DB', '--json', '--command', sql], persist, 120_000);
  const parsed = JSON.parse(stdout) as { results: T[] }[];
  return parsed[0]?.results ?? [];
}

/**
 * The SQLite file of the local D1 under `persist` (wrangler keeps one per database): DB's, or
 * `binding`'s when the worker runs with shards (`migrateShards` noted each).
 */
export function databaseFile(persist: string, binding = 'DB'): string {
  const noted = join(persist, BINDINGS_FILE);
  if (existsSync(noted)) {
    const file = (JSON.parse(readFileSync(noted, 'utf8')) as Record<string, string>)[binding];
    if (!file) throw new Error(`no D1 database of binding ${binding} under ${persist}`);
    return file;
  }
  const files = sqliteFiles(persist);
  if (files.length !== 1 || binding !== 'DB') {
    throw new Error(`expected one D1 database (DB) under ${persist}, found ${files}`);
  }
  return files[0] ?? '';
}

/**
 * The rows of a read-only query, read from the file itself: `query` starts a workerd per call
 * (seconds each on a busy machine, and SQLITE_BUSY while the worker writes). SQLite's own locking
 * keeps this reader consistent beside workerd's writer (the file is in WAL mode), and a busy
 * timeout waits out a write in progress. With shards, every shard's rows together (`binding`
 * unset), or one shard's.
 */
export function read<T>(persist: string, sql: string, binding?: string): T[] {
  if (!sqlite) {
    if (binding !== undefined && binding !== 'DB') {
      throw new Error('reading a shard needs node:sqlite (Node 22.13+)');
    }
    return query<T>(persist, sql);
  }
  const shards = binding === undefined ? shardFiles(persist) : [];
  const db = new sqlite.DatabaseSync(databaseFile(persist, binding), { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    if (shards.length > 0) unionShards(db, shards);
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** The SQLite files of the shards other than DB, when the worker runs with several. */
function shardFiles(persist: string): string[] {
  const noted = join(persist, BINDINGS_FILE);
  if (!existsSync(noted)) return [];
  const files = JSON.parse(readFileSync(noted, 'utf8')) as Record<string, string>;
  return Object.entries(files)
    .filter(([binding]) => binding !== 'DB')
    .map(([, file]) => file);
}

/**
 * Makes every table read as the union of its rows on all shards (a temporary view of the same
 * name, which SQLite resolves before the table itself), so a suite's checks read the fleet as one
 * database whichever shard each organisation is on.
 */
function unionShards(
  db: InstanceType<NonNullable<typeof sqlite>['DatabaseSync']>,
  files: string[],
) {
  files.forEach((file, i) => {
    db.prepare(`ATTACH DATABASE ? AS shard${i}`).run(file);
  });
  const tables = db
    .prepare(
      `SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'`,
    )
    .all() as { name: string }[];
  for (const { name } of tables) {
    const parts = [
      `SELECT * FROM main."${name}"`,
      ...files.map((_, i) => `SELECT * FROM shard${i}."${name}"`),
    ];
    db.exec(`CREATE TEMP VIEW "${name}" AS ${parts.join(' UNION ALL ')}`);
  }
}
