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

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CitebotError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }

  /** The message and hint as the single line a user sees. */
  get userMessage(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
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
