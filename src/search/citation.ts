/**
 * Where a passage comes from, said the way a person would cite it:
 * `Title (file) › Section › ¶4 · line 5`, and a link to it when the documents
 * are published somewhere. One function for every shell: the terminal and
 * Discord show the same words (each escapes them its own way).
 */
import type { Passage } from '../types.js';
import { cutPoint } from '../text/cut.js';

export interface CitationOptions {
  /** SOURCE_BASE_URL: where the docs folder is published (e.g. a repository's blob URL). */
  baseUrl?: string | null;
}

export interface Citation {
  /** Plain text, not escaped for any shell. */
  label: string;
  /** The passage's place on the published page, when a base URL is configured. */
  url?: string;
}

/** Longer titles are cut at a word: the citation is a pointer, not a headline. */
const MAX_TITLE = 60;
/** Longer links are left out (Discord caps embed links; nobody reads such URLs). */
const MAX_URL = 512;
/** A file stem that is mostly a hash or id (`000_23d5e4e5b37788fb`) tells a reader nothing. */
const HASH_LIKE = /[0-9a-f]{12,}|[0-9a-f]{8}-[0-9a-f]{4}-/i;

/**
 * The label and (with a base URL) the link for one passage. Headings are the
 * section path above it; a heading that just repeats the title is left out.
 * Markdown and HTML link to the section's heading anchor, other files to lines.
 *
 * @example
 * citation(passage);
 * // { label: 'Install guide (guide.md) › Setup › ¶3 · lines 5–7' }
 * citation(passage, { baseUrl: 'https://example.org/docs' }).url;
 * // 'https://example.org/docs/guide.md#setup'
 */
export function citation(passage: Passage, options: CitationOptions = {}): Citation {
  const label = [documentName(passage), ...sections(passage), place(passage)].join(' › ');
  const url = options.baseUrl ? sourceUrl(options.baseUrl, passage) : null;
  return url && url.length <= MAX_URL ? { label, url } : { label };
}

/**
 * `¶4 · line 5`, `¶4 (part 2) · lines 5–7`, `¶40 · p. 12` (PDF): the passage's place in its file.
 *
 * @example
 * place(passage); // '¶4 · line 5'
 */
export function place(passage: Passage): string {
  const [a, b] = passage.lines;
  const part = passage.part > 0 ? ` (part ${passage.part})` : '';
  // A PDF's extracted lines match nothing a reader sees; its page does.
  if (passage.page !== undefined) return `¶${passage.paragraph}${part} · p. ${passage.page}`;
  return `¶${passage.paragraph}${part} · ${a === b ? `line ${a}` : `lines ${a}–${b}`}`;
}

/**
 * True for file names that look like a hash or an id rather than words.
 *
 * @example
 * hashLike('000_23d5e4e5b37788fb.txt'); // true
 * hashLike('guide.md');                 // false
 */
export function hashLike(file: string): boolean {
  return HASH_LIKE.test(stem(file));
}

/**
 * The document's title with its file name, or the file name alone when the
 * title adds nothing. The file name always stays: it is what `/source` takes.
 */
function documentName(passage: Passage): string {
  const title = shortTitle(passage.title);
  const same = title === '' || normal(title) === normal(stem(passage.file)) || normal(title) === normal(passage.file);
  return same ? passage.file : `${title} (${passage.file})`;
}

function sections(passage: Passage): string[] {
  const title = normal(passage.title);
  return passage.headings.map((h) => h.trim()).filter((h, i) => h !== '' && !(i === 0 && normal(h) === title));
}

function shortTitle(title: string): string {
  const flat = title.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_TITLE) return flat;
  const cut = flat.lastIndexOf(' ', MAX_TITLE - 1);
  return `${flat.slice(0, cut > MAX_TITLE / 2 ? cut : cutPoint(flat, MAX_TITLE - 1)).replace(/[\s,;:.–—-]+$/, '')}…`;
}

function normal(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

function stem(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function sourceUrl(base: string, passage: Passage): string {
  const path = encodeURI(passage.file).replace(/[()#?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${base.replace(/\/+$/, '')}/${path}#${anchor(passage)}`;
}

/**
 * The fragment: a PDF's page (`#page=12`, which browsers' viewers open at),
 * the section's own anchor (the HTML heading's `id`, or the Markdown heading's
 * slug, found when the document was split), otherwise the line range.
 */
function anchor(passage: Passage): string {
  if (passage.page !== undefined) return `page=${passage.page}`;
  if (passage.anchor !== undefined && passage.anchor !== '') return encodeURIComponent(passage.anchor);
  const [a, b] = passage.lines;
  return a === b ? `L${a}` : `L${a}-L${b}`;
}

