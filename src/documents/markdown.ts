/**
 * The block structure of a Markdown file, as far as quoting needs it: which
 * lines are headings (and the heading path above each block), which lines are
 * fenced code (never split at inner blank lines) and front matter. It is not a
 * Markdown renderer: passages keep the file's own text, markup included.
 * Every check looks at one line with a bounded scan, so nesting depth costs nothing.
 */
import type { Block, Lines } from './lines.js';

/** A heading is cut to this length in the heading path. */
const MAX_HEADING_CHARS = 200;

interface Fence {
  char: string;
  length: number;
}

interface Heading {
  level: number;
  text: string;
}

/** What the block scan learns about a Markdown file. */
export interface MarkdownBlocks {
  blocks: Block[];
  /** The `title:` of the front matter, if there is one. */
  frontMatterTitle: string | null;
}

/**
 * Splits Markdown into blocks at blank lines, with headings as their own blocks
 * even when no blank line follows them.
 *
 * @example
 * const lines = lineIndex('# Guide\nIntro text here.\n\n## Setup\nRun it.');
 * markdownBlocks(lines).blocks.map((b) => [b.kind, b.first, b.headings]);
 * // → [['heading', 0, []], ['prose', 1, ['Guide']], ['heading', 3, ['Guide']], ['prose', 4, ['Guide', 'Setup']]]
 */
export function markdownBlocks(lines: Lines): MarkdownBlocks {
  const scan = new MarkdownScan(lines);
  return scan.run();
}

class MarkdownScan {
  private readonly blocks: Block[] = [];
  private readonly path: Heading[] = [];
  private open: Block | null = null;
  private fence: Fence | null = null;
  private frontMatterTitle: string | null = null;
  /** Open `:::` containers (VuePress/MkDocs); `items` counts a code group's tabs so far. */
  private readonly containers: Array<{ name: string; items: number; muted: boolean }> = [];

  constructor(private readonly lines: Lines) {}

  run(): MarkdownBlocks {
    const count = this.lines.count;
    for (let i = this.frontMatter(); i < count; i++) this.line(i, this.lines.text(i));
    this.close();
    return { blocks: this.blocks, frontMatterTitle: this.frontMatterTitle };
  }

  /** Front matter (`---` … `---` at the very top) is one non-searchable block. Returns the next line. */
  private frontMatter(): number {
    if (this.lines.count < 2 || this.lines.text(0).trimEnd() !== '---') return 0;
    for (let i = 1; i < this.lines.count; i++) {
      const text = this.lines.text(i);
      const title = /^title:\s*(.+)$/.exec(text);
      if (title && this.frontMatterTitle === null) this.frontMatterTitle = unquote(title[1]!.trim());
      if (text.trimEnd() === '---' || text.trimEnd() === '...') {
        this.blocks.push({ kind: 'meta', first: 0, last: i, headings: [] });
        return i + 1;
      }
    }
    this.frontMatterTitle = null; // no closing line: it was a thematic break, not front matter
    return 0;
  }

  private line(i: number, text: string): void {
    if (this.fence) {
      if (closesFence(text, this.fence)) this.fence = null;
      this.open!.last = i;
      return;
    }
    if (text.trim() === '') return this.close();
    const container = containerLine(text);
    if (container !== null) return this.container(i, container);
    const atx = atxHeading(text);
    if (atx) return this.heading(i, i, atx);
    const setext = this.open && !this.open.hasFence ? setextLevel(text, this.lines.text(this.open.first)) : 0;
    if (setext > 0) return this.setextHeading(i, setext);
    const fence = fenceOpening(text);
    if (!this.open) this.open = { kind: this.opening(text), first: i, last: i, ...this.under() };
    this.open.last = i;
    if (fence) {
      this.fence = fence;
      this.open.hasFence = true;
    }
  }

  /**
   * A `::: tip` / `:::` line is markup of its own (a non-searchable block), and
   * of a code group's tabs (the same command for npm, yarn, pnpm, bun) only the
   * first can be an answer: the others repeat it.
   */
  private container(i: number, name: string): void {
    this.close();
    this.blocks.push({ kind: 'meta', first: i, last: i, ...this.under() });
    if (name === '') {
      this.containers.pop();
      return;
    }
    const parent = this.containers[this.containers.length - 1];
    const tab = name.startsWith('code-group-item') && parent !== undefined;
    const muted = (parent?.muted ?? false) || (tab && parent.items > 0);
    if (tab) parent.items++;
    this.containers.push({ name, items: 0, muted });
  }

  /** Kind of a block that starts with `text`: markup and repeated tabs are kept but never answer. */
  private opening(text: string): Block['kind'] {
    if (this.containers[this.containers.length - 1]?.muted) return 'meta';
    return COMPONENT_BLOCK.test(text) ? 'meta' : 'prose';
  }

  private setextHeading(underline: number, level: number): void {
    const first = this.open!.first;
    const words: string[] = [];
    for (let k = first; k < underline; k++) words.push(this.lines.text(k).trim());
    this.open = null;
    this.heading(first, underline, { level, text: words.join(' ') });
  }

  private heading(first: number, last: number, heading: Heading): void {
    this.close();
    while (this.path.length > 0 && this.path[this.path.length - 1]!.level >= heading.level) this.path.pop();
    const anchor = headingSlug(heading.text);
    this.blocks.push({ kind: 'heading', first, last, headings: this.path.map((h) => h.text), heading: heading.text, anchor });
    this.path.push({ level: heading.level, text: cap(heading.text) });
  }

  /** The heading path of a block under the current heading, and that heading's anchor. */
  private under(): Pick<Block, 'headings' | 'anchor'> {
    const nearest = this.path[this.path.length - 1];
    const headings = this.path.map((h) => h.text);
    return nearest === undefined ? { headings } : { headings, anchor: headingSlug(nearest.text) };
  }

  private close(): void {
    if (this.open) this.blocks.push(this.open);
    this.open = null;
  }
}

/**
 * A block that opens with a page component (`<DiscordMessages>`, `<ResultingCode/>`)
 * or a style/script/template tag renders chrome or a mock-up, not prose.
 * `<DocsLink>` is inline text: its attribute names the API it links to.
 */
const COMPONENT_BLOCK = /^\s{0,3}<\/?(?!DocsLink\b)(?:[A-Z][A-Za-z0-9]*|style|script|template)\b/;

/** `::: tip Title` → 'tip Title'; `:::` → ''; null when the line is no container marker. */
function containerLine(line: string): string | null {
  const m = /^\s{0,3}:{3,}\s*(.*)$/.exec(line);
  if (!m) return null;
  return m[1]!.trim();
}

/**
 * The anchor a static-site generator (VuePress, MkDocs, GitHub) gives a heading:
 * lower case, markup and punctuation dropped, spaces to hyphens.
 *
 * @example
 * headingSlug('Using the `EmbedBuilder` class!'); // 'using-the-embedbuilder-class'
 */
export function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .trim()
    .replace(/\s+/g, '-');
}

/** `## Title ##` → level 2, "Title". Null when the line is not an ATX heading. */
function atxHeading(line: string): Heading | null {
  let k = leadingSpaces(line);
  if (k > 3 || line[k] !== '#') return null;
  const hashes = k;
  while (line[k] === '#') k++;
  const level = k - hashes;
  if (level > 6 || (k < line.length && line[k] !== ' ' && line[k] !== '\t')) return null;
  return { level, text: stripClosingHashes(line.slice(k).trim()) };
}

/** Removes an optional closing `###` sequence (it must follow a space, or be everything). */
function stripClosingHashes(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0) return '';
  if (end === text.length || (text[end - 1] !== ' ' && text[end - 1] !== '\t')) return text;
  return text.slice(0, end).trimEnd();
}

/** 1 for a `===` underline, 2 for `---`, 0 otherwise. Lists and quotes are not setext paragraphs. */
function setextLevel(line: string, paragraphStart: string): number {
  const k = leadingSpaces(line);
  const ch = line[k];
  if (k > 3 || (ch !== '=' && ch !== '-')) return 0;
  const body = line.trimEnd();
  for (let j = k; j < body.length; j++) if (body[j] !== ch) return 0;
  if (/^\s*(?:[-*+>]|\d{1,9}[.)])(?:\s|$)/.test(paragraphStart)) return 0;
  return ch === '=' ? 1 : 2;
}

function fenceOpening(line: string): Fence | null {
  const k = leadingSpaces(line);
  const ch = line[k];
  if (k > 3 || (ch !== '`' && ch !== '~')) return null;
  let j = k;
  while (line[j] === ch) j++;
  if (j - k < 3) return null;
  // A backtick fence's info string may not contain backticks (that's inline code).
  if (ch === '`' && line.indexOf('`', j) !== -1) return null;
  return { char: ch, length: j - k };
}

function closesFence(line: string, fence: Fence): boolean {
  const k = leadingSpaces(line);
  if (k > 3) return false;
  let j = k;
  while (line[j] === fence.char) j++;
  return j - k >= fence.length && line.slice(j).trim() === '';
}

function leadingSpaces(line: string): number {
  let k = 0;
  while (line[k] === ' ') k++;
  return k;
}

function unquote(value: string): string {
  const quoted = value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!);
  return quoted ? value.slice(1, -1) : value;
}

function cap(text: string): string {
  return text.length <= MAX_HEADING_CHARS ? text : `${text.slice(0, MAX_HEADING_CHARS - 1)}…`;
}
