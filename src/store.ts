/**
 * The on-disk index (docs/ARCHITECTURE.md, "Index layout"). Each ingest writes
 * a complete, immutable generation folder, then swaps the `CURRENT` pointer by
 * rename; a crash at any moment leaves the old index or the new one.
 *
 * `index.json` is vectra's `LocalIndex` format with empty vectors (vectra
 * itself can list the passages); the vectors live in `vectors.f32`, because a
 * JSON string of them outgrows V8's string limit past ~65k passages. The
 * keyword index built over the passages is stored too (`keyword-file.ts`), so
 * loading never re-tokenises them.
 *
 * @example
 * const generation = await writeIndex('embeddings', { manifest, passages, vectors });
 * const index = await openIndex('embeddings', console.warn);
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { realFileSystem, removeTempFiles, syncDirectory, writeFileAtomic, type FileSystem } from './atomic.js';
import { PROJECT_DIR } from './config.js';
import { allocateVectors, prepareVectors } from './dot-kernel.js';
import { KeywordIndex, type KeywordParts } from './keyword.js';
import { decodeKeywordParts, encodeKeywordParts, KEYWORD_BIN, KEYWORD_JSON } from './keyword-file.js';
import { CitebotError } from './errors.js';
import type { IndexManifest, LoadedIndex, Passage, WarningSink } from './types.js';

/**
 * On-disk format version, written to `CURRENT` and every manifest.
 * 2: the keyword index is stored in the generation; index.json holds one item per line.
 */
export const FORMAT_VERSION = 2;

const CURRENT = 'CURRENT';
const GENERATION_PREFIX = 'gen-';
const MANIFEST = 'manifest.json';
const ITEMS = 'index.json';
const VECTORS = 'vectors.f32';
/** index.json is streamed in pieces of about this many characters (a few ms of JSON each). */
const CHUNK_CHARS = 1 << 18;
/** index.json's first line when it holds one item per line (as `writeIndex` writes it). */
const ITEMS_HEADER = '{"version":1,"metadata_config":{},"items":[';
/**
 * Longest stretch of parsing between two yields to the event loop: loading a
 * large index while serving (a reindex) must not hold up a bot's heartbeats.
 */
const PARSE_SLICE_MS = 5;

/** What `CURRENT` holds. */
interface Pointer {
  format: number;
  generation: string;
  previous: string | null;
}

/** Size and modification time of a file, as last seen. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/**
 * The manifest as stored: `IndexManifest` plus the candidate files the loader
 * skipped (empty, binary…), so a staleness check doesn't mistake them for new
 * documents on every question.
 */
export interface StoredManifest extends IndexManifest {
  skipped?: Record<string, FileStamp>;
  /**
   * Each file's title, once: index.json items leave it out when it is their
   * file's (for a plain-text file the title is its first line, and repeating it
   * on every passage made a fifth of index.json).
   */
  titles?: Record<string, string>;
}

/** A manifest before `writeIndex` stamps it with the format, time and passage count. */
export type ManifestDraft = Omit<StoredManifest, 'format' | 'createdAt' | 'passages' | 'titles'>;

/** Everything one generation holds. */
export interface IndexContent {
  manifest: ManifestDraft;
  passages: Passage[];
  /** `passages.length × manifest.dim` floats; null in keyword mode. */
  vectors: Float32Array | null;
  /** The keyword index over `passages`; built by `writeIndex` when not given. */
  keyword?: KeywordParts;
}

/** A loaded index with its stored keyword index (null when loaded for an update, which doesn't need it). */
export interface StoredIndex extends LoadedIndex {
  keyword: KeywordParts | null;
}

export interface WriteOptions {
  /**
   * The generation to keep as a fallback. Default: the one `CURRENT` names now.
   * Ingest passes the one it actually loaded, which is a better fallback when
   * the current one turned out damaged.
   */
  previous?: string | null;
  /** File-system calls (tests inject failures). */
  fs?: FileSystem;
}

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
  /** Row of this passage's vector in `vectors.f32`. */
  row: number;
}

/** A generation that cannot be loaded as it is: truncated, missing a file, inconsistent. */
class DamagedGeneration extends Error {}

/**
 * True when `dir` holds an index pointer (it may still turn out damaged or of
 * another format: `openIndex` says which).
 *
 * @example
 * if (!(await hasIndex('embeddings'))) await ingest({ ... });
 */
export async function hasIndex(dir: string): Promise<boolean> {
  try {
    await realFileSystem.stat(path.join(dir, CURRENT));
    return true;
  } catch {
    return false;
  }
}

/**
 * The command that rebuilds the index in `dir`, as the user should type it.
 *
 * @example
 * rebuildCommand('/tmp/idx'); // 'npx citebot ingest --index /tmp/idx'
 */
export function rebuildCommand(dir: string): string {
  const isDefault = path.resolve(dir) === path.join(PROJECT_DIR, 'embeddings');
  return isDefault ? 'npx citebot ingest' : `npx citebot ingest --index ${dir}`;
}

/**
 * Loads the current generation. Falls back to the previous generation, with a
 * warning, when the current one is damaged. Throws a `CitebotError` when there
 * is no index, when it has another format, or when nothing intact is left.
 *
 * @example
 * const { passages, vectors, manifest } = await openIndex('embeddings', console.warn);
 */
export async function openIndex(dir: string, warn: WarningSink = () => undefined): Promise<StoredIndex> {
  return openCurrent(dir, warn, true);
}

async function openCurrent(dir: string, warn: WarningSink, withKeyword: boolean): Promise<StoredIndex> {
  const loadGeneration = (root: string, generation: string): Promise<StoredIndex> => loadGenerationFolder(root, generation, withKeyword);
  try {
    // A writer may delete the generation we were about to read right after
    // swapping CURRENT; re-reading the pointer then finds the new one.
    for (let attempt = 0; ; attempt++) {
      const pointer = await readPointer(dir, warn);
      try {
        return await loadGeneration(dir, pointer.generation);
      } catch (err) {
        if (!(err instanceof DamagedGeneration)) throw err;
        const now = await readPointer(dir, () => undefined).catch(() => null);
        if (now && now.generation !== pointer.generation && attempt < 3) continue;
        return await loadFallback(dir, pointer, err.message, warn, loadGeneration);
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof CitebotError || typeof code !== 'string') throw err;
    throw new CitebotError(`Could not read the index in ${dir}: ${(err as Error).message}.`, {
      hint: "Check the folder's permissions.",
      cause: err,
    });
  }
}

/**
 * Like `openIndex`, for a writer that will replace the index anyway: a missing,
 * damaged or other-format index gives null (after one warning line) instead of
 * an error, so ingest rebuilds it from scratch.
 *
 * @example
 * const old = await openIndexForUpdate('embeddings', console.warn); // null → embed everything
 */
export async function openIndexForUpdate(dir: string, warn: WarningSink): Promise<StoredIndex | null> {
  if (!(await hasIndex(dir))) return null;
  try {
    // Without the keyword index: ingest rebuilds it anyway, and at 200k passages it weighs 200 MB.
    return await openCurrent(dir, warn, false);
  } catch (err) {
    if (!(err instanceof CitebotError)) throw err;
    warn(`Rebuilding the index from scratch: ${err.message}`);
    return null;
  }
}

/**
 * The current generation's manifest alone, without passages or vectors: cheap
 * enough to call before every question to decide whether the index is stale.
 * Null when there is no usable index.
 *
 * @example
 * const manifest = await readManifest('embeddings');
 * if (manifest?.model !== embedder.model) await ingest({ ... });
 */
export async function readManifest(dir: string): Promise<StoredManifest | null> {
  try {
    const pointer = await readPointer(dir, () => undefined);
    return await loadManifest(path.join(dir, pointer.generation));
  } catch (err) {
    if (err instanceof CitebotError || err instanceof DamagedGeneration) return null;
    throw err;
  }
}

/**
 * Writes a new generation and makes it current; returns its name. Every file
 * is written temp-then-rename and fsynced before `CURRENT` is swapped, so a
 * crash leaves the old index intact. Keeps the previous generation as a
 * fallback and deletes older ones. The caller must hold the index lock
 * (`src/lock.ts`): cleanup assumes no other writer.
 *
 * @example
 * const generation = await writeIndex('embeddings', {
 *   manifest: { mode: 'keyword', model: null, dim: 0, docsDir, files },
 *   passages,
 *   vectors: null,
 * });
 */
export async function writeIndex(dir: string, content: IndexContent, options: WriteOptions = {}): Promise<string> {
  checkContent(content);
  const fs = options.fs ?? realFileSystem;
  const generation = newGenerationName();
  const genDir = path.join(dir, generation);
  let previous: string | null = null;
  let committed = false;
  try {
    await fs.mkdir(dir, { recursive: true });
    // Not recursive: on a read-only mount that reports ENOENT instead of EROFS.
    await fs.mkdir(genDir);
    previous = options.previous !== undefined ? options.previous : await currentGeneration(dir);
    await writeGeneration(genDir, content, fs);
    await syncDirectory(dir, fs);
    const pointer: Pointer = { format: FORMAT_VERSION, generation, previous };
    await writeFileAtomic(path.join(dir, CURRENT), [`${JSON.stringify(pointer)}\n`], fs);
    committed = true;
    await syncDirectory(dir, fs);
  } catch (err) {
    // After the swap the new index is live: "previous index unchanged" would be a lie.
    if (committed) throw err;
    await fs.rm(genDir, { recursive: true, force: true }).catch(() => undefined);
    throw indexWriteError(dir, err);
  }
  await removeOldGenerations(dir, [generation, previous], fs);
  return generation;
}

async function readPointer(dir: string, warn: WarningSink): Promise<Pointer> {
  let text: string;
  try {
    text = await realFileSystem.readFile(path.join(dir, CURRENT), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    throw await missingIndex(dir);
  }
  const pointer = parsePointer(text);
  if (pointer === null) return await pointerFromScan(dir, warn);
  if (pointer.format !== FORMAT_VERSION) throw formatMismatch(dir, String(pointer.format));
  return pointer;
}

function parsePointer(text: string): Pointer | null {
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value) || typeof value.generation !== 'string' || !isGenerationName(value.generation)) return null;
    const previous = typeof value.previous === 'string' && isGenerationName(value.previous) ? value.previous : null;
    return { format: Number(value.format), generation: value.generation, previous };
  } catch {
    return null;
  }
}

/** CURRENT itself is unreadable: the newest generation folder that loads is the best guess. */
async function pointerFromScan(dir: string, warn: WarningSink): Promise<Pointer> {
  const generations = (await listGenerations(dir)).reverse();
  for (const generation of generations) {
    try {
      await loadManifest(path.join(dir, generation));
    } catch {
      continue;
    }
    warn(`${path.join(dir, CURRENT)} is unreadable; using ${generation}. Run ${rebuildCommand(dir)} to repair it.`);
    return { format: FORMAT_VERSION, generation, previous: generations.find((g) => g < generation) ?? null };
  }
  throw damaged(dir, `${CURRENT} is unreadable and no generation folder is intact`);
}

async function missingIndex(dir: string): Promise<CitebotError> {
  const names = await realFileSystem.readdir(dir).catch(() => [] as string[]);
  // A plain vectra index from before generations existed.
  if (names.includes(ITEMS)) return formatMismatch(dir, `0 (a bare ${ITEMS}, no ${CURRENT})`);
  return new CitebotError(`No index in ${dir}.`, { hint: `Run: ${rebuildCommand(dir)}` });
}

function formatMismatch(dir: string, found: string): CitebotError {
  return new CitebotError(`The index in ${dir} is format ${found}; this citebot reads format ${FORMAT_VERSION}.`, {
    hint: `Rebuild it: ${rebuildCommand(dir)}`,
  });
}

function damaged(dir: string, reason: string): CitebotError {
  return new CitebotError(`The index in ${dir} is damaged: ${reason}.`, { hint: `Rebuild it: ${rebuildCommand(dir)}` });
}

async function loadFallback(
  dir: string,
  pointer: Pointer,
  reason: string,
  warn: WarningSink,
  loadGeneration: (dir: string, generation: string) => Promise<StoredIndex>,
): Promise<StoredIndex> {
  if (pointer.previous !== null) {
    try {
      const index = await loadGeneration(dir, pointer.previous);
      warn(
        `The current index generation ${pointer.generation} is damaged: ${reason}. ` +
          `Using the previous one, ${pointer.previous}; run ${rebuildCommand(dir)} to rebuild.`,
      );
      return index;
    } catch (err) {
      if (!(err instanceof DamagedGeneration)) throw err;
    }
  }
  throw damaged(dir, reason);
}

async function loadGenerationFolder(dir: string, generation: string, withKeyword: boolean): Promise<StoredIndex> {
  const genDir = path.join(dir, generation);
  const manifest = await loadManifest(genDir);
  // The binary files are read while index.json is parsed.
  const vectors = manifest.mode === 'keyword' ? Promise.resolve(null) : readVectors(path.join(genDir, VECTORS), manifest);
  const keyword = withKeyword ? readKeyword(genDir, manifest.passages) : Promise.resolve(null);
  // Settled even when parsing fails first, so no rejection goes unhandled.
  void Promise.allSettled([vectors, keyword]);
  const passages = await parseItems(await readGenerationBytes(genDir, ITEMS), manifest);
  return { dir, generation, manifest, passages, vectors: await vectors, keyword: await keyword };
}

async function readKeyword(genDir: string, rows: number): Promise<KeywordParts> {
  const [json, bin] = await Promise.all([readGenerationFile(genDir, KEYWORD_JSON), readGenerationBytes(genDir, KEYWORD_BIN)]);
  try {
    return decodeKeywordParts(json, bin, rows);
  } catch (err) {
    throw new DamagedGeneration((err as Error).message);
  }
}

async function loadManifest(genDir: string): Promise<StoredManifest> {
  const value = parseJson(await readGenerationFile(genDir, MANIFEST), MANIFEST);
  if (!isRecord(value)) throw new DamagedGeneration(`${MANIFEST} is not an object`);
  if (value.format !== FORMAT_VERSION) {
    throw new DamagedGeneration(`${MANIFEST} says format ${String(value.format)}, expected ${FORMAT_VERSION}`);
  }
  const { mode, model, dim, passages, files } = value;
  const semantic = mode === 'semantic+keyword' && typeof model === 'string' && isCount(dim) && dim > 0;
  const keyword = mode === 'keyword' && model === null && dim === 0;
  if (!(semantic || keyword) || !isCount(passages) || !isRecord(files)) {
    throw new DamagedGeneration(`${MANIFEST} has missing or inconsistent fields`);
  }
  return value as unknown as StoredManifest;
}

async function readGenerationFile(genDir: string, name: string): Promise<string> {
  try {
    return await realFileSystem.readFile(path.join(genDir, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DamagedGeneration(`${name} is missing`);
    throw err;
  }
}

async function readGenerationBytes(genDir: string, name: string): Promise<Buffer> {
  try {
    return await realFileSystem.readFile(path.join(genDir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DamagedGeneration(`${name} is missing`);
    throw err;
  }
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DamagedGeneration(`${name} is truncated or not JSON`);
  }
}

/**
 * The passages of index.json. The file `writeIndex` writes holds one item per
 * line, parsed line by line in slices with the event loop let in between, and
 * decoded per line, never as one huge string. Any other valid layout (the
 * file rewritten by vectra itself) is parsed whole.
 */
async function parseItems(bytes: Buffer, manifest: StoredManifest): Promise<Passage[]> {
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
    passages.push(toPassage(parseJson(line.endsWith(',') ? line.slice(0, -1) : line, ITEMS), passages.length, strings));
    if ((passages.length & 255) === 0 && performance.now() - sliceStart > PARSE_SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  if (!closed) throw new DamagedGeneration(`${ITEMS} is truncated or not JSON`);
  return checkCount(passages, manifest.passages);
}

function parseWholeItems(text: string, expected: number, strings: Interned): Passage[] {
  const value = parseJson(text, ITEMS);
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
  };
}

function isPassageMetadata(meta: Record<string, unknown>): meta is Record<string, unknown> & PassageMetadata {
  return (
    typeof meta.file === 'string' &&
    typeof meta.text === 'string' &&
    (meta.title === undefined || typeof meta.title === 'string') &&
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

/**
 * Reads straight into a fresh Float32Array: aligned, one copy, no per-row
 * objects, and placed where the dense-search kernel scans it in place.
 */
async function readVectors(file: string, manifest: IndexManifest): Promise<Float32Array> {
  const vectors = allocateVectors(manifest.passages, manifest.dim);
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  let handle;
  try {
    handle = await realFileSystem.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DamagedGeneration(`${VECTORS} is missing`);
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size !== bytes.byteLength) {
      throw new DamagedGeneration(
        `${VECTORS} has ${size} bytes, expected ${bytes.byteLength} (${manifest.passages} passages × ${manifest.dim} dims)`,
      );
    }
    for (let offset = 0; offset < bytes.byteLength; ) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.byteLength - offset, offset);
      if (bytesRead === 0) throw new DamagedGeneration(`${VECTORS} ended early`);
      offset += bytesRead;
    }
  } finally {
    await handle.close();
  }
  if (os.endianness() === 'BE') swapBytes(bytes);
  prepareVectors(vectors, manifest.dim);
  return vectors;
}

async function writeGeneration(genDir: string, content: IndexContent, fs: FileSystem): Promise<void> {
  const { passages, vectors } = content;
  if (vectors) await writeFileAtomic(path.join(genDir, VECTORS), [littleEndian(vectors)], fs);
  const titles = fileTitles(passages);
  await writeFileAtomic(path.join(genDir, ITEMS), itemsJson(passages, titles), fs);
  const keyword = encodeKeywordParts(content.keyword ?? (await KeywordIndex.buildParts(passages)));
  await writeFileAtomic(path.join(genDir, KEYWORD_JSON), [keyword.json], fs);
  await writeFileAtomic(path.join(genDir, KEYWORD_BIN), keyword.bin, fs);
  const { mode, model, dim, docsDir, files, skipped = {} } = content.manifest;
  const createdAt = new Date().toISOString();
  const manifest: StoredManifest = {
    format: FORMAT_VERSION,
    createdAt,
    mode,
    model,
    dim,
    docsDir,
    files,
    skipped,
    titles,
    passages: passages.length,
  };
  await writeFileAtomic(path.join(genDir, MANIFEST), [`${JSON.stringify(manifest, null, 2)}\n`], fs);
  await syncDirectory(genDir, fs);
}

/** Each file's title: that of its first passage (all of a file's passages share it). */
function fileTitles(passages: Passage[]): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const passage of passages) titles[passage.file] ??= passage.title;
  return titles;
}

/**
 * vectra's LocalIndex layout, produced piecewise so no single huge string is
 * built, one item per line so that `parseItems` can read it piecewise too.
 */
function* itemsJson(passages: Passage[], titles: Record<string, string>): Generator<string> {
  let chunk = `${ITEMS_HEADER}\n`;
  for (const [row, passage] of passages.entries()) {
    const metadata: PassageMetadata = {
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
      row,
    };
    chunk += (row === 0 ? '' : ',\n') + JSON.stringify({ id: passage.id, metadata, vector: [], norm: 0 });
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}${passages.length === 0 ? '' : '\n'}]}\n`;
}

function littleEndian(vectors: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  if (os.endianness() === 'LE') return bytes;
  const copy = bytes.slice();
  swapBytes(copy);
  return copy;
}

function swapBytes(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const [a, b, c, d] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!];
    bytes[i] = d;
    bytes[i + 1] = c;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

/** Programming errors in the caller, not user errors: plain Error. */
function checkContent({ manifest, passages, vectors, keyword }: IndexContent): void {
  if (keyword && keyword.rows !== passages.length) {
    throw new Error(`writeIndex: a keyword index of ${keyword.rows} rows for ${passages.length} passages`);
  }
  const expected = manifest.mode === 'keyword' ? 0 : passages.length * manifest.dim;
  if (manifest.mode === 'keyword' ? vectors !== null || manifest.dim !== 0 : vectors?.length !== expected) {
    throw new Error(`writeIndex: ${vectors?.length ?? 'no'} vector floats for ${passages.length} passages × ${manifest.dim} dims`);
  }
}

/**
 * The generation `CURRENT` names, or null when there is no readable pointer.
 * Differs from a loaded index's generation when `openIndex` fell back.
 *
 * @example
 * const fellBack = index.generation !== (await currentGeneration('embeddings'));
 */
export async function currentGeneration(dir: string): Promise<string | null> {
  return (await readPointer(dir, () => undefined).catch(() => null))?.generation ?? null;
}

/** Everything but the new and the fallback generation: older ones and a killed writer's leftovers. */
async function removeOldGenerations(dir: string, keep: Array<string | null>, fs: FileSystem): Promise<void> {
  const doomed = (await listGenerations(dir)).filter((name) => !keep.includes(name));
  // Best effort: a leftover folder wastes space but never breaks the index.
  await Promise.all(doomed.map((name) => fs.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined)));
  await removeTempFiles(dir, fs).catch(() => undefined);
}

/** Generation folder names, oldest first (names start with an ISO time). */
async function listGenerations(dir: string): Promise<string[]> {
  const names = await realFileSystem.readdir(dir).catch(() => [] as string[]);
  return names.filter(isGenerationName).sort();
}

function newGenerationName(): string {
  const time = new Date().toISOString().replace(/[-:.]/g, '');
  return `${GENERATION_PREFIX}${time}-${randomBytes(4).toString('hex')}`;
}

function isGenerationName(name: string): boolean {
  return /^gen-[0-9TZ]+-[0-9a-f]+$/.test(name);
}

/**
 * Turns an OS failure to write in the index folder into one line the user can
 * act on; anything without an error code is returned as it is (a bug).
 *
 * @example
 * try { await fsp.mkdir(dir); } catch (err) { throw indexWriteError(dir, err); }
 */
export function indexWriteError(dir: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return err;
  const rerun = `run: ${rebuildCommand(dir)}`;
  const unchanged = 'The previous index is unchanged';
  const known: Record<string, [reason: string, hint: string]> = {
    ENOSPC: ['the disk is full', `${unchanged}; free some space and ${rerun}`],
    EDQUOT: ['the disk quota is used up', `${unchanged}; free some space and ${rerun}`],
    EROFS: ['the file system is read-only', `${unchanged}; choose a writable folder with --index DIR.`],
    EACCES: ['permission denied', `${unchanged}; check the folder's permissions and ${rerun}`],
    EPERM: ['permission denied', `${unchanged}; check the folder's permissions and ${rerun}`],
    EEXIST: ['it is a file, not a folder', 'Choose a folder with --index DIR.'],
    ENOTDIR: ['part of that path is a file, not a folder', 'Choose a folder with --index DIR.'],
  };
  const [reason, hint] = known[code] ?? [(err as Error).message, `${unchanged}.`];
  return new CitebotError(`Could not write the index in ${dir}: ${reason} (${code}).`, { hint, cause: err });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
