/**
 * Embedding throughput: citebot's embedder against transformers.js's own
 * `pipeline('feature-extraction')` with `{ pooling: 'mean', normalize: true }`,
 * and citebot's embedder across thread counts and batch sizes.
 *
 *   npx tsx bench/embed.ts                                   # the tiny test model
 *   npx tsx bench/embed.ts --models-dir DIR --model ORG/NAME  # a real model, e.g. all-MiniLM-L6-v2
 *
 * Passages: the SQuAD dev documents in ../shared/eval when present, else the seeds, repeated.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_DIR } from '../src/config.js';
import { DEFAULT_MAX_TOKENS, loadEmbedder, type EmbedderOptions } from '../src/embed/embed.js';
import { startEmbedderProcess } from '../src/embed/embed-child.js';
import type { Embedder } from '../src/types.js';
import { writeTinyModel } from '../test/fixtures/tiny-model.mjs';
import { pipelineEmbed } from './pipeline.js';

const PASSAGES = 2000;
const SQUAD_DOCS = path.resolve(PROJECT_DIR, '../shared/eval/squad-v1.1-dev/docs');

interface Row {
  name: string;
  seconds: number;
}

async function passages(): Promise<{ texts: string[]; source: string }> {
  const fromSquad = await readdir(SQUAD_DOCS).catch(() => null);
  const [dir, files] = fromSquad ? [SQUAD_DOCS, fromSquad] : [path.join(PROJECT_DIR, 'seeds'), await readdir(path.join(PROJECT_DIR, 'seeds'))];
  const paragraphs: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.txt')).sort()) {
    const text = await readFile(path.join(dir, file), 'utf8');
    paragraphs.push(...text.split(/\n\s*\n|\n/).map((p) => p.trim()).filter((p) => p.split(/\s+/).length >= 4));
  }
  const texts = Array.from({ length: PASSAGES }, (_, i) => paragraphs[i % paragraphs.length]!);
  return { texts, source: fromSquad ? `SQuAD dev docs (${paragraphs.length} paragraphs)` : `seeds (${paragraphs.length} paragraphs, repeated)` };
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

async function embedderRun(embedder: Embedder, texts: string[]): Promise<{ seconds: number; vectors: Float32Array }> {
  await embedder.embed(texts.slice(0, 2));
  let vectors: Float32Array = new Float32Array(0);
  const seconds = await time(async () => {
    vectors = await embedder.embed(texts);
  });
  await embedder.close?.();
  return { seconds, vectors };
}

/** Largest per-component difference between two sets of rows, over the rows given. */
function maxDifference(a: Float32Array, b: Float32Array, dim: number, rows: number[]): number {
  let max = 0;
  for (const row of rows) {
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(a[row * dim + d]! - b[row * dim + d]!));
  }
  return max;
}

async function main(): Promise<void> {
  const args = parseArgs({ options: { model: { type: 'string' }, 'models-dir': { type: 'string' } } }).values;
  const scratch = await mkdtemp(path.join(tmpdir(), 'citebot-bench-'));
  const modelsDir = args['models-dir'] ? path.resolve(args['models-dir']) : scratch;
  const model = args.model ?? 'citebot-test/tiny-bert';
  // MiniLM's width, and the pipeline truncating where citebot does, so both do the same work.
  if (!args['models-dir']) await writeTinyModel(scratch, { name: model, dim: 384, modelMaxLength: DEFAULT_MAX_TOKENS });

  const { texts, source } = await passages();
  const base: EmbedderOptions = { model, modelsDir, cacheDir: scratch, allowDownload: false, timeoutMs: 10_000, threads: 1, batchSize: 32 };
  console.log(`Model ${model}; ${texts.length} passages from ${source}; avg ${Math.round(texts.join(' ').length / texts.length)} chars.\n`);

  const rows: Row[] = [];
  const reference = await pipelineEmbed(modelsDir, model, texts, 32);
  rows.push({ name: "pipeline('feature-extraction') mean+normalize, batch 32", seconds: reference.seconds });

  let ours: Float32Array | null = null;
  let dim = 0;
  for (const threads of [1, 2]) {
    for (const batchSize of [8, 32, 64]) {
      const embedder = await loadEmbedder({ ...base, threads, batchSize });
      dim = embedder.dim;
      const run = await embedderRun(embedder, texts);
      ours ??= run.vectors;
      rows.push({ name: `citebot embedder, threads ${threads}, batch ${batchSize}`, seconds: run.seconds });
    }
  }
  const child = await embedderRun(await startEmbedderProcess(base), texts);
  rows.push({ name: 'citebot embedder in its child process, threads 1, batch 32', seconds: child.seconds });

  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'configuration'.padEnd(width)}  passages/s  seconds  vs pipeline`);
  for (const row of rows) {
    const speedup = reference.seconds / row.seconds;
    console.log(`${row.name.padEnd(width)}  ${(texts.length / row.seconds).toFixed(0).padStart(10)}  ${row.seconds.toFixed(2).padStart(7)}  ${speedup.toFixed(1).padStart(10)}×`);
  }

  if (ours) {
    // Truncated texts differ by design: transformers.js drops the final [SEP], citebot keeps it.
    const { AutoTokenizer } = await import('@xenova/transformers');
    const tokenizer = await AutoTokenizer.from_pretrained(model);
    const short = texts.flatMap((text, i) => (tokenizer.encode(text).length <= DEFAULT_MAX_TOKENS ? [i] : []));
    const difference = maxDifference(ours, reference.vectors, dim, short);
    console.log(`\nMax |difference| from the pipeline's vectors on the ${short.length} passages of <= ${DEFAULT_MAX_TOKENS} tokens: ${difference.toExponential(2)}`);
  }
  await rm(scratch, { recursive: true, force: true });
}

await main();
