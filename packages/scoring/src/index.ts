// @cxm/scoring: weighted, time-decayed engagement tiers. Pure, dependency-free, deterministic.
export {
  Accumulator,
  ADD_COUNTED,
  ADD_IGNORED,
  ADD_OUT_OF_ORDER,
  type AddOutcome,
} from './accumulator.js';
export { type CompiledModel, compileModel, typeIndex } from './compiled-model.js';
export { detailHash } from './detail-hash.js';
export { completeModel, DEFAULT_MODEL, MODEL_BOUNDS, validateModel } from './model.js';
export { type ScoreOptions, score } from './score.js';
export { type KeyRange, sortKey, thresholdKey, tierKeyRange } from './sort-key.js';
export {
  emptyState,
  type FoldResult,
  foldEngagement,
  type ScoreState,
  scoreState,
  settleTier,
  stateFromEngagements,
} from './state.js';
export { tierFor, tierThreshold, tierWithHysteresis } from './tier.js';
export { toEpochMs } from './time.js';
export * from './types.js';
