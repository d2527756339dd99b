/** `citebot serve`: run the Discord bot until SIGINT/SIGTERM. */
import { requireDiscord } from '../config.js';
import { startBot } from '../bot/serve.js';
import { configFor, librarySession, withSession } from './context.js';
import type { Io } from './io.js';
import { locationOptions, stringFlag, type CliCommand } from './command.js';
import { consoleLog } from './log.js';

export const serveCommand = {
  summary: 'Start the Discord bot (needs DISCORD_TOKEN).',
  usage: 'citebot serve [--docs DIR] [--index DIR] [--watch]',
  options: { ...locationOptions, watch: { type: 'boolean' } },
  positionals: false,
  async run(flags, _positionals, io) {
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') });
    if (flags.watch) config.watch = true;
    requireDiscord(config, ['token']);
    // The embedding child process keeps inference off the event loop that carries Discord's heartbeats.
    return withSession(config, io, { childProcess: true }, async (session) => {
      const library = await librarySession(session, io);
      const bot = await startBot(config, library, consoleLog(io));
      const watcher = config.watch ? library.watch(session.warn) : null;
      await untilSignal(io);
      watcher?.close();
      await bot.stop();
      return 0;
    });
  },
} satisfies CliCommand;

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
