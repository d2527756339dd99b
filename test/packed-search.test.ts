import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocateVectors, kernelScores } from '../src/search/dot-kernel.js';
import { openIndex, writeIndex } from '../src/index/store.js';
import { topK } from '../src/search/vectors.js';
import { syntheticContent } from './helpers/synthetic-index.js';
import { naiveTopK } from './helpers/naive-top-k.js';

/** Seeded values in [-0.5, 0.5): every run checks the same numbers. */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

type Shape = 'unit' | 'raw' | 'ties' | 'coarse';

/**
 * `rows × dim` vectors in kernel memory. `unit`: L2-normalised, as an index
 * holds. `raw`: unnormalised. `ties`: every row repeated three times, so
 * scores tie exactly. `coarse`: values from {-1, 0, 1}, so many distinct rows
 * tie too, and every tenth row is zero (a heading's vector).
 */
function matrix(rows: number, dim: number, shape: Shape, seed: number): Float32Array {
  const random = seeded(seed);
  const vectors = allocateVectors(rows, dim);
  for (let row = 0; row < rows; row++) {
    const v = vectors.subarray(row * dim, (row + 1) * dim);
    if (shape === 'ties' && row % 3 !== 0) {
      v.set(vectors.subarray((row - (row % 3)) * dim, (row - (row % 3) + 1) * dim));
      continue;
    }
    for (let j = 0; j < dim; j++) v[j] = shape === 'coarse' ? Math.round(random() * 2.4) : random();
    if (shape === 'coarse' && row % 10 === 9) v.fill(0);
    if (shape === 'unit') {
      const norm = Math.hypot(...v);
      for (let j = 0; j < dim; j++) v[j]! /= norm;
    }
  }
  return vectors;
}


const everyRow = (): boolean => true;
const oddRows = (row: number): boolean => row % 2 === 1;

describe('packed search returns exactly the top k of a naive scan', () => {
  it.each([
    // rows, dim, k, shape, filter
    [0, 384, 5, 'unit', everyRow],
    [1, 16, 1, 'unit', everyRow],
    [7, 16, 20, 'raw', everyRow],
    [500, 32, 0, 'unit', everyRow],
    [500, 32, 1, 'unit', everyRow],
    [500, 32, 10, 'raw', oddRows],
    [3000, 384, 10, 'unit', everyRow],
    [3000, 384, 50, 'unit', oddRows],
    [3000, 384, 50, 'ties', everyRow],
    [3000, 64, 100, 'coarse', everyRow],
    [3000, 64, 25, 'coarse', oddRows],
    [20_000, 384, 50, 'unit', everyRow],
    // Dims the kernel doesn't take: the plain loop, same contract.
    [500, 7, 10, 'raw', everyRow],
    [500, 12, 10, 'ties', oddRows],
  ] as const)('%i rows × %i dims, k = %i, %s vectors', (rows, dim, k, shape, accept) => {
    const vectors = matrix(rows, dim, shape, rows + dim + k);
    for (const seed of [1, 2, 3]) {
      // A query that is one of the rows finds it with the highest score; a random one tests the general case.
      const query = seed === 3 && rows > 0 ? vectors.slice(0, dim) : matrix(1, dim, shape === 'ties' ? 'raw' : shape, seed);
      expect(topK(vectors, dim, query, k, accept)).toEqual(naiveTopK(vectors, dim, query, k, accept));
    }
  });
});

describe('kernel scores', () => {
  it.each([
    [16, 'unit'],
    [384, 'unit'],
    [384, 'raw'],
    [48, 'coarse'],
  ] as const)('stay within their error bound of the exact dot product (dim %i, %s)', (dim, shape) => {
    const vectors = matrix(1000, dim, shape, dim);
    const query = matrix(1, dim, shape, 99);
    const result = kernelScores(vectors, dim, query);
    expect(result).not.toBeNull();
    const exact = naiveTopK(vectors, dim, query, 1000, everyRow);
    for (const { row, score } of exact) expect(Math.abs(result!.scores[row]! - score)).toBeLessThanOrEqual(result!.bound);
    // The bound is tight enough to prune: well below the spread of the scores.
    expect(result!.bound).toBeLessThan((exact[0]!.score - exact.at(-1)!.score) / 10);
  });

  it('declines arrays it did not allocate and dims it does not take, so topK uses the plain loop', () => {
    const query = new Float32Array(16).fill(0.25);
    expect(kernelScores(new Float32Array(160), 16, query)).toBeNull();
    expect(kernelScores(allocateVectors(10, 12), 12, new Float32Array(12))).toBeNull();
  });

  describe('on an index loaded from disk', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'citebot-packed-'));
    });
    afterAll(async () => {
      await fsp.rm(dir, { recursive: true, force: true });
    });

    it('scans vectors loaded into its memory in place and agrees with the naive scan', async () => {
      await writeIndex(dir, syntheticContent({ tag: 3, count: 1200, dim: 32 }));
      expect(kernelScores((await openIndex(dir)).vectors!, 32, new Float32Array(32))).toBeNull();
      const index = await openIndex(dir, undefined, { allocate: allocateVectors });
      const vectors = index.vectors!;
      const query = vectors.slice(5 * 32, 6 * 32);
      expect(kernelScores(vectors, 32, query)).not.toBeNull();
      const searchable = (row: number): boolean => index.passages.at(row)!.searchable;
      expect(topK(vectors, 32, query, 25, searchable)).toEqual(naiveTopK(vectors, 32, query, 25, searchable));
    });
  });
});
