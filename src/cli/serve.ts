/** `citebot serve`: run the Discord bot (one process, or one per shard) until SIGINT/SIGTERM. */
import path from 'node:path';
import { PROJECT_DIR, requireDiscord, type Config } from '../config.js';
import { CitebotError } from '../errors.js';
import type { BotLog } from '../bot/log.js';
import type { Library } from '../library/library.js';
import { configFor, librarySession, withSession } from './context.js';
import type { Io } from './io.js';
import { locationOptions, stringFlag, type CliCommand } from './command.js';
import { consoleLog } from './log.js';

export const serveCommand = {
  summary: 'Start the Discord bot (needs DISCORD_TOKEN); --shards runs one process per gateway shard.',
  usage: 'citebot serve [--docs DIR] [--index DIR] [--watch] [--shards auto|N]',
  options: { ...locationOptions, watch: { type: 'boolean' }, shards: { type: 'string' } },
  positionals: false,
  async run(flags, _positionals, io) {
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') }, io.env);
    if (flags.watch) config.watch = true;
    const shards = parseShards(stringFlag(flags, 'shards'));
    requireDiscord(config, ['token']);
    // The embedding child process keeps inference off the event loop that carries Discord's heartbeats.
    return withSession(config, io, { childProcess: true }, async (session) => {
      // Built (or refreshed) here, once: the shards then only load it.
      const library = await librarySession(session, io);
      const log = consoleLog(io);
      // Loaded here, not at the top: discord.js alone is most of a cold start for every other command.
      const { startBot } = await import('../bot/serve.js');
      const running = shards === null ? await startBot(config, library, log) : await startSharded(config, library, shards, log);
      const watcher = config.watch ? library.watch(session.warn) : null;
      await untilSignal(io);
      watcher?.close();
      await running.stop();
      return 0;
    });
  },
} satisfies CliCommand;

/** The manager: shards run `citebot shard`; its own library builds the index and runs --watch, then every shard reloads. */
async function startSharded(config: Config, library: Library, count: number | 'auto', log: BotLog): Promise<{ stop(): Promise<void> }> {
  const { startShards } = await import('../bot/shards.js');
  const shards = await startShards(config, {
    count,
    file: path.join(PROJECT_DIR, 'bin', 'citebot.mjs'),
    shardArgs: ['shard', '--docs', config.docsDir, '--index', config.indexDir],
    log,
    onReindexed: async () => void (await library.refresh()),
  });
  library.afterIngest(() => shards.reload());
  return shards;
}

/**
 * `--shards auto` or a whole number; null without the flag (one process).
 *
 * @example
 * parseShards('2'); // 2
 */
export function parseShards(value: string | undefined): number | 'auto' | null {
  if (value === undefined) return null;
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new CitebotError(`Invalid --shards ${JSON.stringify(value)}: expected auto or a whole number from 1 to 1000.`);
  }
  return n;
}

function untilSignal(io: Io): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      io.err(`citebot: ${signal} received, shutting down.\n`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
