/**
 * Sentence vectors from token vectors: mean pooling over the real tokens, then
 * L2 normalisation. Done here in plain loops because transformers.js's own
 * `mean_pooling` allocates per element and is 15–50× slower.
 */

/**
 * Mean-pools a right-padded batch `[batch, seqLen, dim]` into `out`, one row per
 * sequence, ignoring the padding after each sequence's `lengths[b]` tokens, and
 * L2-normalises each row. `rows[b]` says which row of `out` sequence b goes to,
 * so a caller that sorted its texts by length can write them back in order.
 *
 * @example
 * // two sequences of 3 and 1 real tokens, dim 2, padded to 3
 * const out = new Float32Array(2 * 2);
 * meanPoolInto(hidden, [3, 1], 3, 2, out, [0, 1]);
 */
export function meanPoolInto(
  hidden: Float32Array,
  lengths: readonly number[],
  seqLen: number,
  dim: number,
  out: Float32Array,
  rows: readonly number[],
): void {
  for (let b = 0; b < lengths.length; b++) {
    const row = rows[b] ?? b;
    const target = out.subarray(row * dim, (row + 1) * dim);
    target.fill(0);
    const first = b * seqLen * dim;
    const end = first + (lengths[b] ?? 0) * dim;
    for (let at = first; at < end; at += dim) {
      for (let d = 0; d < dim; d++) target[d]! += hidden[at + d]!;
    }
    // Dividing by the token count first would change nothing: normalising removes the scale.
    normalizeInPlace(target);
  }
}

/**
 * Scales a vector to unit length. A zero vector stays zero (there is no direction to keep).
 *
 * @example
 * normalizeInPlace(Float32Array.of(3, 4)); // → [0.6, 0.8]
 */
export function normalizeInPlace(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  }
  return vector;
}
