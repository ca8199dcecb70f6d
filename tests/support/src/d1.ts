// A local D1 (`--local --persist-to <dir>`) driven through wrangler, as a person would.
import { spawnSync } from 'node:child_process';
import { EDGE_API, WRANGLER } from './paths.js';

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
