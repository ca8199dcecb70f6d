// The campaigns benchmark's data: one organisation whose re-engagement campaign matches every one
// of its candidates (100,000 by default), written straight into a fresh local D1's SQLite file
// after wrangler applied the real migrations, as reads-data.ts does (through the API it would take
// hours). Each candidate is Engaged (a score key from the same `thresholdKey` the worker tests
// use), last contacted 31 to 365 days ago, and reachable now: a US number (the organisation has a
// US sender number), SMS consent, and a fixed-offset zone where it is daytime when the data is
// built. The campaign is enabled with a send time before the organisation's current local hour,
// so the first cron fired starts its run.
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { DEFAULT_MODEL, emptyState, thresholdKey } from '@cxm/scoring';
import { databaseFile, migrate } from '@cxm/test-support/d1';

export const ORG_ID = 'bench-campaigns';
export const CAMPAIGN_ID = 'cmp_bench_warm_pool';
/** A manager key of the organisation (campaign runs need user, audiences reporter). */
export const API_KEY = 'sk_bench_campaigns_manager';
/** The organisation's US sender number (fiction: 555-01xx). */
export const SENDER = '+12025550100';
/** Points at build time: Engaged (5 to 15) with room to decay for the length of the run. */
const POINTS = 10;
const DAY = 86_400_000;

export interface CampaignData {
  candidates: number;
  /** The organisation's zone: one where it was between 09:00 and 18:00 at the build. */
  orgZone: string;
  /** The candidates' zones, dealt out in turn. */
  zones: string[];
  builtAt: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Candidate `n`'s number: +1 212 2XX XXXX, distinct for up to 800,000 candidates. Well-formed
 * E.164 that may belong to real people, which is why the texts only ever reach the loopback
 * stand-in (555-01xx, the fictional range texting.ts uses, holds too few numbers for 100,000).
 */
export function phoneOf(n: number): string {
  return `+1212${200 + Math.floor(n / 10_000)}${String(n % 10_000).padStart(4, '0')}`;
}

function insertOrganisation(db: DatabaseSync, data: CampaignData): void {
  const now = data.builtAt;
  db.prepare(
    `INSERT INTO organisations (id, name, time_zone, quiet_start_hour, quiet_end_hour,
       monthly_contact_allowance, sender_numbers, seats)
     VALUES (?, 'Benchmark (campaigns)', ?, 8, 20, ?, ?, 10)`,
  ).run(ORG_ID, data.orgZone, data.candidates * 2, JSON.stringify({ US: [SENDER] }));
  db.prepare(
    `INSERT INTO api_keys (id, org_id, name, prefix, key_hash, role, messaging)
     VALUES ('key_bench_campaigns', ?, 'campaigns benchmark', 'sk_bench', ?, 'manager', 1)`,
  ).run(ORG_ID, sha256(API_KEY));
  db.prepare(
    `INSERT INTO users (id, org_id, email, display_name, role, licence, created_at, updated_at)
     VALUES ('usr_bench_sender', ?, 'sender@bench.test', 'Bench Sender', 'manager', 1, ?, ?)`,
  ).run(ORG_ID, now, now);
  // Enabled, due since 08:00 local; the org's clock reads 09:00-18:00 (its zone is chosen so).
  db.prepare(
    `INSERT INTO campaigns (id, org_id, name, reengagement, code, url, timeframe_days,
       sender_user_id, send_time, channel, body, state, created_by, created_at, updated_at)
     VALUES (?, ?, 'Warm pool (benchmark)', 1, 'BENCH-1', 'https://careers.example.com/jobs',
       30, 'usr_bench_sender', '08:00', 'sms',
       'Hi {{firstName}}, new roles that fit your profile: {{url}}', 'enabled',
       'user:usr_bench_sender', ?, ?)`,
  ).run(CAMPAIGN_ID, ORG_ID, now, now);
}

function insertCandidates(db: DatabaseSync, data: CampaignData): void {
  const now = data.builtAt;
  const candidate = db.prepare(
    'INSERT INTO candidates (id, org_id, external_id, created_at) VALUES (?, ?, ?, ?)',
  );
  const score = db.prepare(
    `INSERT INTO scores (candidate_id, org_id, state, sort_key, tier, last_contacted_at, updated_at)
     VALUES (?, ?, ?, ?, 'engaged', ?, ?)`,
  );
  const contact = db.prepare(
    `INSERT INTO candidate_contact_details (candidate_id, org_id, phone, phone_country, first_name,
       time_zone, sms_consent_source, sms_consent_at, updated_at)
     VALUES (?, ?, ?, 'US', ?, ?, 'career-site form (bench)', ?, ?)`,
  );
  const state = JSON.stringify(emptyState());
  const key = thresholdKey(POINTS, now, DEFAULT_MODEL);
  for (let n = 0; n < data.candidates; n++) {
    const id = `cand-${String(n).padStart(6, '0')}`;
    candidate.run(id, ORG_ID, `ext-${n}`, now - 400 * DAY);
    // Spread over 31-365 days (a deterministic walk), so the index order is not the id order.
    const lastContacted = now - 31 * DAY - ((n * 7_919) % 334) * DAY - (n % 86_400) * 1000;
    score.run(id, ORG_ID, state, key, lastContacted, now);
    const zone = data.zones[n % data.zones.length] as string;
    contact.run(id, ORG_ID, phoneOf(n), `Cand${n}`, zone, now - DAY, now);
  }
}

/** A fresh local D1 under `persist` (migrated by wrangler) holding the organisation above. */
export function buildData(persist: string, data: CampaignData): void {
  migrate(persist);
  const db = new DatabaseSync(databaseFile(persist));
  try {
    db.exec('PRAGMA synchronous = OFF');
    db.exec('BEGIN');
    insertOrganisation(db, data);
    insertCandidates(db, data);
    db.exec('COMMIT');
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
