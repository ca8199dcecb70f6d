// The scoring core: folds engagements into per-type decayed sums in O(1) each.
//
// Decay is exponential, so instead of decaying every sum at every step, each engagement is
// stored as `weight * 2^((t - ref) / halfLife)` against a fixed reference time `ref`; the points
// at any `now` are `sum * 2^((ref - now) / halfLife)`. One power per engagement, and the sort key
// `log2(sum) + ref / halfLife` does not depend on `now` at all (see sort-key.ts).
//
// Window guards keep, per type and window, the largest contribution of each detail and at most
// `cap` details: "largest" rather than "first" makes the result independent of input order and
// means adding an engagement can never lower the score.
import type { CompiledModel } from './compiled-model.js';

export const ADD_COUNTED = 1;
export const ADD_IGNORED = 0;
/** The engagement belongs to a window older than the one the guards remember: rebuild instead. */
export const ADD_OUT_OF_ORDER = -1;
export type AddOutcome = typeof ADD_COUNTED | typeof ADD_IGNORED | typeof ADD_OUT_OF_ORDER;

// Past 2^64 the sums are rescaled to a new reference time, long before doubles overflow (2^1023).
const REBASE_EXPONENT = 64;

export class Accumulator {
  readonly sums: Float64Array;
  readonly counts: Int32Array;
  readonly keptHash: Uint32Array;
  readonly keptValue: Float64Array;
  readonly keptLength: Int32Array;
  /** Reference time (epoch ms) of `sums`; meaningless while `empty`. */
  ref = 0;
  empty = true;
  /** Index of the window the guards remember, -Infinity before the first engagement. */
  window = Number.NEGATIVE_INFINITY;
  lastEngagedAt = Number.NEGATIVE_INFINITY;

  constructor(readonly compiled: CompiledModel) {
    const types = compiled.weights.length;
    this.sums = new Float64Array(types);
    this.counts = new Int32Array(types);
    this.keptLength = new Int32Array(types);
    this.keptHash = new Uint32Array(compiled.slots);
    this.keptValue = new Float64Array(compiled.slots);
  }

  reset(): void {
    this.sums.fill(0);
    this.counts.fill(0);
    this.keptLength.fill(0);
    this.ref = 0;
    this.empty = true;
    this.window = Number.NEGATIVE_INFINITY;
    this.lastEngagedAt = Number.NEGATIVE_INFINITY;
  }

  /** Folds in one engagement: `type` is an index into ENGAGEMENT_TYPES, `at` epoch ms. */
  add(type: number, hash: number, at: number, machine: boolean): AddOutcome {
    const compiled = this.compiled;
    const weight = machine
      ? compiled.weights[type]! * compiled.machineFactor
      : compiled.weights[type]!;
    // Weightless engagements change nothing, so they need no ordering either.
    if (!(weight > 0)) return ADD_IGNORED;

    const window = Math.floor(at / compiled.windowMs);
    if (window < this.window) return ADD_OUT_OF_ORDER;
    if (window > this.window) {
      this.window = window;
      this.keptLength.fill(0);
    }
    if (at > this.lastEngagedAt) this.lastEngagedAt = at;
    if (this.empty) {
      this.ref = at;
      this.empty = false;
    }
    let exponent = (at - this.ref) * compiled.inverseHalfLifeMs;
    if (exponent > REBASE_EXPONENT) {
      this.rebase(at);
      exponent = 0;
    }
    const value = weight * 2 ** exponent;

    const start = compiled.offsets[type]!;
    const end = start + this.keptLength[type]!;
    const keptHash = this.keptHash;
    const keptValue = this.keptValue;
    let smallest = -1;
    for (let slot = start; slot < end; slot++) {
      if (keptHash[slot] === hash) {
        // A repeat of a detail already counted in this window: the larger contribution stays.
        const previous = keptValue[slot]!;
        if (value <= previous) return ADD_IGNORED;
        keptValue[slot] = value;
        this.sums[type]! += value - previous;
        return ADD_COUNTED;
      }
      if (smallest < 0 || keptValue[slot]! < keptValue[smallest]!) smallest = slot;
    }
    if (end - start < compiled.caps[type]!) {
      keptHash[end] = hash;
      keptValue[end] = value;
      this.keptLength[type]! += 1;
      this.sums[type]! += value;
      this.counts[type]! += 1;
      return ADD_COUNTED;
    }
    // The type's cap is full for this window: the new detail replaces the smallest if larger.
    const previous = keptValue[smallest]!;
    if (value <= previous) return ADD_IGNORED;
    keptHash[smallest] = hash;
    keptValue[smallest] = value;
    this.sums[type]! += value - previous;
    return ADD_COUNTED;
  }

  /** Total points decayed to `now` (epoch ms). */
  pointsAt(now: number): number {
    if (this.empty) return 0;
    let total = 0;
    for (let type = 0; type < this.sums.length; type++) total += this.sums[type]!;
    return Math.max(0, total) * 2 ** ((this.ref - now) * this.compiled.inverseHalfLifeMs);
  }

  /** One type's points decayed to `now`. */
  typePointsAt(type: number, now: number): number {
    if (this.empty) return 0;
    return (
      Math.max(0, this.sums[type]!) * 2 ** ((this.ref - now) * this.compiled.inverseHalfLifeMs)
    );
  }

  /** `log2(points at t) + t / halfLife`, the same for every t; null when there are no points. */
  sortKey(): number | null {
    if (this.empty) return null;
    let total = 0;
    for (let type = 0; type < this.sums.length; type++) total += this.sums[type]!;
    if (!(total > 0)) return null;
    return Math.log2(total) + this.ref * this.compiled.inverseHalfLifeMs;
  }

  private rebase(at: number): void {
    const factor = 2 ** ((this.ref - at) * this.compiled.inverseHalfLifeMs);
    for (let i = 0; i < this.sums.length; i++) this.sums[i]! *= factor;
    for (let i = 0; i < this.keptValue.length; i++) this.keptValue[i]! *= factor;
    this.ref = at;
  }
}
