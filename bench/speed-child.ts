/**
 * The measurements of bench/speed.ts, each in a process of its own: a fresh
 * heap for honest memory and event-loop figures (a bot's process does nothing
 * else), and room for vectra to fail (or, with BM25, to kill its process)
 * without taking the benchmark down.
 *
 * Run by speed.ts through `runChild`; the task arrives as JSON in argv[2] and
 * the result goes back as one IPC message.
 */
import { readFileSync } from 'node:fs';
import { appendFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { LocalIndex } from 'vectra';
import { PROJECT_DIR } from '../src/config.js';
import { startEmbedderProcess } from '../src/embed/embed-child.js';
import { Library, openIndexForSearch } from '../src/library/library.js';
import { openIndex } from '../src/index/store.js';
import { allocateQuantized } from '../src/search/dot-kernel.js';
import type { Embedder } from '../src/types.js';
import { topK } from '../src/search/vectors.js';
import { corpusTexts, loadCorpusSource } from './corpus.js';
import { percentile, randomUnitVectors, residentMB, startStallProbe, type Stall } from './measure.js';
import { pipelineRate } from './pipeline.js';
import { writeVectraIndex, type VectraWrite } from './vectra-index.js';

/** The embedding model both ingest measurements use. */
export interface ModelSpec {
  model: string;
  modelsDir: string;
  batchSize: number;
  /** onnxruntime threads for citebot's embedder (the pipeline takes onnxruntime's default). */
  threads: number;
}

export type ChildTask =
  | { kind: 'ingest'; docsDir: string; indexDir: string; spec: ModelSpec }
  | { kind: 'pipeline'; texts: number; spec: ModelSpec }
  | { kind: 'embed'; texts: number; spec: ModelSpec }
  | { kind: 'reindex'; indexDir: string; docsDir: string; questions: string[] }
  | { kind: 'idle' }
  | { kind: 'citebot'; indexDir: string; docsDir: string; questions: string[]; queries: number }
  | { kind: 'vectra-write'; citebotDir: string; docsDir: string; vectraDir: string }
  | { kind: 'vectra-query'; vectraDir: string; questions: string[]; queries: number; bm25: boolean; dim: number };

export interface QueryTimes {
  p50: number;
  p95: number;
  count: number;
}

export interface CitebotResult {
  loadMs: number;
  /** openIndex alone; the rest of loadMs is the retriever (keyword index) and file grouping. */
  openMs: number;
  residentMB: number;
  ask: QueryTimes;
  /** The dense scan alone (top 50 of all rows), for the notes. */
  dense: QueryTimes;
}

export interface VectraQueryResult {
  loadMs: number;
  residentMB: number;
  query: QueryTimes;
}

export interface IngestResult {
  passages: number;
  seconds: number;
  /** Longest event-loop stall while `Library.reindex()` ran, the ingest phase it fell in, and the longest made of this process's own work. */
  stall: Stall;
}

export interface PipelineResult {
  perSecond: number;
}

/** citebot's embedder alone, in its child process, on the pipeline's texts. */
export interface EmbedResult {
  perSecond: number;
  /** Longest event-loop stall of this (parent) process while the child embedded. */
  stallMs: number;
}

/** A full reindex while the old index serves questions. */
export interface ReindexResult {
  /** Peak resident memory of the process (VmHWM), old index loaded and new one built. */
  peakMB: number;
  /** Resident memory with the old index loaded, before the reindex. */
  beforeMB: number;
  seconds: number;
  /** Questions answered from the old index while the reindex ran. */
  answered: number;
}

/** A process doing nothing, probed beside a measurement: the stall the machine's load alone causes. */
export interface IdleResult {
  stallMs: number;
}

export type ChildResult = IdleResult | ReindexResult | IngestResult | PipelineResult | EmbedResult | CitebotResult | VectraWrite | VectraQueryResult;

const SEED = 7;

/** Question vectors are made up front: the figures exclude the question's own embedding. */
function fixedEmbedder(model: string, dim: number, count: number): Embedder {
  const vectors = randomUnitVectors(count, dim, SEED);
  let next = 0;
  return {
    model,
    dim,
    async embed(texts: string[]): Promise<Float32Array> {
      const row = next++ % count;
      return texts.length === 1 ? vectors.subarray(row * dim, (row + 1) * dim) : new Float32Array(texts.length * dim);
    },
  };
}

async function timeQueries(count: number, run: (i: number) => Promise<unknown>, warmup = 5): Promise<QueryTimes> {
  for (let i = 0; i < warmup; i++) await run(i);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await run(i);
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), count };
}

/** `Library.reindex()` with the model in its child process, as the bot runs it. */
async function ingest(task: Extract<ChildTask, { kind: 'ingest' }>): Promise<IngestResult> {
  const { model, modelsDir, batchSize, threads } = task.spec;
  const embedder = await startEmbedderProcess({ model, modelsDir, cacheDir: modelsDir, allowDownload: false, timeoutMs: 10_000, threads, batchSize });
  let phase = 'start';
  const onProgress = (done: number, total: number, name: string): void => {
    phase = `${name} ${done}/${total}`;
  };
  const library = new Library({ docsDir: task.docsDir, indexDir: task.indexDir, embedder, answerThreshold: 0.4, topK: 3, batchSize, warn: () => undefined, onProgress });
  const probe = startStallProbe(() => phase);
  const summary = await library.reindex();
  const stall = probe.stop();
  await embedder.close?.();
  return { passages: summary.passages, seconds: summary.seconds, stall };
}

async function pipeline(task: Extract<ChildTask, { kind: 'pipeline' }>): Promise<PipelineResult> {
  const texts = corpusTexts(await loadCorpusSource(PROJECT_DIR), task.texts);
  return { perSecond: await pipelineRate(task.spec.modelsDir, task.spec.model, texts, task.spec.batchSize) };
}

async function embed(task: Extract<ChildTask, { kind: 'embed' }>): Promise<EmbedResult> {
  const texts = corpusTexts(await loadCorpusSource(PROJECT_DIR), task.texts);
  const { model, modelsDir, batchSize, threads } = task.spec;
  const embedder = await startEmbedderProcess({ model, modelsDir, cacheDir: modelsDir, allowDownload: false, timeoutMs: 10_000, threads, batchSize });
  // Warm up as the pipeline does (one call of two texts), then time the same texts.
  await embedder.embed(texts.slice(0, 2));
  const probe = startStallProbe();
  const started = performance.now();
  await embedder.embed(texts);
  const seconds = (performance.now() - started) / 1000;
  const stall = probe.stop();
  await embedder.close?.();
  return { perSecond: texts.length / seconds, stallMs: stall.ms };
}

/** Peak resident set size so far, in MB: Linux's VmHWM, else the current RSS. */
function peakResidentMB(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.memoryUsage().rss / 2 ** 20;
}

/**
 * Loads the index and serves questions from it while a reindex rebuilds it
 * whole: every document gets one more paragraph first, so every file is read,
 * split and indexed again (random vectors stand in for the model, under the
 * index's own model name: the figure is the index's memory, not a model's).
 */
async function reindex(task: Extract<ChildTask, { kind: 'reindex' }>): Promise<ReindexResult> {
  const index = await openIndex(task.indexDir, undefined, { quantized: allocateQuantized });
  let seed = 100;
  const { model, dim } = index.manifest;
  const embedder: Embedder = { model: model ?? 'bench/random-unit', dim, embed: async (texts) => randomUnitVectors(texts.length, dim, seed++) };
  for (const name of await readdir(task.docsDir)) await appendFile(path.join(task.docsDir, name), '\nOne more paragraph, added so that the file is indexed again.\n');
  const library = new Library({ docsDir: task.docsDir, indexDir: task.indexDir, embedder, answerThreshold: 0.4, topK: 3, batchSize: 4096, warn: () => undefined });
  library.load(index);
  const beforeMB = residentMB();
  const started = performance.now();
  let running = true;
  const done = library.reindex().finally(() => (running = false));
  let answered = 0;
  for (let i = 0; running; i++) {
    await library.ask(task.questions[i % task.questions.length]!);
    answered++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await done;
  return { peakMB: peakResidentMB(), beforeMB, seconds: (performance.now() - started) / 1000, answered };
}

async function citebot(task: Extract<ChildTask, { kind: 'citebot' }>): Promise<CitebotResult> {
  const started = performance.now();
  // As the library opens it: a large index's checks run after it starts answering.
  const index = await openIndexForSearch(task.indexDir, () => undefined);
  const openMs = performance.now() - started;
  const { model, dim } = index.manifest;
  const embedder = model === null ? null : fixedEmbedder(model, dim, task.queries + 5);
  const library = new Library({ docsDir: task.docsDir, indexDir: task.indexDir, embedder, answerThreshold: 0.4, topK: 3, warn: () => undefined });
  library.load(index);
  const loadMs = performance.now() - started;
  const { questions } = task;
  const ask = await timeQueries(task.queries, (i) => library.ask(questions[i % questions.length]!));
  const probe = randomUnitVectors(1, dim, SEED + 1);
  const dense = await timeQueries(task.queries, async () => topK(index.vectors!, dim, probe, 50));
  return { loadMs, openMs, residentMB: residentMB(), ask, dense };
}

async function vectraQuery(task: Extract<ChildTask, { kind: 'vectra-query' }>): Promise<VectraQueryResult> {
  const started = performance.now();
  const vectra = new LocalIndex(task.vectraDir);
  await vectra.getIndexStats();
  const loadMs = performance.now() - started;
  const vectors = randomUnitVectors(task.queries + 5, task.dim, SEED);
  const { questions } = task;
  const query = await timeQueries(task.queries, (i) =>
    vectra.queryItems(Array.from(vectors.subarray(i * task.dim, (i + 1) * task.dim)), questions[i % questions.length]!, 3, undefined, task.bm25),
    // vectra's BM25 kills its process on the 21st query and slows down on each one before: warm up once.
    task.bm25 ? 1 : 5,
  );
  return { loadMs, residentMB: residentMB(), query };
}

/** Probes its own (idle) event loop until the parent says stop. */
async function idle(): Promise<IdleResult> {
  const probe = startStallProbe();
  await new Promise((resolve) => process.once('message', resolve));
  return { stallMs: probe.stop().ms };
}

async function run(task: ChildTask): Promise<ChildResult> {
  switch (task.kind) {
    case 'idle':
      return idle();
    case 'ingest':
      return ingest(task);
    case 'pipeline':
      return pipeline(task);
    case 'embed':
      return embed(task);
    case 'reindex':
      return reindex(task);
    case 'citebot':
      return citebot(task);
    case 'vectra-write':
      return writeVectraIndex(task.citebotDir, task.docsDir, task.vectraDir);
    case 'vectra-query':
      return vectraQuery(task);
  }
}

const result = await run(JSON.parse(process.argv[2] ?? '{}') as ChildTask);
process.send?.({ result });
