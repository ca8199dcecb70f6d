// Scores 10 million engagements over 1 million candidates and prints the time as a ratio against
// a baseline in the same run: a tight loop over typed arrays doing the same decay arithmetic
// (one power per engagement, one per candidate) without the model's window guards.
//
//   pnpm bench:scoring              # from the repo root
//   CANDIDATES=100000 pnpm bench    # smaller, from packages/scoring
//
// It prints figures; it is not a test. The last line is `ratio: X.XX` (target: at most 3).
import { Accumulator, compileModel, DEFAULT_MODEL, ENGAGEMENT_TYPES } from '../src/index.js';

const CANDIDATES = Number(process.env.CANDIDATES ?? 1_000_000);
const PER_CANDIDATE = Number(process.env.PER_CANDIDATE ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TOTAL = CANDIDATES * PER_CANDIDATE;
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-23T12:00:00Z');

// Deterministic data (xorshift), in the order a database hands it over: by candidate, then time.
let seed = 0x9e3779b9;
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x1_0000_0000;
};
const types = new Uint8Array(TOTAL);
const hashes = new Uint32Array(TOTAL);
const times = new Float64Array(TOTAL);
const machine = new Uint8Array(TOTAL);
for (let c = 0; c < CANDIDATES; c++) {
  let t = NOW - 180 * DAY * random();
  for (let j = 0; j < PER_CANDIDATE; j++) {
    const i = c * PER_CANDIDATE + j;
    t += 18 * DAY * random() ** 3; // bursts: several engagements on some days
    types[i] = Math.floor(random() * ENGAGEMENT_TYPES.length);
    hashes[i] = Math.floor(random() * 8);
    times[i] = Math.min(t, NOW);
    machine[i] = random() < 0.05 ? 1 : 0;
  }
}

const compiled = compileModel(DEFAULT_MODEL);
const weights = compiled.weights;
const inverse = compiled.inverseHalfLifeMs;
const points = new Float64Array(CANDIDATES);

function baseline(): number {
  for (let c = 0; c < CANDIDATES; c++) {
    const start = c * PER_CANDIDATE;
    const ref = times[start]!;
    let sum = 0;
    for (let i = start; i < start + PER_CANDIDATE; i++) {
      sum += weights[types[i]!]! * 2 ** ((times[i]! - ref) * inverse);
    }
    points[c] = sum * 2 ** ((ref - NOW) * inverse);
  }
  return points[CANDIDATES - 1]!;
}

const accumulator = new Accumulator(compiled);
function scoring(): number {
  for (let c = 0; c < CANDIDATES; c++) {
    accumulator.reset();
    const start = c * PER_CANDIDATE;
    for (let i = start; i < start + PER_CANDIDATE; i++) {
      accumulator.add(types[i]!, hashes[i]!, times[i]!, machine[i] === 1);
    }
    points[c] = accumulator.pointsAt(NOW);
  }
  return points[CANDIDATES - 1]!;
}

function time(run: () => number): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

console.log(
  `scoring ${TOTAL.toLocaleString('en')} engagements over ${CANDIDATES.toLocaleString('en')} candidates, ${ROUNDS} rounds, best of each`,
);
// Interleaved rounds, so machine noise hits both sides alike; one warm-up round each first.
time(baseline);
time(scoring);
let bestBaseline = Number.POSITIVE_INFINITY;
let bestScoring = Number.POSITIVE_INFINITY;
for (let round = 0; round < ROUNDS; round++) {
  bestBaseline = Math.min(bestBaseline, time(baseline));
  bestScoring = Math.min(bestScoring, time(scoring));
}
const rate = (ms: number) => `${(((TOTAL / ms) * 1000) / 1e6).toFixed(1)} M engagements/s`;
console.log(
  `baseline (typed-array decay loop): ${bestBaseline.toFixed(0)} ms, ${rate(bestBaseline)}`,
);
console.log(
  `scoring (@cxm/scoring Accumulator, with window guards): ${bestScoring.toFixed(0)} ms, ${rate(bestScoring)}`,
);
console.log(`ratio: ${(bestScoring / bestBaseline).toFixed(2)}`);
