/**
 * The reference dense search the packed and stored scans are checked
 * against: every row scored in float64 in index order, fully sorted, ties to
 * the lower row.
 *
 * @example
 * naiveTopK(vectors, 384, query, 10, () => true); // → [{ row: 7, score: 0.93 }, …]
 */
import type { Scored } from '../../src/search/vectors.js';

export function naiveTopK(vectors: Float32Array, dim: number, query: Float32Array, k: number, accept: (row: number) => boolean): Scored[] {
  const all: Scored[] = [];
  for (let row = 0; row * dim < vectors.length; row++) {
    let score = 0;
    for (let j = 0; j < dim; j++) score += vectors[row * dim + j]! * query[j]!;
    if (accept(row)) all.push({ row, score });
  }
  return all.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, Math.max(k, 0));
}
