/**
 * A generation's `vectors.f32`: N × dim float32, little-endian, row i = the
 * passage of index.json item i. A binary sidecar because vectra's JSON vectors
 * outgrow V8's string limit past ~65k passages and take seconds to parse.
 *
 * Read whole (`readVectorsFile`: ingest, which copies rows on), or row by row
 * beside their int8 copies (`openStoredVectors`: search, which needs the exact
 * values of the few rows near its top-k cut only).
 *
 * @example
 * await writeFileAtomic(path.join(genDir, VECTORS), [littleEndianVectors(vectors)]);
 * const again = await readVectorsFile(genDir, manifest, plainVectors);
 */
import { readSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DamagedGeneration, fillRegions, openForOwner, withGenerationFile } from './damaged-generation.js';
import { verifyChecksum } from './checksum.js';
import { CitebotError } from '../errors.js';
import type { StoredManifest } from './manifest.js';
import type { QuantizedParts } from './quantized-file.js';
import type { StoredVectors } from '../types.js';
import { rebuildCommand } from './write-error.js';

export const VECTORS = 'vectors.f32';

/**
 * Makes the zeroed Float32Array of `rows × dim` floats that a generation's
 * vectors are read into. The search layer passes one that places them where
 * its dense-search kernel scans them in place (`allocateVectors` in
 * search/dot-kernel.ts), so loading costs no second copy.
 */
export type VectorAllocator = (rows: number, dim: number) => Float32Array;

/** A plain array: for readers that only copy the vectors on (ingest) or check them (tests). */
export const plainVectors: VectorAllocator = (rows, dim) => new Float32Array(rows * dim);

/**
 * True when every value of the vectors is a finite number. The search layer
 * passes one that reads it off its kernel's row norms for free
 * (`vectorsAreFinite` in search/dot-kernel.ts); `allFinite` scans.
 */
export type FiniteCheck = (vectors: Float32Array, dim: number) => boolean;

/**
 * A plain scan for NaN and infinities (a few ns per value).
 *
 * @example
 * allFinite(Float32Array.of(1, NaN), 2); // false
 */
export const allFinite: FiniteCheck = (vectors) => {
  // x - x is 0 for a finite x and NaN for NaN and ±Infinity.
  for (let i = 0; i < vectors.length; i++) if (vectors[i]! - vectors[i]! !== 0) return false;
  return true;
};

/**
 * The bytes to store for `vectors`: a view of them on a little-endian machine,
 * a byte-swapped copy on a big-endian one.
 *
 * @example
 * littleEndianVectors(new Float32Array([1])); // Uint8Array [0, 0, 128, 63]
 */
export function littleEndianVectors(vectors: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  if (os.endianness() === 'LE') return bytes;
  const copy = bytes.slice();
  swapFloats(copy);
  return copy;
}

/**
 * Reads a generation's vectors straight into a fresh Float32Array from
 * `allocate`: aligned, one copy, no per-row objects. A missing, short or long
 * file, one that doesn't match its checksum, or one holding NaN or infinite
 * values (`finite`) is a `DamagedGeneration`.
 *
 * @example
 * const vectors = await readVectorsFile('embeddings/gen-…', manifest, plainVectors, allFinite); // manifest.passages × manifest.dim floats
 */
export async function readVectorsFile(genDir: string, manifest: StoredManifest, allocate: VectorAllocator, finite: FiniteCheck): Promise<Float32Array> {
  const vectors = allocate(manifest.passages, manifest.dim);
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  await withGenerationFile(path.join(genDir, VECTORS), VECTORS, async (handle, size) => {
    if (size !== bytes.byteLength) {
      throw new DamagedGeneration(
        `${VECTORS} has ${size} bytes, expected ${bytes.byteLength} (${manifest.passages} passages × ${manifest.dim} dims)`,
      );
    }
    await fillRegions(handle, [bytes], VECTORS);
  });
  await verifyChecksum(bytes, VECTORS, manifest.checksums);
  if (os.endianness() === 'BE') swapFloats(bytes);
  if (!finite(vectors, manifest.dim)) throw new DamagedGeneration(`${VECTORS} holds values that are not numbers (NaN or infinite)`);
  return vectors;
}

/** Reverses the bytes of each float in place (Node's `swap32`, on the same memory). */
function swapFloats(bytes: Uint8Array): void {
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).swap32();
}

/**
 * The vectors as search reads them: the int8 rows (`parts`, from vectors.i8)
 * in memory, and vectors.f32 kept open to read a row's exact values on demand
 * (a pread of `dim × 4` bytes). The file is checked for its size here; each
 * row read is checked against its int8 copy (checksummed when loaded), which
 * catches any change to it larger than the int8 rounding, and is refused with
 * the rebuild command.
 *
 * @example
 * const vectors = openStoredVectors('embeddings/gen-…/vectors.f32', 120, 384, await readQuantizedFile(genDir, manifest, plainQuantized));
 * vectors.readRow(3, new Float32Array(384));
 */
export function openStoredVectors(file: string, rows: number, dim: number, parts: QuantizedParts): StoredVectors {
  return openForOwner(file, VECTORS, rows * dim * 4, ` (${rows} passages × ${dim} dims)`, (fd) => {
    const vectors: StoredVectors = { rows, dim, ...parts, source: file, readRow: (row, into) => readRow(fd, vectors, row, into) };
    return vectors;
  });
}

function readRow(fd: number, vectors: StoredVectors, row: number, into: Float32Array): void {
  const { rows, dim } = vectors;
  if (!(Number.isInteger(row) && row >= 0 && row < rows) || into.length < dim) throw new RangeError(`readRow: no row ${row} of ${rows}, or room for fewer than ${dim} floats`);
  const bytes = new Uint8Array(into.buffer, into.byteOffset, dim * 4);
  for (let offset = 0; offset < bytes.byteLength; ) {
    const read = readSync(fd, bytes, offset, bytes.byteLength - offset, row * dim * 4 + offset);
    if (read === 0) throw rowDamage(vectors.source, `${VECTORS} ended early`);
    offset += read;
  }
  if (os.endianness() === 'BE') swapFloats(bytes);
  if (!matchesInt8(vectors, row, into)) throw rowDamage(vectors.source, `${VECTORS} row ${row} does not match its int8 copy in vectors.i8 (changed after it was written)`);
}

/** Finite, and no further from the int8 row than the rounding every row stays within. */
function matchesInt8({ dim, int8, scales, maxError }: StoredVectors, row: number, values: Float32Array): boolean {
  const scale = scales[row]!;
  let errorSq = 0;
  for (let j = 0; j < dim; j++) errorSq += (values[j]! - int8[row * dim + j]! * scale) ** 2;
  return errorSq <= maxError * maxError;
}

/** Found while answering, not while loading: the user gets the rebuild command. */
function rowDamage(file: string, reason: string): CitebotError {
  const dir = path.dirname(path.dirname(file));
  return new CitebotError(`The index in ${dir} is damaged: ${reason}.`, { hint: `Rebuild it: ${rebuildCommand(dir)}` });
}
