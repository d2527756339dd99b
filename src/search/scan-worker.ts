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
import { InProcessScanner, type ScanReply, type ScanRequest, type WorkerData } from './scanner.js';
import { KeywordIndex } from './keyword.js';

const data = workerData as WorkerData;
// Term ids arrive resolved (the main thread analyses the question), so the worker needs no term list.
const keyword = new KeywordIndex({ ...data.keyword, terms: [] });
const vectors = data.vectors ? adoptVectors(data.vectors) : data.quantized ? adoptQuantized(data.quantized, openStoredVectors) : null;
const dim = data.vectors?.dim ?? data.quantized?.dim ?? 0;
const scanner = new InProcessScanner(keyword, vectors, dim, (row) => data.searchable[row] === 1);

parentPort?.on('message', (request: ScanRequest & { id: number }) => {
  let reply: ScanReply;
  try {
    reply = { id: request.id, ...scanner.scanNow(request) };
  } catch (err) {
    const citebot = err instanceof CitebotError;
    reply = { id: request.id, error: err instanceof Error ? err.message : String(err), ...(citebot ? { citebot, hint: err.hint } : {}) };
  }
  parentPort?.postMessage(reply);
});
