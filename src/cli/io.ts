/**
 * Where a CLI command writes: stdout, stderr, and whether each is a terminal.
 * Commands take an `Io` so tests run them in-process and read what a user would see.
 *
 * @example
 * const lines: string[] = [];
 * const io: Io = { out: (t) => lines.push(t), err: (t) => lines.push(t), interactive: false, color: false };
 * await run(['ask', 'Who?'], io);
 */

/** A command's output streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars go there. */
  interactive: boolean;
  /** True when stdout is a terminal: highlights are printed in bold. */
  color: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
  color: Boolean(process.stdout.isTTY),
};
