/**
 * One generation folder written as ingest produces it, a document at a time,
 * so that memory follows the largest document rather than the folder: each
 * batch of passages goes straight into texts.bin, passages.bin's columns,
 * index.json and the keyword build's runs (merged on disk at the end,
 * `keyword-runs.ts`). The files come out byte for byte as
 * `writeGeneration` (generation-folder.ts) writes them for the same content,
 * each temp-then-rename with its checksum, the manifest last.
 *
 * The folder is an unpublished generation until the store swaps `CURRENT`
 * (`beginIndexWrite` in store.ts): a crash mid-way leaves the served index
 * as it was, and temp files only inside a folder the next ingest deletes.
 *
 * @example
 * const files = await GenerationWriter.create(genDir, realFileSystem);
 * await files.add(passagesOfOneDocument); // … for every document, in row order
 * await files.finish(draft, null, await keywordBuilder.finish());
 */
import path from 'node:path';
import { openFileAtomic, syncDirectory, tempPathFor, type AtomicFile, type FileSystem } from './atomic.js';
import { ITEMS, ITEMS_HEAD, itemLines, itemsTail } from './items.js';
import { KEYWORD_BIN, KEYWORD_JSON, keywordJsonChunks, type KeywordHead } from './keyword-file.js';
import { KeywordRunFile, type PostingRun, type PostingWeight } from './keyword-runs.js';
import { stampManifest, writeManifestFile, type ManifestDraft } from './manifest.js';
import { PASSAGES, PassagesWriter, TEXTS } from './passages-file.js';
import { QUANTIZED, quantizedChunks } from './quantized-file.js';
import { detached } from '../text/detach.js';
import type { Passage } from '../types.js';
import { littleEndianVectors, VECTORS } from './vectors-file.js';

/** The keyword index once every run is in: keyword.json's content and each posting's weight. */
export interface BuiltKeyword {
  head: KeywordHead;
  weight: PostingWeight;
}

/** A generation folder being filled (see the file comment). */
export class GenerationWriter {
  private readonly titles: Record<string, string> = {};
  private rows = 0;

  private constructor(
    private readonly genDir: string,
    private readonly fs: FileSystem,
    private readonly texts: AtomicFile,
    private readonly passages: PassagesWriter,
    private readonly items: AtomicFile,
    private readonly runs: KeywordRunFile,
  ) {}

  /**
   * Starts writing into `genDir` (which exists and is empty).
   *
   * @example
   * const files = await GenerationWriter.create('embeddings/gen-…', realFileSystem);
   */
  static async create(genDir: string, fs: FileSystem): Promise<GenerationWriter> {
    const opened: Array<{ abort(): Promise<void> }> = [];
    try {
      const texts = await openFileAtomic(path.join(genDir, TEXTS), fs);
      opened.push(texts);
      const items = await openFileAtomic(path.join(genDir, ITEMS), fs);
      opened.push(items);
      await items.write(ITEMS_HEAD);
      const runs = await KeywordRunFile.create(tempPathFor(path.join(genDir, 'keyword-runs')), fs);
      return new GenerationWriter(genDir, fs, texts, new PassagesWriter(texts), items, runs);
    } catch (err) {
      // A full disk at the first write: the files opened so far are closed here, as no writer will dispose of them.
      await Promise.all(opened.map((file) => file.abort()));
      throw err;
    }
  }

  /** Where the keyword build hands its runs (`KeywordBuilder`'s sink). */
  readonly keywordRuns = (run: PostingRun): Promise<void> => this.runs.add(run);

  /** Appends passages, in row order (whole documents: a file's title is that of its first passage). */
  async add(passages: readonly Passage[]): Promise<void> {
    // detached: a title sliced from the document's text would keep all of it until the end.
    for (const passage of passages) this.titles[passage.file] ??= detached(passage.title);
    await this.passages.add(passages);
    for (const chunk of itemLines(passages, this.rows, this.titles)) await this.items.write(chunk);
    this.rows += passages.length;
  }

  /**
   * Writes the remaining files and the manifest, then fsyncs the folder.
   * `vectors` (null in keyword mode) has a row per passage added.
   */
  async finish(draft: ManifestDraft, vectors: Float32Array | null, keyword: BuiltKeyword): Promise<void> {
    checkFinish(draft, this.rows, vectors, keyword.head);
    const sums: Record<string, string> = {};
    const write = async (name: string, chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>): Promise<void> => {
      const file = await openFileAtomic(path.join(this.genDir, name), this.fs);
      try {
        for await (const chunk of chunks) await file.write(chunk);
      } catch (err) {
        await file.abort();
        throw err;
      }
      sums[name] = await file.commit();
    };
    if (vectors) await write(VECTORS, [littleEndianVectors(vectors)]);
    if (vectors) await write(QUANTIZED, quantizedChunks(vectors, draft.dim));
    await write(PASSAGES, this.passages.chunks());
    await this.passages.flushTexts();
    sums[TEXTS] = await this.texts.commit();
    await this.items.write(itemsTail(this.rows));
    sums[ITEMS] = await this.items.commit();
    await write(KEYWORD_JSON, keywordJsonChunks(keyword.head));
    await write(KEYWORD_BIN, this.runs.bin(keyword.head.terms.length, keyword.weight));
    await this.dispose();
    // writeGeneration's order (the manifest lists the checksums as they were written there).
    const ordered = Object.fromEntries([VECTORS, QUANTIZED, PASSAGES, TEXTS, ITEMS, KEYWORD_JSON, KEYWORD_BIN].filter((name) => name in sums).map((name) => [name, sums[name]!]));
    await writeManifestFile(this.genDir, stampManifest(draft, this.rows, this.titles, ordered), this.fs);
    await syncDirectory(this.genDir, this.fs);
  }

  /** Closes and deletes the temp files (the folder itself is the store's to remove). Never throws. */
  async dispose(): Promise<void> {
    await Promise.all([this.texts.abort(), this.items.abort(), this.runs.dispose()]);
  }
}

/** Programming errors in the caller, as `checkContent` in store.ts: plain Error. */
function checkFinish(draft: ManifestDraft, rows: number, vectors: Float32Array | null, keyword: KeywordHead): void {
  if (keyword.rows !== rows) throw new Error(`writeIndex: a keyword index of ${keyword.rows} rows for ${rows} passages`);
  const expected = draft.mode === 'keyword' ? 0 : rows * draft.dim;
  if (draft.mode === 'keyword' ? vectors !== null || draft.dim !== 0 : vectors?.length !== expected) {
    throw new Error(`writeIndex: ${vectors?.length ?? 'no'} vector floats for ${rows} passages × ${draft.dim} dims`);
  }
}
