// Audiences: candidates by tier at `now`, by last engagement, by last contact, by tags. Tier
// membership is a range on the stored time-invariant sort key (`tierKeyRange` from @cxm/scoring),
// so the query walks the `scores(org_id, sort_key)` index for the tiers asked and never scans the
// organisation, at any `now`. Without tiers, a last-contacted filter is a range (or, for
// `neverContacted`, an equality on NULL) of `scores(org_id, last_contacted_at)`, and a
// last-engaged one of `scores(org_id, last_engaged_at)`. The SQL is built here as text so a test
// can EXPLAIN exactly what runs.
import { type KeyRange, type ScoringModel, TIERS, type Tier, tierKeyRange } from '@cxm/scoring';

export interface AudienceFilter {
  orgId: string;
  tiers: readonly Tier[];
  now: number;
  model: ScoringModel;
  lastEngagedBefore: number | null;
  lastEngagedAfter: number | null;
  /** Last contacted before this instant (exclusive); never-contacted candidates are left out. */
  lastContactedBefore: number | null;
  /** Last contacted at or after this instant. */
  lastContactedAfter: number | null;
  /** Only candidates never contacted (not combined with the two above). */
  neverContacted: boolean;
  tags: readonly string[];
  tagMatch: 'all' | 'any';
}

export interface AudienceCursor {
  /** Sort key of the last row (null: no points). */
  k: number | null;
  /** Its internal candidate id. */
  id: string;
}

/** The selected tiers as key ranges, adjacent tiers merged (tiers are contiguous in key order). */
export function selectedRanges(
  tiers: readonly Tier[],
  now: number,
  model: ScoringModel,
): KeyRange[] {
  const wanted = new Set(tiers.length === 0 ? TIERS : tiers);
  const ranges: KeyRange[] = [];
  let open: KeyRange | null = null;
  for (const tier of TIERS) {
    if (!wanted.has(tier)) {
      open = null;
      continue;
    }
    const range = tierKeyRange(tier, now, model);
    if (open) open.max = range.max;
    else {
      open = { ...range };
      ranges.push(open);
    }
  }
  return ranges;
}

/** The tier a stored key is in at `now` (the same ranges the filter uses). */
export function tierOfKey(key: number | null, now: number, model: ScoringModel): Tier {
  for (const tier of TIERS) {
    const { min, max } = tierKeyRange(tier, now, model);
    const aboveMin = min === null || (key !== null && key >= min);
    const belowMax = max === null || key === null || key < max;
    if (aboveMin && belowMax) return tier;
  }
  return 'inactive';
}

export interface BuiltQuery {
  /** The scores table as the query names it (`scores s`, perhaps with an index hint). */
  from: string;
  where: string;
  params: unknown[];
}

export function audienceWhere(filter: AudienceFilter, cursor: AudienceCursor | null): BuiltQuery {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const ranges = selectedRanges(filter.tiers, filter.now, filter.model);
  const all = ranges.length === 1 && ranges[0]!.min === null && ranges[0]!.max === null;
  if (all) {
    clauses.push('s.org_id = ?');
    params.push(filter.orgId);
  } else {
    // Each branch repeats the organisation so SQLite answers the OR with one index range per
    // branch (MULTI-INDEX OR). Null keys (no points) sort first and are their own branch.
    const branches: string[] = [];
    for (const range of ranges) {
      if (range.min === null) {
        branches.push('(s.org_id = ? AND s.sort_key IS NULL)');
        params.push(filter.orgId);
      }
      const bounds: string[] = [];
      params.push(filter.orgId);
      if (range.min !== null) {
        bounds.push('s.sort_key >= ?');
        params.push(range.min);
      }
      if (range.max !== null) {
        bounds.push('s.sort_key < ?');
        params.push(range.max);
      }
      branches.push(`(s.org_id = ? AND ${bounds.join(' AND ')})`);
    }
    clauses.push(`(${branches.join(' OR ')})`);
  }
  const byTier = !all;
  // With a tier range, the sort-key index leads: the unary `+` keeps SQLite from picking the
  // last-engaged index instead (it has no statistics to judge by). Without one, it may.
  const lastEngaged = byTier ? '+s.last_engaged_at' : 's.last_engaged_at';
  if (filter.lastEngagedBefore !== null) {
    clauses.push(`${lastEngaged} < ?`);
    params.push(filter.lastEngagedBefore);
  }
  if (filter.lastEngagedAfter !== null) {
    clauses.push(`${lastEngaged} >= ?`);
    params.push(filter.lastEngagedAfter);
  }
  // Likewise for last contacted. With tiers, the tier ranges drive and last contacted is checked
  // on the rows they find: a campaign's audience is a tier or two, and picking the index by
  // which filter is narrower needs statistics SQLite does not have here (the same choice as for
  // last engaged). Without tiers, `scores_org_last_contacted` answers it as a range, and
  // `neverContacted` as an equality (`IS NULL` is one in SQLite's indexes: NULLs sort first).
  // The index is named (INDEXED BY): for `IS NULL` the planner, guessing, would rather walk the
  // whole organisation in sort-key order to skip sorting the page, which costs the organisation's
  // size when few candidates were never contacted; with the index it costs the audience's size.
  const lastContacted = byTier ? '+s.last_contacted_at' : 's.last_contacted_at';
  const byLastContacted =
    filter.neverContacted ||
    filter.lastContactedBefore !== null ||
    filter.lastContactedAfter !== null;
  if (filter.neverContacted) clauses.push(`${lastContacted} IS NULL`);
  if (filter.lastContactedBefore !== null) {
    clauses.push(`${lastContacted} < ?`);
    params.push(filter.lastContactedBefore);
  }
  if (filter.lastContactedAfter !== null) {
    clauses.push(`${lastContacted} >= ?`);
    params.push(filter.lastContactedAfter);
  }
  if (filter.tags.length > 0) {
    const marks = filter.tags.map(() => '?').join(', ');
    clauses.push(
      `s.candidate_id IN (SELECT t.candidate_id FROM candidate_tags t WHERE t.org_id = ? AND t.tag IN (${marks}) GROUP BY t.candidate_id${
        filter.tagMatch === 'all' ? ' HAVING COUNT(*) = ?' : ''
      })`,
    );
    params.push(filter.orgId, ...filter.tags);
    if (filter.tagMatch === 'all') params.push(filter.tags.length);
  }
  if (cursor) {
    // Keyset pagination in (sort_key DESC, candidate_id DESC) order; null keys come last.
    if (cursor.k === null) {
      clauses.push('(s.sort_key IS NULL AND s.candidate_id < ?)');
      params.push(cursor.id);
    } else {
      clauses.push(
        '(s.sort_key < ? OR (s.sort_key = ? AND s.candidate_id < ?) OR s.sort_key IS NULL)',
      );
      params.push(cursor.k, cursor.k, cursor.id);
    }
  }
  const from =
    byLastContacted && !byTier ? 'scores s INDEXED BY scores_org_last_contacted' : 'scores s';
  return { from, where: clauses.join(' AND '), params };
}

export function audiencePageSql(
  filter: AudienceFilter,
  cursor: AudienceCursor | null,
  limit: number,
) {
  const { from, where, params } = audienceWhere(filter, cursor);
  return {
    sql: `SELECT s.candidate_id AS id, c.external_id AS externalId, s.sort_key AS sortKey,
            s.state AS state, s.last_engaged_at AS lastEngagedAt,
            s.last_contacted_at AS lastContactedAt
          FROM ${from} JOIN candidates c ON c.id = s.candidate_id
          WHERE ${where}
          ORDER BY s.sort_key DESC, s.candidate_id DESC
          LIMIT ?`,
    params: [...params, limit],
  };
}

export function audienceCountSql(filter: AudienceFilter) {
  const { from, where, params } = audienceWhere(filter, null);
  return { sql: `SELECT COUNT(*) AS n FROM ${from} WHERE ${where}`, params };
}

/**
 * The tier report's engagements per UTC day and type in `[from, to)` (epoch ms). Read from the
 * `(org_id, occurred_at, type)` index alone, grouped by the integer day, and each group's date
 * formatted once (formatting every row cost a third of the time at 1.5 million rows).
 */
export function engagementsPerDaySql(orgId: string, from: number, to: number) {
  return {
    sql: `SELECT strftime('%Y-%m-%d', day * 86400, 'unixepoch') AS date, type, count
          FROM (SELECT occurred_at / 86400000 AS day, type, COUNT(*) AS count
                FROM engagements WHERE org_id = ? AND occurred_at >= ? AND occurred_at < ?
                GROUP BY day, type)
          ORDER BY date, type`,
    params: [orgId, from, to],
  };
}

/** The filter of one whole tier, as the tier report counts it. */
export function tierFilter(
  orgId: string,
  tier: Tier,
  now: number,
  model: ScoringModel,
): AudienceFilter {
  return {
    orgId,
    tiers: [tier],
    now,
    model,
    lastEngagedBefore: null,
    lastEngagedAfter: null,
    lastContactedBefore: null,
    lastContactedAfter: null,
    neverContacted: false,
    tags: [],
    tagMatch: 'all',
  };
}

/** The part of D1's API the counts use, so this module builds and runs SQL without Workers types. */
export interface Queries {
  prepare(sql: string): { bind(...values: unknown[]): { first<T>(): Promise<T | null> } };
}

/** How many of the organisation's candidates are in each tier at `now`: one index range each. */
export async function tierKeyCounts(
  d1: Queries,
  orgId: string,
  now: number,
  model: ScoringModel,
): Promise<Record<Tier, number>> {
  const counts = await Promise.all(
    TIERS.map((tier) => {
      const { sql, params } = audienceCountSql(tierFilter(orgId, tier, now, model));
      return d1
        .prepare(sql)
        .bind(...params)
        .first<{ n: number }>()
        .then((row) => row?.n ?? 0);
    }),
  );
  return { inactive: counts[0]!, engaged: counts[1]!, highly_engaged: counts[2]! };
}
