// The directory's reads and writes (tables `dir_*`, schema.ts). A request reads it at most once:
// by organisation id (`orgPlace`) when the credential, token or job names the organisation, or
// by a hint (`hintedOrg`: a site key, an API key hash, a session token hash) joined with the
// organisation's entry in the same query. Places are kept per isolate for
// DIRECTORY_CACHE_TTL_MS; a move waits that long after marking an organisation `moving` before
// copying, so no isolate still writes to the old shard from its cache (move.ts).
//
// Hints are written before the shard's own rows and never trusted alone: the shard's row decides
// (a key revoked, a session ended), so a hint left behind by a failed write is harmless.
import { eq, lt } from 'drizzle-orm';
import { type Db, database } from '../db/client.js';
import { dirApiKeys, dirOrgs, dirSessions, dirSiteKeys } from '../db/schema.js';
import type { Bindings } from '../env.js';
import { IsolateCache } from '../utils/isolate-cache.js';
import { directoryDb, FIRST_SHARD, isSharded } from './shards.js';

/** Where an organisation's data is, and whether a move holds its writes (and to where). */
export interface OrgPlace {
  shard: string;
  moving: boolean;
  movingTo?: string;
}

/** How long an isolate trusts a place it read; a move waits longer than this (move.ts). */
export const DIRECTORY_CACHE_TTL_MS = 5_000;
const places = new IsolateCache<string, OrgPlace>(DIRECTORY_CACHE_TTL_MS, 10_000);

const UNLISTED: OrgPlace = Object.freeze({ shard: FIRST_SHARD, moving: false });

function placeOf(
  row: { shard: string | null; state: string | null; movingTo?: string | null } | undefined,
): OrgPlace {
  if (!row?.shard) return UNLISTED;
  const moving = row.state === 'moving';
  return moving && row.movingTo
    ? { shard: row.shard, moving, movingTo: row.movingTo }
    : { shard: row.shard, moving };
}

/** The directory handle. */
export function directory(env: Pick<Bindings, 'DB' | 'DIRECTORY'>): Db {
  return database(directoryDb(env));
}

/**
 * An organisation's place: from this isolate's cache within the TTL (unless `fresh`), else one
 * directory read. One database configured: DB, without reading anything.
 */
export async function orgPlace(
  env: Bindings,
  orgId: string,
  options: { fresh?: boolean } = {},
): Promise<OrgPlace> {
  if (!isSharded(env)) return UNLISTED;
  if (!options.fresh) {
    const cached = places.get(orgId);
    if (cached) return cached;
  }
  const rows = await directory(env)
    .select({ shard: dirOrgs.shard, state: dirOrgs.state, movingTo: dirOrgs.movingTo })
    .from(dirOrgs)
    .where(eq(dirOrgs.orgId, orgId));
  const place = placeOf(rows[0]);
  places.set(orgId, place);
  return place;
}

/**
 * The organisations being moved now (read afresh): while there are any, work that spans a
 * shard's organisations (the cron's, its shard-wide queue jobs) waits.
 */
export async function movingOrgs(env: Bindings): Promise<string[]> {
  if (!isSharded(env)) return [];
  const rows = await directory(env)
    .select({ orgId: dirOrgs.orgId })
    .from(dirOrgs)
    .where(eq(dirOrgs.state, 'moving'));
  return rows.map((row) => row.orgId);
}

/** After a move changed an organisation's entry: this isolate reads it afresh. */
export function forgetPlace(orgId: string): void {
  places.delete(orgId);
}

/** For tests that move organisations: every isolate-kept place forgotten. */
export function forgetAllPlaces(): void {
  places.clear();
}

const HINTS = {
  site: { table: dirSiteKeys, key: dirSiteKeys.publicKey, org: dirSiteKeys.orgId },
  apiKey: { table: dirApiKeys, key: dirApiKeys.keyHash, org: dirApiKeys.orgId },
  session: { table: dirSessions, key: dirSessions.tokenHash, org: dirSessions.orgId },
} as const;

export type HintKind = keyof typeof HINTS;

/**
 * The organisation a site key, API key hash or session token hash belongs to, with its place, in
 * one directory read; null when the directory has no such hint (then the first shard is asked:
 * rows written by SQL, such as the dev seed's, have none). One database configured: null at once.
 */
export async function hintedOrg(
  env: Bindings,
  kind: HintKind,
  key: string,
): Promise<{ orgId: string; place: OrgPlace } | null> {
  if (!isSharded(env)) return null;
  const hint = HINTS[kind];
  const rows = await directory(env)
    .select({ orgId: hint.org, shard: dirOrgs.shard, state: dirOrgs.state })
    .from(hint.table)
    .leftJoin(dirOrgs, eq(dirOrgs.orgId, hint.org))
    .where(eq(hint.key, key));
  const row = rows[0];
  if (!row) return null;
  const place = placeOf(row);
  places.set(row.orgId, place);
  return { orgId: row.orgId, place };
}

/** Records hints (kept if already there: a key or hash names one organisation for good). */
export async function writeHints(
  env: Pick<Bindings, 'DB' | 'DIRECTORY'>,
  kind: HintKind,
  orgId: string,
  keys: readonly string[],
  now = Date.now(),
): Promise<void> {
  if (keys.length === 0) return;
  const db = directory(env);
  const statements = keys.map((key) => {
    if (kind === 'session') {
      return db
        .insert(dirSessions)
        .values({ tokenHash: key, orgId, createdAt: now })
        .onConflictDoNothing();
    }
    if (kind === 'site') {
      return db.insert(dirSiteKeys).values({ publicKey: key, orgId }).onConflictDoNothing();
    }
    return db.insert(dirApiKeys).values({ keyHash: key, orgId }).onConflictDoNothing();
  });
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
}

/** Deletes a session's hint (sign-out). */
export async function dropSessionHint(
  env: Pick<Bindings, 'DB' | 'DIRECTORY'>,
  tokenHash: string,
): Promise<void> {
  await directory(env).delete(dirSessions).where(eq(dirSessions.tokenHash, tokenHash));
}

/** Deletes session hints older than `before` (the cron: no session outlives 12 hours). */
export async function sweepSessionHints(
  env: Pick<Bindings, 'DB' | 'DIRECTORY'>,
  before: number,
): Promise<number> {
  const result = await directory(env).delete(dirSessions).where(lt(dirSessions.createdAt, before));
  return result.meta.changes ?? 0;
}
