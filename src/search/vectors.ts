/**
 * Dense search over the packed vector file: one `Float32Array` of N × dim floats,
 * rows L2-normalised, so a dot product is the cosine similarity. A straight scan
 * with a bounded heap beats any index structure at the sizes citebot serves
 * (tens to hundreds of thousands of rows) and needs no build step.
 *
 * The scan runs in the WebAssembly SIMD kernel (`dot-kernel.ts`) when the
 * vectors live in its memory, as a loaded index's do; its approximate scores,
 * with their proven error bound, pick the few rows that can be in the top k,
 * which are then scored exactly. So results, scores and tie order are those
 * of the plain float64 loop, bit for bit. A stored index's vectors
 * (`StoredVectors`) are scanned the same way from their int8 copies, and the
 * rows near the cut read from the file for their exact scores.
 */
import { kernelScores, quantizedScores, type KernelScores, type RowRange } from './dot-kernel.js';
import type { StoredVectors } from '../types.js';

/** A row of the index and its score. */
export interface Scored {
  row: number;
  score: number;
}

/**
 * Keeps the `k` best-scoring rows seen so far in a min-heap: O(n log k) for a
 * scan of n rows, with no array of n results to sort.
 *
 * @example
 * const best = new TopKHeap(2);
 * best.offer(0, 0.1); best.offer(1, 0.9); best.offer(2, 0.5);
 * best.sorted(); // → [{ row: 1, score: 0.9 }, { row: 2, score: 0.5 }]
 */
export class TopKHeap {
  private readonly rows: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.rows = new Int32Array(Math.max(k, 0));
    this.scores = new Float64Array(Math.max(k, 0));
  }

  /** The score a row must beat to get in (−Infinity until the heap is full). */
  get floor(): number {
    return this.size < this.k ? -Infinity : (this.scores[0] ?? -Infinity);
  }

  offer(row: number, score: number): void {
    if (this.k <= 0) return;
    if (this.size < this.k) {
      this.rows[this.size] = row;
      this.scores[this.size] = score;
      this.siftUp(this.size++);
    } else if (score > this.floor || (score === this.floor && row < (this.rows[0] ?? 0))) {
      this.rows[0] = row;
      this.scores[0] = score;
      this.siftDown(0);
    }
  }

  /** Best first; ties broken by lower row (earlier file order) so results are stable. */
  sorted(): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < this.size; i++) out.push({ row: this.rows[i] ?? 0, score: this.scores[i] ?? 0 });
    return out.sort((a, b) => b.score - a.score || a.row - b.row);
  }

  /** True when slot a should sit above slot b in the min-heap (worse result). */
  private worse(a: number, b: number): boolean {
    const sa = this.scores[a] ?? 0;
    const sb = this.scores[b] ?? 0;
    return sa < sb || (sa === sb && (this.rows[a] ?? 0) > (this.rows[b] ?? 0));
  }

  private swap(a: number, b: number): void {
    const row = this.rows[a] ?? 0;
    const score = this.scores[a] ?? 0;
    this.rows[a] = this.rows[b] ?? 0;
    this.scores[a] = this.scores[b] ?? 0;
    this.rows[b] = row;
    this.scores[b] = score;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < this.size && this.worse(left, least)) least = left;
      if (right < this.size && this.worse(right, least)) least = right;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }
}

/**
 * The `k` rows most similar to `query` (cosine = dot product of unit vectors).
 * `accept(row)` filters rows out (e.g. headings that are not searchable).
 *
 * @example
 * const vectors = new Float32Array([1, 0, 0, 1, 0.6, 0.8]); // 3 rows, dim 2
 * topK(vectors, 2, new Float32Array([0, 1]), 2);
 * // → [{ row: 1, score: 1 }, { row: 2, score: 0.8 }]
 */
export function topK(
  vectors: Float32Array | StoredVectors,
  dim: number,
  query: Float32Array,
  k: number,
  accept: (row: number) => boolean = () => true,
): Scored[] {
  if (dim <= 0 || query.length !== dim || (!(vectors instanceof Float32Array) && vectors.dim !== dim)) {
    throw new RangeError(`Query has ${query.length} dimensions; the index has ${vectors instanceof Float32Array ? dim : vectors.dim}.`);
  }
  if (!(vectors instanceof Float32Array)) return storedTopK(vectors, query, k, accept, [{ start: 0, end: vectors.rows, slot: 0 }]);
  const fast = k > 0 ? kernelScores(vectors, dim, query) : null;
  if (fast !== null && Number.isFinite(fast.bound)) return rescoredTopK(k, accept, fast, (row) => dot(vectors, row, query, dim));
  const heap = new TopKHeap(k);
  const rows = Math.floor(vectors.length / dim);
  for (let row = 0; row < rows; row++) {
    const score = dot(vectors, row, query, dim);
    if (score > heap.floor && accept(row)) heap.offer(row, score);
  }
  return heap.sorted();
}

/**
 * The `k` best of some rows of a stored index's vectors (the ranges, in any
 * order, scanned with their slots): exactly the `k` best of those rows that
 * `topK` would find among all rows, so the top `k` of the union of several
 * threads' results over ranges that cover every row is `topK`'s result.
 *
 * @example
 * const mine = storedTopK(vectors, question, 50, accept, [{ start: 0, end: 4096, slot: 1 }]);
 * mergeTopK([mine, theirs], 50); // = topK(vectors, dim, question, 50, accept) when the ranges cover every row
 */
export function storedTopK(vectors: StoredVectors, query: Float32Array, k: number, accept: (row: number) => boolean, ranges: Iterable<RowRange>): Scored[] {
  if (query.length !== vectors.dim) throw new RangeError(`Query has ${query.length} dimensions; the index has ${vectors.dim}.`);
  if (k <= 0) return [];
  const rough = new RoughCut(k);
  for (const range of ranges) rough.scan(quantizedScores(vectors, query, range), accept);
  return rough.rescored(exactRows(vectors, query));
}

/**
 * The best `k` of several exact results over disjoint rows, in `topK`'s order
 * (score, then lower row first).
 *
 * @example
 * mergeTopK([[{ row: 4, score: 0.9 }], [{ row: 1, score: 0.9 }, { row: 2, score: 0.1 }]], 2); // rows 1, 4
 */
export function mergeTopK(results: readonly Scored[][], k: number): Scored[] {
  return results.flat().sort((a, b) => b.score - a.score || a.row - b.row).slice(0, Math.max(0, k));
}

/** A stored row's exact score: the row read into one reused buffer, then the same float64 sum. */
function exactRows(vectors: StoredVectors, query: Float32Array): (row: number) => number {
  const row = new Float32Array(vectors.dim);
  return (at) => {
    vectors.readRow(at, row);
    return dot(row, 0, query, vectors.dim);
  };
}

/**
 * Every row whose approximate score is within twice the error bound of the
 * approximate k-th best could be in the exact top k; only those are rescored.
 * (A true top-k row t has approx(t) ≥ exact(t) − ε ≥ exact k-th − ε ≥ approx k-th − 2ε.)
 */
function rescoredTopK(k: number, accept: (row: number) => boolean, scores: KernelScores, exact: (row: number) => number): Scored[] {
  const rough = new RoughCut(k);
  rough.scan(scores, accept);
  return rough.rescored(exact);
}

/**
 * `rescoredTopK` over one or more scans (of disjoint rows): the candidates
 * of every scan against one running cut, then the survivors scored exactly.
 * A scan's bound depends only on the query and the index's own bounds, so
 * every range of one question has the same one and the proof holds for each.
 */
class RoughCut {
  private readonly rough: TopKHeap;
  private readonly rows: number[] = [];
  private readonly approx: number[] = [];
  private margin = 0;

  constructor(private readonly k: number) {
    this.rough = new TopKHeap(k);
  }

  scan({ scores, first, bound }: KernelScores, accept: (row: number) => boolean): void {
    this.margin = Math.max(this.margin, 2 * bound);
    const { rows, approx, rough, margin } = this;
    let cut = rough.floor - margin;
    for (let i = 0; i < scores.length; i++) {
      const score = scores[i]!;
      if (score >= cut && accept(first + i)) {
        rows.push(first + i);
        approx.push(score);
        rough.offer(first + i, score);
        cut = rough.floor - margin;
      }
    }
  }

  rescored(exact: (row: number) => number): Scored[] {
    const best = new TopKHeap(this.k);
    const cut = this.rough.floor - this.margin;
    for (let i = 0; i < this.rows.length; i++) {
      if (this.approx[i]! >= cut) best.offer(this.rows[i]!, exact(this.rows[i]!));
    }
    return best.sorted();
  }
}

/** The exact score: float64 sum in index order, the same in every path. */
function dot(vectors: Float32Array, row: number, query: Float32Array, dim: number): number {
  const base = row * dim;
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += vectors[base + j]! * query[j]!;
  return sum;
}
