/**
 * Every fast-check property in the suite runs from one fixed seed (vitest
 * loads this file before each test file; see vitest.config.ts), so a run
 * checks the same inputs every time and a failure repeats exactly. fast-check
 * prints the seed and the shrunk counterexample's path when a property fails.
 * To explore new inputs, run with another seed: FAST_CHECK_SEED=123 npx vitest run.
 *
 * @example
 * fc.assert(fc.property(fc.string(), (s) => s.length >= 0)); // seeded by this file
 */
import fc from 'fast-check';

/** The default seed; any fixed number would do. */
export const FAST_CHECK_SEED = 20261203;

const override = process.env.FAST_CHECK_SEED;
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: override ? Number(override) : FAST_CHECK_SEED });
