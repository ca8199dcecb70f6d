// How many a campaign would text if it ran now, and why the rest of its matched candidates would
// be skipped: one grouped count over the selection (selection.ts), then the sender number and
// quiet hours judged once per (zone, number country) group (reach.ts, as a run judges each
// candidate) and the monthly contacts left shared out, in TypeScript.
import { periodOf } from '../../messaging/rules/monthly-contacts.js';
import { type CampaignOrg, lateReason, loadCampaignOrg } from './reach.js';
import {
  type CampaignSelection,
  type SelectionSource,
  type SkipReason,
  type SqlReason,
  selectionCountSql,
  selectionOf,
} from './selection.js';

export interface Estimate {
  /** Null for a draft (`POST /v1/campaign-estimates`). */
  campaignId: string | null;
  asOf: string;
  wouldText: number;
  matched: number;
  skipped: Record<SkipReason, number>;
}

export interface CountGroup {
  reason: SqlReason | null;
  zone: string | null;
  country: string | null;
  needs: number | null;
  n: number;
}

/** Every skip reason at zero, in order. */
export function noSkips(): Record<SkipReason, number> {
  return {
    inactive: 0,
    optedOut: 0,
    noNumberOrConsent: 0,
    textedToday: 0,
    noSenderNumber: 0,
    quietHours: 0,
    noContactsLeft: 0,
  };
}

/**
 * The estimate from the grouped counts. Candidates with no SQL reason are judged as a run judges
 * them (`lateReason`: a sender number for their country, their clock inside the send hours); the
 * rest go, those needing a monthly contact only while contacts are left (the others are
 * `noContactsLeft`).
 */
export function tally(
  groups: readonly CountGroup[],
  selection: Pick<CampaignSelection, 'now' | 'channel'>,
  org: CampaignOrg,
  contactsLeft: number,
) {
  const skipped = noSkips();
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
    const late = lateReason(org, selection.channel, group, selection.now);
    if (late) skipped[late] += n;
    else if (Number(group.needs) === 1) needing += n;
    else free += n;
  }
  skipped.noContactsLeft = Math.max(0, needing - contactsLeft);
  return { matched, wouldText: free + needing - skipped.noContactsLeft, skipped };
}

/** The estimate at `now` of a stored campaign or a draft, in `orgId`. */
export async function estimateCampaign(
  db: D1Database,
  campaign: SelectionSource & { id: string | null; sender_user_id: string | null },
  now: number,
): Promise<Estimate> {
  const org = await loadCampaignOrg(db, campaign.org_id, campaign.sender_user_id);
  const selection = selectionOf(campaign, { now, model: org.model, zone: org.zone });
  const count = selectionCountSql(selection);
  const [used, groups] = await db.batch<Record<string, unknown>>([
    db
      .prepare('SELECT count(*) AS used FROM contact_usage WHERE org_id = ?1 AND period = ?2')
      .bind(campaign.org_id, periodOf(now, org.zone).label),
    db.prepare(count.sql).bind(...count.params),
  ]);
  const usedCount = Number((used?.results[0] as { used: number } | undefined)?.used ?? 0);
  const result = tally(
    (groups?.results ?? []) as unknown as CountGroup[],
    selection,
    org,
    Math.max(0, org.allowance - usedCount),
  );
  return { campaignId: campaign.id, asOf: new Date(now).toISOString(), ...result };
}
