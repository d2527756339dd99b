/**
 * One generation folder: the files of one complete, immutable index, written
 * and read together. Each file's checksum goes into the manifest as it is
 * written, and is checked against the bytes read back (`checksum.ts`).
 *
 *   passages.bin   `passages-file.ts`: what is quoted and cited (kept as columns: `passage-table.ts`)
 *   texts.bin      their texts, read a passage at a time when shown (each checked against its hash)
 *   vectors.f32    `vectors-file.ts` (absent in keyword mode)
 *   vectors.i8     `quantized-file.ts`: their int8 copies, what search loads (absent in keyword mode)
 *   keyword.json   `keyword-file.ts`
 *   keyword.bin
 *   index.json     `items.ts`: the same passages for vectra's LocalIndex; written, never read
 *   manifest.json  `manifest.ts`, written last: a generation whose manifest loads is complete
 *
 * @example
 * await writeGeneration('embeddings/gen-…', { manifest, passages, vectors, keyword }, realFileSystem);
 * const { passages } = await readGeneration('embeddings/gen-…', { keyword: true });
 */
import path from 'node:path';
import { syncDirectory, writeFileAtomic, type FileSystem } from './atomic.js';
import { checksummed, verifyChecksum, type IntegrityCheck } from './checksum.js';
import { DamagedGeneration, readGenerationBytes, readSharedGenerationBytes } from './damaged-generation.js';
import { fileTitles, ITEMS, itemsJson } from './items.js';
import { checkKeywordPostings, decodeKeywordParts, encodeKeywordParts, KEYWORD_BIN, KEYWORD_JSON, type KeywordParts } from './keyword-file.js';
import { readManifestFile, stampManifest, writeManifestFile, type ManifestDraft, type StoredManifest } from './manifest.js';
import { openPassageTable } from './passage-table.js';
import { encodePassages, encodeTexts, PASSAGES, readPassagesLayout, TEXTS } from './passages-file.js';
import { QUANTIZED, quantizedChunks, readQuantizedFile, type QuantizedAllocator } from './quantized-file.js';
import type { Passage, PassageList, StoredVectors } from '../types.js';
import { allFinite, littleEndianVectors, openStoredVectors, plainVectors, readVectorsFile, VECTORS, type FiniteCheck, type VectorAllocator } from './vectors-file.js';

/** Everything one generation holds, as given to `writeIndex`. */
export interface IndexContent {
  manifest: ManifestDraft;
  passages: Passage[];
  /** `passages.length × manifest.dim` floats; null in keyword mode. */
  vectors: Float32Array | null;
  /** The keyword index over `passages` (built by the search layer: `KeywordIndex.buildParts`). */
  keyword: KeywordParts;
}

/** A generation as read back. */
export interface GenerationData {
  manifest: StoredManifest;
  /** A table of columns; texts are read from texts.bin when used. */
  passages: PassageList;
  /** Whole (the default), or as search reads them (`ReadOptions.quantized`). */
  vectors: Float32Array | StoredVectors | null;
  /** Null when not asked for. */
  keyword: KeywordParts | null;
  /**
   * Null once every integrity check has passed, or what is damaged. Already
   * settled unless the checks were deferred (`ReadOptions.deferChecksFrom`);
   * never rejects.
   */
  checked: Promise<string | null>;
}

/**
 * Writes every file of a generation into `genDir` (which exists and is empty),
 * each temp-then-rename, then fsyncs the folder.
 *
 * @example
 * await writeGeneration('embeddings/gen-…', { manifest: draft, passages, vectors: null, keyword }, realFileSystem);
 */
export async function writeGeneration(genDir: string, content: IndexContent, fs: FileSystem): Promise<void> {
  const { passages, vectors } = content;
  const sums: Record<string, string> = {};
  const write = (name: string, chunks: Iterable<string | Uint8Array>): Promise<void> =>
    writeFileAtomic(path.join(genDir, name), checksummed(chunks, (sum) => (sums[name] = sum)), fs);
  if (vectors) await write(VECTORS, [littleEndianVectors(vectors)]);
  if (vectors) await write(QUANTIZED, quantizedChunks(vectors, content.manifest.dim));
  await write(PASSAGES, encodePassages(passages));
  // Its checksum is recorded, but a reader checks each text against its passage's hash instead: texts.bin is never read whole.
  await write(TEXTS, encodeTexts(passages));
  const titles = fileTitles(passages);
  await write(ITEMS, itemsJson(passages, titles));
  const keyword = encodeKeywordParts(content.keyword);
  await write(KEYWORD_JSON, [keyword.json]);
  await write(KEYWORD_BIN, keyword.bin);
  await writeManifestFile(genDir, stampManifest(content.manifest, passages.length, titles, sums), fs);
  await syncDirectory(genDir, fs);
}

/** How to read a generation. */
export interface ReadOptions {
  /**
   * Read the keyword files too. A writer doesn't: it rebuilds the keyword
   * index anyway, and at 200k passages it weighs 200 MB.
   */
  keyword: boolean;
  /** Where the vectors go (default: a plain Float32Array). */
  allocate?: VectorAllocator;
  /** How to check that they are all numbers (default: a plain scan; the search layer has a free one). */
  finite?: FiniteCheck;
  /**
   * Read the vectors as search does instead: their int8 copies (vectors.i8)
   * into arrays from this allocator, and vectors.f32 a row at a time on demand
   * (`allocate` and `finite` are then unused).
   */
  quantized?: QuantizedAllocator;
  /**
   * Passages from which the checks of the large files (checksums of
   * passages.bin, keyword.bin and vectors.i8, and the keyword postings) run
   * after the read returns, in the background, instead of before: at a
   * million passages they are 1.5 GB of sha256 and 130M postings, most of a
   * load. Their outcome is `GenerationData.checked`; the caller must not
   * trust the data for anything lasting (a reindex reusing its vectors)
   * before it says null. Default: never.
   */
  deferChecksFrom?: number;
}

/**
 * Reads a generation back. Anything missing, truncated, inconsistent or not
 * matching its checksum is a `DamagedGeneration`.
 *
 * @example
 * const { manifest, passages, vectors, keyword } = await readGeneration('embeddings/gen-…', { keyword: true });
 */
export async function readGeneration(genDir: string, options: ReadOptions): Promise<GenerationData> {
  const manifest = await readManifestFile(genDir);
  const later: Array<() => Promise<void>> = [];
  const deferred = manifest.passages >= (options.deferChecksFrom ?? Infinity);
  const check: IntegrityCheck = deferred ? async (run) => void later.push(run) : (run) => run();
  // The binary files are read while the passages are decoded.
  const vectors = manifest.mode === 'keyword' ? Promise.resolve(null) : readVectors(genDir, manifest, options, check);
  const keyword = options.keyword ? readKeyword(genDir, manifest, check) : Promise.resolve(null);
  // Settled even when decoding fails first, so no rejection goes unhandled.
  void Promise.allSettled([vectors, keyword]);
  // In shared memory when its checksum may be left for later: then it is hashed in a worker, beside the serving.
  const bytes = await (deferred ? readSharedGenerationBytes : readGenerationBytes)(genDir, PASSAGES);
  // Layout first: "truncated" says more than "does not match its checksum".
  const layout = readPassagesLayout(bytes, manifest.passages);
  await check(() => verifyChecksum(bytes, PASSAGES, manifest.checksums));
  const passages = openPassageTable(layout, path.join(genDir, TEXTS));
  const data = { manifest, passages, vectors: await vectors, keyword: await keyword };
  return { ...data, checked: runChecks(later) };
}

/** The checks left for after the load, all at once: null when they pass, else the first damage found. */
async function runChecks(checks: ReadonlyArray<() => Promise<void>>): Promise<string | null> {
  try {
    await Promise.all(checks.map((run) => run()));
    return null;
  } catch (err) {
    if (err instanceof DamagedGeneration) return err.message;
    // Not damage but an OS failure (a worker that could not start): say so rather than serve unchecked without a word.
    return `its files could not be checked (${(err as Error).message})`;
  }
}

function readVectors(genDir: string, manifest: StoredManifest, options: ReadOptions, check: IntegrityCheck): Promise<Float32Array | StoredVectors> {
  const { quantized } = options;
  if (quantized === undefined) return readVectorsFile(genDir, manifest, options.allocate ?? plainVectors, options.finite ?? allFinite);
  return readQuantizedFile(genDir, manifest, quantized, check).then((parts) => openStoredVectors(path.join(genDir, VECTORS), manifest.passages, manifest.dim, parts));
}

async function readKeyword(genDir: string, manifest: StoredManifest, check: IntegrityCheck): Promise<KeywordParts> {
  // In shared memory from the start: a large index's search worker reads the postings in place (search/scanner.ts), with no copy at load.
  const [json, bin] = await Promise.all([readGenerationBytes(genDir, KEYWORD_JSON), readSharedGenerationBytes(genDir, KEYWORD_BIN)]);
  let parts: KeywordParts;
  try {
    parts = decodeKeywordParts(json.toString('utf8'), bin, manifest.passages);
  } catch (err) {
    throw new DamagedGeneration((err as Error).message);
  }
  await check(async () => {
    try {
      await checkKeywordPostings(parts);
    } catch (err) {
      throw new DamagedGeneration((err as Error).message);
    }
  });
  // keyword.json is small and was parsed above: checked now, whatever the size of the index.
  await verifyChecksum(json, KEYWORD_JSON, manifest.checksums);
  await check(() => verifyChecksum(bin, KEYWORD_BIN, manifest.checksums));
  return parts;
}
