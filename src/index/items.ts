/**
 * A generation's `index.json`: vectra's `LocalIndex` format with empty vectors
 * (vectra itself can list the passages; the vectors live in `vectors.f32`).
 * Written one item per line, so it is still one JSON document for vectra but
 * can be written and parsed piecewise, never as one huge string:
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
 * const again = await parseItems(await fsp.readFile(path.join(genDir, ITEMS)), manifest);
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DamagedGeneration, isCount, isRecord, parseGenerationJson } from './damaged-generation.js';
import { MANIFEST, type StoredManifest } from './manifest.js';
import type { Passage } from '../types.js';

export const ITEMS = 'index.json';
/** index.json is streamed in pieces of about this many characters (a few ms of JSON each). */
const CHUNK_CHARS = 1 << 18;
/** index.json's first line when it holds one item per line (as `itemsJson` writes it). */
const ITEMS_HEADER = '{"version":1,"metadata_config":{},"items":[';
/**
 * Longest stretch of parsing between two yields to the event loop: loading a
 * large index while serving (a reindex) must not hold up a bot's heartbeats.
 */
const PARSE_SLICE_MS = 5;

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
 * index.json's text in chunks: vectra's LocalIndex layout, produced piecewise
 * so no single huge string is built, one item per line so that `parseItems`
 * can read it piecewise too.
 *
 * @example
 * await writeFileAtomic('embeddings/gen-…/index.json', itemsJson(passages, fileTitles(passages)));
 */
export function* itemsJson(passages: Passage[], titles: Record<string, string>): Generator<string> {
  let chunk = `${ITEMS_HEADER}\n`;
  for (const [row, passage] of passages.entries()) {
    const item = { id: passage.id, metadata: toMetadata(passage, row, titles), vector: [], norm: 0 };
    chunk += (row === 0 ? '' : ',\n') + JSON.stringify(item);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}${passages.length === 0 ? '' : '\n'}]}\n`;
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
    row,
  };
}

/**
 * The passages of index.json. The file `itemsJson` writes holds one item per
 * line, parsed line by line in slices with the event loop let in between, and
 * decoded per line, never as one huge string. Any other valid layout (the
 * file rewritten by vectra itself) is parsed whole. A malformed item, or a
 * count other than the manifest's, is a `DamagedGeneration`.
 *
 * @example
 * const passages = await parseItems(await fsp.readFile('embeddings/gen-…/index.json'), manifest);
 */
export async function parseItems(bytes: Buffer, manifest: StoredManifest): Promise<Passage[]> {
  const header = Buffer.from(`${ITEMS_HEADER}\n`);
  const strings = new Interned(manifest.titles ?? {});
  if (!bytes.subarray(0, header.length).equals(header)) return parseWholeItems(bytes.toString('utf8'), manifest.passages, strings);
  const passages: Passage[] = [];
  let sliceStart = performance.now();
  let start = header.length;
  let closed = false;
  while (start < bytes.length && !closed) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline;
    const line = bytes.toString('utf8', start, end);
    start = end + 1;
    closed = line === ']}';
    if (closed) break;
    passages.push(toPassage(parseGenerationJson(line.endsWith(',') ? line.slice(0, -1) : line, ITEMS), passages.length, strings));
    if ((passages.length & 255) === 0 && performance.now() - sliceStart > PARSE_SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  if (!closed) throw new DamagedGeneration(`${ITEMS} is truncated or not JSON`);
  return checkCount(passages, manifest.passages);
}

function parseWholeItems(text: string, expected: number, strings: Interned): Passage[] {
  const value = parseGenerationJson(text, ITEMS);
  const items = isRecord(value) ? value.items : undefined;
  if (!Array.isArray(items)) throw new DamagedGeneration(`${ITEMS} has no items list`);
  checkCount(items, expected);
  return items.map((item: unknown, row) => toPassage(item, row, strings));
}

function checkCount<T>(items: T[], expected: number): T[] {
  if (items.length !== expected) {
    throw new DamagedGeneration(`${ITEMS} holds ${items.length} passages, ${MANIFEST} says ${expected}`);
  }
  return items;
}

/**
 * One copy of each distinct string. Every passage of a file repeats its file
 * name and title (for a plain-text file, its first line: up to a few hundred
 * characters), and JSON.parse makes a fresh copy each time: at 200k passages
 * that is tens of MB.
 */
class Interned {
  private readonly seen = new Map<string, string>();

  constructor(readonly titles: Readonly<Record<string, string>>) {}

  get(value: string): string {
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    this.seen.set(value, value);
    return value;
  }
}

function toPassage(item: unknown, row: number, strings: Interned): Passage {
  const meta = isRecord(item) && isRecord(item.metadata) ? item.metadata : null;
  if (!meta || !isRecord(item) || typeof item.id !== 'string' || !isPassageMetadata(meta) || meta.row !== row) {
    throw new DamagedGeneration(`${ITEMS} item ${row} is malformed`);
  }
  const title = meta.title ?? strings.titles[meta.file];
  if (typeof title !== 'string') throw new DamagedGeneration(`${ITEMS} item ${row} has no title`);
  return {
    id: item.id,
    file: strings.get(meta.file),
    paragraph: meta.paragraph,
    part: meta.part,
    lines: [meta.lineStart, meta.lineEnd],
    title: strings.get(title),
    headings: meta.headings,
    text: meta.text,
    hash: meta.hash,
    searchable: meta.searchable,
    ...(meta.page === undefined ? {} : { page: meta.page }),
  };
}

function isPassageMetadata(meta: Record<string, unknown>): meta is Record<string, unknown> & PassageMetadata {
  return (
    typeof meta.file === 'string' &&
    typeof meta.text === 'string' &&
    (meta.title === undefined || typeof meta.title === 'string') &&
    (meta.page === undefined || isCount(meta.page)) &&
    typeof meta.hash === 'string' &&
    typeof meta.searchable === 'boolean' &&
    isCount(meta.paragraph) &&
    isCount(meta.part) &&
    isCount(meta.lineStart) &&
    isCount(meta.lineEnd) &&
    isCount(meta.row) &&
    Array.isArray(meta.headings) &&
    meta.headings.every((h) => typeof h === 'string')
  );
}
