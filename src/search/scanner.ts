/**
 * The two scans of a question, keyword (BM25F postings) and dense (every
 * vector), which are the part of a search that grows with the index: in the
 * calling thread for a small index, or in a `worker_threads` Worker for a large
 * one, so that a bot's event loop (gateway heartbeats, deferrals of the next
 * interactions) never waits for them. The worker reads the postings and the
 * vectors in place from shared memory (`SharedArrayBuffer`s, and the dense
 * kernel's shared WebAssembly memory): nothing is copied per question but the
 * question's term ids and vector, and the few hundred hits coming back.
 *
 * @example
 * const scanner = new WorkerScanner(keywordIndex, parts, vectors, dim, searchable);
 * const { keyword, dense } = await scanner.scan({ query, vector, depth: 50 });
 * scanner.close();
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { CitebotError } from '../errors.js';
import { fileURLToPath } from 'node:url';
import type { KeywordParts } from '../index/keyword-file.js';
import type { StoredVectors } from '../types.js';
import { SCAN_SLOTS, shareQuantized, shareVectors, type RowRange, type SharedQuantized, type SharedVectors } from './dot-kernel.js';
import { KeywordIndex, type KeywordQuery } from './keyword.js';
import { mergeTopK, topK, type Scored } from './vectors.js';

/** One question's scans. */
export interface ScanRequest {
  query: KeywordQuery;
  /** The question's embedding; null in keyword mode. */
  vector: Float32Array | null;
  /** Candidates wanted from each ranking. */
  depth: number;
}

export interface ScanResult {
  keyword: Scored[];
  /** Null when no vector was given. */
  dense: Scored[] | null;
}

/** Runs a question's scans, here or elsewhere. */
export interface Scanner {
  scan(request: ScanRequest): Promise<ScanResult>;
  /** Frees what the scanner holds (a worker) once the scans in flight are done. */
  close(): void;
}

/**
 * The scans in the calling thread.
 *
 * @example
 * const scanner = new InProcessScanner(keywordIndex, vectors, 384, (row) => passages[row]!.searchable);
 * scanner.scanNow({ query: keywordIndex.query('who led the talks?'), vector: null, depth: 50 });
 */
export class InProcessScanner implements Scanner {
  constructor(
    private readonly keyword: KeywordIndex,
    private readonly vectors: Float32Array | StoredVectors | null,
    private readonly dim: number,
    private readonly searchable: (row: number) => boolean,
  ) {}

  /** The scans, synchronously (what the worker runs per message). */
  scanNow({ query, vector, depth }: ScanRequest): ScanResult {
    const keyword = this.keyword.search(query, depth);
    const dense = vector === null || this.vectors === null ? null : topK(this.vectors, this.dim, vector, depth, this.searchable);
    return { keyword, dense };
  }

  async scan(request: ScanRequest): Promise<ScanResult> {
    return this.scanNow(request);
  }

  close(): void {}
}

/** What a worker is started with: views of shared memory only, and the query region it scans with. */
export interface WorkerData {
  keyword: Omit<KeywordParts, 'terms'>;
  vectors: SharedVectors | null;
  /** A stored index's vectors (int8 rows in shared memory, exact rows from their file), when those are what is searched. */
  quantized: SharedQuantized | null;
  /** 1 for each searchable row. */
  searchable: Uint8Array;
  /** This worker's query region in kernel memory (`SCAN_SLOTS`; 0 is the loading thread's). */
  slot: number;
}

/**
 * A stored index's rows cut into `chunks` ranges that the workers of one
 * question take one at a time (`next` counts the ranges taken), so the
 * worker that searched the postings first takes fewer: neither waits for the
 * other.
 */
export interface ChunkedRows {
  next: Int32Array;
  chunks: number;
}

/** One message to a worker: its part of a question's scans. */
export interface WorkerRequest {
  id: number;
  /** Null: another worker searches the postings. */
  query: KeywordQuery | null;
  vector: Float32Array | null;
  depth: number;
  /** Null: all of the dense scan (one worker); else the ranges to take turns at. */
  split: ChunkedRows | null;
}

/** A worker's part of one question's scans. */
export interface ScanPart {
  /** Null when this worker was not asked to search the postings. */
  keyword: Scored[] | null;
  dense: Scored[] | null;
}

/** A worker's answer to one request. */
export type ScanReply = { id: number } & (ScanPart | { error: string; /** Set when the error was a CitebotError (a damaged vectors.f32 row): it stays one. */ hint?: string | undefined; citebot?: boolean });

/**
 * The ranges of `rows` rows a worker takes in turn from `split` until none
 * is left, each with the worker's query `slot`.
 *
 * @example
 * storedTopK(vectors, vector, 50, accept, takenRanges(split, vectors.rows, 1));
 */
export function* takenRanges(split: ChunkedRows, rows: number, slot: number): Generator<RowRange> {
  for (;;) {
    const chunk = Atomics.add(split.next, 0, 1);
    if (chunk >= split.chunks) return;
    yield { start: Math.floor((chunk * rows) / split.chunks), end: Math.floor(((chunk + 1) * rows) / split.chunks), slot };
  }
}

/**
 * Search workers for a large index: one per core, up to 4 (the dense scan
 * reads the int8 rows as fast as memory gives them; more threads than that
 * only wait), and at least one.
 */
export function scanThreads(): number {
  return Math.max(1, Math.min(4, SCAN_SLOTS - 1, os.availableParallelism()));
}

/** Ranges per worker a question's dense scan is cut into: enough for the workers to even out, few enough to cost nothing. */
const CHUNKS_PER_THREAD = 8;

/**
 * The entry the worker runs. Built (dist/, this file is `.js`): the compiled
 * scan-worker.js. From source: a `.mjs` shim that registers tsx first, since a
 * worker does not inherit the loader the parent runs TypeScript with.
 */
const WORKER_SCRIPT = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? './scan-worker.js' : './scan-worker.mjs', import.meta.url));

/** A question sent to the workers, until all of them have answered. */
interface Pending {
  request: ScanRequest;
  resolve: (result: ScanResult) => void;
  reject: (err: Error) => void;
  /** Workers asked; their parts as they come in. */
  asked: number;
  parts: ScanPart[];
  split: boolean;
}

/**
 * The scans in worker threads, over the same memory the caller searches: a
 * question's keyword scan in the first worker while the others start on its
 * dense scan, whose ranges the first takes a share of when done (a stored
 * index's vectors; other vectors are scanned whole by one worker). The dense
 * result is merged from each worker's exact best, so it is `topK`'s, row for
 * row. `parts` must be in shared memory (`sharedKeywordParts`) and `vectors`
 * come from `allocateVectors` or `allocateQuantized`; while this scanner is
 * open the caller must not scan vectors from `allocateVectors` itself (their
 * query region is shared). If a worker dies, the scans in flight and all
 * later ones run in the calling thread instead: slower under load, never lost.
 */
export class WorkerScanner implements Scanner {
  private workers: Worker[] | null;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private closing = false;
  private readonly fallback: InProcessScanner;
  private readonly rows: number;

  /** `rows`: 1 for each row that can be an answer; `threads`: workers to start for a stored index's vectors (default `scanThreads()`). */
  constructor(keyword: KeywordIndex, parts: KeywordParts, vectors: Float32Array | StoredVectors | null, dim: number, rows: Uint8Array, threads = scanThreads()) {
    const searchable = new Uint8Array(new SharedArrayBuffer(rows.length));
    searchable.set(rows);
    this.rows = rows.length;
    this.fallback = new InProcessScanner(keyword, vectors, dim, (row) => searchable[row] === 1);
    const shared = vectors instanceof Float32Array ? shareVectors(vectors, dim) : null;
    const quantized = vectors === null || vectors instanceof Float32Array ? null : shareQuantized(vectors);
    if (vectors !== null && shared === null && quantized === null) {
      // Vectors the kernel does not hold (no SIMD, an odd dim) can't be shared: scan here.
      this.workers = null;
      return;
    }
    const { terms: _terms, ...rest } = parts;
    // Only a stored index's rows can be scanned by several threads at once (each with its own query region).
    const count = quantized !== null && this.rows > 0 ? Math.max(1, Math.min(threads, SCAN_SLOTS - 1)) : 1;
    this.workers = Array.from({ length: count }, (_, i) => this.startWorker({ keyword: rest, vectors: shared, quantized, searchable, slot: i + 1 }));
  }

  /** True while the scans run in the worker (false once it failed over to the calling thread). */
  get offThread(): boolean {
    return this.workers !== null;
  }

  scan(request: ScanRequest): Promise<ScanResult> {
    const workers = this.workers;
    if (workers === null) return this.fallback.scan(request);
    const id = this.next++;
    const split = request.vector !== null && workers.length > 1;
    const asked = split ? workers : workers.slice(0, 1);
    const chunks: ChunkedRows | null = split ? { next: new Int32Array(new SharedArrayBuffer(4)), chunks: Math.min(this.rows, asked.length * CHUNKS_PER_THREAD) } : null;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) for (const worker of workers) worker.ref();
      this.pending.set(id, { request, resolve, reject, asked: asked.length, parts: [], split });
      asked.forEach((worker, i) => {
        const message: WorkerRequest = { id, query: i === 0 ? request.query : null, vector: request.vector, depth: request.depth, split: chunks };
        worker.postMessage(message);
      });
    });
  }

  close(): void {
    this.closing = true;
    if (this.pending.size === 0) this.stop();
  }

  private startWorker(data: WorkerData): Worker {
    const worker = new Worker(WORKER_SCRIPT, { workerData: data });
    // Idle, the worker must not keep a CLI process alive; busy, it must (see `scan`).
    worker.unref();
    // An unref before the worker is online does not hold: a library loaded and never asked kept its process alive.
    worker.once('online', () => {
      if (this.pending.size === 0) worker.unref();
    });
    worker.on('message', (reply: ScanReply) => this.settle(reply));
    worker.on('error', (err) => this.failOver(err));
    worker.on('exit', (code) => this.failOver(new Error(`the search worker exited (${code})`)));
    return worker;
  }

  private settle(reply: ScanReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    if ('error' in reply) {
      this.pending.delete(reply.id);
      waiting.reject(reply.citebot ? new CitebotError(reply.error, reply.hint === undefined ? {} : { hint: reply.hint }) : new Error(reply.error));
    } else {
      waiting.parts.push(reply);
      if (waiting.parts.length < waiting.asked) return;
      this.pending.delete(reply.id);
      waiting.resolve(combined(waiting));
    }
    if (this.pending.size === 0) {
      if (this.closing) this.stop();
      else for (const worker of this.workers ?? []) worker.unref();
    }
  }

  /** A worker is gone: what was asked is scanned here, as is everything after (the other workers are stopped). */
  private failOver(err: Error): void {
    const workers = this.workers;
    if (workers === null) return;
    this.workers = null;
    for (const worker of workers) void worker.terminate();
    // Closing or not, what was asked is still answered: a question in flight never hangs.
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      this.fallback.scan(waiting.request).then(waiting.resolve, () => waiting.reject(err));
    }
  }

  private stop(): void {
    const workers = this.workers;
    this.workers = null;
    for (const worker of workers ?? []) void worker.terminate();
  }
}

/** One question's result from its workers' parts: the keyword hits of the one that searched them, the dense best of all. */
function combined({ parts, split, request }: Pending): ScanResult {
  const keyword = parts.find((part) => part.keyword !== null)?.keyword ?? [];
  if (!split) return { keyword, dense: parts[0]?.dense ?? null };
  return { keyword, dense: mergeTopK(parts.map((part) => part.dense ?? []), request.depth) };
}

/**
 * The keyword index's postings copied into shared memory, so a worker can
 * read them in place; `parts` itself when they are there already.
 *
 * @example
 * const shared = sharedKeywordParts(parts);
 * new KeywordIndex(shared); // searches as `new KeywordIndex(parts)` does
 */
export function sharedKeywordParts(parts: KeywordParts): KeywordParts {
  const { offsets, postingRows, weights } = parts;
  if ([offsets, postingRows, weights].every((array) => array.buffer instanceof SharedArrayBuffer)) return parts;
  return { ...parts, offsets: shared(offsets), postingRows: shared(postingRows), weights: shared(weights) };
}

function shared<T extends Uint32Array | Float32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}
