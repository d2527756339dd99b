/**
 * The live index the shells talk to. The CLI and the bot only ever call a
 * `LibraryApi`; everything behind it (store, ingest, retrieval) is the core.
 *
 * @example
 * const library = await openLibrary({ docsDir: 'seeds', indexDir: 'embeddings', embedder: null,
 *   answerThreshold: 0.4, topK: 3, warn: console.warn });
 * const answer = await library.ask('Who led the American team in Riyadh?');
 * await library.reindex(); // picks up edited files; questions keep being answered meanwhile
 */
import { DocsWatcher, type WatchOptions } from './watcher.js';
import { CitebotError, isCitebotError } from '../errors.js';
import type { FolderWalk } from '../documents/walk.js';
import { columnsOf } from '../index/passage-table.js';
import { currentGeneration, damagedIndexError, hasIndex, openIndex, readManifest, type StoredIndex } from '../index/store.js';
import { ingest, isStale, type IngestSummary } from './ingest.js';
import { allocateQuantized } from '../search/dot-kernel.js';
import { Retriever, type AskOptions } from '../search/retrieve.js';
import type { KeywordParts } from '../index/keyword-file.js';
import type { Answer, Embedder, LoadedIndex, Mode, Passage, PassageList, WarningSink } from '../types.js';

// Part of LibraryApi's signature: shells import them from here, the one module they call.
export type { AskOptions, IngestSummary };

export interface LibraryStats {
  documents: number;
  passages: number;
  mode: Mode;
  model: string | null;
  /** ISO time the live index was built. */
  builtAt: string;
  generation: string;
  /** Why semantic mode is off, when it is. */
  keywordReason: string | null;
}

export interface LibraryApi {
  /** `topK` defaults to the library's (config TOP_K); `offset` to 0. */
  ask(question: string, options?: Partial<AskOptions>): Promise<Answer>;
  /** How many passages `ask` returns when not told: the one default (config TOP_K), for shells that size a page by it. */
  readonly topK: number;
  /** Indexed files, relative to the docs folder, sorted. */
  files(): string[];
  /** The passages of one paragraph (several when it was split); [] when there is none. */
  paragraph(file: string, paragraph: number): Passage[];
  /** Highest paragraph number of an indexed file; 0 for an unknown file. */
  paragraphCount(file: string): number;
  stats(): LibraryStats;
  /** Re-ingests and swaps the live index atomically; questions keep being answered meanwhile. */
  reindex(): Promise<IngestSummary>;
}

export interface LibraryOptions {
  docsDir: string;
  indexDir: string;
  /** null = keyword mode. */
  embedder: Embedder | null;
  answerThreshold: number;
  topK: number;
  /** Passages per embedding call during ingest. */
  batchSize?: number;
  warn: WarningSink;
  /** Shown in stats when the embedder is null. */
  keywordReason?: string | null;
  /** Called with ingest progress when opening or reindexing builds the index. */
  onProgress?: (done: number, total: number, phase: string) => void;
  /** Called with the summary whenever this library runs an ingest. */
  onIngest?: (summary: IngestSummary) => void;
  /** Passages from which searches run in a worker thread (default OFF_THREAD_PASSAGES; tests and benchmarks set others). */
  offThreadFrom?: number;
  /** Passages from which a loaded index's large files are checked after it starts answering (default DEFERRED_CHECK_PASSAGES; tests set others). */
  deferChecksFrom?: number;
}

/**
 * Passages from which a question's keyword and dense scans run in a worker
 * thread instead of on the event loop. Below it they take a few milliseconds
 * (5 ms median at 100k × 384 dims on a 2-core machine, less than discord.js's
 * own work per interaction), so a small server keeps one thread and tests stay
 * simple; they grow with the index (about 25 ms at 500k), and at 50 questions
 * a second that is the whole event loop: deferrals, heartbeats and answers
 * queue behind it. See docs/reliability.md (issue 14 item 6).
 */
export const OFF_THREAD_PASSAGES = 100_000;

/**
 * Passages from which a loaded index answers before the checksums of its
 * large files (passages.bin, keyword.bin, vectors.i8) and its keyword
 * postings are checked, which then runs in the background (the hashing in a
 * worker thread). At a million passages the checks are most of a load's
 * work (1.5 GB of sha256 and 130M postings, seconds on 2 cores); below this
 * they take a fraction of a second and stay before the first answer. A check
 * that fails refuses every later question with the rebuild command.
 */
export const DEFERRED_CHECK_PASSAGES = 250_000;

/** What `load` takes: an index, with its keyword parts and the outcome of its integrity checks when it comes from the store. */
export type IndexToLoad = LoadedIndex & { keyword?: KeywordParts | null; checked?: Promise<string | null> };

/** One loaded index generation and everything derived from it; replaced whole on reindex. */
interface Snapshot {
  index: IndexToLoad;
  /** Set when a check that ran after the load found the index damaged: every question gets it. */
  damage: CitebotError | null;
  retriever: Retriever;
  /** Each file's rows and paragraph numbers (not its passages: a stored index makes those when asked). */
  byFile: Map<string, FileRows>;
  /** Keyword-only search of the same index, for while the embedder is down. */
  keyword?: Retriever;
}

/**
 * Opens the index, building or refreshing it first when it is missing, stale,
 * or was built with a different model than the one now available.
 */
export async function openLibrary(options: LibraryOptions): Promise<Library> {
  const library = new Library(options);
  if (await needsIngest(options)) await refreshOrKeep(library, options);
  else library.load(await openForSearch(options));
  return library;
}

/** Write failures after which the index as it is still answers: the folder is read-only, not writable by us, or full. */
const UNWRITABLE = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT']);

/**
 * Re-indexes a stale index; when the index folder can't be written (a
 * read-only mount, say), answers from the intact index with one warning
 * instead of failing: a slightly stale answer beats none.
 */
async function refreshOrKeep(library: Library, options: LibraryOptions): Promise<void> {
  try {
    await library.reindex();
  } catch (err) {
    const code = (isCitebotError(err) ? (err.cause as NodeJS.ErrnoException | undefined)?.code : undefined) ?? '';
    if (!UNWRITABLE.has(code) || (await readManifest(options.indexDir)) === null) throw err;
    options.warn(`The documents changed, but the index can't be updated, so answers come from the index as it is. ${(err as CitebotError).userMessage}`);
    library.load(await openForSearch(options));
  }
}

/**
 * The index as search reads it: the int8 copies of its vectors read straight
 * into the dense-search kernel's memory (scanned there, no copy), the exact
 * rows read from the file only for the few rows near the top-k cut; a large
 * one checked after it starts answering.
 */
function openForSearch({ indexDir, warn, deferChecksFrom }: LibraryOptions): Promise<StoredIndex> {
  return openIndexForSearch(indexDir, warn, deferChecksFrom);
}

/**
 * Opens an index as a library loads it for search (benchmarks measure this,
 * then `Library.load`).
 *
 * @example
 * library.load(await openIndexForSearch('embeddings', console.warn));
 */
export function openIndexForSearch(indexDir: string, warn: WarningSink, deferChecksFrom = DEFERRED_CHECK_PASSAGES): Promise<StoredIndex> {
  return openIndex(indexDir, warn, { quantized: allocateQuantized, deferChecksFrom });
}

async function needsIngest(options: LibraryOptions): Promise<boolean> {
  if (!(await hasIndex(options.indexDir))) return true;
  const manifest = await readManifest(options.indexDir);
  // Damaged or of another format: openIndex falls back to the previous generation
  // or refuses with the rebuild command. Never rebuilt behind the user's back.
  if (manifest === null) return false;
  if (await isStale(options.docsDir, options.indexDir)) return true;
  return options.embedder !== null && manifest.model !== options.embedder.model;
}

export class Library implements LibraryApi {
  private snapshot: Snapshot | null = null;
  private running: Promise<IngestSummary> | null = null;
  private readonly ingestListeners: Array<(summary: IngestSummary) => void> = [];

  constructor(private readonly options: LibraryOptions) {}

  get topK(): number {
    return this.options.topK;
  }

  /**
   * Answers from the live index. While the embedder is down (a restarting
   * child) the question is answered in keyword mode rather than failing.
   */
  async ask(question: string, options: Partial<AskOptions> = {}): Promise<Answer> {
    const snapshot = this.current();
    if (snapshot.damage) throw snapshot.damage;
    const asked = { topK: options.topK ?? this.options.topK, offset: options.offset ?? 0 };
    if (snapshot.retriever.mode === 'keyword' || this.semanticAvailable()) {
      try {
        return await snapshot.retriever.ask(question, asked);
      } catch (err) {
        // The child died during this very question: answer it by keywords too.
        if (snapshot.retriever.mode === 'keyword' || this.semanticAvailable()) throw err;
      }
    }
    return this.keywordRetriever(snapshot).ask(question, asked);
  }

  files(): string[] {
    return [...this.current().byFile.keys()];
  }

  paragraph(file: string, paragraph: number): Passage[] {
    const { index, byFile } = this.current();
    const found = byFile.get(file);
    if (!found) return [];
    return found.rows.filter((_, i) => found.paragraphs[i] === paragraph).map((row) => index.passages.at(row)!);
  }

  paragraphCount(file: string): number {
    return (this.current().byFile.get(file)?.paragraphs ?? []).reduce((max, p) => Math.max(max, p), 0);
  }

  stats(): LibraryStats {
    const { index, retriever } = this.current();
    const down = retriever.mode !== 'keyword' && !this.semanticAvailable();
    const mode = down ? 'keyword' : retriever.mode;
    return {
      documents: Object.keys(index.manifest.files).length,
      passages: index.passages.length,
      mode,
      model: mode === 'keyword' ? null : index.manifest.model,
      builtAt: index.manifest.createdAt,
      generation: index.generation,
      keywordReason: down ? (this.options.embedder?.health?.().reason ?? null) : mode === 'keyword' ? (this.options.keywordReason ?? null) : null,
    };
  }

  /**
   * Re-ingests the docs folder and swaps in the new index. Concurrent calls
   * share one run, so `/reindex` twice doesn't queue two ingests.
   */
  reindex(): Promise<IngestSummary> {
    this.running ??= this.runIngest().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * Calls `listener` after every ingest this library runs (`--watch`, `/reindex`),
   * once the new index is live here.
   *
   * @example
   * library.afterIngest(() => shards.reload());
   */
  afterIngest(listener: (summary: IngestSummary) => void): void {
    this.ingestListeners.push(listener);
  }

  /**
   * Loads the index's current generation when another process wrote a newer
   * one (a shard's /reindex, the sharding manager's --watch); true when it did.
   * Questions keep being answered from the old one until the swap.
   *
   * @example
   * if (await library.refresh()) log.info('reloaded the index');
   */
  async refresh(): Promise<boolean> {
    if ((await currentGeneration(this.options.indexDir)) === this.snapshot?.index.generation) return false;
    this.load(await openForSearch(this.options));
    return true;
  }

  /**
   * Re-indexes when files in the docs folder are added, changed or deleted
   * (see `DocsWatcher`); questions keep being answered from the old index
   * until the new one is swapped in. Failures are warned about, never thrown.
   */
  watch(warn: WarningSink, options: WatchOptions = {}): DocsWatcher {
    const { docsDir, indexDir } = this.options;
    const target = {
      docsDir,
      indexDir,
      reindex: () => this.reindex(),
      inFlight: () => this.running,
      outOfDate: (walk: FolderWalk) => this.outOfDate(walk),
    };
    return new DocsWatcher(target, warn, options);
  }

  /** The folder changed since the live index was built, or another writer (or a repair) made a newer one. */
  private async outOfDate(walk: FolderWalk): Promise<boolean> {
    const { docsDir, indexDir } = this.options;
    if (await isStale(docsDir, indexDir, walk)) return true;
    return (await currentGeneration(indexDir)) !== this.snapshot?.index.generation;
  }

  /**
   * Makes `index` the live one. Building the retriever first keeps the swap
   * instant. When its integrity checks are still running (a large stored
   * index) and one fails, every later question is refused with the rebuild
   * command, and `warn` says so once.
   *
   * @example
   * library.load(await openIndex('embeddings', console.warn, { quantized: allocateQuantized }));
   */
  load(index: IndexToLoad): void {
    const retriever = new Retriever(index, this.options.embedder, { answerThreshold: this.options.answerThreshold, offThread: this.offThread(index) });
    const previous = this.snapshot;
    // The retriever holds the keyword index now (in shared memory when it scans off-thread); the loaded parts would be a second copy.
    const snapshot: Snapshot = { index: { ...index, keyword: retriever.keywordParts() }, damage: null, retriever, byFile: groupByFile(index.passages) };
    this.snapshot = snapshot;
    void index.checked?.then((reason) => {
      if (reason === null) return;
      snapshot.damage = damagedIndexError(index.dir, reason);
      this.options.warn(`${snapshot.damage.message} ${snapshot.damage.hint ?? ''}`.trim());
    });
    // Questions already asked of the old index finish first.
    previous?.retriever.close();
    previous?.keyword?.close();
  }

  /** True while the live index is searched in a worker thread (a large index). */
  get searchesOffThread(): boolean {
    return this.current().retriever.offThread;
  }

  private offThread(index: LoadedIndex): boolean {
    return index.passages.length >= (this.options.offThreadFrom ?? OFF_THREAD_PASSAGES);
  }

  /** False while the embedder can't embed (its child is restarting, or gave up). */
  private semanticAvailable(): boolean {
    return this.options.embedder?.health?.().available ?? true;
  }

  /** The same index searched by keywords alone, made the first time the embedder is down. */
  private keywordRetriever(snapshot: Snapshot): Retriever {
    snapshot.keyword ??= new Retriever(snapshot.index, null, { answerThreshold: this.options.answerThreshold, offThread: this.offThread(snapshot.index) });
    return snapshot.keyword;
  }

  private async runIngest(): Promise<IngestSummary> {
    const { docsDir, indexDir, embedder, warn, onProgress, batchSize } = this.options;
    if (embedder && !this.semanticAvailable()) {
      // Reindexing now would either fail midway or drop every vector: say so instead of a success that changed nothing.
      const reason = embedder.health?.().reason ?? 'the embedding process is down';
      throw new CitebotError(`The index was not changed: semantic search is unavailable (${reason}).`, {
        hint: 'Try again once it is back (see /stats), or restart citebot.',
      });
    }
    // The serving index's vectors are reused only once its checks have passed (they may still be running).
    const loaded = this.snapshot && ((await this.snapshot.index.checked) ?? null) === null ? this.snapshot.index : null;
    const summary = await ingest({
      docsDir,
      indexDir,
      embedder,
      warn,
      ...(loaded ? { loaded } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(batchSize ? { batchSize } : {}),
    });
    this.load(await openForSearch(this.options));
    this.options.onIngest?.(summary);
    for (const listener of this.ingestListeners) listener(summary);
    return summary;
  }

  private current(): Snapshot {
    if (!this.snapshot) throw new Error('Library used before an index was loaded');
    return this.snapshot;
  }
}

/** A file's rows in the index, in order, and each row's paragraph number. */
interface FileRows {
  rows: number[];
  paragraphs: number[];
}

function groupByFile(passages: PassageList): Map<string, FileRows> {
  const byFile = new Map<string, FileRows>();
  // From the columns: a stored index makes no passage for this.
  const { file, paragraph } = columnsOf(passages);
  for (let row = 0; row < passages.length; row++) {
    const found = byFile.get(file(row));
    if (found) {
      found.rows.push(row);
      found.paragraphs.push(paragraph(row));
    } else byFile.set(file(row), { rows: [row], paragraphs: [paragraph(row)] });
  }
  return new Map([...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
