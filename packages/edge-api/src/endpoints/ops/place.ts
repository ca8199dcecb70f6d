// Where organisations go: each shard's size as D1 reports it (`meta.size_after`), recorded in
// `dir_shards` by the daily cron and before each placement, and a new organisation created on
// the least full (fewest organisations breaks a tie, then the order of `SHARDS`).
import { eq } from 'drizzle-orm';
import { hashApiKey, keyPrefix } from '../../auth/api-keys.js';
import { database } from '../../db/client.js';
import { apiKeys, dirOrgs, dirShards, organisations } from '../../db/schema.js';
import type { Bindings } from '../../env.js';
import { directory, forgetPlace, writeHints } from '../../shards/directory.js';
import { shardBinding, shardNames } from '../../shards/shards.js';
import { randomBase64url } from '../../utils/encoding.js';

export interface ShardSize {
  name: string;
  sizeBytes: number;
  organisations: number;
}

/**
 * Measures every shard now (its size, and the organisations it holds, counted on the shard
 * itself: those the dev seed wrote have no directory entry) and records the sizes; the list in
 * `SHARDS` order.
 */
export async function measureShards(env: Bindings, now: number): Promise<ShardSize[]> {
  const dir = directory(env);
  const sizes: ShardSize[] = [];
  for (const name of shardNames(env)) {
    const shard = shardBinding(env, name);
    if (!shard) continue;
    const result = await shard
      .prepare('SELECT count(*) AS n FROM organisations')
      .run<{ n: number }>();
    const sizeBytes = result.meta.size_after ?? 0;
    sizes.push({ name, sizeBytes, organisations: result.results[0]?.n ?? 0 });
    await dir
      .insert(dirShards)
      .values({ name, sizeBytes, measuredAt: now })
      .onConflictDoUpdate({ target: dirShards.name, set: { sizeBytes, measuredAt: now } });
  }
  return sizes;
}

/** The least full of the sizes: smallest, then fewest organisations, then first listed. */
export function leastFull(sizes: readonly ShardSize[]): ShardSize | undefined {
  return [...sizes].sort(
    (a, b) => a.sizeBytes - b.sizeBytes || a.organisations - b.organisations,
  )[0];
}

export const ORG_ID = /^[a-z0-9][a-z0-9-]{1,39}$/;

export interface NewOrganisation {
  id: string;
  name: string;
  timeZone?: string | undefined;
}

export type Created =
  | { ok: true; id: string; shard: string; apiKey: string }
  | { ok: false; reason: 'exists' };

/**
 * Creates an organisation on the least full shard, with a manager API key (its secret returned
 * once) for its backend to set it up. The directory entry is claimed first (its primary key
 * refuses a second organisation of that id), then the shard's rows are written.
 */
export async function createOrganisation(
  env: Bindings,
  org: NewOrganisation,
  now = Date.now(),
): Promise<Created> {
  // The first shard also holds organisations created by SQL (the dev seed), listed nowhere.
  const onFirst = await database(env.DB)
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.id, org.id));
  if (onFirst.length > 0) return { ok: false, reason: 'exists' };
  const target = leastFull(await measureShards(env, now));
  if (!target) throw new Error('no shard configured');
  const claimed = await directory(env)
    .insert(dirOrgs)
    .values({ orgId: org.id, shard: target.name, state: 'active', updatedAt: now })
    .onConflictDoNothing()
    .returning({ orgId: dirOrgs.orgId });
  if (claimed.length === 0) return { ok: false, reason: 'exists' };
  forgetPlace(org.id);
  const secret = `sk_${randomBase64url(32)}`;
  const keyHash = await hashApiKey(secret);
  await writeHints(env, 'apiKey', org.id, [keyHash], now);
  const shard = shardBinding(env, target.name);
  if (!shard) throw new Error(`shard ${target.name} is not bound`);
  const db = database(shard);
  await db.batch([
    db.insert(organisations).values({
      id: org.id,
      name: org.name,
      ...(org.timeZone ? { timeZone: org.timeZone } : {}),
      createdAt: now,
    }),
    db.insert(apiKeys).values({
      id: `key_${crypto.randomUUID().replaceAll('-', '')}`,
      orgId: org.id,
      name: 'Created with the organisation',
      prefix: keyPrefix(secret),
      keyHash,
      role: 'manager',
      createdAt: now,
      createdBy: 'operator',
    }),
  ]);
  return { ok: true, id: org.id, shard: target.name, apiKey: secret };
}
