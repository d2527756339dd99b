/**
 * `citebot start` (what `npm start` runs): with a Discord token, serve the bot;
 * without one, build the index if needed and answer questions in the terminal.
 */
import { configFor, librarySession, requireDocuments, withSession } from './context.js';
import { converse } from './conversation.js';
import { serveCommand } from './serve.js';
import { locationOptions, stringFlag, type CliCommand } from './command.js';

export const startCommand = {
  summary: 'Serve the bot when DISCORD_TOKEN is set; otherwise ask questions in the terminal.',
  usage: 'citebot start [--docs DIR] [--index DIR] [--verbose]',
  options: { ...locationOptions, verbose: { type: 'boolean' } },
  positionals: false,
  async run(flags, positionals, io) {
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') }, io.env);
    if (config.discord.token) return serveCommand.run({ docs: flags.docs, index: flags.index }, positionals, io);
    return withSession(config, io, { verbose: flags.verbose === true }, async (session) => {
      const library = await librarySession(session, io);
      requireDocuments(library, config.docsDir);
      return converse(library, session, io);
    });
  },
} satisfies CliCommand;
