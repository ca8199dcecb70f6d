// What a scoring model change would do to today's tier counts, computed without writing: the
// counts the tier report (`GET /v1/reports/tiers`) gives now, and the ones it would give right
// after saving the model (a save rebuilds every candidate's state under it, see rescore.ts).
//
// The cheapest read that gives the same numbers as the save, by what changed:
// - thresholds (or hysteresis) only: the stored sort keys stay as they are, so the report's own
//   index-range counts with the new thresholds (three index ranges);
// - weights too: a type's stored decayed sum is its weight times the same decayed terms (the
//   window guards pick a type's engagements by their time, whatever its weight), so the new
//   points are the stored sums scaled per type: one aggregate over the organisation's score rows
//   in SQL, no engagement read. Not when a weight of 0 becomes positive: those engagements were
//   never folded;
// - half-life, window, caps or machine factor: the decayed terms themselves change, so every
//   candidate is rebuilt from their engagements as the save does, in memory (what a save costs
//   in reads, and no write).
import {
  ENGAGEMENT_TYPES,
  type ScoringModel,
  sortKey as stateKey,
  type Tier,
  thresholdKey,
} from '@cxm/scoring';
import { OPTIONS } from '../../config.js';
import type { Db } from '../../db/client.js';
import { candidatePage } from '../../scoring/rescore.js';
import { rebuild } from '../../scoring/score-row.js';
import { type Queries, tierKeyCounts } from '../audiences/audience-sql.js';

export type TierCounts = Record<Tier, number>;
export type PreviewMethod = 'thresholds' | 'weights' | 'rebuild';

export interface ModelPreview {
  method: PreviewMethod;
  current: TierCounts;
  preview: TierCounts;
}

/** Candidates rebuilt per read in the rebuild method. */
const PAGE = OPTIONS.rescorePageSize;

const sameCaps = (a: ScoringModel, b: ScoringModel) =>
  ENGAGEMENT_TYPES.every((type) => a.window.caps[type] === b.window.caps[type]);

/** How the preview of `next` over stored states built under `current` is computed. */
export function previewMethod(current: ScoringModel, next: ScoringModel): PreviewMethod {
  const sameTerms =
    current.halfLifeDays === next.halfLifeDays &&
    current.window.hours === next.window.hours &&
    current.machineFactor === next.machineFactor &&
    sameCaps(current, next);
  if (!sameTerms) return 'rebuild';
  if (ENGAGEMENT_TYPES.every((type) => current.weights[type] === next.weights[type])) {
    return 'thresholds';
  }
  const unfolded = ENGAGEMENT_TYPES.some(
    (type) => current.weights[type] === 0 && next.weights[type] > 0,
  );
  return unfolded ? 'rebuild' : 'weights';
}

/** The tier of a sort key at `now`, by the report's rule (key ranges of `tierKeyRange`). */
function tierOfKey(key: number | null, now: number, model: ScoringModel): Tier {
  if (key === null) return 'inactive';
  if (key >= thresholdKey(model.thresholds.highlyEngaged, now, model)) return 'highly_engaged';
  if (key >= thresholdKey(model.thresholds.engaged, now, model)) return 'engaged';
  return 'inactive';
}

/**
 * The weights method: per row, the stored sums scaled by new weight / old weight, then the sort
 * key the rebuilt state would have (`log2(total) + ref / halfLife`), counted against the new
 * thresholds' keys. A state saved before a type existed has no sum for it (null: 0).
 */
export function scaledCountSql(input: {
  orgId: string;
  now: number;
  current: ScoringModel;
  next: ScoringModel;
}) {
  const { current, next, now } = input;
  // Bound in the order they appear: the keys, 1 / half-life, the ratios, the organisation.
  const params: unknown[] = [];
  const terms = ENGAGEMENT_TYPES.map((type, index) => {
    const was = current.weights[type];
    params.push(was > 0 ? next.weights[type] / was : 0);
    return `COALESCE(json_extract(state, '$.sums[${index}]'), 0) * ?`;
  });
  const inverseHalfLifeMs = 1 / (next.halfLifeDays * 86_400_000);
  const sql = `SELECT
      COALESCE(SUM(k IS NULL OR k < ?), 0) AS inactive,
      COALESCE(SUM(k >= ? AND k < ?), 0) AS engaged,
      COALESCE(SUM(k >= ?), 0) AS highly_engaged
    FROM (SELECT CASE WHEN total > 0 THEN log2(total) + ref * ? END AS k
          FROM (SELECT ${terms.join(' + ')} AS total, json_extract(state, '$.ref') AS ref
                FROM scores WHERE org_id = ?))`;
  const engaged = thresholdKey(next.thresholds.engaged, now, next);
  const highly = thresholdKey(next.thresholds.highlyEngaged, now, next);
  return {
    sql,
    params: [engaged, engaged, highly, highly, inverseHalfLifeMs, ...params, input.orgId],
  };
}

/** The rebuild method: every candidate with a score row, rebuilt from its engagements. */
async function rebuiltCounts(
  db: Db,
  input: { orgId: string; now: number; next: ScoringModel },
): Promise<TierCounts> {
  const counts: TierCounts = { inactive: 0, engaged: 0, highly_engaged: 0 };
  // The rescore's own paging read (a save's pages), counted instead of written.
  for (let after = ''; ; ) {
    const page = await candidatePage(db, input.orgId, after, PAGE);
    for (const id of page.ids) {
      const state = rebuild(page.history.get(id) ?? [], 'inactive', input.next);
      counts[tierOfKey(stateKey(state, input.next), input.now, input.next)] += 1;
    }
    if (page.last === undefined || page.ids.length < PAGE) return counts;
    after = page.last;
  }
}

export async function previewModel(
  d1: D1Database & Queries,
  db: Db,
  input: { orgId: string; now: number; current: ScoringModel; next: ScoringModel },
): Promise<ModelPreview> {
  const method = previewMethod(input.current, input.next);
  const current = tierKeyCounts(d1, input.orgId, input.now, input.current);
  let preview: Promise<TierCounts>;
  if (method === 'thresholds') preview = tierKeyCounts(d1, input.orgId, input.now, input.next);
  else if (method === 'weights') {
    const { sql, params } = scaledCountSql(input);
    preview = d1
      .prepare(sql)
      .bind(...params)
      .first<TierCounts>()
      .then((row) => ({
        inactive: row?.inactive ?? 0,
        engaged: row?.engaged ?? 0,
        highly_engaged: row?.highly_engaged ?? 0,
      }));
  } else preview = rebuiltCounts(db, input);
  const [now, next] = await Promise.all([current, preview]);
  return { method, current: now, preview: next };
}
