/** `citebot ask`: answer questions from the command line or from piped stdin. */
import readline from 'node:readline';
import { CitebotError } from '../errors.js';
import { question as checkQuestion } from '../text/question.js';
import { formatAnswerText, toJson } from './format.js';
import type { Library } from '../library/library.js';
import type { Answer } from '../types.js';
import { configFor, librarySession, withSession } from './context.js';
import type { Io } from './io.js';
import { locationOptions, stringFlag, type CliCommand, type Flags } from './command.js';

export const askCommand = {
  summary: 'Answer a question by quoting the passages that answer it.',
  usage: 'citebot ask [--docs DIR] [--index DIR] [--top-k N] [--json] [--verbose] [QUESTION]   (no QUESTION: one per line on stdin)',
  options: { ...locationOptions, 'top-k': { type: 'string' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
  positionals: true,
  async run(flags, positionals, io) {
    const topK = parseTopK(stringFlag(flags, 'top-k'));
    const question = positionals.join(' ');
    if (positionals.length === 0 && process.stdin.isTTY) {
      throw new CitebotError('No question given.', { hint: 'Usage: citebot ask "Your question?" (or pipe one question per line).' });
    }
    // Before the model and the index are loaded: that can take a while for nothing.
    if (positionals.length > 0) {
      const checked = checkQuestion(question);
      if (!checked.ok && checked.reason === 'empty') throw refused(checked.message);
    }
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') });
    if (topK !== undefined) config.topK = topK;
    return withSession(config, io, { verbose: flags.verbose === true }, async (session) => {
      const library = await librarySession(session, io);
      const questions = positionals.length > 0 ? single(question) : stdinLines();
      for await (const q of questions) await answerOne(library, q, flags, io);
      return 0;
    });
  },
} satisfies CliCommand;

/**
 * Prints one answer, as JSON (one line) or as quoted text.
 *
 * @example
 * await answerOne(library, 'Who led the talks?', { json: true }, processIo);
 */
export async function answerOne(library: Library, question: string, flags: Flags, io: Io): Promise<void> {
  const typed = question.trim();
  // Piped input is answered line for line, whatever was typed: an over-long
  // line is searched by its start, a line without words is simply not found.
  const checked = checkQuestion(typed, { cut: true });
  if (!checked.ok && checked.reason === 'empty') throw refused(checked.message);
  const found = checked.ok ? await library.ask(checked.question) : null;
  const answer: Answer = found ? { ...found, question: typed } : notFound(typed, library);
  if (flags.json) io.out(`${JSON.stringify(toJson(answer))}\n`);
  else io.out(`${formatAnswerText(answer, io.color ? bold : undefined)}\n`);
}

function notFound(question: string, library: Library): Answer {
  return { question, answered: false, verdict: 'none', mode: library.stats().mode, confidence: 0, results: [] };
}

function refused(message: string): CitebotError {
  return new CitebotError(message, { hint: 'Ask something, e.g. citebot ask "Who led the talks?"' });
}

function bold(text: string): string {
  return `\x1b[1m${text}\x1b[22m`;
}

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
async function* stdinLines(): AsyncGenerator<string> {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') yield line;
}
