// Who a re-engagement campaign texts at `now`: the SQL for its matched candidates (timeframe and
// tags) with, per candidate, the first reason it would skip them, so the estimate counts and a
// run pages through exactly the same rows. Built as text so a test can EXPLAIN what runs.
//
// The matched set is one range of `scores_campaign_selection (org_id, last_contacted_at,
// candidate_id, sort_key)`: `last_contacted_at < now - N days`, or `IS NULL` for never contacted
// (NULLs sort first, so that is a range too). The index covers everything read from `scores`:
// the Inactive tier is `sort_key < tierKeyRange('engaged', now).min` (or no key) on the entry
// itself, and the run's keyset cursor is `(last_contacted_at, candidate_id)` in index order. Each
// matched candidate then costs a primary-key read of their contact details and, only when every
// earlier reason passed, one range of `messages_org_candidate` for a campaign text since local
// midnight. Quiet hours and monthly contacts depend on zones and a running total, so SQL only
// hands over what they need (zone, number country, whether a contact would be used).
import { type ScoringModel, tierKeyRange } from '@cxm/scoring';
import {
  CRIMEA_PREFIXES,
  SMS_COUNTRIES,
  WHATSAPP_EMBARGOED,
} from '../../messaging/rules/countries.js';
import { CONTACT_GAP_MS } from '../../messaging/rules/monthly-contacts.js';
import { wallClock, zonedEpoch } from '../../messaging/rules/zoned-time.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Skip reasons SQL decides, in the order a candidate is counted under the first that applies. */
export const SQL_REASONS = ['inactive', 'optedOut', 'noNumberOrConsent', 'textedToday'] as const;
export type SqlReason = (typeof SQL_REASONS)[number];

/**
 * Every skip reason, in order: a sender number for their country, quiet hours and contacts are
 * decided in TypeScript, after SQL (`reach.ts`, then the monthly contacts left).
 */
export const SKIP_REASONS = [
  ...SQL_REASONS,
  'noSenderNumber',
  'quietHours',
  'noContactsLeft',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface CampaignSelection {
  orgId: string;
  now: number;
  model: ScoringModel;
  /** The organisation's IANA zone: "today" for the one-text-a-day rule starts at its midnight. */
  orgZone: string;
  channel: 'sms' | 'whatsapp';
  /** Last contacted more than this many days before `now`; never-contacted candidates are not. */
  timeframeDays: number | null;
  /** Only candidates never contacted (set instead of `timeframeDays`). */
  neverContacted: boolean;
  tags: readonly string[];
  tagsMode: 'all' | 'any';
}

/** A run's place in the matched set, in index order (`lastContactedAt` null for never contacted). */
export interface SelectionCursor {
  lastContactedAt: number | null;
  candidateId: string;
}

/** Local midnight starting `now`'s date on `zone`'s clock (a skipped midnight: the first instant). */
export function localMidnight(now: number, zone: string): number {
  const { year, month, day } = wallClock(now, zone);
  return zonedEpoch({ year, month, day }, zone);
}

/** What a selection is made of, as a campaign row stores it. */
export interface SelectionSource {
  org_id: string;
  channel: 'sms' | 'whatsapp';
  timeframe_days: number | null;
  never_contacted: number | boolean;
  tags: string;
  tags_mode: 'all' | 'any';
}

/** The selection of a stored campaign row (or a draft shaped like one). */
export function selectionOf(
  row: SelectionSource,
  org: { now: number; model: ScoringModel; zone: string },
): CampaignSelection {
  const tags = JSON.parse(row.tags) as unknown;
  return {
    orgId: row.org_id,
    now: org.now,
    model: org.model,
    orgZone: org.zone,
    channel: row.channel,
    timeframeDays: row.timeframe_days,
    neverContacted: Boolean(row.never_contacted),
    tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [],
    tagsMode: row.tags_mode,
  };
}

interface Built {
  /** `FROM … WHERE …` of the matched set, with the contact details joined as `d`. */
  from: string;
  /** The first SQL skip reason of a row, or NULL. */
  reason: string;
  params: unknown[];
  reasonParams: unknown[];
}

function marks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

function build(selection: CampaignSelection, cursor: SelectionCursor | null): Built {
  const { orgId, now, channel } = selection;
  const params: unknown[] = [orgId];
  const clauses = ['s.org_id = ?'];
  const never = selection.neverContacted || selection.timeframeDays === null;
  if (never) clauses.push('s.last_contacted_at IS NULL');
  else {
    // "More than N days": exactly N days ago is not yet, N days and 1 ms ago is.
    clauses.push('s.last_contacted_at < ?');
    params.push(now - (selection.timeframeDays ?? 0) * DAY_MS);
  }
  if (cursor) {
    if (never || cursor.lastContactedAt === null) {
      clauses.push('s.candidate_id > ?');
      params.push(cursor.candidateId);
    } else {
      clauses.push('(s.last_contacted_at > ? OR (s.last_contacted_at = ? AND s.candidate_id > ?))');
      params.push(cursor.lastContactedAt, cursor.lastContactedAt, cursor.candidateId);
    }
  }
  if (selection.tags.length > 0) {
    clauses.push(
      `s.candidate_id IN (SELECT t.candidate_id FROM candidate_tags t WHERE t.org_id = ? AND t.tag IN (${marks(selection.tags.length)}) GROUP BY t.candidate_id${
        selection.tagsMode === 'all' ? ' HAVING COUNT(*) = ?' : ''
      })`,
    );
    params.push(orgId, ...selection.tags);
    if (selection.tagsMode === 'all') params.push(selection.tags.length);
  }
  // Named, as the audiences do for last contacted: without statistics the planner might walk the
  // organisation in another index's order instead of the one range that is the matched set.
  const from = `scores s INDEXED BY scores_campaign_selection
    LEFT JOIN candidate_contact_details d ON d.candidate_id = s.candidate_id
    WHERE ${clauses.join(' AND ')}`;

  const reasonParams: unknown[] = [];
  const inactiveBelow = tierKeyRange('engaged', now, selection.model).min;
  reasonParams.push(inactiveBelow);
  let optedOut: string;
  let unreachable: string;
  if (channel === 'sms') {
    optedOut = 'd.sms_opted_out_at IS NOT NULL';
    const countries = Object.keys(SMS_COUNTRIES);
    unreachable = `d.phone IS NULL OR d.sms_consent_at IS NULL OR d.phone_country IS NULL OR d.phone_country NOT IN (${marks(countries.length)})`;
    reasonParams.push(...countries);
  } else {
    optedOut = 'd.whatsapp_opted_out_at IS NOT NULL';
    const crimea = CRIMEA_PREFIXES.map(() => 'd.phone LIKE ?').join(' OR ');
    unreachable = `d.phone IS NULL OR d.whatsapp_opt_in_at IS NULL OR d.phone_country IN (${marks(WHATSAPP_EMBARGOED.length)}) OR ${crimea}`;
    reasonParams.push(...WHATSAPP_EMBARGOED, ...CRIMEA_PREFIXES.map((prefix) => `+${prefix}%`));
  }
  reasonParams.push(orgId, localMidnight(now, selection.orgZone));
  // CASE stops at the first reason that holds, so the messages index is read only for candidates
  // who passed the others.
  const reason = `CASE
      WHEN s.sort_key IS NULL OR s.sort_key < ? THEN 'inactive'
      WHEN ${optedOut} THEN 'optedOut'
      WHEN ${unreachable} THEN 'noNumberOrConsent'
      WHEN EXISTS (SELECT 1 FROM messages m WHERE m.org_id = ? AND m.candidate_id = s.candidate_id
        AND m.created_at >= ? AND m.campaign_id IS NOT NULL) THEN 'textedToday'
    END`;
  return { from, reason, params, reasonParams };
}

/**
 * The matched candidates counted by first SQL reason (NULL: none) and, for those without one, by
 * (zone, number country, needs a monthly contact): few groups, each judged once for quiet hours.
 */
export function selectionCountSql(selection: CampaignSelection) {
  const { from, reason, params, reasonParams } = build(selection, null);
  return {
    sql: `SELECT reason, zone, country, needs, COUNT(*) AS n FROM (
        SELECT ${reason} AS reason, d.time_zone AS zone, d.phone_country AS country,
          (d.last_messaged_at IS NULL OR d.last_messaged_at < ?) AS needs
        FROM ${from})
      GROUP BY reason,
        CASE WHEN reason IS NULL THEN zone END,
        CASE WHEN reason IS NULL THEN country END,
        CASE WHEN reason IS NULL THEN needs END`,
    params: [...reasonParams, selection.now - CONTACT_GAP_MS, ...params],
  };
}

export interface SelectionRow {
  candidateId: string;
  lastContactedAt: number | null;
  /** The first SQL skip reason, or null: quiet hours and contacts are still to be judged. */
  reason: SqlReason | null;
  phone: string | null;
  phoneCountry: string | null;
  timeZone: string | null;
  firstName: string | null;
  /** Whether texting them now uses a monthly contact (the 45-day rule). */
  needsContact: number;
}

/** One page of the matched set after `cursor`, in index order, each row with its SQL reason. */
export function selectionPageSql(
  selection: CampaignSelection,
  cursor: SelectionCursor | null,
  limit: number,
) {
  const { from, reason, params, reasonParams } = build(selection, cursor);
  return {
    sql: `SELECT s.candidate_id AS candidateId, s.last_contacted_at AS lastContactedAt,
        ${reason} AS reason, d.phone AS phone, d.phone_country AS phoneCountry,
        d.time_zone AS timeZone, d.first_name AS firstName,
        (d.last_messaged_at IS NULL OR d.last_messaged_at < ?) AS needsContact
      FROM ${from}
      ORDER BY s.last_contacted_at, s.candidate_id
      LIMIT ?`,
    params: [...reasonParams, selection.now - CONTACT_GAP_MS, ...params, limit],
  };
}
