import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopKHeap, topK } from '../src/search/vectors.js';

describe('TopKHeap', () => {
  it('keeps exactly what a full sort would keep', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 60 }), fc.integer({ min: 0, max: 10 }), (scores, k) => {
        const heap = new TopKHeap(k);
        scores.forEach((s, row) => heap.offer(row, s));
        const expected = scores
          .map((score, row) => ({ row, score }))
          .sort((a, b) => b.score - a.score || a.row - b.row)
          .slice(0, k);
        expect(heap.sorted()).toEqual(expected);
      }),
    );
  });
});

describe('topK', () => {
  const unit = (x: number, y: number): number[] => [x / Math.hypot(x, y), y / Math.hypot(x, y)];
  const vectors = new Float32Array([...unit(1, 0), ...unit(0, 1), ...unit(1, 1), ...unit(-1, 0)]);

  it.each([
    ['nearest rows first', [0, 1], 2, [1, 2]],
    ['k larger than the index', [1, 0], 9, [0, 2, 1, 3]],
    ['k = 0', [1, 0], 0, []],
  ])('%s', (_name, query, k, rows) => {
    expect(topK(vectors, 2, new Float32Array(query), k).map((h) => h.row)).toEqual(rows);
  });

  it('scores are cosine similarities of unit rows', () => {
    expect(topK(vectors, 2, new Float32Array(unit(1, 1)), 1)[0]?.score).toBeCloseTo(1, 5);
  });

  it('filtered rows never come back', () => {
    expect(topK(vectors, 2, new Float32Array([1, 0]), 4, (row) => row !== 0).map((h) => h.row)).toEqual([2, 1, 3]);
  });

  it('refuses a query of the wrong length', () => {
    expect(() => topK(vectors, 2, new Float32Array(3), 1)).toThrow(/3 dimensions; the index has 2/);
  });
});
