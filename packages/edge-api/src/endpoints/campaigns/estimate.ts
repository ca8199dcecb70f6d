// How many a campaign would text if it ran now, and why the rest of its matched candidates would
// be skipped: one grouped count over the selection (selection.ts), then quiet hours judged once per
// (zone, number country) group and the monthly contacts left shared out, in TypeScript.
import type { ScoringModel } from '@cxm/scoring';
import { periodOf } from '../../messaging/rules/monthly-contacts.js';
import { type SendHours, sendWindow, zoneFor } from '../../messaging/rules/quiet-hours.js';
import { modelFrom } from '../../scoring/score-row.js';
import { type SkipReason, type SqlReason, selectionCountSql, selectionOf } from './selection.js';
import type { CampaignRow } from './write-campaigns.js';

export interface Estimate {
  campaignId: string;
  asOf: string;
  wouldText: number;
  matched: number;
  skipped: Record<SkipReason, number>;
}

interface OrgRow {
  time_zone: string;
  monthly_contact_allowance: number;
  quiet_start_hour: number;
  quiet_end_hour: number;
  scoring_model: string | null;
}

export interface CountGroup {
  reason: SqlReason | null;
  zone: string | null;
  country: string | null;
  needs: number | null;
  n: number;
}

export interface OrgClock {
  zone: string;
  window: SendHours;
  /** Monthly contacts left this period: allowance − used, never below 0. */
  contactsLeft: number;
}

/**
 * The estimate from the grouped counts. Candidates with no SQL reason are in quiet hours when
 * their zone (their own, their number's country's, else the organisation's: `zoneFor`, as a send
 * decides) is outside the send hours now; the rest go, those needing a monthly contact only while
 * contacts are left (the others are `noContactsLeft`).
 */
export function tally(groups: readonly CountGroup[], now: number, org: OrgClock) {
  const skipped: Record<SkipReason, number> = {
    inactive: 0,
    optedOut: 0,
    noNumberOrConsent: 0,
    textedToday: 0,
    quietHours: 0,
    noContactsLeft: 0,
  };
  let matched = 0;
  let free = 0;
  let needing = 0;
  for (const group of groups) {
    const n = Number(group.n);
    matched += n;
    if (group.reason !== null) {
      skipped[group.reason] += n;
      continue;
    }
    const zone = zoneFor({
      candidateZone: group.zone,
      numberCountry: group.country,
      orgZone: org.zone,
    }).zone;
    if (!sendWindow(now, zone, org.window).open) skipped.quietHours += n;
    else if (Number(group.needs) === 1) needing += n;
    else free += n;
  }
  skipped.noContactsLeft = Math.max(0, needing - org.contactsLeft);
  return { matched, wouldText: free + needing - skipped.noContactsLeft, skipped };
}

/** The estimate of `campaign` at `now`. */
export async function estimateCampaign(
  db: D1Database,
  campaign: CampaignRow,
  now: number,
): Promise<Estimate> {
  const org = await db
    .prepare(
      `SELECT time_zone, monthly_contact_allowance, quiet_start_hour, quiet_end_hour, scoring_model
       FROM organisations WHERE id = ?1`,
    )
    .bind(campaign.org_id)
    .first<OrgRow>();
  if (!org) throw new Error(`organisation ${campaign.org_id} has no row`);
  const model: ScoringModel = modelFrom(org.scoring_model);
  const selection = selectionOf(campaign, { now, model, zone: org.time_zone });
  const count = selectionCountSql(selection);
  const [used, groups] = await db.batch<Record<string, unknown>>([
    db
      .prepare('SELECT count(*) AS used FROM contact_usage WHERE org_id = ?1 AND period = ?2')
      .bind(campaign.org_id, periodOf(now, org.time_zone).label),
    db.prepare(count.sql).bind(...count.params),
  ]);
  const usedCount = Number((used?.results[0] as { used: number } | undefined)?.used ?? 0);
  const result = tally((groups?.results ?? []) as unknown as CountGroup[], now, {
    zone: org.time_zone,
    window: { startHour: org.quiet_start_hour, endHour: org.quiet_end_hour },
    contactsLeft: Math.max(0, org.monthly_contact_allowance - usedCount),
  });
  return { campaignId: campaign.id, asOf: new Date(now).toISOString(), ...result };
}
