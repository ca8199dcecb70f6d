// `GET /v1/reports/tier-history` (reporter): for each UTC day of a range, how many of today's
// candidates were in each tier at the day's end (today: now), under today's scoring model.
//
// Not a scan of every engagement. Candidates who last engaged before the range (or never) keep
// their stored sort key through it, and with nothing new their points only decay, so each drops
// below a threshold at one instant, (key - log2(threshold)) * halfLife (see `tierKeyRange`): one
// grouped pass over their score rows buckets those instants by day, a few hundred rows back.
// Only the candidates who engaged in the range are replayed: their engagements folded in time
// order (`engagements_org_candidate_time`), the key read at each day's end, as the score history
// does for one candidate. Cost: the organisation's score rows once, plus every engagement of the
// candidates active in the range (README, "Reports").
import {
  emptyState,
  foldEngagement,
  type ScoreState,
  type ScoringModel,
  sortKey,
  type Tier,
  thresholdKey,
} from '@cxm/scoring';
import { createRoute, type OpenAPIHono, type RouteHandler, z } from '@hono/zod-openapi';
import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import { requireRole } from '../../auth/require-role.js';
import { type Db, database, inChunks } from '../../db/client.js';
import { engagements, scores } from '../../db/schema.js';
import { engagementRowid, scoredEngagementColumns } from '../../db/score-rows.js';
import type { AppEnv } from '../../env.js';
import { callerOrg } from '../../orgs/context.js';
import { dateOnlyQuery } from '../../schemas/common.js';
import { errorResponses } from '../../schemas/error.js';
import { toScoring } from '../../scoring/score-row.js';
import { errorResponse, invalidRequest } from '../../utils/errors.js';
import { type Queries, tierKeyCounts } from './audience-sql.js';
import { DAY_MS, MAX_REPORT_DAYS, reportRange, utcDay } from './report-range.js';
import { tierHistorySchema } from './schema.js';

export type TierDay = { date: string } & Record<Tier, number>;

export const tierHistoryRoute = createRoute({
  method: 'get',
  path: '/v1/reports/tier-history',
  summary: 'Candidates per tier at the end of each day',
  description:
    'For each UTC day from `from` to `to` (both included; default the last 30 days; at most ' +
    `${MAX_REPORT_DAYS} days), the organisation's candidates by their tier at the end of that ` +
    "day (today's: now), under today's scoring model. A candidate who had not engaged yet is " +
    'Inactive; purged candidates are gone from every day.',
  tags: ['Audiences and reports'],
  security: [{ apiKey: ['reporter'] }],
  middleware: [requireRole('reporter')] as const,
  request: {
    query: z.object({ from: dateOnlyQuery.optional(), to: dateOnlyQuery.optional() }),
  },
  responses: {
    200: {
      description: 'One row per day, oldest first.',
      content: { 'application/json': { schema: tierHistorySchema } },
    },
    ...errorResponses([400, 401, 403]),
  },
});

/**
 * Quiet candidates (a key, last engaged before `first`) by the day their key falls below
 * `threshold`: bucket b means "at or above it at the end of days 0..b-1", clamped to 0..days.
 */
export function dropDaySql(
  orgId: string,
  input: { first: number; days: number; threshold: number; model: ScoringModel },
) {
  const halfLifeMs = input.model.halfLifeDays * DAY_MS;
  return {
    // The instant T it drops is (key - log2 threshold) * halfLife; it counts on day d (ending at
    // first + (d + 1) * DAY - 1) when T >= that end, so b = floor((T - first + 1) / DAY).
    // CAST truncates towards 0, which the clamp at 0 makes a floor for what matters.
    sql: `SELECT MIN(MAX(CAST(((sort_key - ?) * ? - ?) / ${DAY_MS} AS INTEGER), 0), ?) AS bucket,
                 COUNT(*) AS n
          FROM scores WHERE org_id = ? AND last_engaged_at < ? AND sort_key IS NOT NULL
          GROUP BY bucket`,
    params: [
      Math.log2(input.threshold),
      halfLifeMs,
      input.first - 1,
      input.days,
      orgId,
      input.first,
    ],
  };
}

interface D1Like extends Queries {
  prepare(sql: string): {
    bind(...values: unknown[]): {
      first<T>(): Promise<T | null>;
      all<T>(): Promise<{ results: T[] }>;
    };
  };
}

/** The tier counts of each day from `first` to `last` (midnights UTC), oldest first. */
export async function tierHistory(
  d1: D1Like,
  db: Db,
  input: { orgId: string; first: number; last: number; now: number; model: ScoringModel },
): Promise<TierDay[]> {
  const { orgId, first, now, model } = input;
  const dates: string[] = [];
  for (let day = first; day <= input.last; day += DAY_MS) dates.push(utcDay(day));
  // Days that ended before now are replayed; the rest (today, and any later day) are now.
  const past = Math.max(0, Math.min(dates.length, Math.floor((now - first + 1) / DAY_MS)));
  const counts = dates.map((date) => ({ date, inactive: 0, engaged: 0, highly_engaged: 0 }));
  if (past < dates.length) {
    const current = await tierKeyCounts(d1, orgId, now, model);
    for (const day of counts.slice(past)) Object.assign(day, current);
  }
  if (past === 0) return counts;

  const [total, engagedDrops, highlyDrops, active] = await Promise.all([
    d1
      .prepare('SELECT COALESCE(SUM(n), 0) AS n FROM score_key_counts WHERE org_id = ?')
      .bind(orgId)
      .first<{ n: number }>(),
    dropCounts(
      d1,
      dropDaySql(orgId, { first, days: past, threshold: thresholdOf('engaged'), model }),
    ),
    dropCounts(
      d1,
      dropDaySql(orgId, { first, days: past, threshold: thresholdOf('highly_engaged'), model }),
    ),
    db
      .select({ candidateId: scores.candidateId })
      .from(scores)
      .where(and(eq(scores.orgId, orgId), gte(scores.lastEngagedAt, first))),
  ]);
  // Quiet candidates: at or above a threshold on day d when their bucket is above d.
  let engagedOrMore = engagedDrops.reduce((sum, n) => sum + n, 0);
  let highly = highlyDrops.reduce((sum, n) => sum + n, 0);
  const quiet = (total?.n ?? 0) - active.length;
  for (let d = 0; d < past; d++) {
    engagedOrMore -= engagedDrops[d] ?? 0;
    highly -= highlyDrops[d] ?? 0;
    const day = counts[d]!;
    day.highly_engaged = highly;
    day.engaged = engagedOrMore - highly;
    day.inactive = quiet - engagedOrMore;
  }
  await replayActive(db, {
    orgId,
    candidateIds: active.map((row) => row.candidateId),
    ends: counts.slice(0, past).map((_, d) => first + (d + 1) * DAY_MS - 1),
    counts,
    model,
  });
  return counts;

  function thresholdOf(tier: 'engaged' | 'highly_engaged'): number {
    return tier === 'engaged' ? model.thresholds.engaged : model.thresholds.highlyEngaged;
  }
}

/** The grouped drop days as a dense array: index b holds the candidates in bucket b. */
async function dropCounts(d1: D1Like, query: { sql: string; params: unknown[] }) {
  const rows = await d1
    .prepare(query.sql)
    .bind(...query.params)
    .all<{ bucket: number; n: number }>();
  const dense: number[] = [];
  for (const row of rows.results) dense[row.bucket] = (dense[row.bucket] ?? 0) + row.n;
  return Array.from(dense, (n) => n ?? 0);
}

/** Folds the active candidates' engagements day by day and adds each one's tier to `counts`. */
async function replayActive(
  db: Db,
  input: {
    orgId: string;
    candidateIds: string[];
    ends: number[];
    counts: TierDay[];
    model: ScoringModel;
  },
): Promise<void> {
  const { ends, counts, model } = input;
  const bounds = ends.map((end) => ({
    engaged: thresholdKey(model.thresholds.engaged, end, model),
    highly: thresholdKey(model.thresholds.highlyEngaged, end, model),
  }));
  const lastEnd = ends.at(-1) ?? 0;
  for (const part of inChunks(input.candidateIds)) {
    const rows = await db
      .select({ candidateId: engagements.candidateId, ...scoredEngagementColumns })
      .from(engagements)
      .where(
        and(
          eq(engagements.orgId, input.orgId),
          inArray(engagements.candidateId, part),
          lte(engagements.occurredAt, lastEnd),
        ),
      )
      .orderBy(asc(engagements.candidateId), asc(engagements.occurredAt), asc(engagementRowid));
    const byCandidate = new Map<string, typeof rows>();
    for (const row of rows) {
      const list = byCandidate.get(row.candidateId!) ?? [];
      list.push(row);
      byCandidate.set(row.candidateId!, list);
    }
    for (const candidateId of part) {
      const history = byCandidate.get(candidateId) ?? [];
      let state: ScoreState = emptyState();
      let key: number | null = null;
      let next = 0;
      ends.forEach((end, d) => {
        let folded = false;
        while (next < history.length && history[next]!.occurredAt <= end) {
          const result = foldEngagement(state, toScoring(history[next]!), model);
          if (result.ok) state = result.state;
          next += 1;
          folded = true;
        }
        if (folded) key = sortKey(state, model);
        const { engaged, highly } = bounds[d]!;
        const tier: Tier =
          key === null || key < engaged ? 'inactive' : key < highly ? 'engaged' : 'highly_engaged';
        counts[d]![tier] += 1;
      });
    }
  }
}

const getTierHistory: RouteHandler<typeof tierHistoryRoute, AppEnv> = async (c) => {
  const { orgId } = c.get('caller');
  const now = Date.now();
  const { from, to, issues } = reportRange(c.req.valid('query'), now);
  if (issues.length > 0) return errorResponse(c, invalidRequest(issues));
  const db = database(c.env.DB);
  const org = await callerOrg(db, orgId);
  const days = await tierHistory(c.env.DB, db, {
    orgId,
    first: from,
    last: to,
    now,
    model: org.model,
  });
  return c.json(
    { asOf: new Date(now).toISOString(), from: utcDay(from), to: utcDay(to), days },
    200,
  );
};

export function registerTierHistory(app: OpenAPIHono<AppEnv>): void {
  app.openapi(tierHistoryRoute, getTierHistory);
}
