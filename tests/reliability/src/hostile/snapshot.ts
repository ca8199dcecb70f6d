// Every row of every table of the worker's local D1, read in one query (each `wrangler d1
// execute` costs seconds), so "nothing was written" is checked on everything, including tables
// added later. Per table: the row count and a digest of the sorted rows; the rows themselves are
// kept to show what changed.
import { createHash } from 'node:crypto';
import { query } from '@cxm/test-support/d1';

export interface TableState {
  rows: number;
  digest: string;
  content: string[];
}

export type Snapshot = Map<string, TableState>;

function columns(persist: string): Map<string, string[]> {
  // sqlite_* is SQLite's own bookkeeping, _cf_* is D1's and not readable.
  const rows = query<{ t: string; c: string }>(
    persist,
    `SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p
      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_cf_%'
      ORDER BY m.name, p.cid`,
  );
  const tables = new Map<string, string[]>();
  for (const { t, c } of rows) tables.set(t, [...(tables.get(t) ?? []), c]);
  return tables;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function snapshot(persist: string): Snapshot {
  const tables = columns(persist);
  // One row, one column per table holding its rows as a JSON array (D1 refuses long UNIONs).
  const parts = [...tables].map(
    ([table, cols]) =>
      `(SELECT json_group_array(json_array(${cols.map(quote).join(', ')})) FROM ${quote(table)}) AS ${quote(table)}`,
  );
  const [row] = query<Record<string, string>>(persist, `SELECT ${parts.join(',\n')}`);
  const out: Snapshot = new Map();
  for (const table of tables.keys()) {
    const rows = (JSON.parse(row?.[table] ?? '[]') as unknown[])
      .map((r) => JSON.stringify(r))
      .sort();
    const digest = createHash('sha256').update(rows.join('\n')).digest('hex');
    out.set(table, { rows: rows.length, digest, content: rows });
  }
  return out;
}

const clip = (row: string) => (row.length > 200 ? `${row.slice(0, 200)}…` : row);

/** One line per table that differs, with a few rows added and removed. */
export function changes(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(table);
    const now = after.get(table);
    if (was && now && was.digest === now.digest) continue;
    const old = new Set(was?.content ?? []);
    const fresh = new Set(now?.content ?? []);
    const added = [...fresh].filter((row) => !old.has(row));
    const removed = [...old].filter((row) => !fresh.has(row));
    out.push(
      `${table}: ${was?.rows ?? 'no table'} → ${now?.rows ?? 'no table'} rows; ` +
        `added ${added.slice(0, 3).map(clip).join(' | ') || 'none'}; ` +
        `removed ${removed.slice(0, 3).map(clip).join(' | ') || 'none'}`,
    );
  }
  return out;
}

/** Row count and digest per table, for a log line. */
export function digests(state: Snapshot): Record<string, string> {
  return Object.fromEntries(
    [...state].map(([table, { rows, digest }]) => [table, `${rows} rows, ${digest.slice(0, 12)}`]),
  );
}
