/**
 * Growing a typed array by doubling, for the columns an index is built in
 * (postings, lengths, document frequencies) while their final size is unknown.
 *
 * @example
 * let df = new Uint32Array(1024);
 * if (term >= df.length) df = grownTo(df, term + 1); // 2048, the first 1024 kept
 */
type Growable = Uint32Array | Int32Array | Float64Array;

/** A copy at least `size` long (and at least twice as long), with the same values first. */
export function grownTo<T extends Growable>(array: T, size: number): T {
  const out = new (array.constructor as new (length: number) => T)(Math.max(size, array.length * 2, 16));
  out.set(array as ArrayLike<number>);
  return out;
}
