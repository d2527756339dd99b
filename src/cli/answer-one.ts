/** One question in, one printed answer out: shared by `citebot ask` and the terminal prompt. */
import { CitebotError } from '../errors.js';
import type { Library } from '../library/library.js';
import { question as checkQuestion } from '../text/question.js';
import type { Answer } from '../types.js';
import type { Flags } from './command.js';
import { formatAnswerText, toJson } from './format.js';
import type { Io } from './io.js';

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

/**
 * The error for a question that can't be asked at all (empty).
 *
 * @example
 * if (!checked.ok && checked.reason === 'empty') throw refused(checked.message);
 */
export function refused(message: string): CitebotError {
  return new CitebotError(message, { hint: 'Ask something, e.g. citebot ask "Who led the talks?"' });
}

function notFound(question: string, library: Library): Answer {
  return { question, answered: false, verdict: 'none', mode: library.stats().mode, confidence: 0, results: [] };
}

function bold(text: string): string {
  return `\x1b[1m${text}\x1b[22m`;
}
