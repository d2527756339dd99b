/**
 * Timestamped log lines on stderr for the bot. Secrets are removed before
 * lines get here: `startBot` wraps this sink in `redactingLog`.
 */
import type { BotLog } from '../bot/log.js';
import type { Io } from './io.js';

/**
 * @example
 * const bot = await startBot(config, library, consoleLog(io));
 */
export function consoleLog(io: Io): BotLog {
  const line = (level: string, text: string) => io.err(`${new Date().toISOString()} ${level} ${text}\n`);
  return {
    info: (message) => line('info', message),
    warn: (message) => line('warn', message),
    error: (message, err) => line('error', err instanceof Error ? `${message}: ${err.stack ?? err.message}` : message),
  };
}
