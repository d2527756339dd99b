/**
 * A generation's `index.json`: vectra's `LocalIndex` format with empty vectors,
 * so vectra itself (and any tool that reads vectra indexes) can list the
 * passages. Since format 3 citebot writes it but never reads it back: it loads
 * passages from `passages.bin`. Written one item per line, piecewise, never as
 * one huge string:
 *
 *   {"version":1,"metadata_config":{},"items":[
 *   {"id":"…","metadata":{"file":"a.md","paragraph":1,…,"row":0},"vector":[],"norm":0},
 *   …
 *   ]}
 *
 * An item's metadata carries `title` only when it differs from its file's
 * title in the manifest.
 *
 * @example
 * const titles = fileTitles(passages);
 * await writeFileAtomic(path.join(genDir, ITEMS), itemsJson(passages, titles));
 */
import type { Passage } from '../types.js';

export const ITEMS = 'index.json';
/** index.json is written in pieces of about this many characters. */
const CHUNK_CHARS = 1 << 18;
/** index.json's first line. */
const ITEMS_HEADER = '{"version":1,"metadata_config":{},"items":[';

/** How a passage is kept in a vectra item's `metadata`. */
interface PassageMetadata {
  file: string;
  paragraph: number;
  part: number;
  lineStart: number;
  lineEnd: number;
  /** Only when it differs from the file's title in the manifest. */
  title?: string;
  headings: string[];
  text: string;
  hash: string;
  searchable: boolean;
  /** A PDF passage's page; absent elsewhere. */
  page?: number;
  /** The nearest heading's link fragment; absent when there is none. */
  anchor?: string;
  /** Row of this passage's vector in `vectors.f32`. */
  row: number;
}

/**
 * Each file's title: that of its first passage (all of a file's passages share it).
 *
 * @example
 * fileTitles(passages); // { 'guide.md': 'Guide', 'notes.txt': 'First line of notes' }
 */
export function fileTitles(passages: Passage[]): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const passage of passages) titles[passage.file] ??= passage.title;
  return titles;
}

/**
 * index.json's text in chunks: vectra's LocalIndex layout, one item per line,
 * produced piecewise so no single huge string is built.
 *
 * @example
 * await writeFileAtomic('embeddings/gen-…/index.json', itemsJson(passages, fileTitles(passages)));
 */
export function* itemsJson(passages: Passage[], titles: Record<string, string>): Generator<string> {
  yield ITEMS_HEAD;
  yield* itemLines(passages, 0, titles);
  yield itemsTail(passages.length);
}

/** index.json up to its first item. */
export const ITEMS_HEAD = `${ITEMS_HEADER}\n`;

/**
 * The items of passages `firstRow`, `firstRow + 1`, … in chunks, each after
 * its separator: written between `ITEMS_HEAD` and `itemsTail`, batch after
 * batch, they make the same file as `itemsJson` (ingest writes a document's
 * passages as soon as it has split it).
 *
 * @example
 * for (const chunk of itemLines(passagesOfOneFile, rowsSoFar, titles)) await file.write(chunk);
 */
export function* itemLines(passages: readonly Passage[], firstRow: number, titles: Record<string, string>): Generator<string> {
  let chunk = '';
  for (const [i, passage] of passages.entries()) {
    const row = firstRow + i;
    const item = { id: passage.id, metadata: toMetadata(passage, row, titles), vector: [], norm: 0 };
    chunk += (row === 0 ? '' : ',\n') + JSON.stringify(item);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** index.json after the last of `count` items. */
export function itemsTail(count: number): string {
  return `${count === 0 ? '' : '\n'}]}\n`;
}

function toMetadata(passage: Passage, row: number, titles: Record<string, string>): PassageMetadata {
  return {
    file: passage.file,
    paragraph: passage.paragraph,
    part: passage.part,
    lineStart: passage.lines[0],
    lineEnd: passage.lines[1],
    ...(passage.title === titles[passage.file] ? {} : { title: passage.title }),
    headings: passage.headings,
    text: passage.text,
    hash: passage.hash,
    searchable: passage.searchable,
    ...(passage.page === undefined ? {} : { page: passage.page }),
    ...(passage.anchor === undefined ? {} : { anchor: passage.anchor }),
    row,
  };
}
