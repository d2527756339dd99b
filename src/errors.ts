/**
 * The one error type citebot throws on purpose. Its message is written for the
 * person at the keyboard: the CLI prints it as one line, the bot as an
 * ephemeral reply. Anything else that escapes is a bug and gets a stack trace.
 *
 * @example
 * throw new CitebotError('Docs folder not found: ./docs', { hint: 'Pass --docs DIR.' });
 */
export class CitebotError extends Error {
  /** One extra line telling the user what to do next. */
  readonly hint: string | undefined;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  /** Lines shown under the one-line error, such as a command's usage; the CLI only. */
  readonly usage: string | undefined;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown; usage?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CitebotError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
    this.usage = options.usage;
  }

  /** The message and hint as the single line a user sees. */
  get userMessage(): string {
    if (!this.hint) return this.message;
    // A message ending in a path or name still reads as a sentence before the hint.
    return `${this.message}${/[.!?:)]$/.test(this.message) ? '' : '.'} ${this.hint}`;
  }
}

/**
 * True for errors citebot raised on purpose (as opposed to bugs).
 *
 * @example
 * if (isCitebotError(err)) io.err(`citebot: ${err.userMessage}\n`);
 */
export function isCitebotError(err: unknown): err is CitebotError {
  return err instanceof CitebotError;
}
