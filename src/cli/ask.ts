/**
 * `citebot ask`: answer the question on the command line, the questions piped
 * to stdin (one per line), or, at a terminal with no question, those typed at
 * the prompt.
 */
import readline from 'node:readline';
import { CitebotError } from '../errors.js';
import { question as checkQuestion } from '../text/question.js';
import { answerOne, refused } from './answer-one.js';
import { configFor, librarySession, requireDocuments, withSession } from './context.js';
import { converse } from './conversation.js';
import { locationOptions, stringFlag, type CliCommand } from './command.js';

export const askCommand = {
  summary: 'Answer a question by quoting the passages that answer it.',
  usage: 'citebot ask [--docs DIR] [--index DIR] [--top-k N] [--json] [--verbose] [QUESTION]   (no QUESTION: the prompt, or one per line on stdin)',
  options: { ...locationOptions, 'top-k': { type: 'string' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
  positionals: true,
  async run(flags, positionals, io) {
    const topK = parseTopK(stringFlag(flags, 'top-k'));
    const question = positionals.join(' ');
    // Before the model and the index are loaded: that can take a while for nothing.
    if (positionals.length > 0) {
      const checked = checkQuestion(question);
      if (!checked.ok && checked.reason === 'empty') throw refused(checked.message);
    }
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') }, io.env);
    if (topK !== undefined) config.topK = topK;
    return withSession(config, io, { verbose: flags.verbose === true }, async (session) => {
      const library = await librarySession(session, io);
      requireDocuments(library, config.docsDir);
      // A person at a terminal with no question gets the prompt, for this --docs and --index.
      if (positionals.length === 0 && io.inputIsTerminal && !flags.json) return converse(library, session, io);
      const questions = positionals.length > 0 ? single(question) : inputLines(io.input);
      for await (const q of questions) await answerOne(library, q, flags, io);
      return 0;
    });
  },
} satisfies CliCommand;

function parseTopK(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 25) {
    throw new CitebotError(`Invalid --top-k ${JSON.stringify(value)}: expected a whole number from 1 to 25.`);
  }
  return n;
}

async function* single(question: string): AsyncGenerator<string> {
  yield question;
}

/** Non-blank lines of stdin; blank lines between questions are skipped, not errors. */
async function* inputLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') yield line;
}
