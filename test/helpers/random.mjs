/**
 * Seeded random numbers for tests and fixtures: a failing run can be repeated
 * exactly by its seed, which the test prints (in its name or its failure
 * message). A plain script, so fixtures that run with `node` alone can use it.
 *
 * @example
 * const random = seededRandom(20261203);
 * random(); // same value in [0, 1) on every run and platform
 */
export function seededRandom(seed) {
  // mulberry32: tiny, fast, and good enough to spread test moments and inputs.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
