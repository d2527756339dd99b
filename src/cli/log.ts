/**
 * The bot's log lines on stderr, with every secret from config redacted, so a
 * token pasted into an error message by a library never reaches a log file.
 */
import type { Config } from '../config.js';
import type { Io } from './context.js';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

/**
 * @example
 * const log = consoleLog(io, config);
 * log.error('handler failed', err); // message and stack, token replaced by [redacted]
 */
export function consoleLog(io: Io, config: Config): Log {
  const secrets = [config.discord.token].filter((s): s is string => Boolean(s));
  const redact = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  const line = (level: string, text: string) => io.err(`${new Date().toISOString()} ${level} ${redact(text)}\n`);
  return {
    info: (message) => line('info', message),
    warn: (message) => line('warn', message),
    error: (message, err) => line('error', err instanceof Error ? `${message}: ${err.stack ?? err.message}` : message),
  };
}
