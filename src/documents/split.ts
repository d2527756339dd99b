/**
 * Documents → passages: the units citebot quotes. Every passage is a verbatim,
 * trimmed slice of the document text, numbered the way a reader counts
 * paragraphs (split at blank lines), with the file lines it came from.
 *
 * Everything here is a bounded scan per line or per character, so a 10 MB
 * line, NUL bytes or deeply nested Markdown cost linear time.
 */
import { createHash } from 'node:crypto';
import { markCopies } from './copies.js';
import { TERM_LEVEL } from './html.js';
import { lineIndex, type Block, type Lines } from './lines.js';
import { markdownBlocks } from './markdown.js';
import { chunkSpans, isSpace } from '../text/sentences.js';
import type { DocumentOutline, LoadedDocument, Passage, Span } from '../types.js';

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
  const raw = markdown?.blocks ?? (doc.outline ? htmlBlocks(lines, doc.outline) : textBlocks(lines));
  const blocks = raw.flatMap((block) => paragraphsOf(block, lines));
  const given = markdown?.frontMatterTitle ?? doc.outline?.title ?? null;
  // A PDF's Info title is what its author named it; its first large line may be a cover or a contents page.
  const title = doc.kind === 'pdf' && given ? capTitle(given) : documentTitle(blocks, lines, given);
  const passages: Passage[] = [];
  blocks.forEach((block, index) => {
    for (const piece of piecesOf(block, lines, doc.text, maxChars)) {
      passages.push(toPassage(doc, block, index + 1, piece, lines, title));
    }
  });
  return passages;
}

/**
 * Splits every document of a folder, then marks the copies of text that a
 * preferred format already holds (see `markCopies`). `pause` runs between
 * documents, so a caller can let its event loop in.
 *
 * @example
 * const passages = await splitDocuments(await loadDocuments('docs', warn));
 */
export async function splitDocuments(
  docs: readonly LoadedDocument[],
  options: SplitOptions = {},
  pause: () => Promise<void> = async () => {},
): Promise<Passage[]> {
  const passages: Passage[] = [];
  for (const doc of docs) {
    await pause();
    for (const passage of splitDocument(doc, options)) passages.push(passage); // no spread: a huge file would overflow the stack
  }
  const kinds = new Map(docs.map((doc) => [doc.file, doc.kind]));
  return markCopies(passages, (file) => kinds.get(file) ?? 'text');
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

/**
 * Extracted HTML: text blocks, with the reader's headings as heading blocks
 * that build the heading path (as Markdown headings do), and link lists
 * (tables of contents, "see also" menus) kept out of answers.
 */
function htmlBlocks(lines: Lines, outline: DocumentOutline): Block[] {
  const headingAt = new Map(outline.headings.filter((h) => !h.closes).map((h) => [h.line, h]));
  const closes = outline.headings.filter((h) => h.closes);
  const path: Array<{ level: number; text: string; anchor: string | null }> = [];
  let nextClose = 0;
  const blocks = textBlocks(lines);
  blocks.forEach((block, i) => {
    const previous = blocks[i - 1];
    for (; nextClose < closes.length && closes[nextClose]!.line <= block.first; nextClose++) {
      const level = closes[nextClose]!.level;
      while (path.length > 0 && path[path.length - 1]!.level >= level) path.pop();
    }
    const heading = headingAt.get(block.first);
    const above = path.map((h) => h.text);
    const anchor = [...path].reverse().find((h) => h.anchor !== null)?.anchor ?? undefined;
    if (heading) {
      // Terms in a row name one definition ("--squash" and "--no-squash", two overloads): it is under all of them.
      const last = path[path.length - 1];
      const joined = last !== undefined && last.level === heading.level && heading.level >= TERM_LEVEL && previous?.kind === 'heading' ? last : null;
      const text = joined ? joinTerms(joined.text, headingText(lines, block)) : headingText(lines, block);
      while (path.length > 0 && path[path.length - 1]!.level >= heading.level) path.pop();
      path.push({ level: heading.level, text, anchor: joined?.anchor ?? heading.anchor });
      Object.assign(block, { kind: 'heading', heading: text, headings: path.slice(0, -1).map((h) => h.text) });
      if (heading.anchor !== null) block.anchor = heading.anchor;
      return;
    }
    block.headings = above;
    if (anchor !== undefined) block.anchor = anchor;
    if (linkShare(outline, block) > LINK_LIST) block.kind = 'meta';
  });
  return blocks;
}

function joinTerms(first: string, next: string): string {
  return cappedHeading(`${first}, ${next}`);
}

/** A block with more of its text in links than this is navigation (a table of contents), not an answer. */
const LINK_LIST = 0.7;

function linkShare(outline: DocumentOutline, block: Block): number {
  let sum = 0;
  for (let i = block.first; i <= block.last; i++) sum += outline.linkShare[i] ?? 0;
  return sum / (block.last - block.first + 1);
}

function headingText(lines: Lines, block: Block): string {
  const words: string[] = [];
  for (let i = block.first; i <= block.last; i++) words.push(lines.text(i).trim());
  return cappedHeading(words.join(' '));
}

/** A heading as the heading path holds it: at most MAX_TITLE_CHARS, an ellipsis marking the cut. */
function cappedHeading(text: string): string {
  return text.length <= MAX_TITLE_CHARS ? text : `${text.slice(0, MAX_TITLE_CHARS - 1)}…`;
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
    ...(block.anchor === undefined ? {} : { anchor: block.anchor }),
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
