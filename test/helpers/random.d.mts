/** Types for random.mjs (a plain script, so fixtures run with `node` alone can import it). */

/** A generator of values in [0, 1), the same sequence for the same seed on every run and platform. */
export function seededRandom(seed: number): () => number;
