/**
 * A generation's `vectors.i8`: int8 copies of the rows of `vectors.f32`, what
 * the dense scan reads. Made once when the generation is written, so loading
 * reads them instead of quantising every row (and a loaded index keeps only
 * these in memory: a quarter of the float32 rows, 0.4 GB at a million
 * passages). Little-endian:
 *
 *   N × dim int8 | pad to 4 | N × float32 scale | float64 maxError | float64 maxNorm
 *
 * Row r ≈ int8[r·dim + j] · scale[r], with scale = max|v| / 127; maxError bounds
 * ‖v − scale·int8‖ and maxNorm bounds ‖v‖ over every row (each with a little
 * slack): what the scan's error bound (search/dot-kernel.ts) is built from.
 *
 * @example
 * await writeFileAtomic(path.join(genDir, QUANTIZED), quantizedChunks(vectors, dim), fs);
 * const parts = await readQuantizedFile(genDir, manifest, plainQuantized);
 */
import os from 'node:os';
import path from 'node:path';
import { verifyChecksum, type IntegrityCheck } from './checksum.js';
import { DamagedGeneration, fillRegions, withGenerationFile } from './damaged-generation.js';
import type { StoredManifest } from './manifest.js';

export const QUANTIZED = 'vectors.i8';

const ROW_STEPS = 127;
/** Rows quantised per chunk written: a few ms of work between two writes. */
const CHUNK_ROWS = 2048;
/** Covers the float rounding of the sums of squares the stats are made of. */
const SLACK = 1.01;
const TAIL_BYTES = 16;

/** The int8 rows and their scales, and the bounds the scan needs. */
export interface QuantizedParts {
  int8: Int8Array;
  scales: Float32Array;
  maxError: number;
  maxNorm: number;
}

/**
 * Makes the zeroed arrays a generation's int8 rows and scales are read into.
 * The search layer passes one that places them where its scan reads them
 * (`allocateQuantized` in search/dot-kernel.ts).
 */
export type QuantizedAllocator = (rows: number, dim: number) => { int8: Int8Array; scales: Float32Array };

/** Plain arrays, for readers without a kernel (tests, a runtime without WebAssembly SIMD). */
export const plainQuantized: QuantizedAllocator = (rows, dim) => ({ int8: new Int8Array(rows * dim), scales: new Float32Array(rows) });

/**
 * vectors.i8's bytes for `vectors`, made a chunk of rows at a time as the
 * writer takes them (no second copy of the whole matrix).
 *
 * @example
 * const chunks = [...quantizedChunks(new Float32Array([0.6, 0.8]), 2)]; // int8 [95, 127], then scales and stats
 */
export function* quantizedChunks(vectors: Float32Array, dim: number): Generator<Uint8Array> {
  const rows = dim > 0 ? Math.floor(vectors.length / dim) : 0;
  const scales = new Float32Array(rows);
  let maxErrorSq = 0;
  let maxNormSq = 0;
  for (let first = 0; first < rows; first += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, rows - first);
    const int8 = new Int8Array(count * dim);
    for (let i = 0; i < count; i++) {
      const { errorSq, normSq } = quantizeRow(vectors, (first + i) * dim, dim, int8, i * dim, scales, first + i);
      // Not Math.max: a NaN must reach the stats, where the reader refuses it.
      if (!(errorSq <= maxErrorSq)) maxErrorSq = errorSq;
      if (!(normSq <= maxNormSq)) maxNormSq = normSq;
    }
    yield new Uint8Array(int8.buffer);
  }
  yield new Uint8Array(pad4(rows * dim) - rows * dim);
  yield littleEndian(scales);
  const tail = Buffer.alloc(TAIL_BYTES);
  tail.writeDoubleLE(Math.sqrt(maxErrorSq) * SLACK + 1e-7, 0);
  tail.writeDoubleLE(Math.sqrt(maxNormSq) * SLACK + 1e-7, 8);
  yield tail;
}

/** Quantises one row; returns its squared rounding error and squared norm. */
function quantizeRow(vectors: Float32Array, at: number, dim: number, int8: Int8Array, to: number, scales: Float32Array, row: number): { errorSq: number; normSq: number } {
  let top = 0;
  for (let j = 0; j < dim; j++) {
    const x = Math.abs(vectors[at + j]!);
    if (!(x <= top)) top = x;
  }
  const scale = Math.fround(top / ROW_STEPS);
  scales[row] = scale;
  let errorSq = 0;
  let normSq = 0;
  for (let j = 0; j < dim; j++) {
    const x = vectors[at + j]!;
    const q = scale > 0 ? Math.max(-ROW_STEPS, Math.min(ROW_STEPS, Math.round(x / scale))) : 0;
    int8[to + j] = q;
    errorSq += (x - q * scale) ** 2;
    normSq += x * x;
  }
  return { errorSq, normSq };
}

/**
 * Reads a generation's vectors.i8 into arrays from `allocate`, checked against
 * the manifest's counts and checksum (the checksum through `check`, which may
 * run it after the load); bounds or scales that are not numbers (a model
 * that produced NaN) are damage too.
 *
 * @example
 * const { int8, scales, maxError } = await readQuantizedFile('embeddings/gen-…', manifest, plainQuantized);
 */
export async function readQuantizedFile(genDir: string, manifest: StoredManifest, allocate: QuantizedAllocator, check: IntegrityCheck = (run) => run()): Promise<QuantizedParts> {
  const { passages: rows, dim } = manifest;
  const { int8, scales } = allocate(rows, dim);
  const regions = [bytesOf(int8), new Uint8Array(pad4(rows * dim) - rows * dim), bytesOf(scales), new Uint8Array(TAIL_BYTES)];
  await readRegions(path.join(genDir, QUANTIZED), regions, manifest);
  await check(() => verifyChecksum(regions, QUANTIZED, manifest.checksums));
  if (os.endianness() === 'BE') Buffer.from(regions[2]!.buffer, regions[2]!.byteOffset, regions[2]!.byteLength).swap32();
  const tail = Buffer.from(regions[3]!.buffer);
  const [maxError, maxNorm] = [tail.readDoubleLE(0), tail.readDoubleLE(8)];
  if (!(maxError >= 0 && maxNorm >= 0 && Number.isFinite(maxError + maxNorm)) || !scales.every(Number.isFinite)) {
    throw new DamagedGeneration(`${QUANTIZED} holds values that are not numbers (NaN or infinite)`);
  }
  return { int8, scales, maxError, maxNorm };
}

/** Fills each region in turn from the file, which must be exactly as long as all of them. */
async function readRegions(file: string, regions: Uint8Array[], manifest: StoredManifest): Promise<void> {
  await withGenerationFile(file, QUANTIZED, async (handle, size) => {
    const expected = regions.reduce((sum, r) => sum + r.byteLength, 0);
    if (size !== expected) {
      throw new DamagedGeneration(`${QUANTIZED} has ${size} bytes, expected ${expected} (${manifest.passages} passages × ${manifest.dim} dims)`);
    }
    await fillRegions(handle, regions, QUANTIZED);
  });
}

const pad4 = (n: number): number => (n + 3) & ~3;

const bytesOf = (array: Int8Array | Float32Array): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

function littleEndian(values: Float32Array): Uint8Array {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return os.endianness() === 'LE' ? bytes : Buffer.from(bytes).swap32();
}
