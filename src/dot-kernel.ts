/**
 * The inner loop of dense search, in WebAssembly SIMD: the dot product of a
 * query with every row of the packed vector matrix, four float32 lanes at a
 * time. A plain JavaScript loop manages about 1 multiply-add per nanosecond
 * here (50 ms for 50k × 384); this kernel runs at memory speed (about 4 ms),
 * which is what makes 200k passages answerable in well under 100 ms.
 *
 * The module is assembled below byte by byte (no toolchain, no dependency).
 * Vectors must live in the kernel's own memory to be scanned without a copy,
 * so the store allocates them with `allocateVectors`. Scores are float32 sums,
 * not the float64 sums of a JavaScript loop; `vectors.ts` rescores the few
 * rows near the cut exactly, using the error bound `scoreErrorBound` gives.
 */

/** Rows are scanned 16 floats per step: dims that are not a multiple of this use the plain loop. */
export const KERNEL_DIM_STEP = 16;

const PAGE_BYTES = 65_536;

/** The slice of the WebAssembly JS API used here (this project's type libraries don't declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
type WasmModule = { readonly compiled: unique symbol };

const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** One allocation: its memory, the instance that scans it, and room for a query and its scores. */
interface KernelMemory {
  exports: KernelExports;
  /** Floats of vectors the allocation holds. */
  length: number;
  /** Byte offset of the scratch area (query, then scores) after the vectors. */
  scratch: number;
  /** Largest row norm, measured on the first scan (the error bound needs it). */
  maxNorm: number | null;
}

interface KernelExports {
  scores(vectors: number, query: number, dim: number, rows: number, out: number): void;
  maxNormSq(vectors: number, dim: number, rows: number): number;
}

/** Allocations by their buffer; a Float32Array built elsewhere is simply not found. */
const memories = new WeakMap<ArrayBufferLike, KernelMemory>();

let compiled: WasmModule | null | undefined;

/**
 * A zeroed Float32Array of `rows × dim` floats that `kernelScores` can scan in
 * place. An ordinary array where the kernel can't help (no WebAssembly SIMD,
 * a dim it doesn't take, more than 4 GB).
 *
 * @example
 * const vectors = allocateVectors(rows, dim);
 * await handle.read(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
 */
export function allocateVectors(rows: number, dim: number): Float32Array {
  const module = kernelModule();
  const length = rows * dim;
  const bytes = length * 4;
  // Room after the vectors for one query and one score per row.
  const total = align(bytes) + align(dim * 4) + rows * 4;
  if (module === null || dim % KERNEL_DIM_STEP !== 0 || total > 4 * 2 ** 30 - PAGE_BYTES) return new Float32Array(length);
  const memory = new wasm!.Memory({ initial: Math.ceil(total / PAGE_BYTES) });
  const instance = new wasm!.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  memories.set(memory.buffer, { exports, length, scratch: align(bytes), maxNorm: null });
  return new Float32Array(memory.buffer, 0, length);
}

/** Approximate scores of every row, and how far any of them can be from the exact dot product. */
export interface KernelScores {
  /** One float32 score per row; a view into kernel memory, valid until the next scan. */
  scores: Float32Array;
  /** |score − exact dot product| ≤ bound for every row. */
  bound: number;
}

/**
 * Scores every row of `vectors` (allocated by `allocateVectors`) against
 * `query` in one pass; null when the kernel can't take this array or dim.
 *
 * @example
 * const result = kernelScores(index.vectors, 384, question);
 * if (result) best = result.scores.indexOf(Math.max(...result.scores));
 */
export function kernelScores(vectors: Float32Array, dim: number, query: Float32Array): KernelScores | null {
  const memory = memories.get(vectors.buffer);
  if (!memory || vectors.byteOffset !== 0 || vectors.length !== memory.length) return null;
  if (dim % KERNEL_DIM_STEP !== 0 || query.length !== dim) return null;
  const rows = Math.floor(vectors.length / dim);
  const queryAt = memory.scratch;
  const scoresAt = align(queryAt + dim * 4);
  new Float32Array(vectors.buffer, queryAt, dim).set(query);
  memory.exports.scores(0, queryAt, dim, rows, scoresAt);
  // float32 sums of squares: 1% slack more than covers their own rounding.
  memory.maxNorm ??= Math.sqrt(memory.exports.maxNormSq(0, dim, rows)) * 1.01;
  return { scores: new Float32Array(vectors.buffer, scoresAt, rows), bound: scoreErrorBound(dim, norm(query), memory.maxNorm) };
}

/**
 * Worst-case rounding error of a float32 dot product of length `dim`
 * (Higham's γ_n · Σ|aᵢbᵢ| ≤ γ_n · ‖a‖‖b‖, with n = dim + 2 for the products
 * and the final lane sums), doubled for safety.
 */
export function scoreErrorBound(dim: number, queryNorm: number, rowNorm: number): number {
  const unit = 2 ** -24;
  const n = dim + 2;
  return (2 * ((n * unit) / (1 - n * unit)) * queryNorm * rowNorm);
}

function norm(vector: Float32Array): number {
  let sum = 0;
  for (const x of vector) sum += x * x;
  return Math.sqrt(sum);
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
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Store: 0x38,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Shl: 0x74,
  f32Add: 0x92,
  f32Max: 0x97,
  f32Const: 0x43,
} as const;
const SIMD = { load: 0x00, const: 0x0c, extractLane: 0x1f, add: 0xe4, mul: 0xe6 } as const;

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
/** v128.load with 16-byte alignment at a constant offset from the address on the stack. */
const load = (offset: number): number[] => simd(SIMD.load, 4, ...leb(offset));
const get = (local: number): number[] => [OP.localGet, local];
const set = (local: number): number[] => [OP.localSet, local];
const i32 = (value: number): number[] => [OP.i32Const, ...sleb(value)];

/** Sum of the four lanes of the v128 in `local`, left on the stack as an f32. */
function laneSum(local: number): number[] {
  return [
    ...get(local), ...simd(SIMD.extractLane, 0),
    ...get(local), ...simd(SIMD.extractLane, 1), OP.f32Add,
    ...get(local), ...simd(SIMD.extractLane, 2), OP.f32Add,
    ...get(local), ...simd(SIMD.extractLane, 3), OP.f32Add,
  ];
}

/**
 * scores(vectors, query, dim, rows, out): out[r] = Σ vectors[r·dim + j] · query[j].
 * Locals: 5 row, 6 byte offset in the row, 7 row bytes, 8–11 four accumulators
 * (independent sums, so additions don't wait on each other).
 */
function scoresBody(): number[] {
  const [vectors, query, dim, rows, out, row, at, rowBytes] = [0, 1, 2, 3, 4, 5, 6, 7];
  const acc = [8, 9, 10, 11] as const;
  const step = acc.flatMap((local, i) => [
    ...get(local),
    ...get(vectors), ...get(at), OP.i32Add, ...load(16 * i),
    ...get(query), ...get(at), OP.i32Add, ...load(16 * i),
    ...simd(SIMD.mul), ...simd(SIMD.add), ...set(local),
  ]);
  return [
    ...vector([[3, I32], [4, V128]]),
    ...get(dim), ...i32(2), OP.i32Shl, ...set(rowBytes),
    OP.block, VOID_BLOCK,
    ...get(rows), OP.i32Eqz, OP.brIf, 0,
    OP.loop, VOID_BLOCK,
    ...simd(SIMD.const, ...new Array<number>(16).fill(0)),
    OP.localTee, acc[0], OP.localTee, acc[1], OP.localTee, acc[2], ...set(acc[3]),
    ...i32(0), ...set(at),
    OP.loop, VOID_BLOCK,
    ...step,
    ...get(at), ...i32(64), OP.i32Add, OP.localTee, at, ...get(rowBytes), OP.i32LtU, OP.brIf, 0,
    OP.end,
    // out[row] = lane sum of (acc0 + acc1) + (acc2 + acc3)
    ...get(out), ...get(row), ...i32(2), OP.i32Shl, OP.i32Add,
    ...get(acc[0]), ...get(acc[1]), ...simd(SIMD.add), ...get(acc[2]), ...get(acc[3]), ...simd(SIMD.add), ...simd(SIMD.add),
    ...set(acc[0]),
    ...laneSum(acc[0]),
    OP.f32Store, 2, 0,
    ...get(vectors), ...get(rowBytes), OP.i32Add, ...set(vectors),
    ...get(row), ...i32(1), OP.i32Add, OP.localTee, row, ...get(rows), OP.i32LtU, OP.brIf, 0,
    OP.end,
    OP.end,
    OP.end,
  ];
}

/**
 * maxNormSq(vectors, dim, rows) → the largest Σ vectors[r·dim + j]² over rows.
 * Locals: 3 row, 4 byte offset, 5 row bytes, 6 accumulator, 7 best so far.
 */
function maxNormSqBody(): number[] {
  const [vectors, dim, rows, row, at, rowBytes, acc, best] = [0, 1, 2, 3, 4, 5, 6, 7];
  return [
    ...vector([[3, I32], [1, V128], [1, F32]]),
    ...get(dim), ...i32(2), OP.i32Shl, ...set(rowBytes),
    OP.block, VOID_BLOCK,
    ...get(rows), OP.i32Eqz, OP.brIf, 0,
    OP.loop, VOID_BLOCK,
    ...simd(SIMD.const, ...new Array<number>(16).fill(0)), ...set(acc),
    ...i32(0), ...set(at),
    OP.loop, VOID_BLOCK,
    ...get(acc),
    ...get(vectors), ...get(at), OP.i32Add, ...load(0),
    ...get(vectors), ...get(at), OP.i32Add, ...load(0),
    ...simd(SIMD.mul), ...simd(SIMD.add), ...set(acc),
    ...get(at), ...i32(16), OP.i32Add, OP.localTee, at, ...get(rowBytes), OP.i32LtU, OP.brIf, 0,
    OP.end,
    ...get(best), ...laneSum(acc), OP.f32Max, ...set(best),
    ...get(vectors), ...get(rowBytes), OP.i32Add, ...set(vectors),
    ...get(row), ...i32(1), OP.i32Add, OP.localTee, row, ...get(rows), OP.i32LtU, OP.brIf, 0,
    OP.end,
    OP.end,
    ...get(best),
    OP.end,
  ];
}

function kernelBytes(): Uint8Array {
  const bodies = [scoresBody(), maxNormSqBody()];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    // Types: 0 = (i32 ×5) → (), 1 = (i32 ×3) → f32
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0], [0x60, ...vector([[I32], [I32], [I32]]), 1, F32]])),
    // Imports: env.memory, at least one page
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])),
    ...section(3, vector([[0], [1]])),
    ...section(7, vector([[...name('scores'), 0x00, 0], [...name('maxNormSq'), 0x00, 1]])),
    ...section(10, vector(bodies.map((body) => [...leb(body.length), ...body]))),
  ]);
}
