/**
 * Dense search at a million passages: citebot's exact scan (int8 rows in
 * WebAssembly SIMD, then the rows near the cut rescored exactly) against an
 * HNSW graph from usearch, with recall@10 against a plain float64 scan, at
 * several sizes, to show where exact search stops meeting the latency target.
 *
 *   npm run bench:million                              # exact at 100k, 250k, 500k, 1M; HNSW at 100k
 *   npm run bench:million -- --sizes 1m --hnsw-max 1m  # HNSW at 1M too (its build takes hours on 2 shared cores)
 *   npm run bench:million -- --sizes 100k              # a quick run
 *
 * Vectors: seeded, clustered unit vectors (1,000 centres, each row a centre
 * plus noise), so neighbours exist as they do for real text; queries are
 * rows of the index with fresh noise, never the rows themselves.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { allocateVectors, prepareVectors } from '../src/search/dot-kernel.js';
import { topK } from '../src/search/vectors.js';
import { seededRandom } from '../test/helpers/random.mjs';
import { percentile, residentMB } from './measure.js';

const DIM = 384;
const K = 10;
const QUERIES = 100;
/** Queries checked against a plain float64 scan (each scan of 1M rows takes about a second in JavaScript). */
const REFERENCE_QUERIES = 20;
const CENTRES = 1000;
const P95_TARGET_MS = 50;
/** usearch's graph: connectivity 16 (hnswlib's M), expansion 128 when adding, 64 when searching. */
const HNSW = { connectivity: 16, expansion_add: 128, expansion_search: 64 };

export interface MillionRow {
  size: number;
  exact: { prepareMs: number; p50: number; p95: number; recall: number };
  /** Null above --hnsw-max: building the graph is what takes the time. */
  hnsw: { buildSeconds: number; p50: number; p95: number; recall: number } | null;
  residentMB: number;
}

function normalize(v: Float32Array): void {
  let sum = 0;
  for (const x of v) sum += x * x;
  const scale = 1 / Math.sqrt(sum || 1);
  for (let i = 0; i < v.length; i++) v[i]! *= scale;
}

/** Rows around CENTRES random centres, written into `out` (rows × DIM). */
function clusteredRows(out: Float32Array, rows: number, next: () => number): void {
  const centres = new Float32Array(CENTRES * DIM).map(() => next() - 0.5);
  for (let row = 0; row < rows; row++) {
    const v = out.subarray(row * DIM, (row + 1) * DIM);
    const c = Math.floor(next() * CENTRES) * DIM;
    for (let j = 0; j < DIM; j++) v[j] = centres[c + j]! + (next() - 0.5) * 0.8;
    normalize(v);
  }
}

function queriesFor(vectors: Float32Array, rows: number, next: () => number): Float32Array[] {
  return Array.from({ length: QUERIES }, () => {
    const row = Math.floor(next() * rows);
    const q = Float32Array.from(vectors.subarray(row * DIM, (row + 1) * DIM), (x) => x + (next() - 0.5) * 0.05);
    normalize(q);
    return q;
  });
}

/** The true top k: a float64 dot product per row, ties to the lower row. */
function plainTopK(vectors: Float32Array, rows: number, q: Float32Array): number[] {
  const best: Array<{ row: number; score: number }> = [];
  for (let row = 0; row < rows; row++) {
    let s = 0;
    const base = row * DIM;
    for (let j = 0; j < DIM; j++) s += vectors[base + j]! * q[j]!;
    if (best.length < K || s > best[best.length - 1]!.score) {
      best.push({ row, score: s });
      best.sort((a, b) => b.score - a.score || a.row - b.row);
      if (best.length > K) best.pop();
    }
  }
  return best.map((b) => b.row);
}

function recall(found: number[][], truth: number[][]): number {
  let hits = 0;
  truth.forEach((rows, i) => {
    const got = new Set(found[i]);
    hits += rows.filter((row) => got.has(row)).length;
  });
  return hits / (truth.length * K);
}

function timed(queries: Float32Array[], search: (q: Float32Array) => number[]): { p50: number; p95: number; results: number[][] } {
  for (const q of queries.slice(0, 5)) search(q);
  const times: number[] = [];
  const results = queries.map((q) => {
    const started = performance.now();
    const rows = search(q);
    times.push(performance.now() - started);
    return rows;
  });
  return { p50: percentile(times, 50), p95: percentile(times, 95), results };
}

async function measure(size: number, hnswMax: number): Promise<MillionRow> {
  const next = seededRandom(size);
  const vectors = allocateVectors(size, DIM);
  clusteredRows(vectors, size, next);
  const queries = queriesFor(vectors, size, next);
  const started = performance.now();
  prepareVectors(vectors, DIM);
  const prepareMs = performance.now() - started;
  const exact = timed(queries, (q) => topK(vectors, DIM, q, K).map((s) => s.row));
  const truth = queries.slice(0, REFERENCE_QUERIES).map((q) => plainTopK(vectors, size, q));
  const residentExact = residentMB();
  console.error(`[${label(size)}] exact p50 ${exact.p50.toFixed(1)} ms, p95 ${exact.p95.toFixed(1)} ms, recall ${recall(exact.results, truth)}`);
  const exactRow = { prepareMs, p50: exact.p50, p95: exact.p95, recall: recall(exact.results, truth) };
  if (size > hnswMax) return { size, exact: exactRow, hnsw: null, residentMB: residentExact };

  const index = new Index({ metric: MetricKind.IP, dimensions: DIM, quantization: ScalarKind.F32, multi: false, ...HNSW });
  const keys = BigUint64Array.from({ length: size }, (_, i) => BigInt(i));
  const building = performance.now();
  index.add(keys, vectors.subarray(0, size * DIM), 0);
  const buildSeconds = (performance.now() - building) / 1000;
  // One thread per search, as a bot answering one question at a time would run it.
  const hnsw = timed(queries, (q) => Array.from(index.search(q, K, 1).keys, Number));
  console.error(`[${label(size)}] HNSW built in ${buildSeconds.toFixed(0)} s, p50 ${hnsw.p50.toFixed(2)} ms, p95 ${hnsw.p95.toFixed(2)} ms, recall ${recall(hnsw.results, truth)}`);
  return {
    size,
    exact: exactRow,
    hnsw: { buildSeconds, p50: hnsw.p50, p95: hnsw.p95, recall: recall(hnsw.results, truth) },
    residentMB: residentExact,
  };
}

function label(size: number): string {
  return size >= 1e6 ? `${size / 1e6}M` : `${size / 1000}k`;
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`Bad size "${text}": use e.g. 100k,1m`);
  return Math.round(Number(match[1]) * (match[2]?.toLowerCase() === 'm' ? 1e6 : match[2] ? 1e3 : 1));
}

/**
 * The table, and where exact search stops meeting the p95 target.
 *
 * @example
 * console.log(millionTable(rows));
 */
export function millionTable(rows: MillionRow[]): string {
  const f = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
  const lines = [
    '| vectors × 384 | exact p50 / p95 ms | exact recall@10 | int8 copies made in, ms | HNSW p50 / p95 ms | HNSW recall@10 | HNSW build, s | RSS MB (exact only) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${label(r.size)} | ${f(r.exact.p50)} / ${f(r.exact.p95)} | ${r.exact.recall.toFixed(3)} | ${f(r.exact.prepareMs)} | ${r.hnsw ? `${f(r.hnsw.p50)} / ${f(r.hnsw.p95)}` : 'not built'} | ${r.hnsw ? r.hnsw.recall.toFixed(3) : '—'} | ${r.hnsw ? f(r.hnsw.buildSeconds) : '—'} | ${r.residentMB.toFixed(0)} |`,
    ),
  ];
  const over = rows.filter((r) => r.exact.p95 >= P95_TARGET_MS).map((r) => r.size);
  const under = rows.filter((r) => r.exact.p95 < P95_TARGET_MS).map((r) => r.size);
  const line = over.length === 0 ? `every size measured (up to ${label(Math.max(...under))})` : `up to ${under.length ? label(Math.max(...under)) : 'none measured'}; not at ${label(Math.min(...over))}`;
  lines.push('', `Exact search meets the ${P95_TARGET_MS} ms p95 target ${line}.`);
  return lines.join('\n');
}

/** Each size in a fresh process, so one size's memory never counts in the next one's RSS. */
function measureApart(size: number, hnswMax: number): MillionRow {
  const script = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--max-old-space-size=4096', script, '--one', String(size), '--hnsw-max', String(hnswMax)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.toString('utf8').trim().split('\n').at(-1)!) as MillionRow;
}

async function main(): Promise<void> {
  const args = parseArgs({ options: { sizes: { type: 'string' }, one: { type: 'string' }, 'hnsw-max': { type: 'string' } } }).values;
  const hnswMax = parseSize(args['hnsw-max'] ?? '100k');
  if (args.one) {
    console.log(JSON.stringify(await measure(Number(args.one), hnswMax)));
    return;
  }
  const sizes = (args.sizes ?? '100k,250k,500k,1m').split(',').map(parseSize);
  console.error(`${os.cpus()[0]?.model.trim()}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}`);
  const rows = sizes.map((size) => measureApart(size, hnswMax));
  console.log(millionTable(rows));
}

await main();
