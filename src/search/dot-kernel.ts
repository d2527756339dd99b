/**
 * The inner loop of dense search, in WebAssembly SIMD: an approximate dot
 * product of a query with every row of the packed vector matrix. A plain
 * JavaScript loop manages about 1 multiply-add per nanosecond here (50 ms for
 * 50k × 384 floats); the kernel scans int8 copies of the rows (one byte per
 * value, so a quarter of the memory traffic) with 16-bit queries, eight lanes
 * at a time, in about 1 ms for 50k rows.
 *
 * Approximate, with a proven bound: `kernelScores` returns, with the scores,
 * how far any of them can be from the exact dot product, and `vectors.ts`
 * rescores exactly the few rows near the top-k cut. The int8 rows are made
 * once (`prepareVectors`, tens of milliseconds per 50k rows) and keep the error of
 * each row's rounding, which is what the bound is built from.
 *
 * The module is assembled below byte by byte (no toolchain, no dependency).
 * Vectors must live in the kernel's own memory to be scanned without a copy,
 * so the store allocates them with `allocateVectors`. That memory is shared
 * (a SharedArrayBuffer underneath), so a search worker can scan the same rows
 * in place (`shareVectors` here, `adoptVectors` there). A stored index keeps
 * only the int8 rows, made when it was written (index/quantized-file.ts), and
 * reads them into shared kernel memory from `allocateQuantized`.
 */

import type { StoredVectors } from '../types.js';

/** Rows are scanned 16 floats per step: dims that are not a multiple of this use the plain loop. */
const KERNEL_DIM_STEP = 16;

const PAGE_BYTES = 65_536;

/** The slice of the WebAssembly JS API used here (this project's type libraries don't declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => KernelMemory['memory'];
}
type WasmModule = { readonly compiled: unique symbol };

const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** One allocation: its memory, the instance that scans it, and where each region starts. */
interface KernelMemory {
  exports: KernelExports;
  memory: { buffer: SharedArrayBuffer };
  rows: number;
  dim: number;
  /** Byte offsets of the regions after the float32 vectors. */
  at: { int8: number; scales: number; query: number; scores: number; stats: number };
  /** Set once the int8 rows are made: the largest rounding error and norm of any row. */
  prepared: { maxError: number; maxNorm: number } | null;
}

interface KernelExports {
  quantize(vectors: number, dim: number, rows: number, int8: number, scales: number, stats: number): void;
  scores(int8: number, query: number, dim: number, rows: number, scales: number, out: number, queryScale: number): void;
}

/** Allocations by their buffer; a Float32Array built elsewhere is simply not found. */
const memories = new WeakMap<ArrayBufferLike, KernelMemory>();

let compiled: WasmModule | null | undefined;

/** The query is rounded to 16-bit integers: its own rounding error is then negligible. */
const QUERY_STEPS = 32767;
const ROW_STEPS = 127;

/**
 * A zeroed Float32Array of `rows × dim` floats that `kernelScores` can scan in
 * place. An ordinary array where the kernel can't help (no WebAssembly SIMD,
 * a dim it doesn't take, more than 4 GB).
 *
 * @example
 * const vectors = allocateVectors(rows, dim);
 * await handle.read(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
 * prepareVectors(vectors, dim);
 */
export function allocateVectors(rows: number, dim: number): Float32Array {
  const module = kernelModule();
  const length = rows * dim;
  const int8 = align(length * 4);
  const scales = align(int8 + length);
  const query = align(scales + rows * 4);
  const scores = align(query + dim * 2);
  const stats = align(scores + rows * 4);
  const total = stats + 16;
  if (module === null || dim % KERNEL_DIM_STEP !== 0 || total > 4 * 2 ** 30 - PAGE_BYTES) return new Float32Array(length);
  const pages = Math.ceil(total / PAGE_BYTES);
  let memory: KernelMemory['memory'];
  try {
    // Shared so that a search worker can scan it too; its size never changes.
    memory = new wasm!.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return new Float32Array(length);
  }
  return register(module, memory, { rows, dim, at: { int8, scales, query, scores, stats }, prepared: null });
}

/** What a worker needs to scan vectors from `allocateVectors` in place: their memory and its layout. */
export interface SharedVectors {
  /** The WebAssembly.Memory itself (shared: posting it to a worker shares it, no copy). */
  memory: unknown;
  rows: number;
  dim: number;
  at: KernelMemory['at'];
  prepared: KernelMemory['prepared'];
}

/**
 * The vectors' memory and layout, to post to a worker (`adoptVectors` there);
 * null for an array the kernel doesn't hold. Prepares them first, so the
 * worker never writes the int8 rows. From then on only one thread may scan
 * them at a time: the query and scores regions are shared too.
 *
 * @example
 * const shared = shareVectors(index.vectors, 384);
 * new Worker(script, { workerData: { vectors: shared } });
 */
export function shareVectors(vectors: Float32Array, dim: number): SharedVectors | null {
  const memory = held(vectors, dim);
  if (!memory) return null;
  prepareVectors(vectors, dim);
  return { memory: memory.memory, rows: memory.rows, dim, at: memory.at, prepared: memory.prepared };
}

/**
 * In a worker: the vectors that `shareVectors` described, scannable here by
 * `kernelScores` and `topK` exactly as in the thread that loaded them.
 *
 * @example
 * const vectors = adoptVectors(workerData.vectors);
 * topK(vectors, 384, question, 50);
 */
export function adoptVectors(shared: SharedVectors): Float32Array {
  const module = kernelModule();
  if (module === null) throw new Error('WebAssembly SIMD is not available in this thread.');
  const { memory, ...layout } = shared;
  return register(module, memory as KernelMemory['memory'], layout);
}

function register(module: WasmModule, memory: KernelMemory['memory'], layout: Omit<KernelMemory, 'exports' | 'memory'>): Float32Array {
  const exports = new wasm!.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  memories.set(memory.buffer, { exports, memory, ...layout });
  return new Float32Array(memory.buffer, 0, layout.rows * layout.dim);
}

/**
 * Makes the int8 copies of the rows of `vectors` (from `allocateVectors`) the
 * scan reads. Call once the vectors are filled; they must not change after.
 * Does nothing for an array the kernel doesn't hold.
 *
 * @example
 * prepareVectors(index.vectors, 384); // tens of ms per 50k rows
 */
export function prepareVectors(vectors: Float32Array, dim: number): void {
  const memory = held(vectors, dim);
  if (!memory || memory.prepared) return;
  const { at, rows } = memory;
  memory.exports.quantize(0, dim, rows, at.int8, at.scales, at.stats);
  const [maxErrorSq, maxNormSq] = new Float32Array(memory.memory.buffer, at.stats, 2);
  // float32 sums of squares: the slack covers their own rounding.
  memory.prepared = { maxError: Math.sqrt(maxErrorSq!) * 1.01 + 1e-7, maxNorm: Math.sqrt(maxNormSq!) * 1.01 + 1e-7 };
}

/**
 * False when any value of `vectors` is NaN or infinite (a damaged file, or a
 * model that broke): such a row would poison every score it is compared with.
 * Free for vectors the kernel holds (its row norms propagate NaN); a plain
 * scan otherwise, or when those norms overflowed.
 *
 * @example
 * vectorsAreFinite(Float32Array.of(0.6, 0.8), 2); // true
 * vectorsAreFinite(Float32Array.of(NaN, 0), 2);   // false
 */
export function vectorsAreFinite(vectors: Float32Array, dim: number): boolean {
  const memory = held(vectors, dim);
  if (memory) {
    prepareVectors(vectors, dim);
    // Finite stats prove every value finite; infinite ones may just be float32 overflow of huge values: scan.
    if (Number.isFinite(memory.prepared!.maxNorm) && Number.isFinite(memory.prepared!.maxError)) return true;
  }
  for (let i = 0; i < vectors.length; i++) if (!Number.isFinite(vectors[i]!)) return false;
  return true;
}

/** Approximate scores of every row, and how far any of them can be from the exact dot product. */
export interface KernelScores {
  /** One score per row scanned (row `first + i` at `i`); a view into kernel memory, valid until the next scan. */
  scores: Float32Array | Float64Array;
  /** The row of `scores[0]` (0 unless a range of rows was scanned). */
  first: number;
  /** |score − exact dot product| ≤ bound for every row. */
  bound: number;
}

/**
 * Scores every row of `vectors` (allocated by `allocateVectors`) against
 * `query` in one pass; null when the kernel can't take this array or dim.
 *
 * @example
 * const result = kernelScores(index.vectors, 384, question);
 * // result.scores[row] is within result.bound of the exact dot product
 */
export function kernelScores(vectors: Float32Array, dim: number, query: Float32Array): KernelScores | null {
  const memory = held(vectors, dim);
  if (!memory || query.length !== dim) return null;
  prepareVectors(vectors, dim);
  const { maxError, maxNorm } = memory.prepared!;
  return scan(memory, query, maxNorm, maxError);
}

/**
 * Threads that may scan one stored index's rows at the same time, each over
 * its own rows (`RowRange`): each has a query region of its own in kernel
 * memory (slot 0 is the loading thread's), while the rows' scores go where
 * the rows are, so two ranges never share a byte.
 */
export const SCAN_SLOTS = 8;

/** Rows [start, end) of a stored index, scanned with the query region `slot` (0 to SCAN_SLOTS − 1). */
export interface RowRange {
  start: number;
  end: number;
  slot: number;
}

/** Where a stored index's int8 rows live in kernel memory (`allocateQuantized`). */
interface QuantizedMemory {
  exports: KernelExports;
  memory: { buffer: SharedArrayBuffer };
  rows: number;
  dim: number;
  at: { int8: number; scales: number; query: number; scores: number };
}

const quantizedMemories = new WeakMap<ArrayBufferLike, QuantizedMemory>();

/**
 * Zeroed arrays for a stored index's int8 rows and scales (vectors.i8), placed
 * in kernel memory so that `quantizedScores` scans them where they were read.
 * Plain arrays where the kernel can't help (no WebAssembly SIMD, a dim it
 * doesn't take, more than 4 GB); the scan then runs in JavaScript.
 *
 * @example
 * const index = await openIndex('embeddings', warn, { quantized: allocateQuantized });
 */
export function allocateQuantized(rows: number, dim: number): { int8: Int8Array; scales: Float32Array } {
  const module = kernelModule();
  const length = rows * dim;
  const scales = align(length);
  const query = align(scales + rows * 4);
  const scores = align(query + SCAN_SLOTS * align(dim * 2));
  const total = scores + rows * 4;
  if (module === null || dim % KERNEL_DIM_STEP !== 0 || total > 4 * 2 ** 30 - PAGE_BYTES) {
    return { int8: new Int8Array(length), scales: new Float32Array(rows) };
  }
  const pages = Math.ceil(total / PAGE_BYTES);
  let memory: QuantizedMemory['memory'];
  try {
    // Shared so that a search worker can scan it too; its size never changes.
    memory = new wasm!.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return { int8: new Int8Array(length), scales: new Float32Array(rows) };
  }
  return registerQuantized(module, memory, { rows, dim, at: { int8: 0, scales, query, scores } });
}

function registerQuantized(module: WasmModule, memory: QuantizedMemory['memory'], layout: Pick<QuantizedMemory, 'rows' | 'dim' | 'at'>): { int8: Int8Array; scales: Float32Array } {
  const exports = new wasm!.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  quantizedMemories.set(memory.buffer, { exports, memory, ...layout });
  return { int8: new Int8Array(memory.buffer, 0, layout.rows * layout.dim), scales: new Float32Array(memory.buffer, layout.at.scales, layout.rows) };
}

/** What a worker needs to scan a stored index's vectors in place: their memory, its layout, and the file of exact rows. */
export interface SharedQuantized {
  /** The WebAssembly.Memory itself (shared: posting it to a worker shares it, no copy). */
  memory: unknown;
  rows: number;
  dim: number;
  at: QuantizedMemory['at'];
  maxError: number;
  maxNorm: number;
  source: string;
}

/**
 * A stored index's vectors, to post to a worker (`adoptQuantized` there);
 * null when their int8 rows are not in kernel memory. From then on only one
 * thread may scan them at a time: the query and scores regions are shared too.
 *
 * @example
 * const shared = shareQuantized(index.vectors);
 * new Worker(script, { workerData: { quantized: shared } });
 */
export function shareQuantized(vectors: StoredVectors): SharedQuantized | null {
  const memory = quantizedMemories.get(vectors.int8.buffer);
  if (!memory || vectors.int8.byteOffset !== 0 || memory.rows !== vectors.rows) return null;
  const { rows, dim, maxError, maxNorm, source } = vectors;
  return { memory: memory.memory, rows, dim, at: memory.at, maxError, maxNorm, source };
}

/**
 * In a worker: the stored vectors that `shareQuantized` described, their exact
 * rows read through `open` (the index layer's `openStoredVectors`).
 *
 * @example
 * const vectors = adoptQuantized(workerData.quantized, openStoredVectors);
 * topK(vectors, 384, question, 50);
 */
export function adoptQuantized(
  shared: SharedQuantized,
  open: (file: string, rows: number, dim: number, parts: Pick<StoredVectors, 'int8' | 'scales' | 'maxError' | 'maxNorm'>) => StoredVectors,
): StoredVectors {
  const module = kernelModule();
  if (module === null) throw new Error('WebAssembly SIMD is not available in this thread.');
  const { memory, rows, dim, at, maxError, maxNorm, source } = shared;
  const { int8, scales } = registerQuantized(module, memory as QuantizedMemory['memory'], { rows, dim, at });
  return open(source, rows, dim, { int8, scales, maxError, maxNorm });
}

/**
 * Approximate scores of the rows of a stored index's vectors against
 * `query` (all of them, or `range`'s), from their int8 copies: in the kernel
 * when `allocateQuantized` placed them there, else a plain loop; with the
 * bound on their error. Threads scanning at once must use different slots
 * and ranges that don't overlap.
 *
 * @example
 * const { scores, bound } = quantizedScores(index.vectors, question);
 * const half = quantizedScores(index.vectors, question, { start: 0, end: index.vectors.rows >> 1, slot: 1 });
 */
export function quantizedScores(vectors: StoredVectors, query: Float32Array, range: RowRange = { start: 0, end: vectors.rows, slot: 0 }): KernelScores {
  const { int8, scales, rows, dim, maxNorm, maxError } = vectors;
  const { start, end, slot } = range;
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= rows && Number.isInteger(slot) && slot >= 0 && slot < SCAN_SLOTS)) {
    throw new RangeError(`quantizedScores: rows ${start} to ${end} (slot ${slot}) of ${rows}`);
  }
  const memory = quantizedMemories.get(int8.buffer);
  if (memory && int8.byteOffset === 0 && scales.byteOffset === memory.at.scales && memory.rows === rows && memory.dim === dim && query.length === dim) {
    return scan(memory, query, maxNorm, maxError, range);
  }
  const scores = new Float64Array(end - start);
  let queryNormSq = 0;
  for (let j = 0; j < dim; j++) queryNormSq += query[j]! * query[j]!;
  for (let row = start; row < end; row++) {
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += int8[row * dim + j]! * query[j]!;
    scores[row - start] = sum * scales[row]!;
  }
  return { scores, first: start, bound: scoreErrorBound(Math.sqrt(queryNormSq), 0, maxNorm, maxError) };
}

/** The query rounded to int16 in kernel memory (its slot's region), one pass of `scores` over the range, and the bound. */
function scan(memory: KernelMemory | QuantizedMemory, query: Float32Array, maxNorm: number, maxError: number, range: RowRange = { start: 0, end: memory.rows, slot: 0 }): KernelScores {
  const { at, dim } = memory;
  const { start, end, slot } = range;
  let largest = 0;
  for (const x of query) largest = Math.max(largest, Math.abs(x));
  const step = largest / QUERY_STEPS;
  const queryAt = at.query + slot * align(dim * 2);
  const rounded = new Int16Array(memory.memory.buffer, queryAt, dim);
  let queryNormSq = 0;
  let roundingSq = 0;
  for (let j = 0; j < dim; j++) {
    const x = query[j]!;
    rounded[j] = step > 0 ? Math.round(x / step) : 0;
    queryNormSq += x * x;
    roundingSq += (x - rounded[j]! * step) ** 2;
  }
  const rows = end - start;
  memory.exports.scores(at.int8 + start * dim, queryAt, dim, rows, at.scales + start * 4, at.scores + start * 4, step);
  const bound = scoreErrorBound(Math.sqrt(queryNormSq), Math.sqrt(roundingSq), maxNorm, maxError);
  return { scores: new Float32Array(memory.memory.buffer, at.scores + start * 4, rows), first: start, bound };
}

/**
 * How far a kernel score can be from the exact dot product q·v. With q̃ and ṽ
 * the rounded query and row: q·v − q̃·ṽ = q·(v − ṽ) + (q − q̃)·ṽ, so the error
 * is at most ‖q‖·‖v − ṽ‖ + ‖q − q̃‖·‖ṽ‖, plus the float32 rounding of the
 * final scaling (three roundings of at most 2⁻²⁴ each, taken as 2⁻²¹).
 *
 * @example
 * scoreErrorBound(1, 1e-5, 1, 0.01); // ≈ 0.01
 */
function scoreErrorBound(queryNorm: number, queryError: number, rowNorm: number, rowError: number): number {
  const rounded = (queryNorm + queryError) * (rowNorm + rowError);
  return (queryNorm * rowError + queryError * (rowNorm + rowError) + 2 ** -21 * rounded) * 1.01;
}

function held(vectors: Float32Array, dim: number): KernelMemory | null {
  const memory = memories.get(vectors.buffer);
  if (!memory || vectors.byteOffset !== 0 || vectors.length !== memory.rows * memory.dim || dim !== memory.dim) return null;
  return memory;
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** The compiled kernel, or null where this runtime lacks WebAssembly SIMD. */
function kernelModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = wasm ? new wasm.Module(kernelBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

// ---------------------------------------------------------------------------
// The module, assembled. Opcodes: https://webassembly.github.io/spec/core/binary/
// ---------------------------------------------------------------------------

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const VOID_BLOCK = 0x40;
const OP = {
  block: 0x02,
  loop: 0x03,
  brIf: 0x0d,
  end: 0x0b,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  f32Gt: 0x5e,
  i32Add: 0x6a,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f32Add: 0x92,
  f32Mul: 0x94,
  f32Div: 0x95,
  f32Max: 0x97,
  f32ConvertI32S: 0xb2,
} as const;
const SIMD = {
  load: 0x00,
  load8x8S: 0x01,
  store: 0x0b,
  const: 0x0c,
  f32x4Splat: 0x13,
  i32x4ExtractLane: 0x1b,
  f32x4ExtractLane: 0x1f,
  i8x16NarrowI16x8S: 0x65,
  f32x4Nearest: 0x6a,
  i16x8NarrowI32x4S: 0x85,
  i32x4Add: 0xae,
  i32x4DotI16x8S: 0xba,
  f32x4Abs: 0xe0,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Max: 0xe9,
  i32x4TruncSatF32x4S: 0xf8,
} as const;

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 for the small non-negative constants used here. */
function sleb(value: number): number[] {
  return value < 64 ? [value] : [(value & 0x7f) | 0x80, ...sleb(value >> 7)];
}

const name = (text: string): number[] => [...leb(text.length), ...Buffer.from(text)];
const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
const vector = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...leb(op), ...immediates];
/** v128.load (16-byte aligned) at a constant offset from the address on the stack. */
const load = (offset: number): number[] => simd(SIMD.load, 4, ...leb(offset));
/** v128.load8x8_s: eight int8 values widened to int16 lanes. */
const load8x8 = (offset: number): number[] => simd(SIMD.load8x8S, 3, ...leb(offset));
const get = (local: number): number[] => [OP.localGet, local];
const set = (local: number): number[] => [OP.localSet, local];
const tee = (local: number): number[] => [OP.localTee, local];
const i32 = (value: number): number[] => [OP.i32Const, ...sleb(value)];
const f32 = (value: number): number[] => [OP.f32Const, ...new Uint8Array(new Float32Array([value]).buffer)];
const zeroV128 = (): number[] => simd(SIMD.const, ...new Array<number>(16).fill(0));
const addTo = (local: number, ...bytes: number[]): number[] => [...get(local), ...bytes, OP.i32Add, ...set(local)];

/** Combines the four f32 lanes of the v128 in `local` with `op` (add or max), leaving an f32. */
function lanes(local: number, op: number): number[] {
  return [
    ...get(local), ...simd(SIMD.f32x4ExtractLane, 0),
    ...get(local), ...simd(SIMD.f32x4ExtractLane, 1), op,
    ...get(local), ...simd(SIMD.f32x4ExtractLane, 2), op,
    ...get(local), ...simd(SIMD.f32x4ExtractLane, 3), op,
  ];
}

/**
 * quantize(vectors, dim, rows, int8, scales, stats): for each row, scale =
 * max|v| / 127, int8 = round(v / scale); stats[0] = the largest Σ(v − scale·int8)²
 * of any row, stats[1] = the largest Σv².
 */
function quantizeBody(): number[] {
  const [vectors, dim, rows, int8, scales, stats] = [0, 1, 2, 3, 4, 5];
  const [row, at, rowBytes] = [6, 7, 8];
  const [largest, inverse, scale, error, normSq, x] = [9, 10, 11, 12, 13, 14];
  const rounded = [15, 16, 17, 18];
  const [maxError, maxNorm, top] = [19, 20, 21];
  const roundStep = (k: number): number[] => [
    ...get(vectors), ...get(at), OP.i32Add, ...load(16 * k), ...tee(x),
    ...get(inverse), ...simd(SIMD.f32x4Mul), ...simd(SIMD.f32x4Nearest), ...tee(rounded[k]!),
    // error += (x − rounded·scale)², normSq += x²
    ...get(scale), ...simd(SIMD.f32x4Mul), ...get(x), ...simd(SIMD.f32x4Sub), ...tee(x),
    ...get(x), ...simd(SIMD.f32x4Mul), ...get(error), ...simd(SIMD.f32x4Add), ...set(error),
    ...get(vectors), ...get(at), OP.i32Add, ...load(16 * k), ...tee(x),
    ...get(x), ...simd(SIMD.f32x4Mul), ...get(normSq), ...simd(SIMD.f32x4Add), ...set(normSq),
  ];
  const int = (k: number): number[] => [...get(rounded[k]!), ...simd(SIMD.i32x4TruncSatF32x4S)];
  return [
    ...vector([[3, I32], [10, V128], [3, F32]]),
    ...get(dim), ...i32(2), OP.i32Shl, ...set(rowBytes),
    OP.block, VOID_BLOCK,
    ...get(rows), OP.i32Eqz, OP.brIf, 0,
    OP.loop, VOID_BLOCK,
    // largest |v| of the row
    ...zeroV128(), ...set(largest),
    ...i32(0), ...set(at),
    OP.loop, VOID_BLOCK,
    ...get(vectors), ...get(at), OP.i32Add, ...load(0), ...simd(SIMD.f32x4Abs), ...get(largest), ...simd(SIMD.f32x4Max), ...set(largest),
    ...get(at), ...i32(16), OP.i32Add, ...tee(at), ...get(rowBytes), OP.i32LtU, OP.brIf, 0,
    OP.end,
    ...lanes(largest, OP.f32Max), ...set(top),
    // scale = top / 127 (stored); inverse = top > 0 ? 127 / top : 0
    ...get(scales), ...get(top), ...f32(ROW_STEPS), OP.f32Div, OP.f32Store, 2, 0,
    ...get(top), ...f32(ROW_STEPS), OP.f32Div, ...simd(SIMD.f32x4Splat), ...set(scale),
    ...f32(ROW_STEPS), ...get(top), OP.f32Div, ...f32(0), ...get(top), ...f32(0), OP.f32Gt, OP.select,
    ...simd(SIMD.f32x4Splat), ...set(inverse),
    ...zeroV128(), ...set(error),
    ...zeroV128(), ...set(normSq),
    ...i32(0), ...set(at),
    OP.loop, VOID_BLOCK,
    ...roundStep(0), ...roundStep(1), ...roundStep(2), ...roundStep(3),
    // int8[at / 4 …] = the sixteen rounded values, narrowed 32 → 16 → 8 bits
    ...get(int8), ...get(at), ...i32(2), OP.i32ShrU, OP.i32Add,
    ...int(0), ...int(1), ...simd(SIMD.i16x8NarrowI32x4S),
    ...int(2), ...int(3), ...simd(SIMD.i16x8NarrowI32x4S),
    ...simd(SIMD.i8x16NarrowI16x8S),
    ...simd(SIMD.store, 4, 0),
    ...get(at), ...i32(64), OP.i32Add, ...tee(at), ...get(rowBytes), OP.i32LtU, OP.brIf, 0,
    OP.end,
    ...get(maxError), ...lanes(error, OP.f32Add), OP.f32Max, ...set(maxError),
    ...get(maxNorm), ...lanes(normSq, OP.f32Add), OP.f32Max, ...set(maxNorm),
    ...addTo(vectors, ...get(rowBytes)),
    ...addTo(int8, ...get(dim)),
    ...addTo(scales, ...i32(4)),
    ...get(row), ...i32(1), OP.i32Add, ...tee(row), ...get(rows), OP.i32LtU, OP.brIf, 0,
    OP.end,
    OP.end,
    ...get(stats), ...get(maxError), OP.f32Store, 2, 0,
    ...get(stats), ...get(maxNorm), OP.f32Store, 2, 4,
    OP.end,
  ];
}

/**
 * scores(int8, query, dim, rows, scales, out, queryScale): out[r] =
 * (Σ int8[r·dim + j] · query[j]) · scales[r] · queryScale, the query as int16.
 * Two accumulators of 32-bit integer sums (exact: |sum| ≤ 384 · 127 · 32767 < 2³¹).
 */
function scoresBody(): number[] {
  const [int8, query, dim, rows, scales, out, queryScale] = [0, 1, 2, 3, 4, 5, 6];
  const [row, at] = [7, 8];
  const acc = [9, 10] as const;
  const half = (k: 0 | 1): number[] => [
    ...get(acc[k]),
    ...get(int8), ...get(at), OP.i32Add, ...load8x8(8 * k),
    ...get(query), ...get(at), ...i32(1), OP.i32Shl, OP.i32Add, ...load(16 * k),
    ...simd(SIMD.i32x4DotI16x8S), ...simd(SIMD.i32x4Add), ...set(acc[k]),
  ];
  return [
    ...vector([[2, I32], [2, V128]]),
    OP.block, VOID_BLOCK,
    ...get(rows), OP.i32Eqz, OP.brIf, 0,
    OP.loop, VOID_BLOCK,
    ...zeroV128(), ...tee(acc[0]), ...set(acc[1]),
    ...i32(0), ...set(at),
    OP.loop, VOID_BLOCK,
    ...half(0), ...half(1),
    ...get(at), ...i32(16), OP.i32Add, ...tee(at), ...get(dim), OP.i32LtU, OP.brIf, 0,
    OP.end,
    // out[row] = f32(lane sum) · scales[row] · queryScale
    ...get(out), ...get(row), ...i32(2), OP.i32Shl, OP.i32Add,
    ...get(acc[0]), ...get(acc[1]), ...simd(SIMD.i32x4Add), ...tee(acc[0]),
    ...simd(SIMD.i32x4ExtractLane, 0),
    ...get(acc[0]), ...simd(SIMD.i32x4ExtractLane, 1), OP.i32Add,
    ...get(acc[0]), ...simd(SIMD.i32x4ExtractLane, 2), OP.i32Add,
    ...get(acc[0]), ...simd(SIMD.i32x4ExtractLane, 3), OP.i32Add,
    OP.f32ConvertI32S,
    ...get(scales), ...get(row), ...i32(2), OP.i32Shl, OP.i32Add, OP.f32Load, 2, 0,
    ...get(queryScale), OP.f32Mul, OP.f32Mul,
    OP.f32Store, 2, 0,
    ...addTo(int8, ...get(dim)),
    ...get(row), ...i32(1), OP.i32Add, ...tee(row), ...get(rows), OP.i32LtU, OP.brIf, 0,
    OP.end,
    OP.end,
    OP.end,
  ];
}

function kernelBytes(): Uint8Array {
  const bodies = [quantizeBody(), scoresBody()];
  const params = (types: number[]): number[] => vector(types.map((t) => [t]));
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    // Types: 0 = quantize (i32 ×6) → (), 1 = scores (i32 ×6, f32) → ()
    ...section(1, vector([[0x60, ...params([I32, I32, I32, I32, I32, I32]), 0], [0x60, ...params([I32, I32, I32, I32, I32, I32, F32]), 0]])),
    // Imports: env.memory, shared (flag 3), at least one page and at most 65,536 (4 GB)
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x03, 1, ...leb(65_536)]])),
    ...section(3, vector([[0], [1]])),
    ...section(7, vector([[...name('quantize'), 0x00, 0], [...name('scores'), 0x00, 1]])),
    ...section(10, vector(bodies.map((body) => [...leb(body.length), ...body]))),
  ]);
}
