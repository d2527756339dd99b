/**
 * What every shell does to a question before searching: spaces collapsed,
 * a length cap, and the "no words" rule. One place, so `/ask`, `/search`,
 * mentions, "Find sources" and `citebot ask` accept and refuse the same things.
 */
import { cutPoint } from './cut.js';

/** Longer questions are refused (or cut, for text that only steers a search). */
export const MAX_QUESTION_CHARS = 1000;

export type QuestionCheck =
  | { ok: true; question: string }
  | { ok: false; reason: 'empty' | 'no-words' | 'too-long'; message: string };

export interface QuestionOptions {
  /** Cut an over-long text at a word instead of refusing it ("Find sources" on a long message). */
  cut?: boolean;
  /** Cap in characters (default MAX_QUESTION_CHARS). */
  maxChars?: number;
}

/**
 * The one check cheap enough to run before an interaction is deferred: a
 * question with no letter or digit in any script (only emoji, punctuation or
 * markup) has nothing to look up. `question()` applies the same rule.
 *
 * @example
 * hasWords('😀 **?**');     // false
 * hasWords('Who led it?'); // true
 */
export function hasWords(raw: string): boolean {
  return WORD.test(raw);
}

/** A letter or digit in any script. */
const WORD = /[\p{L}\p{N}]/u;

/**
 * Normalises a question or refuses it with a one-line reason a user can act on.
 * "No words" means no letter or digit in any script (only emoji, punctuation
 * or markup): "the documents don't cover this" would be the wrong reply.
 *
 * @example
 * question('  Who   led\nthe talks? '); // { ok: true, question: 'Who led the talks?' }
 * question('😀 **?**');                  // { ok: false, reason: 'no-words', message: 'The question has no words to look up.' }
 */
export function question(raw: string, options: QuestionOptions = {}): QuestionCheck {
  const max = options.maxChars ?? MAX_QUESTION_CHARS;
  let text = raw.replace(/\s+/g, ' ').trim();
  if (text === '') return { ok: false, reason: 'empty', message: 'The question is empty.' };
  if (!hasWords(text)) return { ok: false, reason: 'no-words', message: 'The question has no words to look up.' };
  if (text.length > max) {
    if (!options.cut) {
      return { ok: false, reason: 'too-long', message: `The question is too long (${text.length} characters; at most ${max}).` };
    }
    text = cutAtWord(text, max);
  }
  return { ok: true, question: text };
}

function cutAtWord(text: string, max: number): string {
  const space = text.lastIndexOf(' ', max);
  // Never half a surrogate pair (or a grapheme) at the end.
  const end = space > max / 2 ? space : cutPoint(text, max);
  return text.slice(0, end).trimEnd();
}
