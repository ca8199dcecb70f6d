// The seeded generator the corpus draws from, and the shape of one kind of hostile request.
import type { Rng } from '../rng.js';
import type { Draft } from './endpoints.js';

export { type Rng, rng } from '../rng.js';

/** One kind of hostile request; each call may vary it with the generator. */
export type Case = (random: Rng) => Draft;
