// The daily decay run: stored tiers (with hysteresis) only move on writes, so a candidate who
// stops engaging keeps a stale tier until this run settles it. Candidates whose tier must drop
// are found by index, per organisation and tier: stored tier X and a sort key below the key of
// X's drop level (threshold × (1 − hysteresis)) at `now`. Each page is one guarded batch with
// the new rows and the webhook events (`reason: 'decay'`); nothing else is read. Decay folds no
// engagement, so each row keeps its watermark (the cron settles the backlog first).
//
// In a deployment the run fans out through the rescore queue (`jobs/decay-queue.ts`): a job
// lists a page of organisations and queues a job per organisation and tier, each of which settles
// one page of candidates and queues the next, so no invocation's work grows with the fleet or an
// organisation. `settleDecay` runs the same pages in turn where no queue is bound.
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
/**
 * Organisations one `decay-orgs` job lists: two page jobs each plus the next listing, 99
 * messages, so one `sendBatch` (at most 100) queues them all or none.
 */
export const DECAY_ORG_PAGE = 49;
const DECAYING = ['highly_engaged', 'engaged'] as const;
export type DecayingTier = (typeof DECAYING)[number];

/**
 * The decay run's jobs, all for one `now` (the cron's): a page of organisations after `after`
 * (ids in order), or a page of one organisation's candidates stored in `tier`.
 */
export type DecayJob =
  | { kind: 'decay-orgs'; now: number; after: string; shard?: string }
  | { kind: 'decay-page'; now: number; orgId: string; tier: DecayingTier; after: string };
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
    for (const tier of DECAYING) {
      let after: string | null = '';
      while (after !== null) {
        const page = await decayPage(db, { orgId: org.id, tier, after, model, now: input.now });
        changed += page.changed;
        after = page.last;
      }
    }
  }
  return { organisations: orgs.length, changed };
}

/**
 * One job: a page of organisations becomes a job per organisation and tier (and the next page of
 * organisations); a page of candidates is settled and leads to the next. What it changed, and the
 * jobs to queue. Idempotent: a page run again finds its candidates settled already.
 */
export async function runDecayJob(
  db: Db,
  job: DecayJob,
): Promise<{ changed: number; next: DecayJob[] }> {
  const { now } = job;
  if (job.kind === 'decay-orgs') {
    const orgs = await db
      .select({ id: organisations.id })
      .from(organisations)
      .where(gt(organisations.id, job.after))
      .orderBy(asc(organisations.id))
      .limit(DECAY_ORG_PAGE);
    const next: DecayJob[] = orgs.flatMap((org) =>
      DECAYING.map((tier) => ({
        kind: 'decay-page' as const,
        now,
        orgId: org.id,
        tier,
        after: '',
      })),
    );
    const last = orgs.at(-1);
    if (last && orgs.length === DECAY_ORG_PAGE) next.push({ ...job, after: last.id });
    return { changed: 0, next };
  }
  const [org] = await db
    .select({ scoringModel: organisations.scoringModel })
    .from(organisations)
    .where(eq(organisations.id, job.orgId));
  // Purged since the job was queued: nothing left to settle.
  if (!org) return { changed: 0, next: [] };
  const page = await decayPage(db, { ...job, model: modelFrom(org.scoringModel) });
  return { changed: page.changed, next: page.last === null ? [] : [{ ...job, after: page.last }] };
}

/** Settles one page (retried on a conflicting write); `last` is null when it was the last. */
function decayPage(
  db: Db,
  input: { orgId: string; tier: DecayingTier; after: string; model: ScoringModel; now: number },
) {
  const below = dropKey(input.tier, input.now, input.model);
  return withRetries(() => settlePage(db, { ...input, below }), OPTIONS.writeAttempts);
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
  // A short page was the last: no job (or loop turn) only to find nothing.
  return { changed: updates.length, last: rows.length < PAGE ? null : rows.at(-1)!.candidateId };
}
