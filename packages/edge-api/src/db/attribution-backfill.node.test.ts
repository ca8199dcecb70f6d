// Migration 0006's backfill of `engagements.attribution`, on rows stored before the column: the
// migrations up to 0005 applied to an in-memory SQLite (node:sqlite, the engine D1 runs), a
// history written as the writers of the time left it, then 0006, and what each row reads.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '../../migrations');

function migrate(db: DatabaseSync, upTo: (name: string) => boolean): void {
  const files = readdirSync(MIGRATIONS).filter((name) => name.endsWith('.sql'));
  for (const name of files.sort().filter(upTo)) {
    db.exec(
      readFileSync(join(MIGRATIONS, name), 'utf8').replaceAll('--> statement-breakpoint', ''),
    );
  }
}

const T = 1_790_000_000_000;
const MIN = 60_000;

/** The history before 0006: what link-visitor.ts, write-beacon.ts and the email links stored. */
function history(db: DatabaseSync): void {
  db.exec(`
    INSERT INTO organisations (id, name) VALUES ('o', 'O');
    INSERT INTO candidates (id, org_id, external_id) VALUES
      ('ca', 'o', 'a'), ('cb', 'o', 'b'), ('cc', 'o', 'c'), ('cd', 'o', 'd');
    -- v1: anonymous visits, linked by the API at T, visits after.
    -- v2: linked by an identity token at T (its beacon received at T), a visit after.
    -- v3: linked to a, then switched to b at T + 10 min.
    -- v4: anonymous only.
    INSERT INTO visitors (id, org_id, device_id, candidate_id, link_source, linked_at, first_seen_at, last_seen_at)
    VALUES ('v1', 'o', 'd1', 'ca', 'api', ${T}, 0, 0),
           ('v2', 'o', 'd2', 'cb', 'identity_token', ${T}, 0, 0),
           ('v3', 'o', 'd3', 'cc', 'api', ${T + 10 * MIN}, 0, 0),
           ('v4', 'o', 'd4', NULL, NULL, NULL, 0, 0);
  `);
  const insert = db.prepare(
    `INSERT INTO engagements (id, org_id, candidate_id, visitor_id, type, occurred_at, received_at, source, event_key)
     VALUES (?, 'o', ?, ?, 'visit_landing_page', ?, ?, ?, ?)`,
  );
  const rows: [
    id: string,
    candidate: string | null,
    visitor: string | null,
    at: number,
    source: string,
  ][] = [
    ['v1-before', 'ca', 'v1', T - 5 * MIN, 'tracker'],
    ['v1-after', 'ca', 'v1', T + 5 * MIN, 'tracker'],
    ['v2-token', 'cb', 'v2', T, 'tracker'],
    ['v2-before', 'cb', 'v2', T - MIN, 'tracker'],
    ['v2-after', 'cb', 'v2', T + MIN, 'tracker'],
    ['v3-first', 'cd', 'v3', T, 'tracker'],
    ['v3-second', 'cc', 'v3', T + 20 * MIN, 'tracker'],
    ['v4-anonymous', null, 'v4', T, 'tracker'],
    ['api', 'ca', null, T, 'api'],
    ['email', 'ca', null, T, 'email_link'],
  ];
  for (const [id, candidate, visitor, at, source] of rows) {
    insert.run(id, candidate, visitor, at, at, source, `k:${id}`);
  }
}

describe('migration 0006: the attribution backfill', () => {
  it('fills in what the stored rows can tell, and leaves the rest null', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, (name) => name < '0006');
    history(db);
    migrate(db, (name) => name.startsWith('0006'));
    const read = db.prepare('SELECT id, attribution FROM engagements ORDER BY id').all();
    expect(Object.fromEntries(read.map((row) => [row.id, row.attribution]))).toEqual({
      api: 'api',
      email: 'email_link',
      'v1-before': 'link', // received before the visitor's link: moved by it
      'v1-after': 'visitor',
      'v2-token': 'identity_token', // the beacon whose token made the link
      'v2-before': 'link',
      'v2-after': 'visitor', // later beacons: the token is not stored, so read as stored id
      'v3-first': null, // the candidate it had before a switch: not knowable
      'v3-second': 'visitor',
      'v4-anonymous': null, // anonymous: no attribution
    });
  });
});
