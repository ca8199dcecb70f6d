// A local D1 (`--local --persist-to <dir>`) driven through wrangler, as a person would, and read
// straight from its SQLite file when a suite reads often.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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

/** Applies packages/edge-api/migrations. */
export function migrate(persist: string): void {
  wrangler(['d1', 'migrations', 'apply', 'DB'], persist, 180_000);
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

/** The SQLite file of the local D1 under `persist` (wrangler keeps one per database). */
export function databaseFile(persist: string): string {
  const dir = join(persist, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const files = readdirSync(dir).filter(
    (name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite',
  );
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files}`);
  return join(dir, files[0] ?? '');
}

/**
 * The rows of a read-only query, read from the file itself: `query` starts a workerd per call
 * (seconds each on a busy machine, and SQLITE_BUSY while the worker writes). SQLite's own locking
 * keeps this reader consistent beside workerd's writer (the file is in WAL mode), and a busy
 * timeout waits out a write in progress.
 */
export function read<T>(persist: string, sql: string): T[] {
  if (!sqlite) return query<T>(persist, sql);
  const db = new sqlite.DatabaseSync(databaseFile(persist), { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
