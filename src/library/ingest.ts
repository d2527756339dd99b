/**
 * Docs folder → index. Incremental: a passage whose text (hash) was already
 * embedded by the same model keeps its vector, so re-running after an edit
 * embeds only what changed; passages of changed and deleted files go away
 * because every run rebuilds the passage list from the folder.
 *
 * @example
 * const summary = await ingest({ docsDir: 'seeds', indexDir: 'embeddings', embedder, warn: console.warn });
 * summary; // { files: 1, passages: 36, added: 1, changed: 0, removed: 0, embedded: 33, … }
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { documentKind, readDocuments } from '../documents/load.js';
import { walkFolder, type FolderWalk, type SkippedPath } from '../documents/walk.js';
import { acquireLock } from '../index/lock.js';
import type { FileStamp, ManifestDraft } from '../index/manifest.js';
import { formatRank, markCopies } from '../documents/copies.js';
import { splitDocument } from '../documents/split.js';
import { columnsOf } from '../index/passage-table.js';
import { currentGeneration, openIndexForUpdate, readManifest } from '../index/store.js';
import type { Embedder, FileRecord, LoadedDocument, LoadedIndex, Mode, Passage, StoredVectors, WarningSink } from '../types.js';
import { IndexTarget, type TargetOptions } from './index-target.js';

/** Texts per `embed` call when the caller doesn't say. */
const DEFAULT_BATCH_SIZE = 32;
/**
 * Longest stretch of splitting between two yields to the event loop: a bot
 * re-indexing thousands of documents must keep answering and heartbeating.
 */
const SLICE_MS = 5;

export type IngestPhase = 'read' | 'embed' | 'write';

/** What one ingest did; `added`/`changed`/`removed` count files. */
export interface IngestSummary {
  files: number;
  passages: number;
  added: number;
  changed: number;
  removed: number;
  /** Passages whose vectors were computed in this run (0 in keyword mode). */
  embedded: number;
  mode: Mode;
  seconds: number;
  generation: string;
  /** Paths in the docs folder that were not read, and why (see `skippedSentence`). */
  skipped: SkippedPath[];
}

export interface IngestOptions {
  docsDir: string;
  indexDir: string;
  /** null = keyword mode: no vectors are computed or stored. */
  embedder: Embedder | null;
  warn: WarningSink;
  /** Called as work is done; `total` is the work of the current phase. */
  onProgress?: (done: number, total: number, phase: IngestPhase) => void;
  /** Longest passage in characters (see `splitDocument`). */
  maxChars?: number;
  /** Texts per embedding call (default 32). */
  batchSize?: number;
  /** How long to wait for another ingest writing the same index (default 30 s). */
  lockWaitMs?: number;
  /**
   * The index the caller has loaded already (a serving library's): used as the
   * old index when it is still the current generation, instead of reading the
   * same passages and vectors a second time while it serves.
   */
  loaded?: LoadedIndex;
  /** How the new generation is written (tests force small keyword runs). */
  target?: TargetOptions;
}

/** What the new index will hold, once the folder is read. */
interface Plan {
  draft: ManifestDraft;
  /**
   * Every passage, when they had to be held (semantic mode embeds them all at
   * once; a folder of several formats marks copies across files); null when
   * each document went to the index as it was read.
   */
  passages: Passage[] | null;
  skipped: SkippedPath[];
}

/**
 * Builds or refreshes the index in `indexDir` from the documents in
 * `docsDir`. Holds the index lock throughout, so concurrent ingests run one
 * after the other. Writes nothing when nothing changed.
 *
 * `added`, `changed` and `removed` count files; `embedded` counts passages.
 *
 * @example
 * await ingest({ docsDir: 'seeds', indexDir: 'embeddings', embedder: null, warn, onProgress: bar.update });
 */
export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const { indexDir } = options;
  const lock = await acquireLock(indexDir, options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs });
  try {
    // Before reading: each document is compared with the old index's rows (and written) as it is split.
    const old = await previousIndex(options);
    const target = new IndexTarget(indexDir, old, setupOf(options), options.target);
    let embedded = 0;
    let plan: Plan;
    let generation: string;
    try {
      plan = await planIndex(options, target);
      const collected = plan.passages;
      if (collected) await target.addDocuments(collected);
      const vectors = async (): Promise<Float32Array | null> => {
        if (!options.embedder || !collected) return null;
        const result = await embedPassages(collected, old, options.embedder, options);
        embedded = result.embedded;
        return result.vectors;
      };
      const done = await target.finish(plan.draft, vectors, () => options.onProgress?.(0, 1, 'write'));
      generation = done.generation;
      if (done.written) options.onProgress?.(1, 1, 'write');
    } catch (err) {
      await target.discard();
      throw err;
    }
    return {
      files: Object.keys(plan.draft.files).length,
      passages: target.passages,
      ...compareFiles(old?.manifest.files ?? {}, plan.draft.files),
      embedded,
      mode: plan.draft.mode,
      seconds: Math.round(performance.now() - started) / 1000,
      generation,
      skipped: plan.skipped,
    };
  } finally {
    await lock.release();
  }
}

/** The new index's mode, model, dimension and docs folder. */
function setupOf(options: IngestOptions): Pick<ManifestDraft, 'mode' | 'model' | 'dim' | 'docsDir'> {
  const { embedder } = options;
  return { mode: embedder ? 'semantic+keyword' : 'keyword', model: embedder?.model ?? null, dim: embedder?.dim ?? 0, docsDir: path.resolve(options.docsDir) };
}

/** The index to update: the caller's loaded one when it is the current generation, else read from disk. */
async function previousIndex({ indexDir, warn, loaded }: IngestOptions): Promise<LoadedIndex | null> {
  if (loaded && path.resolve(loaded.dir) === path.resolve(indexDir) && loaded.generation === (await currentGeneration(indexDir))) return loaded;
  return openIndexForUpdate(indexDir, warn);
}

/**
 * Reads and splits every document, one at a time, handing each document's
 * passages to `target` as it goes, so memory follows the largest file, not
 * the folder. Holds them all instead when it must (`Plan.passages`). Notes
 * the candidate files the loader skipped.
 */
async function planIndex(options: IngestOptions, target: IndexTarget): Promise<Plan> {
  const docsDir = path.resolve(options.docsDir);
  const walk = await walkFolder(docsDir, { exclude: [options.indexDir] });
  // Copies are marked across files, between formats: only a folder of one format can go file by file.
  const held: Passage[] | null = options.embedder || formatCount(walk) > 1 ? [] : null;
  const kinds = new Map<string, LoadedDocument['kind']>();
  const files: Record<string, FileRecord> = {};
  let sliceStart = performance.now();
  const skipped: SkippedPath[] = [];
  // Skipped paths come back in the summary, grouped into one line, not a warning line each.
  const reading = readDocuments(walk, options.warn, {
    onSkip: (path) => skipped.push(path),
    onProgress: (done, total) => options.onProgress?.(done, total, 'read'),
  });
  for await (const doc of reading) {
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
    const pieces = splitDocument(doc, options.maxChars === undefined ? {} : { maxChars: options.maxChars });
    if (held) for (const passage of pieces) held.push(passage); // no spread: a huge file would overflow the stack
    else await target.add(pieces);
    kinds.set(doc.file, doc.kind);
    files[doc.file] = { sha256: doc.sha256, size: doc.size, mtimeMs: doc.mtimeMs, passages: pieces.length };
  }
  // Only now is every format known: a text copy of an HTML page must not be an answer.
  const passages = held && markCopies(held, (file) => kinds.get(file) ?? 'text');
  const count = Object.keys(files).length;
  if (count === 0) options.warn(`No documents found in ${docsDir}; the index will be empty.`);
  const draft: ManifestDraft = { ...setupOf(options), files, skipped: skippedFiles(walk, files) };
  return { draft, passages, skipped };
}

/** How many formats (as `markCopies` ranks them) the walk's document files have. */
function formatCount(walk: FolderWalk): number {
  const ranks = new Set<number>();
  for (const found of walk.files) {
    const type = documentKind(found.file);
    if (type) ranks.add(formatRank(found.file, type.kind));
  }
  return ranks.size;
}

/**
 * Candidate files (a document name, inside the folder: the walk never leaves
 * it) that didn't become documents, so `isStale` can tell them from new ones.
 */
function skippedFiles(walk: FolderWalk, loaded: Record<string, FileRecord>): Record<string, FileStamp> {
  const skipped: Record<string, FileStamp> = {};
  for (const found of walk.files) {
    if (documentKind(found.file) && !(found.file in loaded)) skipped[found.file] = { size: found.size, mtimeMs: found.mtimeMs };
  }
  return skipped;
}

function compareFiles(
  before: Record<string, FileRecord>,
  after: Record<string, FileRecord>,
): Pick<IngestSummary, 'added' | 'changed' | 'removed'> {
  let added = 0;
  let changed = 0;
  for (const [file, record] of Object.entries(after)) {
    const previous = before[file];
    if (!previous) added++;
    else if (previous.sha256 !== record.sha256) changed++;
  }
  const removed = Object.keys(before).filter((file) => !(file in after)).length;
  return { added, changed, removed };
}

/**
 * Vectors for every passage, reusing the old index's vector for any passage
 * whose text it already embedded with the same model. Headings and scraps
 * (`searchable: false`) are never answers, so they get a zero row instead of
 * a model call.
 */
async function embedPassages(
  passages: Passage[],
  old: LoadedIndex | null,
  embedder: Embedder,
  options: IngestOptions,
): Promise<{ vectors: Float32Array; embedded: number }> {
  const { dim } = embedder;
  const vectors = new Float32Array(passages.length * dim);
  const reusable = reusableRows(old, embedder);
  // Rows to fill per distinct text: identical passages are embedded once.
  const pending = new Map<string, { text: string; rows: number[] }>();
  passages.forEach((passage, row) => {
    if (!passage.searchable) return;
    const oldRow = reusable.get(passage.hash);
    if (oldRow !== undefined) copyRow(old!.vectors!, oldRow, vectors.subarray(row * dim, (row + 1) * dim));
    else {
      const entry = pending.get(passage.hash);
      if (entry) entry.rows.push(row);
      else pending.set(passage.hash, { text: passage.text, rows: [row] });
    }
  });
  const work = [...pending.values()];
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  options.onProgress?.(0, work.length, 'embed');
  for (let start = 0; start < work.length; start += batchSize) {
    const batch = work.slice(start, start + batchSize);
    const out = await embedder.embed(batch.map((entry) => entry.text));
    if (out.length !== batch.length * dim) {
      throw new Error(`${embedder.model} returned ${out.length} floats for ${batch.length} texts of ${dim} dims`);
    }
    batch.forEach((entry, i) => {
      for (const row of entry.rows) vectors.set(out.subarray(i * dim, (i + 1) * dim), row * dim);
    });
    options.onProgress?.(start + batch.length, work.length, 'embed');
  }
  return { vectors, embedded: work.reduce((sum, entry) => sum + entry.rows.length, 0) };
}

/** One row of the old index's vectors, whether held whole or read from its file. */
function copyRow(from: Float32Array | StoredVectors, row: number, into: Float32Array): void {
  if (from instanceof Float32Array) into.set(from.subarray(row * into.length, (row + 1) * into.length));
  else from.readRow(row, into);
}

/** hash → row of the old index whose vector can be reused: only from the same model and size. */
function reusableRows(old: LoadedIndex | null, embedder: Embedder): Map<string, number> {
  const rows = new Map<string, number>();
  if (!old?.vectors || old.manifest.model !== embedder.model || old.manifest.dim !== embedder.dim) return rows;
  // From the columns: a stored index would otherwise read (and check) every old text just for its hash.
  const { searchable, hash } = columnsOf(old.passages);
  for (let row = 0; row < old.passages.length; row++) if (searchable(row)) rows.set(hash(row), row);
  return rows;
}

/**
 * True when the index in `indexDir` no longer matches `docsDir`: missing or
 * unusable, built from another folder, or a document was added, changed or
 * deleted. Cheap: it compares sizes and modification times, and hashes a
 * file only when its size is the same but its time differs (a `touch`, a
 * checkout). It does not look at the model; callers compare that themselves.
 * A caller that has just walked the folder (the watcher) passes its `walked`.
 *
 * @example
 * if (await isStale('seeds', 'embeddings')) await ingest({ ... });
 */
export async function isStale(docsDir: string, indexDir: string, walked?: FolderWalk): Promise<boolean> {
  const manifest = await readManifest(indexDir);
  const root = path.resolve(docsDir);
  if (!manifest || manifest.docsDir !== root) return true;
  const walk = walked ?? (await walkFolder(root, { exclude: [indexDir] }).catch(() => null));
  if (!walk) return true;
  const found = new Map(walk.files.filter((f) => documentKind(f.file)).map((f) => [f.file, f]));
  const skipped = manifest.skipped ?? {};
  for (const file of Object.keys(manifest.files)) {
    if (!found.has(file)) return true;
  }
  for (const [file, now] of found) {
    const record = manifest.files[file];
    if (record === undefined) {
      const seen = skipped[file];
      if (seen?.size !== now.size || seen.mtimeMs !== now.mtimeMs) return true;
    } else if (record.size !== now.size) {
      return true;
    } else if (record.mtimeMs !== now.mtimeMs && (await sha256Of(now.absPath)) !== record.sha256) {
      return true;
    }
  }
  return false;
}

/** The file's sha256, or null when it can't be read (then it changed as far as the index knows: ingest skips it). */
async function sha256Of(file: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(file), hash);
  } catch {
    return null;
  }
  return hash.digest('hex');
}
