// Audiences: candidates by tier at `now`, by last engagement, by last contact, by tags. Tier
// membership is a range on the stored time-invariant sort key (`tierKeyRange` from @cxm/scoring),
// so the query walks the `scores(org_id, sort_key)` index for the tiers asked and never scans the
// organisation, at any `now`. Without tiers, a last-contacted filter is a range (or, for
// `neverContacted`, an equality on NULL) of `scores(org_id, last_contacted_at)`, and a
// last-engaged one of `scores(org_id, last_engaged_at)`. The SQL is built here as text so a test
// can EXPLAIN exactly what runs.
import {
  type KeyRange,
  type ScoringModel,
  TIERS,
  type Tier,
  thresholdKey,
  tierKeyRange,
} from '@cxm/scoring';

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
  /** Highest score first (the default), or most recently engaged first. */
  sort?: AudienceSort;
  /** Only these candidates (external ids), e.g. the rows a recruiter selected. */
  ids?: readonly string[];
}

/** Where a page sorted by score ended. */
export interface ScoreCursor {
  /** Sort key of the last row (null: no points). */
  k: number | null;
  /** Its internal candidate id. */
  id: string;
}

/** Where a page sorted by last engagement ended. */
export interface EngagedCursor {
  /** Last engagement of the last row (null: never engaged). */
  e: number | null;
  /** Its row number in `scores`, the tie-break the last-engaged index carries itself. */
  r: number;
}

export type AudienceCursor = ScoreCursor | EngagedCursor;

export type AudienceSort = 'score' | 'lastEngaged';

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

/** One condition of the WHERE clause and its parameters, in order. */
interface Part {
  sql: string;
  params: unknown[];
}

/** The tier ranges, one index-range branch each; the whole organisation when all tiers. */
function tierPart(filter: AudienceFilter, keyColumn: string): Part | null {
  const ranges = selectedRanges(filter.tiers, filter.now, filter.model);
  if (ranges.length === 1 && ranges[0]!.min === null && ranges[0]!.max === null) return null;
  // Each branch repeats the organisation so SQLite answers the OR with one index range per
  // branch (MULTI-INDEX OR). Null keys (no points) sort first and are their own branch.
  const branches: string[] = [];
  const params: unknown[] = [];
  for (const range of ranges) {
    if (range.min === null) {
      branches.push(`(s.org_id = ? AND ${keyColumn} IS NULL)`);
      params.push(filter.orgId);
    }
    const bounds: string[] = [];
    params.push(filter.orgId);
    if (range.min !== null) {
      bounds.push(`${keyColumn} >= ?`);
      params.push(range.min);
    }
    if (range.max !== null) {
      bounds.push(`${keyColumn} < ?`);
      params.push(range.max);
    }
    branches.push(`(s.org_id = ? AND ${bounds.join(' AND ')})`);
  }
  return { sql: `(${branches.join(' OR ')})`, params };
}

/** `column < before` and `column >= after`, for each bound given. */
function rangeParts(column: string, before: number | null, after: number | null): Part[] {
  const parts: Part[] = [];
  if (before !== null) parts.push({ sql: `${column} < ?`, params: [before] });
  if (after !== null) parts.push({ sql: `${column} >= ?`, params: [after] });
  return parts;
}

function tagPart(filter: AudienceFilter): Part | null {
  if (filter.tags.length === 0) return null;
  const marks = filter.tags.map(() => '?').join(', ');
  const all = filter.tagMatch === 'all';
  return {
    sql: `s.candidate_id IN (SELECT t.candidate_id FROM candidate_tags t WHERE t.org_id = ? AND t.tag IN (${marks}) GROUP BY t.candidate_id${all ? ' HAVING COUNT(*) = ?' : ''})`,
    params: [filter.orgId, ...filter.tags, ...(all ? [filter.tags.length] : [])],
  };
}

/** Keyset pagination after the cursor's row, in the order `orderBy` names; nulls come last. */
function cursorPart(cursor: AudienceCursor): Part {
  const [column, at, tie, tieColumn] =
    'k' in cursor
      ? ['s.sort_key', cursor.k, cursor.id, 's.candidate_id']
      : ['s.last_engaged_at', cursor.e, cursor.r, 's.rowid'];
  if (at === null) return { sql: `(${column} IS NULL AND ${tieColumn} < ?)`, params: [tie] };
  return {
    sql: `(${column} < ? OR (${column} = ? AND ${tieColumn} < ?) OR ${column} IS NULL)`,
    params: [at, at, tie],
  };
}

/**
 * Which index leads, and how the other columns are written so that SQLite keeps to it: the unary
 * `+` takes a column out of the index choice (SQLite has no statistics to judge by here).
 *
 * - Sorted by last engaged: `scores_org_last_engaged` leads (named, INDEXED BY) and is walked in
 *   order, so a page stops after its rows; tiers and last contacted are checked on the rows.
 * - With tiers: the tier ranges drive and last engaged/contacted are checked on their rows (a
 *   campaign's audience is a tier or two).
 * - Without tiers, a last-contacted filter walks `scores_org_last_contacted` as a range, and
 *   `neverContacted` as an equality (`IS NULL` is one in SQLite's indexes: NULLs sort first).
 *   The index is named: for `IS NULL` the planner, guessing, would rather walk the whole
 *   organisation in sort-key order to skip sorting the page, which costs the organisation's size
 *   when few candidates were never contacted; with the index it costs the audience's size.
 */
function indexChoice(filter: AudienceFilter) {
  const byTier = tierPart(filter, 's.sort_key') !== null;
  const byLastContacted =
    filter.neverContacted ||
    filter.lastContactedBefore !== null ||
    filter.lastContactedAfter !== null;
  if (filter.sort === 'lastEngaged') {
    return {
      from: 'scores s INDEXED BY scores_org_last_engaged',
      sortKey: '+s.sort_key',
      lastEngaged: 's.last_engaged_at',
      lastContacted: '+s.last_contacted_at',
    };
  }
  return {
    from: byLastContacted && !byTier ? 'scores s INDEXED BY scores_org_last_contacted' : 'scores s',
    sortKey: 's.sort_key',
    lastEngaged: byTier ? '+s.last_engaged_at' : 's.last_engaged_at',
    lastContacted: byTier ? '+s.last_contacted_at' : 's.last_contacted_at',
  };
}

export function audienceWhere(filter: AudienceFilter, cursor: AudienceCursor | null): BuiltQuery {
  const index = indexChoice(filter);
  const tiers = tierPart(filter, index.sortKey);
  // The organisation once, as the leading column of whichever index leads, unless the tier
  // branches already carry it.
  const parts: (Part | null)[] = [
    tiers && filter.sort !== 'lastEngaged' ? null : { sql: 's.org_id = ?', params: [filter.orgId] },
    tiers,
    ...rangeParts(index.lastEngaged, filter.lastEngagedBefore, filter.lastEngagedAfter),
    filter.neverContacted ? { sql: `${index.lastContacted} IS NULL`, params: [] } : null,
    ...rangeParts(index.lastContacted, filter.lastContactedBefore, filter.lastContactedAfter),
    tagPart(filter),
    filter.ids && filter.ids.length > 0
      ? {
          sql: 's.candidate_id IN (SELECT i.id FROM candidates i WHERE i.org_id = ? AND i.external_id IN (SELECT value FROM json_each(?)))',
          params: [filter.orgId, JSON.stringify(filter.ids)],
        }
      : null,
    cursor ? cursorPart(cursor) : null,
  ];
  const kept = parts.filter((part): part is Part => part !== null);
  return {
    from: index.from,
    where: kept.map((part) => part.sql).join(' AND '),
    params: kept.flatMap((part) => part.params),
  };
}

/** The page's order: the cursor's columns, descending (null sort keys and dates last). */
function orderBy(filter: AudienceFilter): string {
  return filter.sort === 'lastEngaged'
    ? 's.last_engaged_at DESC, s.rowid DESC'
    : 's.sort_key DESC, s.candidate_id DESC';
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
            s.last_contacted_at AS lastContactedAt, s.rowid AS rowNumber
          FROM ${from} JOIN candidates c ON c.id = s.candidate_id
          WHERE ${where}
          ORDER BY ${orderBy(filter)}
          LIMIT ?`,
    params: [...params, limit],
  };
}

export function audienceCountSql(filter: AudienceFilter) {
  // The count has no order: the filters alone choose its index (sorting does not change it).
  const { from, where, params } = audienceWhere({ ...filter, sort: 'score' }, null);
  return { sql: `SELECT COUNT(*) AS n FROM ${from} WHERE ${where}`, params };
}

/**
 * The engagements per UTC day and type in `[from, to)` (epoch ms), counted from the engagements:
 * the definition `engagement_days` keeps (the report reads `engagementDaysSql`; its test checks
 * the two agree). From the `(org_id, occurred_at, type)` index alone, grouped by the integer day,
 * and each group's date formatted once (formatting every row cost a third of the time at 1.5
 * million rows); still one index entry per engagement, 0.74 s at 1 million candidates.
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

/**
 * The tier report's engagements per UTC day and type in `[from, to)` (epoch ms of midnights): the
 * `engagement_days` rows of those days, one per day and type that had any (issue 20), walked in
 * primary-key order, so the cost is the range's days whatever the organisation's size.
 */
export function engagementDaysSql(orgId: string, from: number, to: number) {
  return {
    sql: `SELECT strftime('%Y-%m-%d', day * 86400, 'unixepoch') AS date, type, count
          FROM engagement_days WHERE org_id = ? AND day >= ? AND day < ? AND count > 0
          ORDER BY day, type`,
    params: [orgId, Math.floor(from / 86_400_000), Math.floor(to / 86_400_000)],
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

/** Sort-key buckets per half-life in `score_key_counts` (migration 0019): a power of two. */
export const KEY_BUCKETS_PER_HALF_LIFE = 16;

/**
 * Score rows with a sort key of at least `key`: the buckets wholly above it from
 * `score_key_counts`, plus the rows of its own bucket at or above it (a range of
 * `scores_org_sort_key` one bucket wide). `key * 16` and `(bucket + 1) / 16` are exact in floating
 * point, so the range holds exactly the bucket's rows the triggers counted there.
 */
function atLeastKeySql(orgId: string, key: number) {
  const bucket = Math.floor(key * KEY_BUCKETS_PER_HALF_LIFE);
  return {
    sql: `((SELECT COALESCE(SUM(n), 0) FROM score_key_counts WHERE org_id = ? AND bucket > ?)
           + (SELECT COUNT(*) FROM scores WHERE org_id = ? AND sort_key >= ? AND sort_key < ?))`,
    params: [orgId, bucket, orgId, key, (bucket + 1) / KEY_BUCKETS_PER_HALF_LIFE],
  };
}

/**
 * The organisation's score rows in all (`total`), at or above Engaged and at Highly Engaged at
 * `now`, in one statement that reads a few hundred bucket rows and two one-bucket index ranges
 * whatever the organisation's size (issue 20; it counted every candidate before).
 */
export function tierCountsSql(orgId: string, now: number, model: ScoringModel) {
  const engaged = atLeastKeySql(orgId, thresholdKey(model.thresholds.engaged, now, model));
  const highly = atLeastKeySql(orgId, thresholdKey(model.thresholds.highlyEngaged, now, model));
  return {
    sql: `SELECT (SELECT COALESCE(SUM(n), 0) FROM score_key_counts WHERE org_id = ?) AS total,
                 ${engaged.sql} AS engagedOrMore, ${highly.sql} AS highly`,
    params: [orgId, ...engaged.params, ...highly.params],
  };
}

/** How many of the organisation's candidates are in each tier at `now` (see `tierCountsSql`). */
export async function tierKeyCounts(
  d1: Queries,
  orgId: string,
  now: number,
  model: ScoringModel,
): Promise<Record<Tier, number>> {
  const { sql, params } = tierCountsSql(orgId, now, model);
  const row = await d1
    .prepare(sql)
    .bind(...params)
    .first<{ total: number; engagedOrMore: number; highly: number }>();
  const total = row?.total ?? 0;
  const engagedOrMore = row?.engagedOrMore ?? 0;
  const highly = row?.highly ?? 0;
  return {
    inactive: total - engagedOrMore,
    engaged: engagedOrMore - highly,
    highly_engaged: highly,
  };
}

/** A filter of tiers alone, whose total the tier counts give (see `tierKeyCounts`). */
export function tiersOnly(filter: AudienceFilter): boolean {
  return (
    filter.lastEngagedBefore === null &&
    filter.lastEngagedAfter === null &&
    filter.lastContactedBefore === null &&
    filter.lastContactedAfter === null &&
    !filter.neverContacted &&
    filter.tags.length === 0 &&
    (filter.ids === undefined || filter.ids.length === 0)
  );
}
