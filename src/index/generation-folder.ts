/**
 * One generation folder: the files of one complete, immutable index, written
 * and read together.
 *
 *   vectors.f32    `vectors-file.ts` (absent in keyword mode)
 *   index.json     `index-items.ts`
 *   keyword.json   `keyword-file.ts`
 *   keyword.bin
 *   manifest.json  `manifest.ts`, written last: a generation whose manifest loads is complete
 *
 * @example
 * await writeGeneration('embeddings/gen-…', { manifest, passages, vectors, keyword }, realFileSystem);
 * const { passages } = await readGeneration('embeddings/gen-…', { keyword: true });
 */
import path from 'node:path';
import { syncDirectory, writeFileAtomic, type FileSystem } from './atomic.js';
import { DamagedGeneration, readGenerationBytes, readGenerationText } from './damaged-generation.js';
import { fileTitles, ITEMS, itemsJson, parseItems } from './items.js';
import { decodeKeywordParts, encodeKeywordParts, KEYWORD_BIN, KEYWORD_JSON, type KeywordParts } from './keyword-file.js';
import { readManifestFile, stampManifest, writeManifestFile, type ManifestDraft, type StoredManifest } from './manifest.js';
import type { Passage } from '../types.js';
import { littleEndianVectors, plainVectors, readVectorsFile, VECTORS, type VectorAllocator } from './vectors-file.js';

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
  passages: Passage[];
  vectors: Float32Array | null;
  /** Null when not asked for. */
  keyword: KeywordParts | null;
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
  if (vectors) await writeFileAtomic(path.join(genDir, VECTORS), [littleEndianVectors(vectors)], fs);
  const titles = fileTitles(passages);
  await writeFileAtomic(path.join(genDir, ITEMS), itemsJson(passages, titles), fs);
  const keyword = encodeKeywordParts(content.keyword);
  await writeFileAtomic(path.join(genDir, KEYWORD_JSON), [keyword.json], fs);
  await writeFileAtomic(path.join(genDir, KEYWORD_BIN), keyword.bin, fs);
  await writeManifestFile(genDir, stampManifest(content.manifest, passages.length, titles), fs);
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
}

/**
 * Reads a generation back. Anything missing, truncated or inconsistent is a
 * `DamagedGeneration`.
 *
 * @example
 * const { manifest, passages, vectors, keyword } = await readGeneration('embeddings/gen-…', { keyword: true });
 */
export async function readGeneration(genDir: string, options: ReadOptions): Promise<GenerationData> {
  const manifest = await readManifestFile(genDir);
  // The binary files are read while index.json is parsed.
  const vectors = manifest.mode === 'keyword' ? Promise.resolve(null) : readVectorsFile(genDir, manifest, options.allocate ?? plainVectors);
  const keyword = options.keyword ? readKeyword(genDir, manifest.passages) : Promise.resolve(null);
  // Settled even when parsing fails first, so no rejection goes unhandled.
  void Promise.allSettled([vectors, keyword]);
  const passages = await parseItems(await readGenerationBytes(genDir, ITEMS), manifest);
  return { manifest, passages, vectors: await vectors, keyword: await keyword };
}

async function readKeyword(genDir: string, rows: number): Promise<KeywordParts> {
  const [json, bin] = await Promise.all([readGenerationText(genDir, KEYWORD_JSON), readGenerationBytes(genDir, KEYWORD_BIN)]);
  try {
    return decodeKeywordParts(json, bin, rows);
  } catch (err) {
    throw new DamagedGeneration((err as Error).message);
  }
}
