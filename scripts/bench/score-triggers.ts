// What the sort-key bucket triggers (migration 0019, `score_key_counts`) cost a score write:
// the same score inserts and updates, with the triggers and with them dropped, alternating in
// one run on the migrated D1 file through node:sqlite (the engine local D1 runs). A writer's
// batch is one transaction; so is each group of 100 rows here.
import { DatabaseSync } from 'node:sqlite';
import { fmt, median, ms, ratio, type Table } from './report.js';

const CANDIDATES = 2_000;
const PER_TRANSACTION = 100;
const ROUNDS = 3;
const TRIGGERS = ['scores_key_count_insert', 'scores_key_count_update', 'scores_key_count_delete'];

/** One round on fresh candidates: insert their score rows, then move every key once. */
function round(db: DatabaseSync, tag: string): number {
  const org = `bench-triggers-${tag}`;
  db.prepare('INSERT INTO organisations (id, name) VALUES (?, ?)').run(org, org);
  const candidate = db.prepare(
    'INSERT INTO candidates (id, org_id, external_id, created_at) VALUES (?, ?, ?, 0)',
  );
  const ids = Array.from({ length: CANDIDATES }, (_, i) => `${org}-${i}`);
  db.exec('BEGIN');
  for (const id of ids) candidate.run(id, org, id);
  db.exec('COMMIT');
  const insert = db.prepare(
    `INSERT INTO scores (candidate_id, org_id, state, sort_key, tier, updated_at)
     VALUES (?, ?, '{}', ?, 'engaged', 0)`,
  );
  // A new engagement raises the key; about half the moves leave the key's bucket.
  const update = db.prepare(
    'UPDATE scores SET sort_key = sort_key + ?, version = version + 1 WHERE candidate_id = ?',
  );
  const base = Date.now() / (30 * 86_400_000);
  const start = performance.now();
  for (let i = 0; i < ids.length; i += PER_TRANSACTION) {
    db.exec('BEGIN');
    for (const [j, id] of ids.slice(i, i + PER_TRANSACTION).entries()) {
      insert.run(id, org, base + ((i + j) % 97) / 16);
    }
    db.exec('COMMIT');
  }
  for (let i = 0; i < ids.length; i += PER_TRANSACTION) {
    db.exec('BEGIN');
    for (const [j, id] of ids.slice(i, i + PER_TRANSACTION).entries()) {
      update.run((i + j) % 2 === 0 ? 0.001 : 0.2, id);
    }
    db.exec('COMMIT');
  }
  return performance.now() - start;
}

/** The cost table, measured on `file` (a migrated D1 database nobody else is using). */
export function triggerTable(file: string): { table: Table; notes: string[] } {
  const db = new DatabaseSync(file);
  try {
    const definitions = TRIGGERS.map((name) => {
      const row = db
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
        .get(name) as { sql: string } | undefined;
      if (!row) throw new Error(`trigger ${name} not found: are the migrations applied?`);
      return row.sql;
    });
    const times = { with: [] as number[], without: [] as number[] };
    round(db, 'warm-up');
    for (let r = 0; r < ROUNDS; r++) {
      // Alternating, so neither mode always meets the larger table.
      for (const mode of r % 2 === 0
        ? (['with', 'without'] as const)
        : (['without', 'with'] as const)) {
        if (mode === 'without') for (const name of TRIGGERS) db.exec(`DROP TRIGGER ${name}`);
        times[mode].push(round(db, `${mode}-${r}`));
        if (mode === 'without') for (const sql of definitions) db.exec(sql);
      }
    }
    const without = median(times.without);
    const withTriggers = median(times.with);
    const writes = 2 * CANDIDATES;
    return {
      table: {
        title: `Score writes with and without the sort-key bucket triggers (${fmt(CANDIDATES)} inserts then ${fmt(CANDIDATES)} updates, ${PER_TRANSACTION} per transaction, median of ${ROUNDS} rounds)`,
        columns: ['score writes', 'time (median)', 'writes/s', 'vs without'],
        rows: [
          [
            'without the triggers',
            `${ms(without)} ms`,
            fmt(Math.round(writes / (without / 1000))),
            '1.00x',
          ],
          [
            'with the triggers (migration 0019)',
            `${ms(withTriggers)} ms`,
            fmt(Math.round(writes / (withTriggers / 1000))),
            ratio(withTriggers, without),
          ],
        ],
      },
      notes: [
        "node:sqlite on the migrated D1 file (the engine local D1 runs), no Worker round trips: the triggers' own cost, which a deployed write batch pays inside its one round trip. Half the updates move a key out of its bucket (a decrement and an upsert), half stay in it (the trigger's WHEN skips them).",
      ],
    };
  } finally {
    db.close();
  }
}
