/**
 * Sentence boundaries in prose, as character ranges. Shared by the splitter
 * (long paragraphs break between sentences), highlighting (best sentence of a
 * passage) and Discord trimming (cut at a sentence end). One linear scan, no
 * regular expressions over the whole text, so hostile input cannot make it slow.
 */
import type { Span } from '../types.js';

/** Ends a sentence when followed by whitespace (or the end of the text). */
const TERMINALS = new Set(['.', '!', '?', '…', '‽']);
/** CJK full stops end a sentence even with no space after them. */
const CJK_TERMINALS = new Set(['。', '！', '？']);
/** Closing quotes and brackets that belong to the sentence they follow. */
const CLOSERS = new Set([')', ']', '}', '"', "'", '”', '’', '»', '›']);
/** A sentence may start with these as well as with a capital letter or digit. */
const OPENERS = new Set(['(', '[', '"', "'", '“', '‘', '«', '‹', '¿', '¡', '-', '*', '•', '—', '–']);

/**
 * Words that end with a period without ending a sentence ("Mr. Smith",
 * "the U.S. Senate"). "etc." and "a.m." are left out on purpose: they end
 * sentences at least as often as not.
 */
const ABBREVIATIONS = new Set(
  (
    'mr mrs ms dr prof sr jr st mt sen rep gov gen lt col capt sgt adm cmdr pres supt ' +
    'vs cf e.g i.e u.s u.k u.n u.s.a d.c no nos vol fig figs ch sec art ' +
    'inc ltd co corp dept est approx jan feb mar apr jun jul aug sep sept oct nov dec'
  ).split(' '),
);

/** How far back to look for an abbreviation before a period. */
const MAX_ABBREVIATION = 8;

/**
 * Splits text into sentences. Each span is trimmed of surrounding whitespace;
 * spans are in order, never overlap, and together cover every non-whitespace
 * character. A blank line always ends a sentence.
 *
 * @example
 * const text = 'Dr. Who arrived. Then he left!';
 * sentenceSpans(text).map((s) => text.slice(s.start, s.end));
 * // → ['Dr. Who arrived.', 'Then he left!']
 */
export function sentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  let start = skipSpace(text, 0);
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n' && isBlankLineAt(text, i)) {
      pushTrimmed(text, start, i, spans);
      start = skipSpace(text, i);
      i = start;
      continue;
    }
    if (CJK_TERMINALS.has(ch) || TERMINALS.has(ch)) {
      const end = skipClosers(text, i + 1);
      if (endsSentence(text, i, end)) {
        pushTrimmed(text, start, end, spans);
        start = skipSpace(text, end);
        i = start;
        continue;
      }
      i = end;
      continue;
    }
    i++;
  }
  pushTrimmed(text, start, text.length, spans);
  return spans;
}

/**
 * Groups sentences into chunks of at most `maxChars` characters each (as ranges
 * of `text`, so every chunk is a verbatim slice). Chunks aim at equal sizes, so
 * a paragraph of 2,100 characters becomes three of ~700 rather than 1,000 +
 * 1,000 + 100. A sentence longer than `maxChars` is cut at the last space that
 * fits, or hard-cut when there is none.
 *
 * @example
 * chunkSpans('One. Two. Three.', 10); // → [{start: 0, end: 9}, {start: 10, end: 16}]
 */
export function chunkSpans(text: string, maxChars: number): Span[] {
  const limit = Math.max(1, Math.floor(maxChars));
  const pieces = sentenceSpans(text).flatMap((sentence) => cutToFit(text, sentence, limit));
  if (pieces.length === 0) return [];
  const total = pieces[pieces.length - 1]!.end - pieces[0]!.start;
  // Try the fewest chunks first; sentence edges may force one or two more.
  let chunks: Span[] = [];
  for (let count = Math.ceil(total / limit); count <= Math.ceil(total / limit) + MAX_EXTRA_CHUNKS; count++) {
    chunks = pack(pieces, limit, total / count);
    if (chunks.length <= count) break;
  }
  return chunks;
}

/** How many more chunks than the minimum balancing may try before settling. */
const MAX_EXTRA_CHUNKS = 3;

/** Greedy packing that closes a chunk once the next piece's middle would pass `target`. */
function pack(pieces: Span[], limit: number, target: number): Span[] {
  const chunks: Span[] = [];
  let current: Span | null = null;
  for (const piece of pieces) {
    const fits = current !== null && piece.end - current.start <= limit;
    if (current && fits && (piece.start + piece.end) / 2 - current.start <= target) {
      current.end = piece.end;
    } else {
      if (current) chunks.push(current);
      current = { ...piece };
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Splits one over-long span at word boundaries (hard cuts as a last resort). */
function cutToFit(text: string, span: Span, limit: number): Span[] {
  const pieces: Span[] = [];
  let start = span.start;
  while (span.end - start > limit) {
    const cut = cutPoint(text, start, start + limit);
    pushTrimmed(text, start, cut, pieces);
    start = skipSpace(text, cut);
  }
  if (start < span.end) pushTrimmed(text, start, span.end, pieces);
  return pieces;
}

/** The last whitespace in the back half of the window, else `hardEnd` (never inside a surrogate pair). */
function cutPoint(text: string, start: number, hardEnd: number): number {
  const floor = start + Math.floor((hardEnd - start) / 2);
  for (let k = hardEnd; k > floor; k--) {
    if (isSpace(text[k]!)) return k;
  }
  const code = text.charCodeAt(hardEnd - 1);
  const splitsPair = code >= 0xd800 && code <= 0xdbff && hardEnd - 1 > start;
  return splitsPair ? hardEnd - 1 : hardEnd;
}

function endsSentence(text: string, at: number, after: number): boolean {
  if (CJK_TERMINALS.has(text[at]!)) return true;
  if (after >= text.length) return true;
  if (!isSpace(text[after]!)) return false;
  const next = skipSpace(text, after);
  if (next >= text.length) return true;
  if (text[at] === '.' && isAbbreviationBefore(text, at)) return false;
  return startsSentence(text[next]!);
}

function startsSentence(ch: string): boolean {
  if (OPENERS.has(ch) || (ch >= '0' && ch <= '9')) return true;
  const upper = ch.toUpperCase();
  const lower = ch.toLowerCase();
  // Capitals start sentences; so do letters of scripts without case (CJK, Arabic…).
  return ch === upper && (ch !== lower || /\p{L}/u.test(ch));
}

/** True for "Mr." and "U.S." and initials like "J." before the period at `dot`. */
function isAbbreviationBefore(text: string, dot: number): boolean {
  let k = dot;
  while (k > 0 && dot - k < MAX_ABBREVIATION && isWordChar(text[k - 1]!)) k--;
  if (k > 0 && isWordChar(text[k - 1]!)) return false;
  const word = text.slice(k, dot).toLowerCase();
  if (word.length === 1 && /\p{L}/u.test(word)) return true;
  return ABBREVIATIONS.has(word);
}

function isWordChar(ch: string): boolean {
  return ch === '.' || /[\p{L}\p{N}]/u.test(ch);
}

function skipClosers(text: string, i: number): number {
  while (i < text.length && (TERMINALS.has(text[i]!) || CLOSERS.has(text[i]!))) i++;
  return i;
}

/** True when the newline at `i` is followed by a whitespace-only line. */
function isBlankLineAt(text: string, i: number): boolean {
  for (let k = i + 1; k < text.length; k++) {
    const ch = text[k]!;
    if (ch === '\n') return true;
    if (!isSpace(ch)) return false;
  }
  return true;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text[i]!)) i++;
  return i;
}

function pushTrimmed(text: string, start: number, end: number, into: Span[]): void {
  let a = start;
  let b = end;
  while (a < b && isSpace(text[a]!)) a++;
  while (b > a && isSpace(text[b - 1]!)) b--;
  if (b > a) into.push({ start: a, end: b });
}

/**
 * The same characters as `\s` and `String.prototype.trim`.
 *
 * @example
 * isSpace('\u00a0'); // true; isSpace('x') is false
 */
export function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return /\s/.test(ch);
}
