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
 * Vectors: a model of all-MiniLM-L6-v2's exact size and shape (random
 * weights, int8, bench/minilm-model.mjs; written once into
 * node_modules/.cache) where ingest is measured (1k), random unit vectors
 * where only storage and search are (10k and up).
 */
import { access, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultEmbedThreads, PROJECT_DIR } from '../src/config.js';
import { ingest } from '../src/library/ingest.js';
import type { Embedder } from '../src/types.js';
import { MINILM_VERSION, writeMiniLmModel } from './minilm-model.mjs';
import { loadCorpusSource, writeCorpus, type CorpusSource } from './corpus.js';
import { randomUnitVectors } from './measure.js';
import type { ChildResult, ChildTask, CitebotResult, EmbedResult, IdleResult, IngestResult, ModelSpec, PipelineResult, ReindexResult, VectraQueryResult } from './speed-child.js';
import type { VectraWrite } from './vectra-index.js';

const ALL_SIZES = [1_000, 10_000, 50_000, 200_000];
const DIM = 384;
const MODEL = 'citebot-bench/minilm-sized';
const BATCH = 32;
/** Sizes ingested through the model; above this the model's share is extrapolated, not waited for. */
const MODEL_MAX = 1_000;
/** The default pipeline and citebot's embedder are timed on this many of the same texts (the pipeline runs ~10 passages/s here). */
const PIPELINE_SAMPLE = 300;
/** Where the MiniLM-sized model is written once (outside git; `npm ci` starts it afresh). */
const MODEL_CACHE = path.join(PROJECT_DIR, 'node_modules', '.cache', 'citebot-bench', `minilm-v${MINILM_VERSION}`);
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
  /** citebot = `Library.reindex()` end to end; embedder and pipeline = embedding alone, on the same PIPELINE_SAMPLE texts. */
  ingest: { citebot: number | null; embedder: number | null; pipeline: number | null; withoutModel: number };
  stallMs: number | null;
  /** The longest stall counting only the ingesting process's own CPU time in it (measure.ts, `Stall.busyMs`). */
  busyStallMs: number | null;
  /** The same probe in an idle process running beside the ingest: the machine's share of the stall. */
  idleStallMs: number | null;
  citebot: CitebotResult;
  vectraWrite: VectraWrite;
  vectra: VectraQueryResult | null;
  bm25: VectraQueryResult | { skipped: string } | { failed: string };
  /** Full reindex while the old index serves (REINDEX_SIZES only). */
  reindex: ReindexResult | null;
}

/** Sizes at which a full reindex beside the serving index is measured. */
const REINDEX_SIZES = [200_000];
/** vectra fails to write an index this large (V8's string limit), and takes minutes and gigabytes first: not tried above. */
const VECTRA_MAX = 200_000;

/** "1k" → 1000, "200k" → 200000. */
function parseSize(text: string): number {
  const match = /^(\d+)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`Bad size "${text}": use e.g. 1k,10k,50k,200k,1m`);
  return Number(match[1]) * (match[2]?.toLowerCase() === 'm' ? 1e6 : match[2] ? 1000 : 1);
}

function label(size: number): string {
  if (size % 1e6 === 0) return `${size / 1e6}M`;
  return size % 1000 === 0 ? `${size / 1000}k` : String(size);
}

/** Pause before each measurement, so background writeback from the step before doesn't land in it. */
const SETTLE_MS = 2000;

/**
 * Runs `task` with an idle process beside it whose event loop is probed the
 * same way: its stall is what the machine's load alone does to a process.
 */
async function runWithControl<T extends ChildResult>(task: ChildTask): Promise<{ result: T; controlStallMs: number }> {
  await sleep(SETTLE_MS);
  let control: ReturnType<typeof fork> | undefined;
  const controlled = runChild<IdleResult>({ kind: 'idle' }, 512, 0, (child) => (control = child));
  const result = await runChild<T>(task, 4096, 0);
  control?.send('stop');
  return { result, controlStallMs: (await controlled).stallMs };
}

/** Runs one measurement in a fresh process and returns its result, or throws with how it ended. */
async function runChild<T extends ChildResult>(task: ChildTask, heapMB = 4096, settleMs = SETTLE_MS, started?: (child: ReturnType<typeof fork>) => void): Promise<T> {
  await sleep(settleMs);
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(task)], {
      execArgv: ['--import', 'tsx', '--expose-gc', `--max-old-space-size=${heapMB}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    started?.(child);
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

/** The MiniLM-sized model's folder, written on the first run and reused after (it takes ~10 s and 113 MB). */
async function miniLmModels(): Promise<string> {
  const done = path.join(MODEL_CACHE, 'complete');
  if (await access(done).then(() => true, () => false)) return MODEL_CACHE;
  console.error(`Writing the MiniLM-sized model into ${path.relative(PROJECT_DIR, MODEL_CACHE)} (once)…`);
  const scratch = `${MODEL_CACHE}.tmp-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await writeMiniLmModel(scratch, { name: MODEL });
  await writeFile(path.join(scratch, 'complete'), '');
  await rm(MODEL_CACHE, { recursive: true, force: true });
  await rename(scratch, MODEL_CACHE);
  return MODEL_CACHE;
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
  let busyStallMs: number | null = null;
  let idleStallMs: number | null = null;
  if (size <= MODEL_MAX) {
    // The ingest runs as a serving bot's reindex (a core left to the bot, whose stall is measured);
    // embed/s compares the embedder with the threads an ingest in the terminal uses.
    const cores = os.availableParallelism();
    const spec: ModelSpec = { model: MODEL, modelsDir, batchSize: BATCH, threads: defaultEmbedThreads(cores, { serving: true }) };
    const { result: run, controlStallMs } = await runWithControl<IngestResult>({ kind: 'ingest', docsDir, indexDir, spec });
    stallMs = run.stall.ms;
    busyStallMs = run.stall.busyMs;
    idleStallMs = controlStallMs;
    log(`ingest ${run.passages} passages in ${run.seconds.toFixed(1)} s; longest event-loop stall ${stallMs.toFixed(0)} ms (during ${run.stall.where}), of its own work ${busyStallMs.toFixed(0)} ms; an idle process beside it: ${controlStallMs.toFixed(0)} ms`);
    const texts = Math.min(size, PIPELINE_SAMPLE);
    const pipeline = await runChild<PipelineResult>({ kind: 'pipeline', texts, spec });
    const embedder = await runChild<EmbedResult>({ kind: 'embed', texts, spec: { ...spec, threads: defaultEmbedThreads(cores, { serving: false }) } });
    log(`same ${texts} texts: pipeline ${pipeline.perSecond.toFixed(1)}/s, citebot's embedder ${embedder.perSecond.toFixed(1)}/s`);
    ingestRates = { citebot: run.passages / run.seconds, embedder: embedder.perSecond, pipeline: pipeline.perSecond, withoutModel: NaN };
  } else {
    const summary = await ingest({ docsDir, indexDir, embedder: randomEmbedder(), warn: log, batchSize: 4096 });
    log(`ingest ${summary.passages} passages (random vectors) in ${summary.seconds.toFixed(1)} s`);
    ingestRates = { citebot: null, embedder: null, pipeline: null, withoutModel: summary.passages / summary.seconds };
  }

  const citebot = await runChild<CitebotResult>({ kind: 'citebot', indexDir, docsDir, questions, queries: CITEBOT_QUERIES });
  log(`citebot load ${citebot.loadMs.toFixed(0)} ms, ask p50 ${citebot.ask.p50.toFixed(2)} ms, RSS ${citebot.residentMB.toFixed(0)} MB`);
  let reindex: ReindexResult | null = null;
  if (REINDEX_SIZES.includes(size)) {
    reindex = await runChild<ReindexResult>({ kind: 'reindex', indexDir, docsDir, questions }).catch((err: Error) => {
      log(`reindex failed: ${err.message}`);
      return null;
    });
    if (reindex) log(`reindex beside the serving index: peak RSS ${reindex.peakMB.toFixed(0)} MB (${reindex.beforeMB.toFixed(0)} MB before), ${reindex.seconds.toFixed(0)} s, ${reindex.answered} questions answered meanwhile`);
  }
  const vectraWrite =
    size > VECTRA_MAX
      ? ({ ok: false, error: `not tried above ${label(VECTRA_MAX)} (fails there already)`, seconds: NaN } satisfies VectraWrite)
      : await runChild<VectraWrite>({ kind: 'vectra-write', citebotDir: indexDir, docsDir, vectraDir }, 8192).catch(
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
  return { size, ingest: ingestRates, stallMs, busyStallMs, idleStallMs, citebot, vectraWrite, vectra, bm25, reindex };
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
    ingest.citebot === null ? `n/a (${Math.round(ingest.withoutModel)}/s without the model)` : ingest.citebot.toFixed(1),
    ingest.embedder === null ? 'n/a' : ingest.embedder.toFixed(1),
    ingest.pipeline === null ? 'n/a' : ingest.pipeline.toFixed(1),
    ingest.embedder !== null && ingest.pipeline !== null ? ratio(ingest.embedder / ingest.pipeline) : '—',
    ms(citebot.loadMs),
    vectra ? ms(vectra.loadMs) : fails,
    vectra ? ratio(vectra.loadMs / citebot.loadMs) : '—',
    citebot.residentMB.toFixed(0),
    vectra ? vectra.residentMB.toFixed(0) : 'fails',
    `${ms(citebot.ask.p50)} / ${ms(citebot.ask.p95)}`,
    vectra ? `${ms(vectra.query.p50)} / ${ms(vectra.query.p95)}` : 'fails',
    vectra ? ratio(vectra.query.p50 / citebot.ask.p50) : '—',
    vectra ? bm25 : 'fails',
    r.stallMs === null ? '—' : `${ms(r.stallMs)} (own work: ${ms(r.busyStallMs ?? NaN)}; idle process beside it: ${ms(r.idleStallMs ?? NaN)})`,
    r.reindex === null ? '—' : r.reindex.peakMB.toFixed(0),
  ];
}

const HEADER = [
  'passages',
  'ingest/s citebot (end to end)',
  'embed/s citebot',
  'embed/s pipeline',
  'embed ×',
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
  'peak RSS MB, full reindex while serving',
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
  lines.push(`- 50k index load ≤ 1/10 of vectra's: ${ratio(loadRatio)} faster, ${verdict(Number.isNaN(loadRatio) ? null : loadRatio >= 10)}.`);
  const ingest = results.filter((r) => r.ingest.embedder !== null && r.ingest.pipeline !== null);
  const worstIngest = Math.min(...ingest.map((r) => r.ingest.embedder! / r.ingest.pipeline!));
  lines.push(`- Embedding with the MiniLM-sized int8 model ≥ 2× the default pipeline on the same texts: ${ingest.length ? ratio(worstIngest) : '—'}, ${verdict(ingest.length ? worstIngest >= 2 : null)}.`);
  for (const r of ingest) {
    const project = (rate: number, n: number): string => `${(n / rate / 60).toFixed(1)} min`;
    lines.push(
      `  Projected time to embed 10k / 50k passages: citebot ${project(r.ingest.citebot!, 10_000)} / ${project(r.ingest.citebot!, 50_000)} (at its end-to-end ingest rate), ` +
        `pipeline ${project(r.ingest.pipeline!, 10_000)} / ${project(r.ingest.pipeline!, 50_000)}.`,
    );
  }
  const big = at(200_000);
  const bigOk = big ? big.citebot.ask.p95 < 100 && big.citebot.residentMB < 1536 : null;
  lines.push(`- 200k end to end, query p95 < 100 ms and RSS < 1.5 GB: ${big ? `${ms(big.citebot.ask.p95)} ms, ${big.citebot.residentMB.toFixed(0)} MB` : '—'}, ${verdict(bigOk)}.`);
  const reindexed = big?.reindex ?? null;
  lines.push(`- 200k full reindex while the old index serves, peak RSS < 2.5 GB: ${reindexed ? `${reindexed.peakMB.toFixed(0)} MB (${reindexed.beforeMB.toFixed(0)} MB before it; ${reindexed.answered} questions answered meanwhile)` : '—'}, ${verdict(reindexed ? reindexed.peakMB < 2560 : null)}.`);
  const million = at(1_000_000);
  const millionOk = million ? million.citebot.loadMs < 3000 && million.citebot.residentMB < 2048 && million.citebot.ask.p95 < 50 : null;
  lines.push(
    `- 1M passages end to end, load < 3 s, RSS < 2 GB, query p95 < 50 ms: ${million ? `${ms(million.citebot.loadMs)} ms, ${million.citebot.residentMB.toFixed(0)} MB, ${ms(million.citebot.ask.p95)} ms` : 'not run (npm run bench -- --sizes 1m)'}, ${verdict(millionOk)}.`,
  );
  const stall = at(MODEL_MAX)?.stallMs ?? null;
  const busy = at(MODEL_MAX)?.busyStallMs ?? null;
  const idleStall = at(MODEL_MAX)?.idleStallMs ?? null;
  lines.push(
    `- Event-loop stall < 50 ms during the MiniLM-sized ingest (${label(MODEL_MAX)} passages): ${stall === null ? '—' : `${ms(stall)} ms`}, of which its own work ${busy === null ? '—' : `${ms(busy)} ms`} ` +
      `(an idle process beside it, at load ${os.loadavg()[0]!.toFixed(0)}: ${idleStall === null ? '—' : `${ms(idleStall)} ms`}), ${verdict(stall === null ? null : stall < 50)}` +
      `${stall !== null && stall >= 50 && busy !== null && busy < 50 ? ' (own work alone under 50 ms: the rest is waiting for a core)' : ''}.`,
  );
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
    `- Ingest (${label(MODEL_MAX)}): \`Library.reindex()\` end to end (read, split, embed, build the keyword index, write, load) in a fresh process, with a model of all-MiniLM-L6-v2's exact architecture and size (6 layers, 384 hidden, 12 heads, 1,536 FFN, 30,522-word vocabulary; random weights, int8 \`model_quantized.onnx\` as transformers.js loads by default; bench/minilm-model.mjs) in its child process, ${BATCH} texts per batch sorted by token count, cut at 256 tokens, onnxruntime threads = all cores but one (1 to 4), as while a bot serves. "embed/s" is the embedding alone on the first ${PIPELINE_SAMPLE} of the same texts, each in a fresh process: citebot's embedder (child process, with the threads of an ingest in the terminal: every core, 1 to 4) vs transformers.js's default \`pipeline('feature-extraction')\` with \`{pooling:'mean', normalize:true}\` (batches of ${BATCH} in file order, onnxruntime's default threads, the tokenizer's 512-token limit as in the real model's tokenizer_config.json). The projections divide 10k and 50k by these rates. Above ${label(MODEL_MAX)} the index is built by \`ingest()\` with random unit vectors instead of a model, so the figure is everything but the model.`,
    `- Load: citebot = \`openIndexForSearch\` + \`Library.load\` (retriever, keyword index, file lookup): what a user waits for before the first answer (from 250k passages the checksums and the posting check run after it, in the background). vectra = \`new LocalIndex(dir).getIndexStats()\` on an index.json with the same passages, metadata and vectors inline, written by vectra's own \`endUpdate\`. Each in a fresh process; RSS is that process's resident memory after loading and querying.`,
    `- Query: citebot = \`Library.ask\` (keyword + dense, fusion, near-duplicate merge, abstention, highlights), ${CITEBOT_QUERIES} questions from the eval sets, the question's own embedding excluded (a precomputed unit vector). The dense scan reads int8 copies of the rows in WebAssembly SIMD and rescores the rows near the cut exactly (results equal a float64 scan; test/packed-search.test.ts). vectra = \`queryItems(vector, question, 3)\` on the same data. vectra+BM25 = the same with \`isBm25 = true\`, ${BM25_QUERIES} queries after 1 warm-up in a fresh process (vectra's BM25 kills its process on the 21st query); skipped above ${label(BM25_MAX)} passages because it re-reads and re-tokenises every document on every query.`,
    "- Event-loop stall: the longest delay of a 1 ms timer (and of `monitorEventLoopDelay`) in a fresh process running `Library.reindex()` with the MiniLM-sized model, where a bot would be answering and heartbeating. On a shared 2-core machine this includes time the process waited for a core while the embedding child and other work ran. \"Own work\" is the longest stall counting only the process's own CPU time during it (`process.cpuUsage()`, all its threads: an upper bound of the event loop's own work).",
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
    const modelsDir = await miniLmModels();
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
