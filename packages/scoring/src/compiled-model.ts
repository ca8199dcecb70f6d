// A validated model turned into the numbers the hot loop needs, computed once per model object.
import { validateModel } from './model.js';
import { MS_PER_DAY, MS_PER_HOUR } from './time.js';
import { ENGAGEMENT_TYPES, type ScoringModel } from './types.js';

export interface CompiledModel {
  readonly model: ScoringModel;
  /** Weight per type index. */
  readonly weights: Float64Array;
  /** Guard cap per type index, and where each type's slots start in the kept arrays. */
  readonly caps: Int32Array;
  readonly offsets: Int32Array;
  readonly slots: number;
  /** 1 / half-life in milliseconds: exponents are `(t - ref) * inverseHalfLifeMs`. */
  readonly inverseHalfLifeMs: number;
  readonly windowMs: number;
  readonly machineFactor: number;
}

const cache = new WeakMap<ScoringModel, CompiledModel>();

/** Validates and compiles a model; throws a TypeError listing every problem if it is invalid. */
export function compileModel(model: ScoringModel): CompiledModel {
  const cached = cache.get(model);
  if (cached) return cached;

  const validation = validateModel(model);
  if (!validation.ok) {
    throw new TypeError(
      `invalid scoring model: ${validation.errors.map((e) => e.message).join('; ')}`,
    );
  }
  const weights = new Float64Array(ENGAGEMENT_TYPES.length);
  const caps = new Int32Array(ENGAGEMENT_TYPES.length);
  const offsets = new Int32Array(ENGAGEMENT_TYPES.length);
  let slots = 0;
  ENGAGEMENT_TYPES.forEach((type, index) => {
    weights[index] = model.weights[type];
    caps[index] = model.window.caps[type];
    offsets[index] = slots;
    slots += model.window.caps[type];
  });
  const compiled: CompiledModel = {
    model,
    weights,
    caps,
    offsets,
    slots,
    inverseHalfLifeMs: 1 / (model.halfLifeDays * MS_PER_DAY),
    windowMs: model.window.hours * MS_PER_HOUR,
    machineFactor: model.machineFactor,
  };
  cache.set(model, compiled);
  return compiled;
}

const TYPE_INDEX = new Map<string, number>(ENGAGEMENT_TYPES.map((type, index) => [type, index]));

/** Index of a wire type name in `ENGAGEMENT_TYPES`, or -1 for an unknown name. */
export function typeIndex(type: string): number {
  return TYPE_INDEX.get(type) ?? -1;
}
