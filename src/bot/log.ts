/**
 * The bot's log: what the shell passes in (the CLI's console log has the same
 * shape), wrapped so secrets never reach it even when a library puts them in
 * an error message or a URL.
 */

export interface BotLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

/** Discord bot tokens: three base64url parts joined by dots. */
const TOKEN_SHAPE = /[\w-]{20,}\.[\w-]{5,}\.[\w-]{20,}/g;
/** Interaction tokens follow an id in webhook and callback URLs (and in discord.js's REST debug lines). */
const INTERACTION_TOKEN = /\b(\d{15,21})\/[\w.-]{30,}/g;

/**
 * Replaces every secret (and anything shaped like a token) in a log line.
 *
 * @example
 * redact('login failed for Bot abc.def.ghi', ['abc.def.ghi']); // 'login failed for Bot [redacted]'
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Whole secrets first, then their dot-separated parts: discord.js's debug log prints a token's first two parts.
  const pieces = [...secrets, ...secrets.flatMap((s) => s.split('.'))].filter((s) => s.length >= 6);
  for (const secret of pieces) out = out.split(secret).join('[redacted]');
  return out.replace(TOKEN_SHAPE, '[redacted]').replace(INTERACTION_TOKEN, '$1/[redacted]');
}

/**
 * A log that redacts `secrets` from every message and error stack before
 * passing them on; errors are flattened to text so the sink never sees the raw
 * object (whose properties may hold request headers).
 *
 * @example
 * const log = redactingLog(consoleLog(io, config), [config.discord.token ?? '']);
 * log.error('handler failed', err);
 */
export function redactingLog(sink: BotLog, secrets: readonly string[]): BotLog {
  const clean = (text: string) => redact(text, secrets);
  return {
    info: (message) => sink.info(clean(message)),
    warn: (message) => sink.warn(clean(message)),
    error: (message, err) => sink.error(clean(err === undefined ? message : `${message}: ${describeError(err)}`)),
  };
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
