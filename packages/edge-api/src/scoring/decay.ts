// The daily decay run: stored tiers (with hysteresis) only move on writes, so a candidate who
// stops engaging keeps a stale tier until this run settles it. Candidates whose tier must drop
// are found by index, per organisation and tier: stored tier X and a sort key below the key of
// X's drop level (threshold × (1 − hysteresis)) at `now`. Each page is one guarded batch with
// the new rows and the webhook events (`reason: 'decay'`); nothing else is read. Decay folds no
// engagement, so each row keeps its watermark (the cron settles the backlog first).
import {
  type ScoringModel,
  settleTier,
  TIERS,
  type Tier,
  thresholdKey,
  tierThreshold,
} from '@cxm/scoring';
import { and, asc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import { OPTIONS } from '../config.js';
import { type Db, runBatch } from '../db/client.js';
import { withRetries } from '../db/retry.js';
import { organisations, scores } from '../db/schema.js';
import { storedScoreColumns } from '../db/score-rows.js';
import { parseState } from '../db/stored-score.js';
import { type ScoreUpdate, scoreStatements } from './pipeline.js';
import { modelFrom } from './score-row.js';

const PAGE = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DecayOutcome {
  organisations: number;
  changed: number;
}

/** The key below which a candidate stored in `tier` drops out of it, or null if none can. */
function dropKey(tier: Tier, now: number, model: ScoringModel): number | null {
  const level = tierThreshold(tier, model) * (1 - model.hysteresis);
  return level > 0 ? thresholdKey(level, now, model) : null;
}

/** When the points fell below the drop level of the lowest tier left (for the payload). */
function crossedAt(key: number | null, to: Tier, now: number, model: ScoringModel): number {
  const above = TIERS[TIERS.indexOf(to) + 1];
  if (key === null || !above) return now;
  const level = tierThreshold(above, model) * (1 - model.hysteresis);
  if (!(level > 0)) return now;
  const at = (key - Math.log2(level)) * model.halfLifeDays * DAY_MS;
  return Math.min(now, Math.round(at));
}

export async function settleDecay(db: Db, input: { now: number }): Promise<DecayOutcome> {
  const orgs = await db
    .select({ id: organisations.id, scoringModel: organisations.scoringModel })
    .from(organisations);
  let changed = 0;
  for (const org of orgs) {
    const model = modelFrom(org.scoringModel);
    for (const tier of ['highly_engaged', 'engaged'] as const) {
      const below = dropKey(tier, input.now, model);
      let after = '';
      for (;;) {
        const page = await withRetries(
          () => settlePage(db, { orgId: org.id, tier, below, after, model, now: input.now }),
          OPTIONS.writeAttempts,
        );
        changed += page.changed;
        if (page.last === null) break;
        after = page.last;
      }
    }
  }
  return { organisations: orgs.length, changed };
}

async function settlePage(
  db: Db,
  input: {
    orgId: string;
    tier: Tier;
    below: number | null;
    after: string;
    model: ScoringModel;
    now: number;
  },
): Promise<{ changed: number; last: string | null }> {
  const { orgId, model, now } = input;
  const rows = await db
    .select({ ...storedScoreColumns, sortKey: scores.sortKey })
    .from(scores)
    .where(
      and(
        eq(scores.orgId, orgId),
        eq(scores.tier, input.tier),
        input.below === null
          ? isNull(scores.sortKey)
          : or(isNull(scores.sortKey), lt(scores.sortKey, input.below)),
        gt(scores.candidateId, input.after),
      ),
    )
    .orderBy(asc(scores.candidateId))
    .limit(PAGE);
  if (rows.length === 0) return { changed: 0, last: null };
  // Settle only (nothing added); the payload says when the points crossed the drop level.
  const updates: ScoreUpdate[] = [];
  for (const row of rows) {
    const to = settleTier(parseState(row.state), now, model).tier;
    if (to === row.tier) continue;
    const occurredAt = crossedAt(row.sortKey, to, now, model);
    updates.push({ candidateId: row.candidateId, previous: row, added: [], occurredAt });
  }
  const score = await scoreStatements(db, { orgId, model, now, reason: 'decay' }, updates);
  await runBatch(db, score.statements);
  return { changed: updates.length, last: rows.at(-1)!.candidateId };
}
