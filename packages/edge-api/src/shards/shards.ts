// Which databases hold organisations' data (`SHARDS`, env.ts), and the environment a request or
// job of one organisation runs with: the same bindings, with DB its shard and DIRECTORY the
// directory. Handlers keep reading `env.DB`; only the routing (route.ts) knows there are several.
import type { Bindings } from '../env.js';

/** The shard of every organisation without a directory entry: the directory's own database. */
export const FIRST_SHARD = 'DB';

/** The configured shard names, `DB` first; `SHARDS` unset or empty means `DB` alone. */
export function shardNames(env: Pick<Bindings, 'SHARDS'>): string[] {
  const listed = (env.SHARDS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return [FIRST_SHARD, ...new Set(listed.filter((name) => name !== FIRST_SHARD))];
}

/** More than one database: the directory is read; with one, everything is in DB. */
export function isSharded(env: Pick<Bindings, 'SHARDS'>): boolean {
  return shardNames(env).length > 1;
}

/** The directory: DB itself, or what DB was before `shardEnv` put a shard there. */
export function directoryDb(env: Pick<Bindings, 'DB' | 'DIRECTORY'>): D1Database {
  return env.DIRECTORY ?? env.DB;
}

function isD1(value: unknown): value is D1Database {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { prepare?: unknown }).prepare === 'function' &&
    typeof (value as { batch?: unknown }).batch === 'function'
  );
}

/** The D1 binding named `name`, or null when `SHARDS` names a binding the Worker lacks. */
export function shardBinding(env: Bindings, name: string): D1Database | null {
  if (name === FIRST_SHARD) return directoryDb(env);
  const value = (env as unknown as Record<string, unknown>)[name];
  return isD1(value) ? value : null;
}

/** Names in `SHARDS` that are not D1 bindings: a deployment with any refuses to serve. */
export function missingShards(env: Bindings): string[] {
  return shardNames(env).filter((name) => shardBinding(env, name) === null);
}

/** `env` for work on shard `name`: DB is the shard, DIRECTORY the directory, SHARD the name. */
export function shardEnv(env: Bindings, name: string): Bindings {
  const shard = shardBinding(env, name);
  if (!shard) throw new Error(`SHARDS names ${name}, which is not a D1 binding of this Worker`);
  return { ...env, DB: shard, DIRECTORY: directoryDb(env), SHARD: name };
}

/** The shard name of `env` (FIRST_SHARD unless `shardEnv` made it). */
export function shardOf(env: Pick<Bindings, 'SHARD'>): string {
  return env.SHARD ?? FIRST_SHARD;
}
