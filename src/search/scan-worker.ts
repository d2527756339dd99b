/**
 * The search worker's entry (a `worker_threads` Worker, started by
 * `WorkerScanner` in scanner.ts): keyword and dense scans over the index's
 * postings and vectors, which it reads in place from the shared memory the
 * main thread loaded them into. Nothing here loads a model: onnxruntime-node
 * loads once per process, and embedding has its own child process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CitebotError } from '../errors.js';
import { adoptQuantized, adoptVectors } from './dot-kernel.js';
import { openStoredVectors } from '../index/vectors-file.js';
import { takenRanges, type ChunkedRows, type ScanPart, type ScanReply, type WorkerData, type WorkerRequest } from './scanner.js';
import { KeywordIndex } from './keyword.js';
import { storedTopK, topK, type Scored } from './vectors.js';

const data = workerData as WorkerData;
// Term ids arrive resolved (the main thread analyses the question), so the worker needs no term list.
const keyword = new KeywordIndex({ ...data.keyword, terms: [] });
const vectors = data.vectors ? adoptVectors(data.vectors) : data.quantized ? adoptQuantized(data.quantized, openStoredVectors) : null;
const dim = data.vectors?.dim ?? data.quantized?.dim ?? 0;
const searchable = (row: number): boolean => data.searchable[row] === 1;

/** This worker's part: the postings when asked, and the whole dense scan or the ranges it takes its turn at. */
function part({ query, vector, depth, split }: WorkerRequest): ScanPart {
  const hits = query === null ? null : keyword.search(query, depth);
  return { keyword: hits, dense: vector === null ? null : dense(vector, depth, split) };
}

function dense(vector: Float32Array, depth: number, split: ChunkedRows | null): Scored[] | null {
  if (vectors === null) return null;
  if (vectors instanceof Float32Array) return topK(vectors, dim, vector, depth, searchable);
  // With this worker's own query region, so the calling thread (slot 0) and the other workers can scan at the same time.
  const ranges = split === null ? [{ start: 0, end: vectors.rows, slot: data.slot }] : takenRanges(split, vectors.rows, data.slot);
  return storedTopK(vectors, vector, depth, searchable, ranges);
}

parentPort?.on('message', (request: WorkerRequest) => {
  let reply: ScanReply;
  try {
    reply = { id: request.id, ...part(request) };
  } catch (err) {
    const citebot = err instanceof CitebotError;
    reply = { id: request.id, error: err instanceof Error ? err.message : String(err), ...(citebot ? { citebot, hint: err.hint } : {}) };
  }
  parentPort?.postMessage(reply);
});
