/**
 * Where a CLI command reads and writes: stdin, stdout, stderr, whether each is
 * a terminal, and the environment its config comes from. Commands take an `Io`
 * so tests run them in-process (`main(argv, io)`) and read what a user would see.
 *
 * @example
 * const stdout = new PassThrough();
 * const io = streamIo({ stdin: Readable.from([]), stdout, stderr: new PassThrough() }, { ALLOW_MODEL_DOWNLOAD: 'false' });
 * const code = await main(['ask', 'Who?'], io);
 */
import { colorWanted, type Env } from '../config.js';

/** A command's input, output streams and environment. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars go there. */
  interactive: boolean;
  /** Highlights are printed in bold: stdout is a terminal, or FORCE_COLOR says so (NO_COLOR says not). */
  color: boolean;
  /** Questions piped or typed (stdin). */
  input: NodeJS.ReadableStream;
  /** True when `input` is a terminal: `ask` with no question opens the prompt, with line editing and history. */
  inputIsTerminal: boolean;
  /** Where the prompt draws (stderr): a stream, because readline edits the line in place. */
  promptOutput: NodeJS.WritableStream;
  /** The variables config is read from; undefined: `.env` and `process.env` (see src/config.ts). */
  env?: Env;
}

/** The three standard streams, as `process` has them. */
export interface Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * An `Io` over three streams, deciding colour and progress bars from them and
 * `env` exactly as the process does for its own.
 *
 * @example
 * const io = streamIo(process); // what `citebot` runs with
 */
export function streamIo(streams: Streams, env?: Env): Io {
  return {
    out: (text) => void streams.stdout.write(text),
    err: (text) => void streams.stderr.write(text),
    interactive: Boolean(streams.stderr.isTTY),
    color: colorWanted(streams.stdout.isTTY, env),
    input: streams.stdin,
    inputIsTerminal: Boolean(streams.stdin.isTTY),
    promptOutput: streams.stderr,
    ...(env === undefined ? {} : { env }),
  };
}

export const processIo: Io = streamIo(process);
