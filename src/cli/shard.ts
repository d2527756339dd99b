/**
 * `citebot shard`: one gateway shard of `citebot serve --shards`, started by
 * its ShardingManager (which sets which shard this is). It answers from the
 * index on disk, asks the manager for cooldowns and votes, and reloads the
 * index when told to. Not meant to be run by hand.
 */
import { requireDiscord } from '../config.js';
import { CitebotError } from '../errors.js';
import { ShardLink, type Channel, type ManagerMessage, type ShardRequest } from '../bot/shard-link.js';
import { configFor, librarySession, withSession } from './context.js';
import type { Io } from './io.js';
import { locationOptions, stringFlag, type CliCommand } from './command.js';
import { consoleLog } from './log.js';

export const shardCommand = {
  summary: 'One shard of `citebot serve --shards` (started by it, not by hand).',
  usage: 'citebot shard [--docs DIR] [--index DIR]',
  options: locationOptions,
  positionals: false,
  async run(flags, _positionals, io) {
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') }, io.env);
    requireDiscord(config, ['token']);
    if (!process.send) {
      throw new CitebotError('citebot shard runs under citebot serve --shards.', { hint: 'Run citebot serve --shards auto (or a number) instead.' });
    }
    return withSession(config, io, { childProcess: true }, async (session) => {
      const library = await librarySession(session, io);
      const log = consoleLog(io);
      const channel = process as unknown as Channel<ShardRequest, ManagerMessage>;
      const link = new ShardLink(channel, () => {
        library.refresh().then(
          (loaded) => loaded && log.info(`reloaded the index (${library.stats().generation})`),
          (err: unknown) => log.error('could not reload the index', err),
        );
      });
      // Loaded here, not at the top: discord.js alone is most of a cold start for every other command.
      const { startBot } = await import('../bot/serve.js');
      const bot = await startBot(config, library, log, { shared: { cooldowns: link, feedback: link, announceReindex: (g) => link.reindexed(g) } });
      await untilStopped(io);
      await bot.stop();
      return 0;
    });
  },
} satisfies CliCommand;

/** SIGTERM or SIGINT from the manager, or the manager gone (its IPC channel closed). */
function untilStopped(io: Io): Promise<void> {
  return new Promise((resolve) => {
    const stop = (why: string) => {
      io.err(`citebot: shard stopping (${why}).\n`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('disconnect', () => stop('the manager went away'));
  });
}
