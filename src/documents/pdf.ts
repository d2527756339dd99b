/**
 * PDF → text with the page each line came from, so a quote can be cited as
 * "p. 12". Text comes from unpdf (Mozilla's PDF.js, built to run without a
 * browser or native canvas). PDF has no paragraphs, only positioned lines:
 * a gap between lines clearly taller than the page's usual line spacing
 * becomes a blank line, which is what the splitter reads as a paragraph break.
 */
import { CitebotError } from '../errors.js';

/** Text extracted from a PDF; `page[i]` is the 1-based page of text line `i + 1`. */
export interface PdfText {
  text: string;
  page: number[];
}

/** A line gap this many times the page's usual spacing starts a new paragraph. */
const PARAGRAPH_GAP = 1.3;
/** Running headers and footers: a short line repeated on this share of pages (and at least 3) is page chrome. */
const CHROME_SHARE = 0.3;

interface PdfLine {
  text: string;
  /** Baseline height on the page (PDF units, larger is higher up). */
  y: number;
}

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
    return joinPages(dropChrome(pages));
  } finally {
    await pdf.destroy();
  }
}

function isTextItem(item: unknown): item is TextItem {
  return typeof item === 'object' && item !== null && 'str' in item && 'transform' in item;
}

/** Items → lines: PDF.js marks the item that ends a line; items in between (links, footnote marks) join it. */
function pageLines(items: TextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let text = '';
  let y: number | null = null;
  for (const item of items) {
    if (item.str !== '' && y === null) y = item.transform[5] ?? 0;
    text += item.str;
    if (item.hasEOL) {
      if (text.trim() !== '') lines.push({ text: text.trimEnd(), y: y ?? 0 });
      text = '';
      y = null;
    }
  }
  if (text.trim() !== '') lines.push({ text: text.trimEnd(), y: y ?? 0 });
  return lines;
}

/** Drops running headers, footers and bare page numbers, which would otherwise split paragraphs across pages. */
function dropChrome(pages: PdfLine[][]): PdfLine[][] {
  const shape = (line: string): string => line.replace(/\d+/g, '#').trim();
  const seen = new Map<string, number>();
  for (const lines of pages) {
    for (const key of new Set(lines.map((l) => shape(l.text)))) seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const minPages = Math.max(3, Math.ceil(pages.length * CHROME_SHARE));
  const isChrome = (line: PdfLine): boolean => /^[#\s]*$/.test(shape(line.text)) || (seen.get(shape(line.text)) ?? 0) >= minPages;
  return pages.map((lines) => lines.filter((line, i) => !((i === 0 || i === lines.length - 1) && isChrome(line))));
}

/** Lines → text with blank lines at paragraph gaps, and between pages; records each line's page. */
function joinPages(pages: PdfLine[][]): PdfText {
  const out: string[] = [];
  const page: number[] = [];
  const push = (text: string, n: number): void => {
    out.push(text);
    page.push(n);
  };
  pages.forEach((lines, index) => {
    const spacing = usualSpacing(lines);
    lines.forEach((line, i) => {
      const previous = lines[i - 1];
      const gap = previous ? previous.y - line.y : 0;
      const paragraphBreak = i === 0 ? out.length > 0 : gap <= 0 || gap > spacing * PARAGRAPH_GAP;
      if (paragraphBreak && out.length > 0 && out[out.length - 1] !== '') push('', index + 1);
      push(line.text, index + 1);
    });
  });
  return { text: out.join('\n'), page };
}

/** The most common downward step between consecutive lines of a page (its body text leading). */
function usualSpacing(lines: PdfLine[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < lines.length; i++) {
    const gap = Math.round(lines[i - 1]!.y - lines[i]!.y);
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
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
