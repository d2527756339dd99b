/**
 * Speed and scale: citebot against vectra 0.12.3 and transformers.js's default
 * pipeline, side by side in one run, at 1k, 10k, 50k and 200k passages.
 * Prints one table and writes it to the "Speed and scale" section of
 * docs/benchmarks.md (full runs only).
 *
 *   npm run bench                      # all sizes, about 6–8 minutes on 2 cores
 *   npm run bench -- --sizes 1k,10k    # a quick run (docs/benchmarks.md untouched)
 *
 * Text: the SQuAD and COVID-QA articles in ../shared/eval, repeated with
 * variations (bench/corpus.ts); generated text when that folder is absent.
 * Vectors: the tiny test model at 384 dims where ingest is measured (≤ 10k),
 * random unit vectors where only storage and search are (50k, 200k).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PROJECT_DIR } from '../src/config.js';
import { DEFAULT_MAX_TOKENS } from '../src/embed/embed.js';
import { ingest } from '../src/library/ingest.js';
import type { Embedder } from '../src/types.js';
import { writeTinyModel } from '../test/fixtures/tiny-model.mjs';
import { loadCorpusSource, writeCorpus, type CorpusSource } from './corpus.js';
import { randomUnitVectors } from './measure.js';
import type { ChildResult, ChildTask, CitebotResult, IngestResult, PipelineResult, VectraQueryResult } from './speed-child.js';
import type { VectraWrite } from './vectra-index.js';

const ALL_SIZES = [1_000, 10_000, 50_000, 200_000];
const DIM = 384;
const MODEL = 'citebot-test/tiny-bert';
const BATCH = 32;
/** Sizes ingested through the model; above this the model's share is extrapolated, not waited for. */
const MODEL_MAX = 10_000;
/** The default pipeline is timed on this many of the same texts (at ~100 passages/s, 10k would take minutes). */
const PIPELINE_SAMPLE = 1_000;
/** vectra's BM25 re-reads and re-tokenises every document on every query: seconds per query at 1k. */
const BM25_MAX = 1_000;
const BM25_QUERIES = 9;
const CITEBOT_QUERIES = 200;
const VECTRA_QUERIES = (size: number): number => (size <= 10_000 ? 50 : 20);
const CHILD = fileURLToPath(new URL('./speed-child.ts', import.meta.url));
const DOCS_FILE = path.join(PROJECT_DIR, 'docs', 'benchmarks.md');
const SECTION = '## Speed and scale';

interface SizeResult {
  size: number;
  ingest: { citebot: number | null; pipeline: number | null; withoutModel: number };
  stallMs: number | null;
  citebot: CitebotResult;
  vectraWrite: VectraWrite;
  vectra: VectraQueryResult | null;
  bm25: VectraQueryResult | { skipped: string } | { failed: string };
}

/** "1k" → 1000, "200k" → 200000. */
function parseSize(text: string): number {
  const match = /^(\d+)(k?)$/i.exec(text.trim());
  if (!match) throw new Error(`Bad size "${text}": use e.g. 1k,10k,50k,200k`);
  return Number(match[1]) * (match[2] ? 1000 : 1);
}

function label(size: number): string {
  return size % 1000 === 0 ? `${size / 1000}k` : String(size);
}

/** Pause before each measurement, so background writeback from the step before doesn't land in it. */
const SETTLE_MS = 2000;

/** Runs one measurement in a fresh process and returns its result, or throws with how it ended. */
async function runChild<T extends ChildResult>(task: ChildTask, heapMB = 4096): Promise<T> {
  await sleep(SETTLE_MS);
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(task)], {
      execArgv: ['--import', 'tsx', '--expose-gc', `--max-old-space-size=${heapMB}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    let result: T | undefined;
    child.on('message', (message: { result: T }) => {
      result = message.result;
    });
    child.on('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`exit code ${code}: ${lastErrorLine(stderr)}`));
    });
  });
}

function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => /Error|error:/.test(l) && !l.startsWith('at '));
  return lines.at(-1) ?? stderr.trim().split('\n').at(-1) ?? '';
}

/** Real questions from the eval sets (the corpus is their articles), else phrases from the corpus. */
async function loadQuestions(source: CorpusSource): Promise<string[]> {
  const evalDir = path.resolve(PROJECT_DIR, '..', 'shared', 'eval');
  const questions: string[] = [];
  for (const set of ['squad-v1.1-dev', 'covidqa-2020-04-23']) {
    const text = await readFile(path.join(evalDir, set, 'questions.jsonl'), 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    for (let i = 0; i < lines.length && questions.length < 100 * (set === 'squad-v1.1-dev' ? 1 : 2); i += 37) {
      questions.push((JSON.parse(lines[i]!) as { q: string }).q);
    }
  }
  if (questions.length > 0) return questions;
  return source.paragraphs.slice(0, 100).map((p) => `What about ${p.split(/\s+/).slice(2, 8).join(' ')}?`);
}

/** A stand-in model for the sizes where only storage and search are measured. */
function randomEmbedder(): Embedder {
  let seed = 1;
  return { model: 'bench/random-unit', dim: DIM, embed: async (texts) => randomUnitVectors(texts.length, DIM, seed++) };
}

async function measureSize(size: number, root: string, source: CorpusSource, modelsDir: string, questions: string[]): Promise<SizeResult> {
  const docsDir = path.join(root, `docs-${label(size)}`);
  const indexDir = path.join(root, `index-${label(size)}`);
  const vectraDir = path.join(root, `vectra-${label(size)}`);
  await writeCorpus(source, size, docsDir);
  const log = (line: string): void => console.error(`[${label(size)}] ${line}`);

  let ingestRates: SizeResult['ingest'];
  let stallMs: number | null = null;
  if (size <= MODEL_MAX) {
    const spec = { model: MODEL, modelsDir, batchSize: BATCH };
    const run = await runChild<IngestResult>({ kind: 'ingest', docsDir, indexDir, spec });
    stallMs = run.stall.ms;
    log(`ingest ${run.passages} passages in ${run.seconds.toFixed(1)} s; longest event-loop stall ${stallMs.toFixed(0)} ms (during ${run.stall.where})`);
    const pipeline = await runChild<PipelineResult>({ kind: 'pipeline', texts: Math.min(size, PIPELINE_SAMPLE), spec });
    ingestRates = { citebot: run.passages / run.seconds, pipeline: pipeline.perSecond, withoutModel: NaN };
  } else {
    const summary = await ingest({ docsDir, indexDir, embedder: randomEmbedder(), warn: log, batchSize: 4096 });
    log(`ingest ${summary.passages} passages (random vectors) in ${summary.seconds.toFixed(1)} s`);
    ingestRates = { citebot: null, pipeline: null, withoutModel: summary.passages / summary.seconds };
  }

  const citebot = await runChild<CitebotResult>({ kind: 'citebot', indexDir, docsDir, questions, queries: CITEBOT_QUERIES });
  log(`citebot load ${citebot.loadMs.toFixed(0)} ms, ask p50 ${citebot.ask.p50.toFixed(2)} ms, RSS ${citebot.residentMB.toFixed(0)} MB`);
  const vectraWrite = await runChild<VectraWrite>({ kind: 'vectra-write', citebotDir: indexDir, docsDir, vectraDir }, 8192).catch(
    (err: Error): VectraWrite => ({ ok: false, error: err.message, seconds: NaN }),
  );
  log(vectraWrite.ok ? `vectra index.json ${(vectraWrite.bytes / 2 ** 20).toFixed(0)} MB` : `vectra write failed: ${vectraWrite.error}`);
  let vectra: VectraQueryResult | null = null;
  let bm25: SizeResult['bm25'] = { skipped: `> ${label(BM25_MAX)} passages, see notes` };
  if (vectraWrite.ok) {
    const query = { kind: 'vectra-query', vectraDir, questions, dim: DIM } as const;
    vectra = await runChild<VectraQueryResult>({ ...query, queries: VECTRA_QUERIES(size), bm25: false }, 8192);
    log(`vectra load ${vectra.loadMs.toFixed(0)} ms, query p50 ${vectra.query.p50.toFixed(1)} ms`);
    if (size <= BM25_MAX) {
      bm25 = await runChild<VectraQueryResult>({ ...query, queries: BM25_QUERIES, bm25: true }, 8192).catch(
        (err: Error) => ({ failed: err.message }),
      );
    }
  } else {
    bm25 = { skipped: 'no vectra index' };
  }
  await Promise.all([docsDir, indexDir, vectraDir].map((dir) => rm(dir, { recursive: true, force: true })));
  return { size, ingest: ingestRates, stallMs, citebot, vectraWrite, vectra, bm25 };
}

const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)}×` : '—');

function row(r: SizeResult): string[] {
  const { ingest, citebot, vectra, vectraWrite } = r;
  const fails = vectraWrite.ok ? '' : `fails: ${vectraWrite.error}`;
  const bm25 =
    'skipped' in r.bm25 ? `skipped (${r.bm25.skipped})` : 'failed' in r.bm25 ? `fails: ${r.bm25.failed}` : `${ms(r.bm25.query.p50)} / ${ms(r.bm25.query.p95)}`;
  return [
    label(r.size),
    ingest.citebot === null ? `n/a (${Math.round(ingest.withoutModel)}/s without the model)` : Math.round(ingest.citebot).toString(),
    ingest.pipeline === null ? 'n/a' : Math.round(ingest.pipeline).toString(),
    ingest.citebot !== null && ingest.pipeline !== null ? ratio(ingest.citebot / ingest.pipeline) : '—',
    ms(citebot.loadMs),
    vectra ? ms(vectra.loadMs) : fails,
    vectra ? ratio(vectra.loadMs / citebot.loadMs) : '—',
    citebot.residentMB.toFixed(0),
    vectra ? vectra.residentMB.toFixed(0) : 'fails',
    `${ms(citebot.ask.p50)} / ${ms(citebot.ask.p95)}`,
    vectra ? `${ms(vectra.query.p50)} / ${ms(vectra.query.p95)}` : 'fails',
    vectra ? ratio(vectra.query.p50 / citebot.ask.p50) : '—',
    vectra ? bm25 : 'fails',
    r.stallMs === null ? '—' : ms(r.stallMs),
  ];
}

const HEADER = [
  'passages',
  'ingest/s citebot',
  'ingest/s pipeline',
  'ingest ×',
  'load ms citebot',
  'load ms vectra',
  'load ×',
  'RSS MB citebot',
  'RSS MB vectra',
  'query ms p50 / p95 citebot',
  'query ms p50 / p95 vectra',
  'query × (p50)',
  'query ms p50 / p95 vectra+BM25',
  'longest event-loop stall during ingest, ms',
];

function table(results: SizeResult[]): string {
  const lines = [HEADER, HEADER.map(() => '---'), ...results.map(row)];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.platform()} ${os.arch()}, Node ${process.version}`;
}

/** The issue's four targets, each with what this run measured. */
function targets(results: SizeResult[]): string[] {
  const at = (size: number): SizeResult | undefined => results.find((r) => r.size === size);
  const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'met' : 'NOT met');
  const lines: string[] = [];
  const mid = at(50_000);
  const vectra = mid?.vectra;
  const queryRatio = mid && vectra ? vectra.query.p50 / mid.citebot.ask.p50 : NaN;
  const loadRatio = mid && vectra ? vectra.loadMs / mid.citebot.loadMs : NaN;
  lines.push(`- 50k query p50 ≤ 1/10 of vectra's: ${ratio(queryRatio)} faster, ${verdict(Number.isNaN(queryRatio) ? null : queryRatio >= 10)}.`);
  lines.push(`- 50k index load ≤ 1/5 of vectra's: ${ratio(loadRatio)} faster, ${verdict(Number.isNaN(loadRatio) ? null : loadRatio >= 5)}.`);
  const ingest = results.filter((r) => r.ingest.citebot !== null && r.ingest.pipeline !== null);
  const worstIngest = Math.min(...ingest.map((r) => r.ingest.citebot! / r.ingest.pipeline!));
  lines.push(`- Ingest ≥ 3× the default pipeline: ${ingest.length ? `at least ${ratio(worstIngest)}` : '—'}, ${verdict(ingest.length ? worstIngest >= 3 : null)}.`);
  const big = at(200_000);
  const bigOk = big ? big.citebot.ask.p95 < 100 && big.citebot.residentMB < 1536 : null;
  lines.push(`- 200k end to end, query p95 < 100 ms and RSS < 1.5 GB: ${big ? `${ms(big.citebot.ask.p95)} ms, ${big.citebot.residentMB.toFixed(0)} MB` : '—'}, ${verdict(bigOk)}.`);
  const stall = at(10_000)?.stallMs ?? null;
  lines.push(`- Event-loop stall < 50 ms while 10k passages ingest: ${stall === null ? '—' : `${ms(stall)} ms`}, ${verdict(stall === null ? null : stall < 50)}.`);
  return lines;
}

function section(results: SizeResult[], source: CorpusSource, seconds: number): string {
  const date = new Date().toISOString().slice(0, 10);
  const notes = [
    `Measured ${date} on ${machine()} with \`npm run bench\` (${Math.round(seconds)} s in all); vectra 0.12.3, @xenova/transformers 2.17.2, onnxruntime-node 1.14.0.`,
    '',
    table(results),
    '',
    'Targets (ratios from this one run):',
    '',
    ...targets(results),
    '',
    'How it was measured:',
    '',
    `- Text: ${source.description}, repeated with one borrowed sentence per copy (bench/corpus.ts); 100 paragraphs per file, one passage each.`,
    `- Ingest (≤ ${label(MODEL_MAX)}): \`Library.reindex()\` end to end (read, split, embed, build the keyword index, write, load) in a fresh process, the tiny test model at ${DIM} dims in its child process, 1 onnxruntime thread, batch ${BATCH}. "pipeline" is transformers.js's \`pipeline('feature-extraction')\` with \`{pooling:'mean', normalize:true}\` on the first ${PIPELINE_SAMPLE} of the same texts, same model, same batch size (all ${label(MODEL_MAX)} would take minutes). Above ${label(MODEL_MAX)} the index is built by \`ingest()\` with random unit vectors instead of a model, so the figure is everything but the model; at the model's rate the embedding alone would add size ÷ citebot's rate.`,
    `- Load: citebot = \`openIndex\` + \`Library.load\` (retriever, keyword index, file lookup): what a user waits for before the first answer. vectra = \`new LocalIndex(dir).getIndexStats()\` on an index.json with the same passages, metadata and vectors inline, written by vectra's own \`endUpdate\`. Each in a fresh process; RSS is that process's resident memory after loading and querying.`,
    `- Query: citebot = \`Library.ask\` (keyword + dense, fusion, near-duplicate merge, abstention, highlights), ${CITEBOT_QUERIES} questions from the eval sets, the question's own embedding excluded (a precomputed unit vector). The dense scan reads int8 copies of the rows in WebAssembly SIMD and rescores the rows near the cut exactly (results equal a float64 scan; test/packed-search.test.ts). vectra = \`queryItems(vector, question, 3)\` on the same data. vectra+BM25 = the same with \`isBm25 = true\`, ${BM25_QUERIES} queries after 1 warm-up in a fresh process (vectra's BM25 kills its process on the 21st query); skipped above ${label(BM25_MAX)} passages because it re-reads and re-tokenises every document on every query.`,
    '- Event-loop stall: the longest delay of a 1 ms timer (and of `monitorEventLoopDelay`) in a fresh process running `Library.reindex()`, where a bot would be answering and heartbeating. On a shared 2-core machine this includes time the process waited for a core while the embedding child and other work ran.',
    `- Where vectra "fails", the message is the error vectra's own \`endUpdate\` threw writing that index.`,
    '- This machine is shared: single timings move by ±20% from run to run, which is why every ratio here is taken side by side within one run.',
  ];
  return `${SECTION}\n\n${notes.join('\n')}\n`;
}

/** Replaces (or appends) the Speed and scale section, leaving the rest of the file as it is. */
async function writeSection(text: string): Promise<void> {
  const current = await readFile(DOCS_FILE, 'utf8').catch(() => '# Benchmarks\n');
  const start = current.indexOf(`${SECTION}\n`);
  if (start < 0) {
    await writeFile(DOCS_FILE, `${current.trimEnd()}\n\n${text}`);
    return;
  }
  const next = current.indexOf('\n## ', start + SECTION.length);
  const after = next < 0 ? '' : `\n${current.slice(next + 1)}`;
  await writeFile(DOCS_FILE, `${current.slice(0, start)}${text}${after}`);
}

async function main(): Promise<void> {
  const args = parseArgs({ options: { sizes: { type: 'string' } } }).values;
  const sizes = args.sizes ? args.sizes.split(',').map(parseSize) : ALL_SIZES;
  const started = performance.now();
  const root = await mkdtemp(path.join(os.tmpdir(), 'citebot-speed-'));
  try {
    const modelsDir = path.join(root, 'models');
    await writeTinyModel(modelsDir, { name: MODEL, dim: DIM, modelMaxLength: DEFAULT_MAX_TOKENS });
    const source = await loadCorpusSource(PROJECT_DIR);
    const questions = await loadQuestions(source);
    console.error(`Text: ${source.description}; ${questions.length} questions; machine: ${machine()}`);
    const results: SizeResult[] = [];
    for (const size of sizes) results.push(await measureSize(size, root, source, modelsDir, questions));
    const text = section(results, source, (performance.now() - started) / 1000);
    console.log(`\n${text}`);
    const full = ALL_SIZES.every((size) => sizes.includes(size));
    if (full) await writeSection(text);
    console.error(full ? `Wrote ${path.relative(PROJECT_DIR, DOCS_FILE)}.` : `Partial run: ${path.relative(PROJECT_DIR, DOCS_FILE)} left as it is.`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
