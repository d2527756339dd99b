/**
 * Where a CLI command writes: stdout, stderr, and whether each is a terminal.
 * Commands take an `Io` so tests run them in-process and read what a user would see.
 *
 * @example
 * const lines: string[] = [];
 * const io: Io = { out: (t) => lines.push(t), err: (t) => lines.push(t), interactive: false, color: false };
 * await run(['ask', 'Who?'], io);
 */

import { colorWanted } from '../config.js';

/** A command's output streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars go there. */
  interactive: boolean;
  /** Highlights are printed in bold: stdout is a terminal, or FORCE_COLOR says so (NO_COLOR says not). */
  color: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
  color: colorWanted(process.stdout.isTTY),
};
