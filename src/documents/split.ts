/**
 * Documents → passages: the units citebot quotes. Every passage is a verbatim,
 * trimmed slice of the document text, numbered the way a reader counts
 * paragraphs (split at blank lines), with the file lines it came from.
 *
 * Everything here is a bounded scan per line or per character, so a 10 MB
 * line, NUL bytes or deeply nested Markdown cost linear time.
 */
import { createHash } from 'node:crypto';
import { lineIndex, type Block, type Lines } from './lines.js';
import { markdownBlocks } from './markdown.js';
import { chunkSpans, isSpace } from '../text/sentences.js';
import type { LoadedDocument, Passage, Span } from '../types.js';

/**
 * Longest passage, in characters. all-MiniLM-L6-v2 reads at most 256 word-piece
 * tokens and silently drops the rest; English prose averages about 4–4.5
 * characters per token, so ~1000 characters (~220–250 tokens) is the most that
 * is still embedded in full.
 */
export const DEFAULT_MAX_CHARS = 1000;

/** Fewer words than this make a scrap ("- Share via", "More to Read"): kept, but never an answer. */
const MIN_SEARCHABLE_WORDS = 4;

/** Titles longer than this are cut (at a word) with an ellipsis. */
const MAX_TITLE_CHARS = 200;

/** Lines longer than this are not hard-wrapped prose (that wraps at 70–80 columns). */
const LONG_LINE = 100;

export interface SplitOptions {
  /** Longest passage in characters (default `DEFAULT_MAX_CHARS`). */
  maxChars?: number;
}

/**
 * Splits a loaded document into passages.
 *
 * @example
 * const passages = splitDocument(doc);                 // default maxChars
 * const small = splitDocument(doc, { maxChars: 400 }); // more, shorter pieces
 * passages[0]; // { id: 'a.txt#1', paragraph: 1, part: 0, lines: [1, 1], text: 'Title', … }
 */
export function splitDocument(doc: LoadedDocument, options: SplitOptions = {}): Passage[] {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const lines = lineIndex(doc.text);
  const markdown = doc.kind === 'markdown' ? markdownBlocks(lines) : null;
  const blocks = (markdown?.blocks ?? textBlocks(lines)).flatMap((block) => paragraphsOf(block, lines));
  const title = documentTitle(blocks, lines, markdown?.frontMatterTitle ?? null);
  const passages: Passage[] = [];
  blocks.forEach((block, index) => {
    for (const piece of piecesOf(block, lines, doc.text, maxChars)) {
      passages.push(toPassage(doc, block, index + 1, piece, lines, title));
    }
  });
  return passages;
}

/** Plain text and extracted HTML: runs of non-blank lines, as `/\n\s*\n/` would split them. */
function textBlocks(lines: Lines): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;
  for (let i = 0; i < lines.count; i++) {
    if (isBlank(lines, i)) {
      open = null;
    } else if (open) {
      open.last = i;
    } else {
      open = { kind: 'prose', first: i, last: i, headings: [] };
      blocks.push(open);
    }
  }
  return blocks;
}

/** One block, or one block per line when the block is written one paragraph per line. */
function paragraphsOf(block: Block, lines: Lines): Block[] {
  if (block.kind !== 'prose' || block.hasFence || block.first === block.last) return [block];
  const texts: string[] = [];
  for (let i = block.first; i <= block.last; i++) texts.push(lines.text(i).trim());
  if (!isOneParagraphPerLine(texts)) return [block];
  const perLine: Block[] = [];
  texts.forEach((text, k) => {
    if (text !== '') perLine.push({ ...block, first: block.first + k, last: block.first + k });
  });
  return perLine;
}

/**
 * Tells a block written one paragraph per line (like the seed article: lines of
 * 150–400 characters, each ending a sentence) from hard-wrapped prose (lines cut
 * at 70–80 columns, mostly mid-sentence). Line endings decide: wrapped lines
 * rarely end a sentence. Short-line blocks (addresses, poems, lists, tables)
 * stay whole: they read as a unit, and their single lines would be scraps.
 * Exported for tests.
 */
export function isOneParagraphPerLine(texts: string[]): boolean {
  if (texts.length < 2) return false;
  const inner = texts.slice(0, -1);
  const ended = inner.filter(endsSentence).length / inner.length;
  const long = texts.filter((t) => t.length > LONG_LINE).length / texts.length;
  if (long >= 0.5 && ended >= 0.5) return true;
  const words = texts.reduce((sum, t) => sum + countWords(t, Infinity), 0) / texts.length;
  return texts.length >= 3 && ended >= 0.8 && words >= 6;
}

function endsSentence(line: string): boolean {
  let k = line.length - 1;
  while (k >= 0 && /["'”’»)\]]/.test(line[k]!)) k--;
  return k >= 0 && /[.!?…。！？:]/.test(line[k]!);
}

/** The ranges of a block's text that become passages: the whole (trimmed) block, or its pieces. */
function piecesOf(block: Block, lines: Lines, text: string, maxChars: number): Array<Span & { part: number }> {
  const whole = trimRange(text, lines.start(block.first), lines.end(block.last));
  if (whole.end - whole.start <= maxChars || block.kind !== 'prose') return [{ ...whole, part: 0 }];
  // Chunk a bounded copy and shift back: a 10 MB paragraph is scanned once.
  const slice = text.slice(whole.start, whole.end);
  return chunkSpans(slice, maxChars).map((span, k) => ({
    start: whole.start + span.start,
    end: whole.start + span.end,
    part: k + 1,
  }));
}

function toPassage(
  doc: LoadedDocument,
  block: Block,
  paragraph: number,
  piece: Span & { part: number },
  lines: Lines,
  title: string,
): Passage {
  const text = doc.text.slice(piece.start, piece.end);
  const first = sourceLine(doc, lines.lineOf(piece.start));
  const last = sourceEndLine(doc, lines.lineOf(Math.max(piece.start, piece.end - 1)));
  const page = doc.page?.[lines.lineOf(piece.start)];
  return {
    id: piece.part === 0 ? `${doc.file}#${paragraph}` : `${doc.file}#${paragraph}.${piece.part}`,
    file: doc.file,
    paragraph,
    part: piece.part,
    lines: [first, Math.max(first, last)],
    title,
    headings: block.headings,
    text,
    hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
    searchable: block.kind === 'prose' && countWords(text, MIN_SEARCHABLE_WORDS) >= MIN_SEARCHABLE_WORDS,
    ...(page === undefined ? {} : { page }),
  };
}

/** 1-based source-file line of a 0-based text line (HTML maps through `sourceLine`). */
function sourceLine(doc: LoadedDocument, textLine: number): number {
  return doc.sourceLine?.[textLine] ?? textLine + 1;
}

/** 1-based source-file line where a 0-based text line ends (HTML text lines can span several). */
function sourceEndLine(doc: LoadedDocument, textLine: number): number {
  return doc.sourceEndLine?.[textLine] ?? sourceLine(doc, textLine);
}

/** First heading, else the front matter's title, else the first non-empty line. */
function documentTitle(blocks: Block[], lines: Lines, frontMatterTitle: string | null): string {
  const heading = blocks.find((b) => b.kind === 'heading')?.heading;
  const firstProse = blocks.find((b) => b.kind !== 'meta');
  const firstLine = firstProse ? lines.text(firstProse.first) : '';
  return capTitle(heading || frontMatterTitle || firstLine);
}

function capTitle(raw: string): string {
  const title = raw.slice(0, MAX_TITLE_CHARS * 2).trim();
  if (title.length <= MAX_TITLE_CHARS) return title;
  const cut = title.lastIndexOf(' ', MAX_TITLE_CHARS - 1);
  return `${title.slice(0, cut > MAX_TITLE_CHARS / 2 ? cut : MAX_TITLE_CHARS - 1).trimEnd()}…`;
}

/** Counts words (runs of letters or digits), stopping early at `enough`. */
function countWords(text: string, enough: number): number {
  let words = 0;
  for (const _ of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (++words >= enough) break;
  }
  return words;
}

/** Same notion of blank as `/\n\s*\n/`: `trim` and `\s` share one set of characters. */
function isBlank(lines: Lines, i: number): boolean {
  return lines.text(i).trim() === '';
}

function trimRange(text: string, start: number, end: number): Span {
  let a = start;
  let b = end;
  while (a < b && isSpace(text[a]!)) a++;
  while (b > a && isSpace(text[b - 1]!)) b--;
  return { start: a, end: b };
}
