/**
 * PDF → text with the page each line came from, so a quote can be cited as
 * "p. 12". Text comes from unpdf (Mozilla's PDF.js, built to run without a
 * browser or native canvas). PDF has no paragraphs, only positioned lines:
 * a gap between lines clearly taller than the page's usual line spacing
 * becomes a blank line, which is what the splitter reads as a paragraph break.
 *
 * Nor has it headings, only type sizes: a short line set clearly larger than
 * the body text is a heading, one level per size (largest first), so a
 * manual's passages carry "3 Basic Shell Features › 3.1 Shell Syntax" as HTML
 * ones do, and a heading is never an answer on its own. Table-of-contents and
 * index lines ("3.1 Shell Syntax . . . . 5") are kept out of answers, and a
 * word the typesetter hyphenated across two lines is whole again.
 */
import { CitebotError } from '../errors.js';
import type { DocumentHeading, DocumentOutline } from '../types.js';

/** Text extracted from a PDF; `page[i]` is the 1-based page of text line `i + 1`. */
export interface PdfText {
  text: string;
  page: number[];
  /** Headings found by type size, and the table-of-contents lines (as `linkShare` 1). */
  outline: DocumentOutline;
}

/** A line gap this many times the page's usual spacing starts a new paragraph. */
const PARAGRAPH_GAP = 1.3;
/** Running headers and footers: a short line repeated on this share of pages (and at least 3) is page chrome. */
const CHROME_SHARE = 0.3;

interface PdfLine {
  text: string;
  /** Baseline height on the page (PDF units, larger is higher up). */
  y: number;
  /** Type size of the line's largest text (PDF units, to a tenth). */
  size: number;
}

/** A line set at least this many times the body's type size is a heading… */
const HEADING_SIZE = 1.15;
/** …if it is no longer than this: a larger-set paragraph (a title page's blurb) is not. */
const MAX_HEADING_CHARS = 150;
/** The most heading levels the splitter's path keeps apart (h1–h6). */
const MAX_LEVEL = 6;
/** A table-of-contents or index entry: a dot leader before a page number or several ("8, 86"). */
const LEADER = /(?:\.\s?){4,}\s*[\divxlc]+(?:,\s*[\divxlc]+)*\s*$/i;
/** An index's group letter ("F" above "fc . . . 153"): navigation, like the entries under it. */
const INDEX_LETTER = /^\p{Lu}$/u;

/** The parts of a PDF.js text item we read. */
interface TextItem {
  str: string;
  hasEOL: boolean;
  transform: number[];
}

/**
 * Extracts a PDF's text, page by page. Throws a CitebotError when the bytes are
 * not a PDF it can read (damaged, or encrypted with a password).
 *
 * @example
 * const { text, page } = await pdfToText(await readFile('manual.pdf'));
 * page[0]; // 1: the first text line is on page 1
 */
export async function pdfToText(bytes: Uint8Array): Promise<PdfText> {
  const { getDocumentProxy } = await import('unpdf');
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // A copy: PDF.js transfers (detaches) the buffer it is given.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (err) {
    throw new CitebotError(`not a readable PDF (${firstLine(err)})`, { cause: err });
  }
  try {
    const pages: PdfLine[][] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      pages.push(pageLines((content.items as unknown[]).filter(isTextItem)));
    }
    const text = joinPages(dropChrome(pages));
    text.outline.title = await documentTitle(pdf);
    return text;
  } finally {
    await pdf.destroy();
  }
}

/** The title in the PDF's Info dictionary, when it has a real one (not a file name some tool wrote there). */
async function documentTitle(pdf: { getMetadata(): Promise<{ info: object }> }): Promise<string | null> {
  const info = await pdf.getMetadata().then((meta) => meta.info as { Title?: unknown }, () => null);
  const title = typeof info?.Title === 'string' ? info.Title.trim() : '';
  return title === '' || /\.(?:pdf|docx?|tex|dvi)$/i.test(title) ? null : title;
}

function isTextItem(item: unknown): item is TextItem {
  return typeof item === 'object' && item !== null && 'str' in item && 'transform' in item;
}

/** Items → lines: PDF.js marks the item that ends a line; items in between (links, footnote marks) join it. */
function pageLines(items: TextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let text = '';
  let y: number | null = null;
  let size = 0;
  const end = (): void => {
    if (text.trim() !== '') lines.push({ text: text.trimEnd(), y: y ?? 0, size });
    [text, y, size] = ['', null, 0];
  };
  for (const item of items) {
    if (item.str !== '' && y === null) y = item.transform[5] ?? 0;
    // The text matrix's vertical scale is the type size (unrotated text).
    if (item.str.trim() !== '') size = Math.max(size, Math.round(Math.hypot(item.transform[2] ?? 0, item.transform[3] ?? 0) * 10) / 10);
    text += item.str;
    if (item.hasEOL) end();
  }
  end();
  return lines;
}

/**
 * Drops running headers, footers and bare page numbers, which would otherwise
 * split paragraphs across pages: a line at a page's top or bottom that repeats
 * on many pages, or that carries the page's number ("Chapter 3: Basic Shell
 * Features 17", where the next page's says 18), whatever else it says.
 */
function dropChrome(pages: PdfLine[][]): PdfLine[][] {
  const shape = (line: string): string => line.replace(/\d+/g, '#').trim();
  const seen = new Map<string, number>();
  for (const lines of pages) {
    for (const key of new Set(edges(lines).map((l) => shape(l.text)))) seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const minPages = Math.max(3, Math.ceil(pages.length * CHROME_SHARE));
  const numbered = pageNumberLines(pages);
  return pages.map((lines, p) =>
    lines.filter((line, i) => {
      if (i !== 0 && i !== lines.length - 1) return true;
      const key = shape(line.text);
      return !(/^[#\s]*$/.test(key) || (seen.get(key) ?? 0) >= minPages || numbered[p]!.has(line));
    }),
  );
}

/** A page's first and last lines: where running headers and footers sit. */
function edges(lines: PdfLine[]): PdfLine[] {
  return lines.length > 1 ? [lines[0]!, lines[lines.length - 1]!] : lines;
}

/** Per page, its edge lines that start or end with a number one more than the previous page's (or one less than the next's). */
function pageNumberLines(pages: PdfLine[][]): Array<Set<PdfLine>> {
  const numberIn = (match: RegExpExecArray | null): number | null => (match === null ? null : Number(match[1]));
  const numberOf = (line: PdfLine): { lead: number | null; tail: number | null } => ({
    lead: numberIn(/^(\d+)\s/.exec(line.text)),
    tail: numberIn(/\s(\d+)$/.exec(line.text)),
  });
  const numbers = pages.map((lines) => edges(lines).map((line) => ({ line, ...numberOf(line) })));
  return numbers.map((own, p) => {
    const near = [...(numbers[p - 1] ?? []).map((n) => ({ ...n, step: 1 })), ...(numbers[p + 1] ?? []).map((n) => ({ ...n, step: -1 }))];
    const follows = (value: number | null, side: 'lead' | 'tail'): boolean =>
      value !== null && near.some((other) => other[side] !== null && value - other[side]! === other.step);
    return new Set(own.filter((n) => follows(n.lead, 'lead') || follows(n.tail, 'tail')).map((n) => n.line));
  });
}

/**
 * Lines → text with blank lines at paragraph gaps, around headings and
 * between pages; records each line's page, the headings and the
 * table-of-contents lines.
 */
function joinPages(pages: PdfLine[][]): PdfText {
  const headingLevel = headingLevels(pages);
  const out: string[] = [];
  const page: number[] = [];
  const headings: DocumentHeading[] = [];
  const linkShare: number[] = [];
  const push = (text: string, n: number): void => {
    out.push(text);
    page.push(n);
    linkShare.push(LEADER.test(text) || INDEX_LETTER.test(text.trim()) ? 1 : 0);
  };
  // Over the whole document: a page with three lines can't tell its leading from a paragraph gap.
  const spacing = usualSpacing(pages);
  pages.forEach((lines, index) => {
    const levels = lines.map(headingLevel);
    const breaks = lines.map((line, i) => {
      const previous = lines[i - 1];
      if (previous === undefined) return out.length > 0 && !(levels[i] === 0 && runsOn(out[out.length - 1] ?? '', line.text));
      const gap = previous.y - line.y;
      return gap <= 0 || gap > spacing * PARAGRAPH_GAP || levels[i] !== levels[i - 1];
    });
    const texts = rejoinHyphenated(lines.map((l) => l.text), breaks);
    lines.forEach((line, i) => {
      const level = levels[i]!;
      if (breaks[i] && out.length > 0 && out[out.length - 1] !== '') push('', index + 1);
      if (level > 0 && (breaks[i] || i === 0)) headings.push({ line: out.length, level, anchor: null });
      push(texts[i] ?? line.text, index + 1);
    });
  });
  return { text: out.join('\n'), page, outline: { title: null, headings, linkShare } };
}

/** A paragraph that goes on over a page break: no sentence end before it, lower case after. */
function runsOn(before: string, after: string): boolean {
  return before !== '' && !/[.!?:]["'’”)\]]*$/u.test(before) && /^\p{Ll}/u.test(after);
}

/**
 * A line's heading level (0 for none): short lines set clearly larger than the
 * body text (the size most characters are set in) are headings, one level per
 * size, largest first; a contents entry in a heading's size is not one.
 */
function headingLevels(pages: PdfLine[][]): (line: PdfLine) => number {
  const chars = new Map<number, number>();
  for (const lines of pages) for (const line of lines) chars.set(line.size, (chars.get(line.size) ?? 0) + line.text.length);
  const body = [...chars].reduce((best, entry) => (entry[1] > best[1] ? entry : best), [0, 0])[0];
  const isHeading = (line: PdfLine): boolean =>
    body > 0 && line.size >= body * HEADING_SIZE && line.text.length <= MAX_HEADING_CHARS && /\p{L}.*\p{L}/u.test(line.text) && !LEADER.test(line.text);
  const sizes = new Set<number>();
  for (const lines of pages) for (const line of lines) if (isHeading(line)) sizes.add(line.size);
  const levels = new Map([...sizes].sort((a, b) => b - a).map((size, i) => [size, Math.min(i + 1, MAX_LEVEL)]));
  return (line) => (isHeading(line) ? (levels.get(line.size) ?? 0) : 0);
}

/**
 * "posix stan-" + "dard." → "posix" + "standard.": a word the typesetter
 * broke at a line's end is made whole on the next line (or on the first, when
 * the fragment is all that line holds), within a paragraph, when the next
 * line goes on in lower case. Lines stay lines, so each keeps its page.
 */
function rejoinHyphenated(texts: string[], breaks: readonly boolean[]): string[] {
  const out = [...texts];
  for (let i = 0; i + 1 < out.length; i++) {
    const broken = /^(.*\s)?(\S*\p{Ll})-$/u.exec(out[i]!);
    const next = out[i + 1]!;
    if (breaks[i + 1] || !broken || !/^\p{Ll}/u.test(next)) continue;
    const [, before, fragment] = broken;
    if (before !== undefined) {
      out[i] = before.trimEnd();
      out[i + 1] = fragment + next;
      continue;
    }
    const rest = /^(\S+)\s+(\S.*)$/u.exec(next);
    if (rest) [out[i], out[i + 1]] = [fragment + rest[1]!, rest[2]!];
  }
  return out;
}

/** The most common downward step between consecutive lines of a page (the body text's leading). */
function usualSpacing(pages: PdfLine[][]): number {
  const counts = new Map<number, number>();
  for (const lines of pages) {
    for (let i = 1; i < lines.length; i++) {
      const gap = Math.round(lines[i - 1]!.y - lines[i]!.y);
      if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
    }
  }
  let best = Infinity;
  let bestCount = 0;
  for (const [gap, count] of counts) {
    if (count > bestCount || (count === bestCount && gap < best)) [best, bestCount] = [gap, count];
  }
  return best;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.trim();
}
