/**
 * The same text in several formats: a Sphinx build ships each page as HTML
 * and again as reST under `_sources/`, a Debian package ships its manual as
 * HTML, plain text and PDF. Without care every answer comes back once per
 * copy, the raw-markup one often first.
 *
 * Copies are found by content, not by name (the HTML is split into pages,
 * the text is one file): a passage whose word 3-grams mostly occur in a
 * passage of a *preferred* format is a copy, kept for `/source` but never an
 * answer. The rendered page is preferred, then Markdown, text, PDF, and raw
 * markup sources last. Copies within one format (a README in two folders) are
 * left to the retriever, which drops repeated text at query time and so keeps
 * the copy whose title and headings fit the question best.
 */
import type { LoadedDocument, Passage } from '../types.js';

/** Share of a passage's 3-grams found in preferred copies above which it is a copy. */
const COPY_SHARE = 0.6;
/** Passages with fewer 3-grams than this are too short to call copies safely. */
const MIN_GRAMS = 3;
/**
 * A file whose passages are mostly copies is a copy whole: what is left of a
 * reST source is markup the rendered page shows differently (":ref:`x <y>`",
 * a toctree), and of a text edition its table of contents.
 */
const COPY_FILE_SHARE = 0.5;

/**
 * Rank of a file's format: lower is preferred. reST/`_sources` are the raw
 * input of a rendered page; a gzipped file ranks as what it holds.
 *
 * @example
 * formatRank('policy/ch-files.html', 'html');            // 0
 * formatRank('policy/_sources/ch-files.rst.txt', 'text'); // 4
 */
export function formatRank(file: string, kind: LoadedDocument['kind'] | string): number {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (/(?:^|\/)_sources\//.test(name) || /\.(?:rst|rst\.txt|txt\.rst)$/.test(name)) return 4;
  return ({ html: 0, markdown: 1, text: 2, pdf: 3 } as Record<string, number>)[kind] ?? 2;
}

/**
 * Marks passages that repeat a preferred format's text as not searchable.
 * Cheap when a folder holds one format (nothing to compare).
 *
 * @example
 * const kept = markCopies(passages, (file) => kinds.get(file) ?? 'text');
 * kept.filter((p) => !p.searchable).length; // the reST and .txt copies of the HTML pages
 */
export function markCopies(passages: readonly Passage[], kindOf: (file: string) => string): Passage[] {
  const rankOf = new Map<string, number>();
  for (const p of passages) if (!rankOf.has(p.file)) rankOf.set(p.file, formatRank(p.file, kindOf(p.file)));
  const ranks = [...new Set(rankOf.values())].sort((a, b) => a - b);
  if (ranks.length < 2) return [...passages];
  const copies = new Set<Passage>();
  const seen = new Set<number>();
  for (const rank of ranks) {
    const tier = passages.filter((p) => rankOf.get(p.file) === rank);
    if (seen.size > 0) for (const p of tier) if (p.searchable && isCopy(p.text, seen)) copies.add(p);
    for (const p of tier) if (p.searchable && !copies.has(p)) for (const g of grams(p.text)) seen.add(g);
  }
  const copiedFiles = mostlyCopies(passages, copies);
  return passages.map((p) => (copies.has(p) || (p.searchable && copiedFiles.has(p.file)) ? { ...p, searchable: false } : p));
}

function mostlyCopies(passages: readonly Passage[], copies: ReadonlySet<Passage>): Set<string> {
  const counts = new Map<string, { copied: number; all: number }>();
  for (const p of passages) {
    if (!p.searchable) continue;
    const count = counts.get(p.file) ?? { copied: 0, all: 0 };
    count.all++;
    if (copies.has(p)) count.copied++;
    counts.set(p.file, count);
  }
  return new Set([...counts].filter(([, c]) => c.copied / c.all >= COPY_FILE_SHARE).map(([file]) => file));
}

function isCopy(text: string, seen: Set<number>): boolean {
  const own = grams(text);
  if (own.length < MIN_GRAMS) return false;
  let found = 0;
  for (const g of own) if (seen.has(g)) found++;
  return found / own.length >= COPY_SHARE;
}

/** Hashes of the lower-cased word 3-grams: markup, punctuation and line breaks don't count. */
function grams(text: string): number[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: number[] = [];
  for (let i = 2; i < words.length; i++) out.push(fnv1a(`${words[i - 2]} ${words[i - 1]} ${words[i]}`));
  return out;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
