/**
 * `citebot start` (what `npm start` runs): with a Discord token, serve the bot;
 * without one, build the index if needed and answer questions in the terminal.
 */
import readline from 'node:readline';
import { isCitebotError } from '../errors.js';
import { answerOne } from './ask.js';
import { configFor, librarySession, withSession } from './context.js';
import { serveCommand } from './serve.js';
import type { CliCommand } from './command.js';

export const startCommand = {
  summary: 'Serve the bot when DISCORD_TOKEN is set; otherwise ask questions in the terminal.',
  usage: 'citebot start',
  options: {},
  positionals: false,
  async run(flags, positionals, io) {
    const config = configFor({});
    if (config.discord.token) return serveCommand.run(flags, positionals, io);
    return withSession(config, io, {}, async (session) => {
      const library = await librarySession(session, io);
      const { documents, passages, mode } = library.stats();
      const docs = `${documents} document${documents === 1 ? '' : 's'}`;
      io.err(`Ready: ${docs}, ${passages} passages, ${mode} mode. Ask a question (Ctrl+D to quit).\n`);
      await prompt(async (question) => {
        try {
          await answerOne(library, question, {}, io);
        } catch (err) {
          // One bad question must not end the session.
          if (!isCitebotError(err)) throw err;
          io.err(`citebot: ${err.userMessage}\n`);
        }
      });
      return 0;
    });
  },
} satisfies CliCommand;

/** Reads questions line by line; shows a `? ` prompt only to a person at a terminal. */
async function prompt(onQuestion: (question: string) => Promise<void>): Promise<void> {
  const terminal = Boolean(process.stdin.isTTY);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal });
  rl.setPrompt('? ');
  if (terminal) rl.prompt();
  for await (const line of rl) {
    if (line.trim() !== '') await onQuestion(line);
    if (terminal) rl.prompt();
  }
}
