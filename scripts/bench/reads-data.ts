// The reads benchmark's data: three organisations of 10 thousand, 100 thousand and 1 million
// candidates, ten engagements each (the largest holds 10 million), written straight into a local
// D1's SQLite file after wrangler applied the real migrations. Going through the API would take
// hours; the rows are the ones the writers store, scored by the same `nextScoreRow`.
//
// Every organisation has the same 1,000 Highly Engaged candidates (recent events, registrations,
// attendance); everyone else is Engaged or Inactive (opens and visits only, never enough points
// for Highly Engaged). So the Highly Engaged audience is the same size in all three, and only the
// number of candidates outside it grows: what the reads benchmark compares.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { nextScoreRow } from '@cxm/edge-api/tools';
import { DEFAULT_MODEL, type EngagementType, stateFromEngagements } from '@cxm/scoring';
import { databaseFile, migrate } from '@cxm/test-support/d1';

export interface BenchOrg {
  id: string;
  candidates: number;
  /** A reporter key of this organisation (audiences and reports need reporter). */
  key: string;
}

/** `BENCH_READS_SCALE=0.05` shrinks the organisations for a quick try (figures need 1). */
const SCALE = Number(process.env.BENCH_READS_SCALE ?? 1);
const sized = (n: number) => Math.max(2_000, Math.round(n * SCALE));

export const ORGS: BenchOrg[] = [
  { id: 'bench-10k', candidates: sized(10_000), key: 'sk_bench_10k_reporter' },
  { id: 'bench-100k', candidates: sized(100_000), key: 'sk_bench_100k_reporter' },
  { id: 'bench-1m', candidates: sized(1_000_000), key: 'sk_bench_1m_reporter' },
];
export const HOT = 1_000;
export const PER_CANDIDATE = 10;
/** Data older than this is rebuilt: tiers decay with time, and the figures assume fresh ones. */
const MAX_AGE_MS = 6 * 60 * 60 * 1000;
/** Bump when the generated data changes shape. */
const VERSION = 1;
const SHAPE = `${VERSION}:${ORGS.map((org) => org.candidates).join(',')}`;
const DAY = 86_400_000;

interface Stamp {
  shape: string;
  builtAt: number;
}

function xorshift(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** One candidate's ten engagements: Highly Engaged for the first HOT, else Engaged or Inactive. */
interface Generated {
  type: EngagementType;
  detail: string;
  occurredAt: number;
}

function history(n: number, now: number, random: () => number): Generated[] {
  const list: Generated[] = [];
  if (n < HOT) {
    const kinds = ['attend_event', 'register_event', 'click_email', 'submit_form'] as const;
    for (let i = 0; i < PER_CANDIDATE; i++) {
      const type = kinds[i % kinds.length] as (typeof kinds)[number];
      list.push({
        type,
        detail: `${type} ${i}`,
        occurredAt: now - Math.floor(random() * 14 * DAY),
      });
    }
  } else {
    // Opens and visits only (one point each): at most ten points, below Highly Engaged's 15.
    const warm = random() < 0.3;
    const span = warm ? 60 * DAY : 300 * DAY;
    const start = warm ? 0 : 65 * DAY;
    for (let i = 0; i < PER_CANDIDATE; i++) {
      const type = random() < 0.6 ? 'open_email' : 'visit_landing_page';
      list.push({
        type,
        detail:
          type === 'open_email'
            ? `Job alert ${Math.floor(random() * 40)}`
            : `https://careers.example.com/jobs/${Math.floor(random() * 500)}`,
        occurredAt: now - start - Math.floor(random() * span),
      });
    }
  }
  return list.sort((a, b) => a.occurredAt - b.occurredAt);
}

function load(file: string, now: number, log: (line: string) => void): void {
  // Foreign keys off for the load only: the rows are written parents first and are consistent.
  const db = new DatabaseSync(file, { enableForeignKeyConstraints: false });
  db.exec('PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY');
  // Secondary indexes are dropped for the load and built again afterwards (a sort instead of ten
  // million random B-tree inserts), from the migrations' own definitions.
  const indexes = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('candidates', 'engagements', 'scores')",
    )
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);

  const org = db.prepare('INSERT INTO organisations (id, name) VALUES (?, ?)');
  const key = db.prepare(
    "INSERT INTO api_keys (id, org_id, name, prefix, key_hash, role) VALUES (?, ?, ?, 'sk_bench', ?, 'reporter')",
  );
  const candidate = db.prepare(
    'INSERT INTO candidates (id, org_id, external_id, created_at) VALUES (?, ?, ?, ?)',
  );
  const engagement = db.prepare(
    `INSERT INTO engagements (id, org_id, candidate_id, type, detail, occurred_at, received_at, source, machine, event_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'api', 0, ?)`,
  );
  const score = db.prepare(
    `INSERT INTO scores (candidate_id, org_id, state, sort_key, tier, tier_changed_at, last_engaged_at, engagement_count, updated_at, version, scored_through)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const random = xorshift(0x2545f491);
  db.exec('BEGIN');
  for (const [o, spec] of ORGS.entries()) {
    const started = Date.now();
    org.run(spec.id, `Benchmark (${spec.candidates.toLocaleString('en')} candidates)`);
    key.run(`key_${spec.id}`, spec.id, `${spec.key} (benchmark)`, sha256(spec.key));
    const tiers = { inactive: 0, engaged: 0, highly_engaged: 0 };
    for (let n = 0; n < spec.candidates; n++) {
      const id = `c${o}_${String(n).padStart(7, '0')}`;
      candidate.run(id, spec.id, `cand-${n}`, now - 400 * DAY);
      const list = history(n, now, random);
      // The score's watermark: the last engagement rowid folded (what a writer's settle stores).
      let scoredThrough = 0;
      for (const [i, item] of list.entries()) {
        const serial = `${id}_${i}`;
        scoredThrough = Number(
          engagement.run(
            `e${serial}`,
            spec.id,
            id,
            item.type,
            item.detail,
            item.occurredAt,
            item.occurredAt,
            `api:${serial}`,
          ).lastInsertRowid,
        );
      }
      const row = nextScoreRow({
        orgId: spec.id,
        candidateId: id,
        previous: null,
        state: stateFromEngagements(list, DEFAULT_MODEL),
        engagementCount: list.length,
        model: DEFAULT_MODEL,
        now,
        scoredThrough,
      });
      tiers[row.tier as keyof typeof tiers] += 1;
      score.run(
        row.candidateId,
        row.orgId,
        row.state,
        row.sortKey ?? null,
        row.tier,
        row.tierChangedAt ?? null,
        row.lastEngagedAt ?? null,
        row.engagementCount ?? 0,
        row.updatedAt,
        row.version ?? 1,
        row.scoredThrough ?? 0,
      );
    }
    log(
      `${spec.id}: ${spec.candidates.toLocaleString('en')} candidates, ${(spec.candidates * PER_CANDIDATE).toLocaleString('en')} engagements in ${((Date.now() - started) / 1000).toFixed(0)} s; stored tiers ${JSON.stringify(tiers)}`,
    );
  }
  db.exec('COMMIT');
  const indexed = Date.now();
  for (const index of indexes) db.exec(index.sql);
  log(`${indexes.length} indexes built in ${((Date.now() - indexed) / 1000).toFixed(0)} s`);
  // The tier report's daily counts, as the writers keep them: the backfill of migration
  // 0017_engagement_days (which ran on the empty tables before the load).
  db.exec(`INSERT INTO engagement_days (org_id, day, type, count)
    SELECT org_id, occurred_at / 86400000, type, COUNT(*) FROM engagements WHERE true
    GROUP BY org_id, occurred_at / 86400000, type`);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * A local D1 under `persist` holding the benchmark data, built unless a fresh enough one is there.
 * Returns the time the data was built for (engagement dates are relative to it).
 */
export function ensureData(persist: string, log: (line: string) => void): number {
  const stampFile = join(persist, 'bench-data.json');
  if (existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
    if (stamp.shape === SHAPE && Date.now() - stamp.builtAt < MAX_AGE_MS) {
      log(`reusing the data built ${new Date(stamp.builtAt).toISOString()} in ${persist}`);
      // Migrations added since (an index, say) apply to the kept data as to a deployed database.
      migrate(persist);
      return stamp.builtAt;
    }
  }
  rmSync(persist, { recursive: true, force: true });
  log(`building the data in ${persist} (a few minutes, about 5 GB; reused for 6 hours)`);
  migrate(persist);
  const now = Date.now();
  load(databaseFile(persist), now, log);
  writeFileSync(stampFile, JSON.stringify({ shape: SHAPE, builtAt: now } satisfies Stamp));
  return now;
}
