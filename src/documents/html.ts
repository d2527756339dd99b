/**
 * HTML → plain text for quoting. A single forward scan (no DOM, no regular
 * expressions over the page), so broken or hostile markup costs linear time.
 * Page chrome (scripts, styles, navigation, site header/footer, forms) is
 * dropped; headings and paragraphs become blocks separated by a blank line, and
 * every output line remembers the source line it came from so citations point
 * into the real file.
 */
import type { DocumentHeading, DocumentOutline } from '../types.js';

export type HtmlHeading = DocumentHeading;

export interface HtmlText extends DocumentOutline {
  /** Extracted text: blocks separated by one blank line, no trailing newline. */
  text: string;
  /** `sourceLine[i]` is the 1-based line of the HTML file where text line `i + 1` starts. */
  sourceLine: number[];
  /** `sourceEndLine[i]` is the line where it ends: a paragraph can wrap over several source lines. */
  sourceEndLine: number[];
}

/** Elements whose content is raw text up to their end tag; all of them are dropped. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);
/** Elements dropped with everything inside them: chrome, not content. */
const DROPPED = new Set(['head', 'nav', 'aside', 'form', 'button', 'select', 'svg', 'math', 'template', 'dialog', 'menu']);
/** Site-wide header/footer is chrome; an article's own header (with its h1) is content. */
const CHROME_OUTSIDE_CONTENT = new Set(['header', 'footer']);
const CONTENT = new Set(['article', 'main']);
/** Where a page says its content is, everything outside (menus, sidebars, footers, breadcrumbs) is chrome. */
const CONTENT_ROOT = /<main[\s>]|<article[\s>]|\brole\s*=\s*["']?main\b/i;
const ROLE_MAIN = /\brole\s*=\s*["']?main\b/i;
/** Permalink marks (Sphinx/MkDocs "¶", VuePress "#") next to headings: navigation, not text. */
const PERMALINK = /\bclass\s*=\s*["'][^"']*\b(?:headerlink|header-anchor|anchor-link)\b/i;
/** How far past a heading link's start tag its text is looked for (a mark is a character or an icon). */
const MARK_LOOKAHEAD = 400;
/** Heading level of a definition list's term (`<dt>`, an API signature among them): below h1–h6, scoped to its list. */
export const TERM_LEVEL = 7;
const HEADINGS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
const DROPPED_ROLES = /\brole\s*=\s*["']?(?:navigation|banner|contentinfo|search|complementary|menu)\b/i;
/** Class names of boxes whose title heads their text, and of that title. */
const BOX = /^(?:admonition|sidebar|note|tip|hint|important|warning|caution|attention|danger|seealso|example|informalexample|figure|table)$/i;
const BOX_TITLE = /^(?:title|admonition-title)$/i;
/** A box title's level: below every heading and term, so the box's end removes only it. */
const BOX_LEVEL = 20;
/** Class and id names of page chrome in pages that mark it only so (DocBook's `navheader` and `docnav`, asciidoc's `footer`). */
const CHROME_NAME = /^(?:[a-z]+[-_]?)?nav(?:bar|igation|header|footer|s)?(?:[-_][\w-]*)?$|^breadcrumbs?$|^(?:site-|page-)?footer(?:-text)?$/i;
const HIDDEN = /(?:^|\s)hidden(?:\s|=|\/?$)|\baria-hidden\s*=\s*["']?true/i;

const BLOCKS = new Set(
  (
    'address article blockquote body caption center dd details dir div dl dt fieldset figcaption figure ' +
    'h1 h2 h3 h4 h5 h6 header footer hr html legend li main ol p pre section summary table tbody thead tfoot tr ul'
  ).split(' '),
);
const CELLS = new Set(['td', 'th']);

/**
 * Extracts readable text from an HTML page, keeping block structure.
 *
 * @example
 * const { text, sourceLine, sourceEndLine } = htmlToText('<h1>Hi</h1>\n<p>One &amp;\ntwo</p><script>x()</script>');
 * // text === 'Hi\n\nOne & two', sourceLine === [1, 1, 2], sourceEndLine === [1, 1, 3]
 */
export function htmlToText(html: string): HtmlText {
  const out = new LineBuilder();
  const scan = new Scanner(html, out, CONTENT_ROOT.test(html));
  scan.run();
  return { ...out.finish(), title: scan.title };
}

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attrs: string;
  end: number;
}

/**
 * What `readTag` found: a tag; `'unterminated'` when the file ends inside it;
 * `'text'` when another tag opens before its `>` (`a <b and <script>…`).
 */
type TagRead = Tag | 'unterminated' | 'text';

/** An element tracked to its end tag by counting how deeply it nests inside itself. */
interface Open {
  name: string;
  depth: number;
}

class Scanner {
  title: string | null = null;
  private i = 0;
  private line = 1;
  /** Element being dropped with everything inside it. */
  private skip: Open | null = null;
  /** The content root (`<main>`, `role="main"`) being read, when the page has one. */
  private root: Open | null = null;
  /** A permalink being dropped: its `#fragment` becomes the heading's anchor. */
  private permalink: Open | null = null;
  private contentDepth = 0;
  private preDepth = 0;
  private linkDepth = 0;
  /** The note, tip or example box being read, if any (see `box`). */
  private openBox: Open | null = null;
  /** One entry per open `<dl>`: true once it holds an API signature. */
  private readonly lists: boolean[] = [];
  /** Tag of the heading being read (`h2`, or `dt` for a signature). */
  private headingTag: string | null = null;
  /** The last `id` seen since text was written: the anchor of a heading that has none of its own. */
  private lastId: string | null = null;

  constructor(
    private readonly html: string,
    private readonly out: LineBuilder,
    /** True when the page marks its content: text outside it is dropped. */
    private readonly rootOnly: boolean,
  ) {}

  run(): void {
    const { html } = this;
    while (this.i < html.length) {
      const lt = html.indexOf('<', this.i);
      const textEnd = lt === -1 ? html.length : lt;
      if (textEnd > this.i) this.text(this.i, textEnd);
      if (lt === -1) break;
      this.markup(lt);
    }
  }

  private get writing(): boolean {
    return this.skip === null && this.permalink === null && (!this.rootOnly || this.root !== null);
  }

  private text(start: number, end: number): void {
    if (this.writing) {
      if (this.preDepth > 0) this.out.preformatted(this.html, start, end, this.line, this.linkDepth > 0);
      else this.out.flowing(this.html, start, end, this.line, this.linkDepth > 0);
      if (/\S/.test(this.html.slice(start, Math.min(end, start + 64)))) this.lastId = null;
    }
    this.advanceTo(end);
  }

  private markup(lt: number): void {
    const { html } = this;
    const next = html[lt + 1] ?? '';
    if (html.startsWith('<!--', lt)) return this.skipPast(lt + 4, '-->');
    if (next === '!' || next === '?') return this.skipPast(lt + 1, '>');
    // `<` or `</` not followed by a letter is text; treating `</<script>` as one bogus tag (as browsers do) would leak the script.
    if (!opensTag(html, lt)) return this.text(lt, lt + 1);
    const tag = readTag(html, lt);
    if (tag === 'unterminated') return this.advanceTo(html.length); // browsers drop it
    if (tag === 'text') return this.text(lt, lt + 1);
    this.advanceTo(tag.end);
    if (!tag.closing && RAW_TEXT.has(tag.name) && !tag.selfClosing) return this.rawText(tag.name);
    this.element(tag);
  }

  private element(tag: Tag): void {
    if (this.skip !== null) return this.whileSkipping(tag);
    if (this.permalink !== null) return this.whilePermalink(tag);
    if (!tag.closing && !tag.selfClosing && this.isDropped(tag)) {
      this.skip = { name: tag.name, depth: 1 };
      this.out.blockBreak();
      return;
    }
    this.trackRoot(tag);
    if (!tag.closing && tag.name === 'a' && !tag.selfClosing && this.isPermalink(tag)) {
      this.permalink = { name: 'a', depth: 1 };
      this.out.anchor(fragmentOf(tag.attrs));
      return;
    }
    if (!tag.closing) this.lastId = idOf(tag.attrs) ?? this.lastId;
    if (CONTENT.has(tag.name)) this.contentDepth = Math.max(0, this.contentDepth + (tag.closing ? -1 : 1));
    if (tag.name === 'pre') this.preDepth = Math.max(0, this.preDepth + (tag.closing ? -1 : 1));
    if (tag.name === 'a' && !tag.selfClosing) this.linkDepth = Math.max(0, this.linkDepth + (tag.closing ? -1 : 1));
    this.structure(tag);
  }

  /** Block breaks, and the headings that build the heading path. */
  private structure(tag: Tag): void {
    if (tag.name === 'br') return this.out.lineBreak(this.line);
    if (!BLOCKS.has(tag.name)) {
      if (CELLS.has(tag.name) && !tag.closing) this.out.space();
      return;
    }
    this.out.blockBreak();
    if (tag.name === 'dl') this.list(tag);
    this.box(tag);
    if (tag.closing && tag.name === this.headingTag) {
      this.headingTag = null;
      this.out.endHeading();
    }
    if (tag.closing || !this.writing) return;
    const term = tag.name === 'dt';
    // A term heads its definition as a signature does (asciidoc's "Undo a commit and redo", an option's "-d, --delete");
    // a list inside a definition nests one level deeper.
    const boxTitle = this.openBox !== null && classNames(tag.attrs).some((name) => BOX_TITLE.test(name));
    const level = HEADINGS[tag.name] ?? (term ? TERM_LEVEL + Math.max(0, this.lists.length - 1) : boxTitle ? BOX_LEVEL : 0);
    if (level === 0) return;
    if (term && this.lists.length > 0) this.lists[this.lists.length - 1] = true;
    this.headingTag = tag.name;
    this.out.beginHeading(level, idOf(tag.attrs) ?? this.lastId);
  }

  /**
   * A note, tip or example box (`<div class="sidebar">` in DocBook, `admonition`
   * in Sphinx): its title ("TIP Add your user to the libvirt group") heads the
   * box's text, and only that. Boxes inside a box are read as its text.
   */
  private box(tag: Tag): void {
    if (this.openBox !== null) {
      if (!closedBy(this.openBox, tag)) return;
      this.openBox = null;
      if (this.writing) this.out.closeTerms(BOX_LEVEL);
      return;
    }
    if (!tag.closing && !tag.selfClosing && classNames(tag.attrs).some((name) => BOX.test(name))) this.openBox = { name: tag.name, depth: 1 };
  }

  /** A closed definition list ends its terms' scope: the text after it is not about them. */
  private list(tag: Tag): void {
    if (!tag.closing) {
      if (!tag.selfClosing) this.lists.push(false);
      return;
    }
    if (this.lists.pop() === true && this.writing) this.out.closeTerms(TERM_LEVEL + this.lists.length);
  }

  private trackRoot(tag: Tag): void {
    if (!this.rootOnly) return;
    if (this.root === null) {
      if (!tag.closing && !tag.selfClosing && (tag.name === 'main' || tag.name === 'article' || ROLE_MAIN.test(tag.attrs))) {
        this.root = { name: tag.name, depth: 0 };
      } else return;
    }
    if (closedBy(this.root, tag)) {
      this.root = null;
      this.out.blockBreak();
    }
  }

  /**
   * A permalink by its class (Sphinx, MkDocs, VuePress), or any link in a
   * heading to a `#fragment` whose text is only a mark ("#" in Node.js's docs,
   * "§", "🔗"): a heading that is wholly a link keeps its words.
   */
  private isPermalink(tag: Tag): boolean {
    if (PERMALINK.test(tag.attrs)) return true;
    if (this.headingTag === null || fragmentOf(tag.attrs) === null) return false;
    const close = this.html.slice(tag.end, tag.end + MARK_LOOKAHEAD).search(/<\/a\s*>/i);
    if (close === -1) return false;
    const inner = this.html.slice(tag.end, tag.end + close).replace(/<[^>]*>/g, '');
    return !/[\p{L}\p{N}]/u.test(decodeEntities(inner));
  }

  private isDropped(tag: Tag): boolean {
    if (DROPPED.has(tag.name)) return true;
    if (CHROME_OUTSIDE_CONTENT.has(tag.name) && this.contentDepth === 0) return true;
    return DROPPED_ROLES.test(tag.attrs) || HIDDEN.test(tag.attrs) || namesChrome(tag.attrs);
  }

  private whileSkipping(tag: Tag): void {
    const skip = this.skip!;
    // An unclosed <head> or <form> must not swallow the page: the body ends it.
    const endsAll = (tag.name === 'body' && !tag.closing) || (tag.closing && (tag.name === 'body' || tag.name === 'html'));
    if (endsAll) {
      this.skip = null;
      return this.element(tag);
    }
    if (closedBy(skip, tag)) this.skip = null;
  }

  private whilePermalink(tag: Tag): void {
    const link = this.permalink!;
    if (BLOCKS.has(tag.name)) {
      // A block inside a permalink means broken markup: stop dropping rather than lose the page.
      this.permalink = null;
      return this.element(tag);
    }
    if (closedBy(link, tag)) this.permalink = null;
  }

  /** Skips a raw-text element (script, style, title…); the page title is kept aside. */
  private rawText(name: string): void {
    const { html } = this;
    const start = this.i;
    let k = html.indexOf('</', this.i);
    while (k !== -1 && !closesRawText(html, k, name)) k = html.indexOf('</', k + 2);
    if (k === -1) return this.advanceTo(html.length);
    if (name === 'title' && this.title === null) this.title = collapse(html.slice(start, k)) || null;
    this.advanceTo(k);
    const tag = readTag(html, k);
    this.advanceTo(tag === 'unterminated' ? html.length : tag === 'text' ? k + 2 + name.length : tag.end);
  }

  private skipPast(from: number, terminator: string): void {
    const k = this.html.indexOf(terminator, from);
    this.advanceTo(k === -1 ? this.html.length : k + terminator.length);
  }

  private advanceTo(end: number): void {
    this.line += countNewlines(this.html, this.i, end);
    this.i = end;
  }
}

/** Text of a title: entities decoded, whitespace collapsed, at most 200 characters. */
function collapse(raw: string): string {
  return raw.split(/[ \t\n\r\f]+/).filter(Boolean).map(decodeEntities).join(' ').slice(0, 200);
}

function idOf(attrs: string): string | null {
  const m = /(?:^|[\s"'])id\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(attrs);
  const id = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
  return id === '' ? null : id;
}

/** A `class` attribute, or a `class` or `id` one; the value "…", '…' or bare. */
const CLASS_ATTR = /\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const CLASS_OR_ID_ATTR = /\b(?:class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

/** True when the element's class or id names it as navigation or a footer. */
function namesChrome(attrs: string): boolean {
  return names(attrs, CLASS_OR_ID_ATTR).some((name) => CHROME_NAME.test(name));
}

function classNames(attrs: string): string[] {
  return names(attrs, CLASS_ATTR);
}

/** The space-separated names in the attributes `pattern` matches (global; its three groups: "…", '…' or bare). */
function names(attrs: string, pattern: RegExp): string[] {
  return [...attrs.matchAll(pattern)].flatMap((m) => (m[1] ?? m[2] ?? m[3] ?? '').split(/\s+/).filter(Boolean));
}

function fragmentOf(attrs: string): string | null {
  const m = /\bhref\s*=\s*(?:"#([^"]*)"|'#([^']*)'|#([^\s"'>]+))/i.exec(attrs);
  const fragment = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
  return fragment === '' ? null : fragment;
}

/** Counts `tag` into an element tracked to its end tag; true when this tag closes it. */
function closedBy(open: Open, tag: Tag): boolean {
  if (tag.name !== open.name || tag.selfClosing) return false;
  open.depth += tag.closing ? -1 : 1;
  return open.depth <= 0;
}

function closesRawText(html: string, k: number, name: string): boolean {
  if (html.slice(k + 2, k + 2 + name.length).toLowerCase() !== name) return false;
  const after = html[k + 2 + name.length];
  return after === undefined || !/[A-Za-z0-9-]/.test(after);
}

/**
 * Reads a tag starting at `<`; quoted attribute values may contain `>` and `<`.
 * An unquoted `<` that opens another tag means the first `<` was text: browsers
 * would read `<b and <script>` as one bogus tag and show the script's code as
 * text, which would then be quoted as an answer.
 */
function readTag(html: string, lt: number): TagRead {
  const closing = html[lt + 1] === '/';
  let k = lt + (closing ? 2 : 1);
  const nameStart = k;
  while (k < html.length && /[A-Za-z0-9:-]/.test(html[k]!)) k++;
  const name = html.slice(nameStart, k).toLowerCase();
  const attrsStart = k;
  while (k < html.length && html[k] !== '>') {
    if (html[k] === '=') {
      k++;
      while (k < html.length && /[ \t\n\f\r]/.test(html[k]!)) k++;
      const quote = html[k];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, k + 1);
        if (close === -1) return 'unterminated';
        k = close;
      }
    } else if (html[k] === '<' && opensTag(html, k)) {
      return 'text';
    }
    k++;
  }
  if (k >= html.length) return 'unterminated';
  const attrs = html.slice(attrsStart, k);
  return { name, closing, selfClosing: attrs.endsWith('/'), attrs, end: k + 1 };
}

/** Builds output lines, the source line of each, and the headings among them. */
class LineBuilder {
  private readonly lines: string[] = [];
  private readonly sources: number[] = [];
  private readonly sourceEnds: number[] = [];
  private readonly linkShares: number[] = [];
  private readonly headings: HtmlHeading[] = [];
  private heading: HtmlHeading | null = null;
  private current = '';
  private currentLinkChars = 0;
  private currentSource = 0;
  private currentEnd = 0;
  private pendingSpace = false;

  /** Normal text: whitespace runs collapse to one space; entities decode. */
  flowing(html: string, start: number, end: number, line: number, inLink: boolean): void {
    let k = start;
    while (k < end) {
      const ch = html[k]!;
      if (isHtmlSpace(ch)) {
        if (ch === '\n') line++;
        this.space();
        k++;
        continue;
      }
      let wordEnd = k + 1;
      while (wordEnd < end && !isHtmlSpace(html[wordEnd]!)) wordEnd++;
      this.word(decodeEntities(html.slice(k, wordEnd)), line, inLink);
      k = wordEnd;
    }
  }

  /** Text inside <pre>: kept as written, one output line per source line. */
  preformatted(html: string, start: number, end: number, line: number, inLink: boolean): void {
    let k = start;
    while (k < end) {
      const newline = html.indexOf('\n', k);
      const lineEnd = newline === -1 || newline >= end ? end : newline;
      if (lineEnd > k) this.word(decodeEntities(html.slice(k, lineEnd)), line, inLink, true);
      if (lineEnd === end) break;
      this.lineBreak(line, true);
      line++;
      k = lineEnd + 1;
    }
  }

  space(): void {
    if (this.current !== '') this.pendingSpace = true;
  }

  lineBreak(line: number, keepEmpty = false): void {
    if (this.current === '' && !keepEmpty) {
      // <br><br> reads as a paragraph break.
      if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.push('', line);
      return;
    }
    this.push(this.current.trimEnd(), this.current === '' ? line : this.currentSource);
  }

  blockBreak(): void {
    if (this.current !== '') this.push(this.current.trimEnd(), this.currentSource);
    const last = this.lines[this.lines.length - 1];
    if (last !== undefined && last.trim() !== '') this.push('', this.sources[this.sources.length - 1]!);
  }

  /** A heading starts at the next line written. */
  beginHeading(level: number, anchor: string | null): void {
    this.heading = { line: this.lines.length, level, anchor };
  }

  /** The permalink inside a heading names its anchor best: it is what the page itself links to. */
  anchor(fragment: string | null): void {
    if (this.heading !== null && fragment !== null) this.heading.anchor = fragment;
  }

  endHeading(): void {
    const heading = this.heading;
    this.heading = null;
    if (heading !== null && this.lines.length > heading.line) this.headings.push(heading);
  }

  /** A definition list ended: its terms (at `level` and deeper) no longer head what follows. */
  closeTerms(level: number): void {
    this.headings.push({ line: this.lines.length, level, anchor: null, closes: true });
  }

  finish(): Omit<HtmlText, 'title'> {
    this.blockBreak();
    while (this.lines.length > 0 && this.lines[this.lines.length - 1]!.trim() === '') {
      this.lines.pop();
      this.sources.pop();
      this.sourceEnds.pop();
      this.linkShares.pop();
    }
    const headings = this.headings.filter((h) => h.line < this.lines.length);
    return { text: this.lines.join('\n'), sourceLine: this.sources, sourceEndLine: this.sourceEnds, headings, linkShare: this.linkShares };
  }

  private word(text: string, line: number, inLink: boolean, verbatim = false): void {
    if (text === '') return;
    this.currentEnd = line;
    if (this.current === '') {
      this.currentSource = line;
      this.current = verbatim ? text : text.trimStart();
      if (inLink) this.currentLinkChars += this.current.length;
    } else {
      this.current += (this.pendingSpace ? ' ' : '') + text;
      if (inLink) this.currentLinkChars += text.length;
    }
    this.pendingSpace = false;
  }

  private push(text: string, source: number): void {
    this.lines.push(text);
    this.sources.push(source);
    // An empty line, or a line whose words all came from one place, ends where it starts.
    this.sourceEnds.push(text === '' ? source : Math.max(source, this.currentEnd));
    this.linkShares.push(text === '' ? 0 : Math.min(1, this.currentLinkChars / text.length));
    this.current = '';
    this.currentLinkChars = 0;
    this.pendingSpace = false;
  }
}

/** Decodes `&amp;`, `&#8212;`, `&#x2014;` and the common named entities; unknown ones stay as written. */
function decodeEntities(word: string): string {
  if (!word.includes('&')) return word;
  let result = '';
  let from = 0;
  let amp = word.indexOf('&');
  while (amp !== -1) {
    const decoded = decodeEntity(word, amp);
    if (decoded) {
      result += word.slice(from, amp) + decoded.text;
      from = decoded.end;
    }
    amp = word.indexOf('&', decoded ? decoded.end : amp + 1);
  }
  return result + word.slice(from);
}

function countNewlines(text: string, start: number, end: number): number {
  let count = 0;
  let k = text.indexOf('\n', start);
  while (k !== -1 && k < end) {
    count++;
    k = text.indexOf('\n', k + 1);
  }
  return count;
}

/** `<` followed by a letter, or `</` by one: where a tag starts (the rule `markup` reads text by). */
function opensTag(html: string, lt: number): boolean {
  const next = html[lt + 1] ?? '';
  return isAsciiLetter(next === '/' ? html[lt + 2] ?? '' : next);
}

function isHtmlSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r' || ch === '\f';
}

function isAsciiLetter(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/** Named entities common in real pages; the full HTML table (2,000+) isn't worth carrying for quoting. */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '\u00ad',
  ndash: '–', mdash: '—', hellip: '…', bull: '•', middot: '·', lsquo: '‘', rsquo: '’',
  sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„', laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›',
  copy: '©', reg: '®', trade: '™', deg: '°', plusmn: '±', times: '×', divide: '÷', micro: 'µ',
  para: '¶', sect: '§', dagger: '†', Dagger: '‡', prime: '′', Prime: '″', permil: '‰',
  euro: '€', pound: '£', yen: '¥', cent: '¢', curren: '¤', frac12: '½', frac14: '¼', frac34: '¾',
  sup1: '¹', sup2: '²', sup3: '³', iexcl: '¡', iquest: '¿', ordf: 'ª', ordm: 'º', not: '¬',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', le: '≤', ge: '≥', ne: '≠', asymp: '≈',
  minus: '−', infin: '∞', hearts: '♥', check: '✓', zwj: '\u200d', zwnj: '\u200c', lrm: '\u200e', rlm: '\u200f',
  ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç',
  Egrave: 'È', Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï',
  Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø',
  Ugrave: 'Ù', Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý', szlig: 'ß',
  agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ', ccedil: 'ç',
  egrave: 'è', eacute: 'é', ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï',
  ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø',
  ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ',
};

/** Longest entity name worth looking for; keeps the lookahead bounded. */
const MAX_ENTITY = 32;

/** Decodes the entity starting at the `&` at `amp`, or returns null when there is none. */
function decodeEntity(word: string, amp: number): { text: string; end: number } | null {
  const semi = word.indexOf(';', amp + 1);
  if (semi === -1 || semi - amp > MAX_ENTITY) return null;
  const body = word.slice(amp + 1, semi);
  if (body.startsWith('#')) {
    const hex = body[1] === 'x' || body[1] === 'X';
    const digits = body.slice(hex ? 2 : 1);
    if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return null;
    return { text: codePointText(parseInt(digits, hex ? 16 : 10)), end: semi + 1 };
  }
  const named = Object.hasOwn(NAMED, body) ? NAMED[body] : undefined;
  return named === undefined ? null : { text: named, end: semi + 1 };
}

/** Like browsers: NUL, surrogates and out-of-range numbers become U+FFFD. */
function codePointText(code: number): string {
  const invalid = code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || !Number.isFinite(code);
  return String.fromCodePoint(invalid ? 0xfffd : code);
}
