/**
 * A deterministic stand-in for the real model: hashed bag of words, rows
 * L2-normalised. Texts sharing words get close vectors, so retrieval tests
 * behave sensibly without loading anything.
 */
import { normalizeInPlace } from '../../src/embed/pooling.js';
import type { Embedder } from '../../src/types.js';

/** FNV-1a: stable across runs and platforms, unlike anything seeded by the clock. */
function hash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * `calls` records every batch it was asked for, so a test can check what was
 * (not) re-embedded. A text without words gets a zero row: it has no direction.
 *
 * @example
 * const embedder = fakeEmbedder(); // dim 64
 * const vectors = await embedder.embed(['cats purr', 'cats sleep']); // 2 × 64 floats
 * embedder.calls; // [['cats purr', 'cats sleep']]
 */
export function fakeEmbedder(dim = 64): Embedder & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    model: `fake-hash-${dim}`,
    dim,
    calls,
    async embed(texts: string[]): Promise<Float32Array> {
      calls.push([...texts]);
      const out = new Float32Array(texts.length * dim);
      texts.forEach((text, row) => {
        const vector = out.subarray(row * dim, (row + 1) * dim);
        for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
          const h = hash(word);
          // The top bit picks the sign, so unrelated words cancel rather than pile up.
          vector[h % dim]! += h & 0x80000000 ? -1 : 1;
        }
        normalizeInPlace(vector);
      });
      return out;
    },
  };
}
