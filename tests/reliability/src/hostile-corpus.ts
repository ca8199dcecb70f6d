// The hostile-input corpus: malformed or malicious requests against every request-taking
// operation of the edge API, each one the API must refuse, each naming its category and the
// documented error reply it expects. Deterministic: a seeded PRNG and no clock, so the same seed
// and fixture give the same corpus (the fixture holds the tokens the worker minted in setup).
//
// Categories take turns, so each gets an equal share at any size; within a category its cases
// take turns too (every case appears once the corpus is a few thousand long), and each case
// draws its variation (which string, which depth, which size) from the generator.
import { badAuth, crossOrg, disallowedOrigins, wrongMethods } from './hostile/access.js';
import { brokenJson, deepNesting, hugeBodies } from './hostile/bodies.js';
import type { Draft, Fixture } from './hostile/endpoints.js';
import { expiredTokens, forgedTokens } from './hostile/forged.js';
import { injection } from './hostile/injection.js';
import { type Case, rng } from './hostile/rng.js';
import { wrongTypes } from './hostile/types.js';
import { unicodeCases } from './hostile/unicode.js';

export type { Expected, Fixture, HostileBody } from './hostile/endpoints.js';
export { ENDPOINTS } from './hostile/endpoints.js';

export const CATEGORIES = [
  'broken-json',
  'huge-body',
  'deep-nesting',
  'wrong-types',
  'unicode',
  'injection',
  'forged-token',
  'expired-token',
  'cross-org',
  'disallowed-origin',
  'bad-auth',
  'wrong-method',
] as const;

export type Category = (typeof CATEGORIES)[number];

export interface HostileRequest extends Draft {
  id: number;
  category: Category;
}

const CASES: Record<Category, (fixture: Fixture) => Case[]> = {
  'broken-json': brokenJson,
  'huge-body': hugeBodies,
  'deep-nesting': deepNesting,
  'wrong-types': wrongTypes,
  unicode: unicodeCases,
  injection,
  'forged-token': forgedTokens,
  'expired-token': expiredTokens,
  'cross-org': crossOrg,
  'disallowed-origin': disallowedOrigins,
  'bad-auth': badAuth,
  'wrong-method': wrongMethods,
};

export const HOSTILE_SEED = 0x5eed_c0de;

export function hostileCorpus(
  size: number,
  fixture: Fixture,
  seed: number = HOSTILE_SEED,
): HostileRequest[] {
  const random = rng(seed);
  const cases = CATEGORIES.map((category) => [category, CASES[category](fixture)] as const);
  const corpus: HostileRequest[] = [];
  for (let id = 0; id < size; id++) {
    const [category, list] = cases[id % cases.length] as (typeof cases)[number];
    const round = Math.floor(id / cases.length);
    const make = list[round % list.length] as Case;
    corpus.push({ id, category, ...make(random) });
  }
  return corpus;
}

/** How many cases each category has: the corpus needs this many rounds to hold them all. */
export function caseCounts(fixture: Fixture): Record<Category, number> {
  return Object.fromEntries(
    CATEGORIES.map((category) => [category, CASES[category](fixture).length]),
  ) as Record<Category, number>;
}
