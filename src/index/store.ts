/**
 * The on-disk index (docs/ARCHITECTURE.md, "Index layout"): the API the rest
 * of citebot calls, the fallback to the previous generation, and the errors a
 * user sees. Each ingest writes a complete, immutable generation folder
 * (`generation-folder.ts`), then swaps the `CURRENT` pointer by rename
 * (`generations.ts`); a crash at any moment leaves the old index or the new one.
 *
 * @example
 * const generation = await writeIndex('embeddings', { manifest, passages, vectors, keyword });
 * const index = await openIndex('embeddings', console.warn);
 */
import path from 'node:path';
import { realFileSystem, syncDirectory, type FileSystem } from './atomic.js';
import { DamagedGeneration } from './damaged-generation.js';
import { CitebotError } from '../errors.js';
import { readGeneration, writeGeneration, type IndexContent, type ReadOptions } from './generation-folder.js';
import { CURRENT, listGenerations, newGenerationName, parsePointer, removeOldGenerations, writePointer, type Pointer } from './generations.js';
import { ITEMS } from './items.js';
import type { KeywordParts } from './keyword-file.js';
import { FORMAT_VERSION, readManifestFile, type StoredManifest } from './manifest.js';
import type { QuantizedAllocator } from './quantized-file.js';
import type { LoadedIndex, StoredVectors, WarningSink } from '../types.js';
import { indexWriteError, rebuildCommand } from './write-error.js';

// Part of the store's API; defined below it so that lock.ts can use them too.
export { indexWriteError, rebuildCommand };

/** A loaded index with its stored keyword index (null when loaded for an update, which doesn't need it). */
export interface StoredIndex extends LoadedIndex {
  keyword: KeywordParts | null;
  /** Null once every integrity check has passed, or what is damaged (see `OpenOptions.deferChecksFrom`); never rejects. */
  checked: Promise<string | null>;
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

/**
 * How `openIndex` reads the vectors: whole, into arrays from `allocate` and
 * checked for NaN by `finite`; or as search does, their int8 copies into
 * arrays from `quantized` and exact rows on demand (the search layer passes
 * allocators that place them where its kernel scans them).
 */
export type OpenOptions = Pick<ReadOptions, 'allocate' | 'finite' | 'quantized' | 'deferChecksFrom'>;

/** The vectors' shape for these options: whole, or as search reads them. */
export type VectorsRead<O extends OpenOptions> = O extends { quantized: QuantizedAllocator } ? StoredVectors : Float32Array;

type GenerationLoader = (dir: string, generation: string) => Promise<StoredIndex>;

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
 * Loads the current generation. Falls back to the previous generation, with a
 * warning, when the current one is damaged. Throws a `CitebotError` when there
 * is no index, when it has another format, or when nothing intact is left.
 *
 * @example
 * const { passages, vectors, manifest } = await openIndex('embeddings', console.warn);
 * const scannable = await openIndex('embeddings', console.warn, { quantized: allocateQuantized });
 */
export async function openIndex<O extends OpenOptions = Record<never, never>>(
  dir: string,
  warn: WarningSink = () => undefined,
  options: O = {} as O,
): Promise<StoredIndex & { vectors: VectorsRead<O> | null }> {
  return (await openCurrent(dir, warn, { ...options, keyword: true })) as StoredIndex & { vectors: VectorsRead<O> | null };
}

/**
 * Like `openIndex`, for a writer that will replace the index anyway: a missing,
 * damaged or other-format index gives null (after one warning line) instead of
 * an error, so ingest rebuilds it from scratch.
 *
 * @example
 * const old = await openIndexForUpdate('embeddings', console.warn); // null → embed everything
 */
export async function openIndexForUpdate(dir: string, warn: WarningSink): Promise<(StoredIndex & { vectors: Float32Array | null }) | null> {
  if (!(await hasIndex(dir))) return null;
  // An older citebot used to rebuild over a newer index, deleting both newer generations.
  if (await isNewerFormat(dir)) await readPointer(dir, warn);
  try {
    // Without the keyword index: ingest rebuilds it anyway, and at 200k passages it weighs 200 MB.
    return (await openCurrent(dir, warn, { keyword: false })) as StoredIndex & { vectors: Float32Array | null };
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
    return await readManifestFile(path.join(dir, pointer.generation));
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
 *   keyword: await KeywordIndex.buildParts(passages),
 * });
 */
export async function writeIndex(dir: string, content: IndexContent, options: WriteOptions = {}): Promise<string> {
  checkContent(content);
  const write = await beginIndexWrite(dir, options);
  try {
    await writeGeneration(write.genDir, content, write.fs);
  } catch (err) {
    throw await write.abandon(err);
  }
  return await write.commit();
}

/** A new generation folder being filled, not yet current (`beginIndexWrite`). */
export interface IndexWrite {
  /** The folder to fill (exists, empty). */
  genDir: string;
  fs: FileSystem;
  /** Makes the filled folder current (as `writeIndex` does); returns its name. */
  commit(): Promise<string>;
  /**
   * Removes the folder after `err` stopped the filling; returns the error to
   * throw (an OS failure as the one line `indexWriteError` makes of it).
   */
  abandon(err: unknown): Promise<unknown>;
}

/**
 * The first half of `writeIndex`, for a writer that fills the new generation
 * over time (ingest writes each document as it reads it): creates the folder.
 * Until `commit` the index is as it was; a crash leaves a folder that the next
 * commit deletes. The caller holds the index lock.
 *
 * @example
 * const write = await beginIndexWrite('embeddings', { previous: old.generation });
 * try { await fill(write.genDir); } catch (err) { throw await write.abandon(err); }
 * const generation = await write.commit();
 */
export async function beginIndexWrite(dir: string, options: WriteOptions = {}): Promise<IndexWrite> {
  const fs = options.fs ?? realFileSystem;
  const generation = newGenerationName();
  const genDir = path.join(dir, generation);
  let previous: string | null = null;
  const abandon = async (err: unknown): Promise<unknown> => {
    await fs.rm(genDir, { recursive: true, force: true }).catch(() => undefined);
    return indexWriteError(dir, err);
  };
  try {
    await fs.mkdir(dir, { recursive: true });
    // Not recursive: on a read-only mount that reports ENOENT instead of EROFS.
    await fs.mkdir(genDir);
    previous = options.previous !== undefined ? options.previous : await currentGeneration(dir);
  } catch (err) {
    throw await abandon(err);
  }
  const commit = async (): Promise<string> => {
    let committed = false;
    try {
      await syncDirectory(dir, fs);
      await writePointer(dir, { format: FORMAT_VERSION, generation, previous }, fs);
      committed = true;
      await syncDirectory(dir, fs);
    } catch (err) {
      // After the swap the new index is live: "previous index unchanged" would be a lie.
      if (committed) throw err;
      throw await abandon(err);
    }
    await removeOldGenerations(dir, [generation, previous], fs);
    return generation;
  };
  return { genDir, fs, commit, abandon };
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

async function openCurrent(dir: string, warn: WarningSink, options: ReadOptions): Promise<StoredIndex> {
  const loadGeneration: GenerationLoader = async (root, generation) => ({
    dir: root,
    generation,
    ...(await readGeneration(path.join(root, generation), options)),
  });
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

async function loadFallback(dir: string, pointer: Pointer, reason: string, warn: WarningSink, loadGeneration: GenerationLoader): Promise<StoredIndex> {
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
  throw damagedIndexError(dir, reason);
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
  if (pointer.format !== FORMAT_VERSION) throw formatMismatch(dir, String(pointer.format), pointer.format > FORMAT_VERSION);
  return pointer;
}

/** CURRENT itself is unreadable: the newest generation folder that loads is the best guess. */
async function pointerFromScan(dir: string, warn: WarningSink): Promise<Pointer> {
  const generations = (await listGenerations(dir)).reverse();
  for (const generation of generations) {
    try {
      await readManifestFile(path.join(dir, generation));
    } catch {
      continue;
    }
    warn(`${path.join(dir, CURRENT)} is unreadable; using ${generation}. Run ${rebuildCommand(dir)} to repair it.`);
    return { format: FORMAT_VERSION, generation, previous: generations.find((g) => g < generation) ?? null };
  }
  throw damagedIndexError(dir, `${CURRENT} is unreadable and no generation folder is intact`);
}

async function missingIndex(dir: string): Promise<CitebotError> {
  const names = await realFileSystem.readdir(dir).catch(() => [] as string[]);
  // A plain vectra index from before generations existed.
  if (names.includes(ITEMS)) return formatMismatch(dir, `0 (a bare ${ITEMS}, no ${CURRENT})`);
  return new CitebotError(`No index in ${dir}.`, { hint: `Run: ${rebuildCommand(dir)}` });
}

/**
 * An older format is rebuilt by `citebot ingest`. A newer one was written by
 * a newer citebot: this one can't read it, so it must not replace (delete) it.
 */
function formatMismatch(dir: string, found: string, newer = false): CitebotError {
  const message = `The index in ${dir} is format ${found}; this citebot reads format ${FORMAT_VERSION}.`;
  if (!newer) return new CitebotError(message, { hint: `Rebuild it: ${rebuildCommand(dir)}` });
  return new CitebotError(`${message} It was written by a newer citebot and is left untouched.`, {
    hint: 'Upgrade citebot, or set INDEX_DIR (or pass --index DIR) to another folder to build an index there.',
  });
}

/** True when `CURRENT` names a format newer than this citebot's: such an index is never rebuilt over. */
async function isNewerFormat(dir: string): Promise<boolean> {
  const text = await realFileSystem.readFile(path.join(dir, CURRENT), 'utf8').catch(() => null);
  const pointer = text === null ? null : parsePointer(text);
  return pointer !== null && pointer.format > FORMAT_VERSION;
}

/**
 * The error a damaged index is refused with: what is wrong, and the command that rebuilds it.
 *
 * @example
 * throw damagedIndexError('embeddings', 'keyword.bin does not match its checksum in manifest.json');
 */
export function damagedIndexError(dir: string, reason: string): CitebotError {
  return new CitebotError(`The index in ${dir} is damaged: ${reason}.`, { hint: `Rebuild it: ${rebuildCommand(dir)}` });
}

/** Programming errors in the caller, not user errors: plain Error. */
function checkContent({ manifest, passages, vectors, keyword }: IndexContent): void {
  if (keyword.rows !== passages.length) {
    throw new Error(`writeIndex: a keyword index of ${keyword.rows} rows for ${passages.length} passages`);
  }
  const expected = manifest.mode === 'keyword' ? 0 : passages.length * manifest.dim;
  if (manifest.mode === 'keyword' ? vectors !== null || manifest.dim !== 0 : vectors?.length !== expected) {
    throw new Error(`writeIndex: ${vectors?.length ?? 'no'} vector floats for ${passages.length} passages × ${manifest.dim} dims`);
  }
}
