// Incremental scoring: a small JSON state per candidate, folded one engagement at a time.
//
// The state holds the per-type decayed sums (against a reference time), the counts, and the
// window guards of the latest window only, so it stays a few hundred bytes whatever the
// candidate's history. An engagement older than that window cannot be checked against the
// guards; `foldEngagement` then says so, and the caller rebuilds from the stored engagements
// with `stateFromEngagements` (rare: backfills, not live traffic).
import { Accumulator, ADD_COUNTED, ADD_OUT_OF_ORDER } from './accumulator.js';
import { type CompiledModel, compileModel } from './compiled-model.js';
import { prepare, prepareAll } from './input.js';
import { DEFAULT_MODEL } from './model.js';
import { resultAt } from './result.js';
import { tierWithHysteresis } from './tier.js';
import { toEpochMs } from './time.js';
import {
  ENGAGEMENT_TYPES,
  type Engagement,
  type ScoreResult,
  type ScoringModel,
  type Tier,
  type TimeInput,
} from './types.js';

export interface ScoreState {
  v: 1;
  /** Reference time (epoch ms) the sums are expressed against. */
  ref: number;
  /** Per type, in ENGAGEMENT_TYPES order: sum of `weight * 2^((t - ref) / halfLife)`. */
  sums: number[];
  /** Per type: engagements that counted. */
  counts: number[];
  lastEngagedAt: number | null;
  /** Index of the window whose guards `kept` holds. */
  window: number | null;
  /** Guards of that window: [type index, detail hash, contribution against `ref`]. */
  kept: Array<[number, number, number]>;
  /** The stored tier, moved only by `settleTier` (hysteresis). */
  tier: Tier;
}

export type FoldResult =
  | { ok: true; state: ScoreState; counted: boolean }
  | { ok: false; reason: 'out_of_order' };

export function emptyState(): ScoreState {
  return {
    v: 1,
    ref: 0,
    sums: ENGAGEMENT_TYPES.map(() => 0),
    counts: ENGAGEMENT_TYPES.map(() => 0),
    lastEngagedAt: null,
    window: null,
    kept: [],
    tier: 'inactive',
  };
}

function load(state: ScoreState, compiled: CompiledModel): Accumulator {
  if (state.v !== 1) throw new TypeError(`unsupported score state version ${String(state.v)}`);
  const accumulator = new Accumulator(compiled);
  // The window is set by the first engagement with a weight, so null means nothing was folded.
  accumulator.empty = state.window === null;
  accumulator.ref = state.ref;
  // A state saved before a type was added is shorter: that type's sum and count start at zero.
  accumulator.sums.set(state.sums);
  accumulator.counts.set(state.counts);
  accumulator.lastEngagedAt = state.lastEngagedAt ?? Number.NEGATIVE_INFINITY;
  accumulator.window = state.window ?? Number.NEGATIVE_INFINITY;
  for (const [type, hash, value] of state.kept) {
    const slot = compiled.offsets[type]! + accumulator.keptLength[type]!;
    // A state built under a model with larger caps keeps only what fits this model's caps.
    if (accumulator.keptLength[type]! >= compiled.caps[type]!) continue;
    accumulator.keptHash[slot] = hash;
    accumulator.keptValue[slot] = value;
    accumulator.keptLength[type]! += 1;
  }
  return accumulator;
}

function save(accumulator: Accumulator, tier: Tier): ScoreState {
  const compiled = accumulator.compiled;
  const kept: Array<[number, number, number]> = [];
  for (let type = 0; type < compiled.caps.length; type++) {
    const start = compiled.offsets[type]!;
    for (let slot = start; slot < start + accumulator.keptLength[type]!; slot++) {
      kept.push([type, accumulator.keptHash[slot]!, accumulator.keptValue[slot]!]);
    }
  }
  return {
    v: 1,
    ref: accumulator.empty ? 0 : accumulator.ref,
    sums: Array.from(accumulator.sums),
    counts: Array.from(accumulator.counts),
    lastEngagedAt: Number.isFinite(accumulator.lastEngagedAt) ? accumulator.lastEngagedAt : null,
    window: Number.isFinite(accumulator.window) ? accumulator.window : null,
    kept,
    tier,
  };
}

/** Folds one engagement into a state in O(1); the input state is not modified. */
export function foldEngagement(
  state: ScoreState,
  engagement: Engagement,
  model: ScoringModel = DEFAULT_MODEL,
): FoldResult {
  const accumulator = load(state, compileModel(model));
  const prepared = prepare(engagement, 'engagement');
  const outcome = accumulator.add(prepared.type, prepared.hash, prepared.at, prepared.machine);
  if (outcome === ADD_OUT_OF_ORDER) return { ok: false, reason: 'out_of_order' };
  return { ok: true, state: save(accumulator, state.tier), counted: outcome === ADD_COUNTED };
}

/** Builds a state from a whole history, in any order. Its tier is `inactive` until settled. */
export function stateFromEngagements(
  engagements: readonly Engagement[],
  model: ScoringModel = DEFAULT_MODEL,
): ScoreState {
  const accumulator = new Accumulator(compileModel(model));
  for (const engagement of prepareAll(engagements)) {
    accumulator.add(engagement.type, engagement.hash, engagement.at, engagement.machine);
  }
  return save(accumulator, 'inactive');
}

/** The state's score decayed to `now`, with the plain (no hysteresis) tier, like `score()`. */
export function scoreState(
  state: ScoreState,
  options: { now: TimeInput; model?: ScoringModel },
): ScoreResult {
  return resultAt(
    load(state, compileModel(options.model ?? DEFAULT_MODEL)),
    toEpochMs(options.now, 'now'),
  );
}

/** Moves the stored tier to where the hysteresis rule puts it at `now`. */
export function settleTier(
  state: ScoreState,
  now: TimeInput,
  model: ScoringModel = DEFAULT_MODEL,
): ScoreState {
  const points = load(state, compileModel(model)).pointsAt(toEpochMs(now, 'now'));
  const tier = tierWithHysteresis(points, state.tier, model);
  return tier === state.tier ? state : { ...state, tier };
}

/** The state's time-invariant sort key (see sort-key.ts); null when it has no points. */
export function stateSortKey(
  state: ScoreState,
  model: ScoringModel = DEFAULT_MODEL,
): number | null {
  return load(state, compileModel(model)).sortKey();
}
