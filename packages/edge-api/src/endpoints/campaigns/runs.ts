// A campaign's runs, newest first, with what each did: the counts the run wrote as it went
// (matched, texts written, each skip reason) and what became of its texts since, read from the
// messages that carry its id (one range of `messages_campaign_run` per run): delivered, failed,
// clicked (by a person), answered and opted out of (the candidates whose next text to us was a
// reply or STOP).
import type { CampaignRunState } from '../../db/schema.js';
import type { CursorCodec } from '../../utils/cursor.js';
import type { SkipReason } from './selection.js';

export interface RunJson {
  id: string;
  date: string;
  state: CampaignRunState;
  startedAt: string;
  finishedAt: string | null;
  matched: number;
  sent: number;
  delivered: number;
  failed: number;
  skipped: Record<SkipReason, number>;
  clicks: number;
  replies: number;
  optOuts: number;
  error: string | null;
}

interface RunDbRow {
  id: string;
  local_date: string;
  state: CampaignRunState;
  created_at: number;
  finished_at: number | null;
  matched: number;
  sent: number;
  skipped_inactive: number;
  skipped_opted_out: number;
  skipped_no_number: number;
  skipped_texted_today: number;
  skipped_no_sender: number;
  skipped_quiet_hours: number;
  skipped_no_contacts: number;
  error: string | null;
  delivered: number | null;
  failed: number | null;
  clicks: number | null;
  replies: number | null;
  opt_outs: number | null;
}

export const FAILED_STATUSES = ['failed', 'undelivered', 'cancelled'] as const;

export function runJson(row: RunDbRow): RunJson {
  return {
    id: row.id,
    date: row.local_date,
    state: row.state,
    startedAt: new Date(row.created_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    matched: row.matched,
    sent: row.sent,
    delivered: Number(row.delivered ?? 0),
    failed: Number(row.failed ?? 0),
    skipped: {
      inactive: row.skipped_inactive,
      optedOut: row.skipped_opted_out,
      noNumberOrConsent: row.skipped_no_number,
      textedToday: row.skipped_texted_today,
      noSenderNumber: row.skipped_no_sender,
      quietHours: row.skipped_quiet_hours,
      noContactsLeft: row.skipped_no_contacts,
    },
    clicks: Number(row.clicks ?? 0),
    replies: Number(row.replies ?? 0),
    optOuts: Number(row.opt_outs ?? 0),
    error: row.error,
  };
}

export interface RunsCursor {
  d: string;
}

export function isRunsCursor(value: unknown): value is RunsCursor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { d?: unknown }).d === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test((value as { d: string }).d)
  );
}

/** One page of `campaignId`'s runs (in `orgId`), newest first, dates before the cursor's. */
export async function listRuns(
  db: D1Database,
  orgId: string,
  campaignId: string,
  query: { limit: number; cursor: RunsCursor | null; cursors: CursorCodec },
): Promise<{ data: RunJson[]; nextCursor: string | null }> {
  const { results } = await db
    .prepare(
      `SELECT r.*,
         (SELECT count(*) FROM messages m WHERE m.campaign_run_id = r.id
            AND m.direction = 'outbound' AND m.status = 'delivered') AS delivered,
         (SELECT count(*) FROM messages m WHERE m.campaign_run_id = r.id
            AND m.direction = 'outbound' AND m.status IN (?5, ?6, ?7)) AS failed,
         (SELECT count(*) FROM messages m WHERE m.campaign_run_id = r.id
            AND m.direction = 'outbound' AND m.clicks > 0) AS clicks,
         (SELECT count(DISTINCT m.candidate_id) FROM messages m WHERE m.campaign_run_id = r.id
            AND m.direction = 'inbound' AND m.keyword IS NULL) AS replies,
         (SELECT count(DISTINCT m.candidate_id) FROM messages m WHERE m.campaign_run_id = r.id
            AND m.direction = 'inbound' AND m.keyword = 'opt_out') AS opt_outs
       FROM campaign_runs r
       WHERE r.campaign_id = ?1 AND r.org_id = ?2 AND r.local_date < ?3
       ORDER BY r.local_date DESC LIMIT ?4`,
    )
    .bind(campaignId, orgId, query.cursor?.d ?? '9999-12-31', query.limit + 1, ...FAILED_STATUSES)
    .all<RunDbRow>();
  const page = results.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map(runJson),
    nextCursor:
      results.length > query.limit && last ? query.cursors.encode({ d: last.local_date }) : null,
  };
}
