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
import { Worker } from 'node:worker_threads';
import { CitebotError } from '../errors.js';
import { fileURLToPath } from 'node:url';
import type { KeywordParts } from '../index/keyword-file.js';
import type { StoredVectors } from '../types.js';
import { shareQuantized, shareVectors, type SharedQuantized, type SharedVectors } from './dot-kernel.js';
import { KeywordIndex, type KeywordQuery } from './keyword.js';
import { topK, type Scored } from './vectors.js';

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

/** What a worker is started with: views of shared memory only. */
export interface WorkerData {
  keyword: Omit<KeywordParts, 'terms'>;
  vectors: SharedVectors | null;
  /** A stored index's vectors (int8 rows in shared memory, exact rows from their file), when those are what is searched. */
  quantized: SharedQuantized | null;
  /** 1 for each searchable row. */
  searchable: Uint8Array;
}

/** A worker's answer to one request. */
export type ScanReply = { id: number } & (ScanResult | { error: string; /** Set when the error was a CitebotError (a damaged vectors.f32 row): it stays one. */ hint?: string | undefined; citebot?: boolean });

/**
 * The entry the worker runs. Built (dist/, this file is `.js`): the compiled
 * scan-worker.js. From source: a `.mjs` shim that registers tsx first, since a
 * worker does not inherit the loader the parent runs TypeScript with.
 */
const WORKER_SCRIPT = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? './scan-worker.js' : './scan-worker.mjs', import.meta.url));

/**
 * The scans in a worker thread, over the same memory the caller searches.
 * `parts` must be in shared memory (`sharedKeywordParts`) and `vectors` come
 * from `allocateVectors`, prepared; while this scanner is open the caller must
 * not scan those vectors itself (the kernel's scratch space is shared too).
 * If the worker dies, the scans in flight and all later ones run in the
 * calling thread instead: slower under load, never lost.
 */
export class WorkerScanner implements Scanner {
  private worker: Worker | null;
  private readonly pending = new Map<number, { request: ScanRequest; resolve: (result: ScanResult) => void; reject: (err: Error) => void }>();
  private next = 1;
  private closing = false;
  private readonly fallback: InProcessScanner;

  /** `rows`: 1 for each row that can be an answer. */
  constructor(keyword: KeywordIndex, parts: KeywordParts, vectors: Float32Array | StoredVectors | null, dim: number, rows: Uint8Array) {
    const searchable = new Uint8Array(new SharedArrayBuffer(rows.length));
    searchable.set(rows);
    this.fallback = new InProcessScanner(keyword, vectors, dim, (row) => searchable[row] === 1);
    const shared = vectors instanceof Float32Array ? shareVectors(vectors, dim) : null;
    const quantized = vectors === null || vectors instanceof Float32Array ? null : shareQuantized(vectors);
    if (vectors !== null && shared === null && quantized === null) {
      // Vectors the kernel does not hold (no SIMD, an odd dim) can't be shared: scan here.
      this.worker = null;
      return;
    }
    const { terms: _terms, ...rest } = parts;
    const data: WorkerData = { keyword: rest, vectors: shared, quantized, searchable };
    this.worker = new Worker(WORKER_SCRIPT, { workerData: data });
    // Idle, the worker must not keep a CLI process alive; busy, it must (see `scan`).
    this.worker.unref();
    this.worker.on('message', (reply: ScanReply) => this.settle(reply));
    this.worker.on('error', (err) => this.failOver(err));
    this.worker.on('exit', (code) => this.failOver(new Error(`the search worker exited (${code})`)));
  }

  /** True while the scans run in the worker (false once it failed over to the calling thread). */
  get offThread(): boolean {
    return this.worker !== null;
  }

  scan(request: ScanRequest): Promise<ScanResult> {
    const worker = this.worker;
    if (worker === null) return this.fallback.scan(request);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { request, resolve, reject });
      worker.postMessage({ id, ...request });
    });
  }

  close(): void {
    this.closing = true;
    if (this.pending.size === 0) this.stop();
  }

  private settle(reply: ScanReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if ('error' in reply) waiting.reject(reply.citebot ? new CitebotError(reply.error, reply.hint === undefined ? {} : { hint: reply.hint }) : new Error(reply.error));
    else waiting.resolve({ keyword: reply.keyword, dense: reply.dense });
    if (this.pending.size === 0) {
      if (this.closing) this.stop();
      else this.worker?.unref();
    }
  }

  /** The worker is gone: what it was asked is scanned here, as is everything after. */
  private failOver(err: Error): void {
    if (this.worker === null) return;
    this.worker = null;
    // Closing or not, what was asked is still answered: a question in flight never hangs.
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      this.fallback.scan(waiting.request).then(waiting.resolve, () => waiting.reject(err));
    }
  }

  private stop(): void {
    const worker = this.worker;
    this.worker = null;
    void worker?.terminate();
  }
}

/**
 * The keyword index's postings copied into shared memory, so a worker can
 * read them in place.
 *
 * @example
 * const shared = sharedKeywordParts(parts);
 * new KeywordIndex(shared); // searches as `new KeywordIndex(parts)` does
 */
export function sharedKeywordParts(parts: KeywordParts): KeywordParts {
  return { ...parts, offsets: shared(parts.offsets), postingRows: shared(parts.postingRows), weights: shared(parts.weights) };
}

function shared<T extends Uint32Array | Float32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}
