/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): each ranking
 * contributes 1 / (k + rank) for every row it holds. It uses ranks only, so it
 * needs no knowledge of how BM25 scores and cosine similarities are scaled,
 * and that scaling differs from one embedding model to the next. Score
 * blending would have to be tuned per model, and no real model can be run
 * here to tune it; k = 60 is the value the paper found robust across systems.
 */
import type { Scored } from './vectors.js';

const RRF_K = 60;

/**
 * Fuses rankings (best first) into one ranking, best first; ties keep the
 * lower row (earlier in file order).
 *
 * @example
 * fuseRankings([[{ row: 1, score: 9 }, { row: 2, score: 5 }], [{ row: 2, score: 0.8 }]]);
 * // → [{ row: 2, score: 1/62 + 1/61 }, { row: 1, score: 1/61 }]
 */
export function fuseRankings(rankings: ReadonlyArray<readonly Scored[]>, k: number = RRF_K): Scored[] {
  const fused = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach((hit, rank) => {
      fused.set(hit.row, (fused.get(hit.row) ?? 0) + 1 / (k + rank + 1));
    });
  }
  return [...fused]
    .map(([row, score]) => ({ row, score }))
    .sort((a, b) => b.score - a.score || a.row - b.row);
}
