// Moving an organisation to another shard (`pnpm org:move`, POST /ops/organisations/{id}/move).
// How no write is lost: a short write freeze with retries.
//   1. The directory entry says `moving`. From then on its requests answer 503 with Retry-After
//      (the tracker and API clients send again; a link click waits up to 10 s for the move), and
//      its queue jobs are sent again 10 s later (jobs/shard-batch.ts).
//   2. Wait longer than an isolate keeps a place (DIRECTORY_CACHE_TTL_MS), so no isolate still
//      writes to the old shard from its cache, nor a request begun before.
//   3. Copy every table's rows of the organisation, in pages, parents before children (the
//      foreign keys hold on the new shard at every page). Engagements get new rowids there; each
//      is mapped (`move_rowids`), so `scores.scored_through`, a rowid watermark, is carried over.
//      `score_key_counts` is not copied: the triggers on `scores` build it as the scores land.
//   4. Verify each table: the same number of rows and the same checksum on both sides (and the
//      same tier buckets). A mismatch deletes the copy and leaves the organisation where it was.
//   5. Record the hints of its site and API keys and claim its sender numbers (ones written by SQL
//      had none: the first shard was their default), switch the entry to the new shard, `active`; then delete the old rows,
//      children first, in pages.
// A move that stops half way (the Worker restarted) leaves the organisation `moving`: running it
// again deletes the partial copy first and starts over.
import { dirOrgs } from '../../db/schema.js';
import type { Bindings } from '../../env.js';
import {
  DIRECTORY_CACHE_TTL_MS,
  directory,
  forgetPlace,
  orgPlace,
  writeHints,
} from '../../shards/directory.js';
import { directoryDb, shardBinding, shardNames } from '../../shards/shards.js';

/**
 * Every table holding an organisation's rows, parents first, and the column naming it. A test
 * checks this covers every table of the schema but the directory's and the trigger-kept counts.
 */
export const MOVED_TABLES: readonly { table: string; org: string }[] = [
  { table: 'organisations', org: 'id' },
  ...[
    'sites',
    'api_keys',
    'users',
    'sessions',
    'sign_in_attempts',
    'candidates',
    'candidate_tags',
    'visitors',
    'fingerprints',
    'engagements',
    'engagement_days',
    'scores',
    'score_backlog',
    'audit_log',
    'collect_stats',
    'tracked_links',
    'identity_code_claims',
    'webhook_deliveries',
    'candidate_contact_details',
    'contacts',
    'messages',
    'contact_usage',
    'campaigns',
    'campaign_runs',
    'rescore_runs',
  ].map((table) => ({ table, org: 'org_id' })),
];

/** Tables a move does not copy: the directory's, the move's own map, trigger-kept counts. */
export const NOT_MOVED = [
  'dir_orgs',
  'dir_shards',
  'dir_site_keys',
  'dir_api_keys',
  'dir_sessions',
  'dir_sender_numbers',
  'move_rowids',
  'score_key_counts',
] as const;

const PAGE = 200;

type Row = Record<string, unknown>;

export interface TableReport {
  table: string;
  rows: number;
  checksum: string;
}

export type MoveOutcome =
  | { ok: true; orgId: string; from: string; to: string; tables: TableReport[]; ms: number }
  | {
      ok: false;
      reason: 'unknown_shard' | 'not_found' | 'already_there' | 'mismatch' | 'failed';
      message: string;
    };

export interface MoveOptions {
  /** How long to wait after freezing (default: longer than an isolate keeps a place). */
  settleMs?: number;
  now?: () => number;
}

export async function moveOrganisation(
  env: Bindings,
  orgId: string,
  to: string,
  options: MoveOptions = {},
): Promise<MoveOutcome> {
  const now = options.now ?? Date.now;
  const started = now();
  const target = shardNames(env).includes(to) ? shardBinding(env, to) : null;
  if (!target) {
    return {
      ok: false,
      reason: 'unknown_shard',
      message: `No shard ${to} is configured (SHARDS).`,
    };
  }
  const place = await orgPlace(env, orgId, { fresh: true });
  const source = shardBinding(env, place.shard);
  if (!source || !(await hasOrg(source, orgId))) {
    return { ok: false, reason: 'not_found', message: `No organisation ${orgId}.` };
  }
  // A move cut short left a partial copy where it was going: deleted before anything else (on
  // the target itself, the copy below begins by deleting it).
  const leftover = place.movingTo ? shardBinding(env, place.movingTo) : null;
  if (leftover && place.movingTo !== place.shard && place.movingTo !== to) {
    await deleteOrg(leftover, orgId);
  }
  if (place.shard === to) {
    if (place.moving) await setPlace(env, orgId, { shard: to, state: 'active', at: now() });
    return { ok: false, reason: 'already_there', message: `${orgId} is on ${to} already.` };
  }
  await setPlace(env, orgId, { shard: place.shard, state: 'moving', movingTo: to, at: now() });
  await pause(options.settleMs ?? DIRECTORY_CACHE_TTL_MS + 2_000);
  const back = { shard: place.shard, state: 'active' as const };
  let reports: Awaited<ReturnType<typeof verify>>;
  try {
    await deleteOrg(target, orgId);
    await copyOrg(source, target, orgId);
    reports = await verify(source, target, orgId);
  } catch (error) {
    // Nothing was switched: the copy goes, and the organisation carries on where it was.
    await deleteOrg(target, orgId);
    await setPlace(env, orgId, { ...back, at: now() });
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: 'failed', message: `The copy failed (${message}); nothing moved.` };
  }
  if (!reports.ok) {
    await deleteOrg(target, orgId);
    await setPlace(env, orgId, { ...back, at: now() });
    return { ok: false, reason: 'mismatch', message: reports.message };
  }
  await writeHints(env, 'site', orgId, await column(source, 'sites', 'public_key', orgId));
  await writeHints(env, 'apiKey', orgId, await column(source, 'api_keys', 'key_hash', orgId));
  await claimHeldNumbers(env, source, orgId);
  await setPlace(env, orgId, { shard: to, state: 'active', at: now() });
  await deleteOrg(source, orgId);
  await target.prepare('DELETE FROM move_rowids WHERE org_id = ?1').bind(orgId).run();
  return { ok: true, orgId, from: place.shard, to, tables: reports.tables, ms: now() - started };
}

function pause(ms: number): Promise<void> {
  return ms > 0 ? new Promise((done) => setTimeout(done, ms)) : Promise.resolve();
}

async function setPlace(
  env: Bindings,
  orgId: string,
  place: { shard: string; state: 'active' | 'moving'; movingTo?: string; at: number },
): Promise<void> {
  const { shard, state, at } = place;
  const movingTo = place.movingTo ?? null;
  await directory(env)
    .insert(dirOrgs)
    .values({ orgId, shard, state, movingTo, updatedAt: at })
    .onConflictDoUpdate({ target: dirOrgs.orgId, set: { shard, state, movingTo, updatedAt: at } });
  forgetPlace(orgId);
}

async function hasOrg(db: D1Database, orgId: string): Promise<boolean> {
  return (
    (await db.prepare('SELECT 1 FROM organisations WHERE id = ?1').bind(orgId).first()) !== null
  );
}

async function column(
  db: D1Database,
  table: string,
  name: string,
  orgId: string,
): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT ${name} AS value FROM ${table} WHERE org_id = ?1`)
    .bind(orgId)
    .all<{ value: string }>();
  return results.map((row) => row.value);
}

/**
 * Claims in the directory the sender numbers the organisation sends from (ones written by SQL
 * had no claim), so no organisation on another shard can take them (orgs/sender-numbers.ts).
 */
async function claimHeldNumbers(env: Bindings, source: D1Database, orgId: string): Promise<void> {
  await directoryDb(env)
    .prepare(
      `INSERT OR IGNORE INTO dir_sender_numbers (number, org_id, claimed_at)
       SELECT value, ?1, 0 FROM json_each(?2)`,
    )
    .bind(orgId, JSON.stringify(await heldNumbers(source, orgId)))
    .run();
}

async function heldNumbers(db: D1Database, orgId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT n.value AS number FROM organisations o, json_each(o.sender_numbers) AS c,
         json_each(c.value) AS n WHERE o.id = ?1
       UNION SELECT whatsapp_sender FROM organisations WHERE id = ?1 AND whatsapp_sender IS NOT NULL
       UNION SELECT sender_phone FROM users WHERE org_id = ?1 AND sender_phone IS NOT NULL`,
    )
    .bind(orgId)
    .all<{ number: string }>();
  return results.map((row) => row.number);
}

/** The organisation's rows of `table` after `after` (rowid), a page, with their rowid. */
async function page(
  db: D1Database,
  moved: { table: string; org: string },
  orgId: string,
  after: number,
): Promise<Row[]> {
  const { results } = await db
    .prepare(
      `SELECT rowid AS __rowid, * FROM ${moved.table} WHERE ${moved.org} = ?1 AND rowid > ?2
       ORDER BY rowid LIMIT ${PAGE}`,
    )
    .bind(orgId, after)
    .all<Row>();
  return results;
}

async function copyOrg(source: D1Database, target: D1Database, orgId: string): Promise<void> {
  for (const moved of MOVED_TABLES) {
    let after = 0;
    for (;;) {
      const rows = await page(source, moved, orgId, after);
      if (rows.length === 0) break;
      await target.batch(rows.flatMap((row) => insertRow(target, moved.table, row, orgId)));
      after = Number(rows.at(-1)?.__rowid);
      if (rows.length < PAGE) break;
    }
  }
}

function insertRow(db: D1Database, table: string, row: Row, orgId: string): D1PreparedStatement[] {
  const { __rowid, ...values } = row;
  const names = Object.keys(values);
  const slots = names.map((name, i) =>
    // The watermark, as the new rowids of the engagements it covered (move_rowids).
    table === 'scores' && name === 'scored_through'
      ? `(SELECT COALESCE(max(new_rowid), 0) FROM move_rowids WHERE org_id = ?${names.length + 1} AND old_rowid <= ?${i + 1})`
      : `?${i + 1}`,
  );
  const params = names.map((name) => values[name] ?? null);
  const insert = db
    .prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${slots.join(', ')})`)
    .bind(...params, ...(table === 'scores' ? [orgId] : []));
  if (table !== 'engagements') return [insert];
  const mapped = db
    .prepare(
      'INSERT INTO move_rowids (org_id, old_rowid, new_rowid) SELECT ?1, ?2, rowid FROM engagements WHERE id = ?3',
    )
    .bind(orgId, __rowid, values.id);
  return [insert, mapped];
}

/** Deletes the organisation's rows from `db`, children first, a page a statement (and its rowid map). */
async function deleteOrg(db: D1Database, orgId: string): Promise<void> {
  await db.prepare('DELETE FROM move_rowids WHERE org_id = ?1').bind(orgId).run();
  for (const moved of [...MOVED_TABLES].reverse()) {
    for (;;) {
      const result = await db
        .prepare(
          `DELETE FROM ${moved.table} WHERE rowid IN
             (SELECT rowid FROM ${moved.table} WHERE ${moved.org} = ?1 LIMIT 500)`,
        )
        .bind(orgId)
        .run();
      if ((result.meta.changes ?? 0) === 0) break;
    }
  }
}

/** FNV-1a of a string, 32 bits. */
function fnv(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Row count and an order-free checksum (sum of each row's hash) of a table's rows. */
async function tableSum(
  db: D1Database,
  moved: { table: string; org: string },
  orgId: string,
): Promise<TableReport> {
  let rows = 0;
  let sum = 0n;
  let after = 0;
  for (;;) {
    const list = await page(db, moved, orgId, after);
    for (const row of list) {
      const { __rowid, ...values } = row;
      // The watermark is a rowid: it differs by design (copyOrg maps it).
      if (moved.table === 'scores') delete values.scored_through;
      const text = JSON.stringify(values);
      sum += BigInt(fnv(text)) * 4294967296n + BigInt(fnv(`${text.length}:${text}`));
      rows += 1;
    }
    if (list.length < PAGE) break;
    after = Number(list.at(-1)?.__rowid);
  }
  return { table: moved.table, rows, checksum: (sum % 2n ** 64n).toString(16) };
}

async function bucketsOf(db: D1Database, orgId: string): Promise<string> {
  const { results } = await db
    .prepare('SELECT bucket, n FROM score_key_counts WHERE org_id = ?1 ORDER BY bucket')
    .bind(orgId)
    .all();
  return JSON.stringify(results);
}

async function verify(
  source: D1Database,
  target: D1Database,
  orgId: string,
): Promise<{ ok: true; tables: TableReport[] } | { ok: false; message: string }> {
  const tables: TableReport[] = [];
  for (const moved of MOVED_TABLES) {
    const [before, after] = [
      await tableSum(source, moved, orgId),
      await tableSum(target, moved, orgId),
    ];
    if (before.rows !== after.rows || before.checksum !== after.checksum) {
      return {
        ok: false,
        message: `${moved.table}: ${before.rows} rows (checksum ${before.checksum}) copied as ${after.rows} (${after.checksum})`,
      };
    }
    tables.push(before);
  }
  if ((await bucketsOf(source, orgId)) !== (await bucketsOf(target, orgId))) {
    return { ok: false, message: 'score_key_counts: the tier buckets differ after the copy' };
  }
  return { ok: true, tables };
}
