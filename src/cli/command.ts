/** The shape of one CLI sub-command; src/cli.ts holds the table of them. */
import type { ParseArgsConfig } from 'node:util';
import type { Io } from './io.js';

export type Flags = Record<string, string | boolean | undefined>;

export interface CliCommand {
  /** One line for `citebot help`. */
  summary: string;
  /** Usage line, e.g. `citebot ask [--json] [QUESTION]`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Whether bare words after the command are allowed (e.g. the question). */
  positionals: boolean;
  /** Resolves to the process exit code. */
  run(flags: Flags, positionals: string[], io: Io): Promise<number>;
}

/** `--docs` and `--index`, shared by the commands that touch the index. */
export const locationOptions = {
  docs: { type: 'string' },
  index: { type: 'string' },
} as const;

/**
 * Reads a string flag that parseArgs typed loosely.
 *
 * @example
 * stringFlag({ 'top-k': '5' }, 'top-k'); // '5'; undefined when absent or boolean
 */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}
