// Rows of the worker's local D1, read straight from its file, to prove what a run did not change.
// Either everything (every row of every table: "nothing was written"), or what one organisation
// holds: every row with its `org_id` in every table that has one, its `organisations` row, and
// every row of another organisation that points at one of its candidates, visitors or sites (a
// cross-organisation reference is a change too). The table list comes from the schema, so a new
// table is covered. One query per snapshot, so each is one consistent read while the worker writes.
import { createHash } from 'node:crypto';
import { read } from '@cxm/test-support/d1';

export interface Snapshot {
  /** The organisation, or `null` for the whole database. */
  orgId: string | null;
  /** Set name (a table, or a table's foreign rows) to its rows as JSON arrays, sorted. */
  sets: Map<string, string[]>;
}

/** Columns that point at an organisation's own rows, and the table they point into. */
const REFERENCES = {
  candidate_id: 'candidates',
  visitor_id: 'visitors',
  site_id: 'sites',
  user_id: 'users',
  message_id: 'messages',
  link_id: 'tracked_links',
};

/**
 * Columns that record that a request came, not what it did: a key's last use is written by any
 * request it authenticates, a refused one included (at most once a minute). Left out of every
 * snapshot, so "nothing was written" means no data moved.
 */
const BOOKKEEPING = new Set(['api_keys.last_used_at']);

const columnsByPersist = new Map<string, Map<string, string[]>>();

function tables(persist: string): Map<string, string[]> {
  let found = columnsByPersist.get(persist);
  if (!found) {
    found = new Map();
    const rows = read<{ t: string; c: string }>(
      persist,
      `SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p
        WHERE m.type = 'table' AND m.name NOT GLOB 'sqlite_*' AND m.name NOT GLOB '_cf_*'
        ORDER BY m.name, p.cid`,
    );
    for (const { t, c } of rows) {
      if (!BOOKKEEPING.has(`${t}.${c}`)) found.set(t, [...(found.get(t) ?? []), c]);
    }
    columnsByPersist.set(persist, found);
  }
  return found;
}

/**
 * Tables that hold no organisation's rows, and so need no `org_id`: `dir_shards` is each shard's
 * recorded size (the directory's, packages/edge-api/src/shards).
 */
const SHARED = new Set(['organisations', 'd1_migrations', 'dir_shards']);

/**
 * Tables without `org_id` (other than the shared ones): their rows would escape the snapshot, so
 * a new one fails the suite until it carries `org_id` or is added to SHARED with a reason.
 */
export function tablesWithoutOrg(persist: string): string[] {
  return [...tables(persist)]
    .filter(([table, columns]) => !SHARED.has(table) && !columns.includes('org_id'))
    .map(([table]) => table);
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * One SELECT with a column per set, each the set's rows as a JSON array (D1 refuses a compound
 * SELECT of this many terms).
 */
function select(persist: string, orgId: string | null): string {
  const columns: string[] = [];
  const add = (name: string, table: string, row: string, where: string) =>
    columns.push(`(SELECT json_group_array(${row}) FROM "${table}" WHERE ${where}) AS "${name}"`);
  for (const [table, names] of tables(persist)) {
    const row = `json_array(${names.map((column) => `"${column}"`).join(', ')})`;
    if (orgId === null) {
      add(table, table, row, '1');
      continue;
    }
    const org = quote(orgId);
    if (table === 'organisations') add(table, table, row, `id = ${org}`);
    if (!names.includes('org_id')) continue;
    add(table, table, row, `org_id = ${org}`);
    for (const [column, target] of Object.entries(REFERENCES)) {
      if (!names.includes(column)) continue;
      add(
        `${table} of other organisations pointing at its ${target}`,
        table,
        row,
        `org_id IS NOT ${org} AND "${column}" IN (SELECT id FROM "${target}" WHERE org_id = ${org})`,
      );
    }
  }
  return `SELECT ${columns.join(',\n')}`;
}

export function snapshot(persist: string, orgId: string | null = null): Snapshot {
  const [row] = read<Record<string, string>>(persist, select(persist, orgId));
  const sets = new Map<string, string[]>();
  for (const [name, rows] of Object.entries(row ?? {})) {
    const parsed = JSON.parse(rows) as unknown[];
    sets.set(name, parsed.map((item) => JSON.stringify(item)).sort());
  }
  return { orgId, sets };
}

export function digest(rows: readonly string[]): string {
  return createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16);
}

function clip(row: string): string {
  return row.length > 240 ? `${row.slice(0, 240)}…` : row;
}

/** Which sets changed between two snapshots, each with what was added and removed (a sample). */
export function changes(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...before.sets.keys(), ...after.sets.keys()]);
  const out: string[] = [];
  for (const name of [...names].sort()) {
    const was = before.sets.get(name) ?? [];
    const now = after.sets.get(name) ?? [];
    if (digest(was) === digest(now)) continue;
    const kept = new Set(was);
    const added = now.filter((row) => !kept.has(row));
    const remaining = new Set(now);
    const removed = was.filter((row) => !remaining.has(row));
    out.push(
      [
        `${after.orgId === null ? '' : `${after.orgId}.`}${name} changed (digest ${digest(was)} -> ${digest(now)}): ` +
          `${added.length} row(s) added or changed, ${removed.length} removed or changed`,
        ...added.slice(0, 2).map((row) => `    + ${clip(row)}`),
        ...removed.slice(0, 2).map((row) => `    - ${clip(row)}`),
      ].join('\n'),
    );
  }
  return out;
}

/** Row count and digest per set, for a log line. */
export function digests(shot: Snapshot): Record<string, string> {
  return Object.fromEntries(
    [...shot.sets].map(([name, rows]) => [name, `${rows.length} rows, ${digest(rows)}`]),
  );
}

/**
 * Values of the snapshot that can only be this organisation's: the ids the worker made (UUIDs,
 * `key_…`, `usr_…`, `msg_…`), the texting provider's message sids (`SM…`) and hashes. A reply to
 * another organisation containing one has leaked a row.
 */
export function distinctiveValues(shot: Snapshot): string[] {
  const found = new Set<string>();
  for (const rows of shot.sets.values()) {
    for (const row of rows) {
      for (const match of row.matchAll(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{64}\b|key_[A-Za-z0-9_-]{6,}|\b(?:usr|msg)_[0-9a-f]{32}\b|\bSM[0-9a-f]{32}\b/g,
      )) {
        found.add(match[0]);
      }
    }
  }
  return [...found];
}
