/**
 * Answer-quality benchmark: citebot against the keyword engines a Node
 * developer would reach for, on the same paragraphs and questions, in one run.
 *
 *   npm run bench:quality        (or: npx tsx bench/quality.ts)
 *
 * Needs ../shared/eval beside the repo (SQuAD v1.1 dev and COVID-QA as folders
 * of documents); without it, says so and exits 0. Prints a ranking table and an
 * abstention table and rewrites the "## Answer quality" section of
 * docs/benchmarks.md.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import { loadEmbedder } from '../src/embed/embed.js';
import { RECOMMENDED_ANSWER_THRESHOLD } from '../src/search/abstain.js';
import { abstentionMetrics, hitAt, mrrAt, parseEvalCases, percentile } from '../src/search/eval.js';
import { loadDocuments } from '../src/documents/load.js';
import { splitDocument } from '../src/documents/split.js';
import { Retriever } from '../src/search/retrieve.js';
import type { Embedder } from '../src/types.js';
import {
  EVAL_DIR,
  REPO_ROOT,
  SET_NAMES,
  heldOut,
  memoryIndex,
  paragraphRank,
  readEvalSet,
  readOffTopicQuestions,
  type EvalSet,
  type Paragraph,
} from './eval-sets.js';

type Ranked = Array<{ file: string; paragraph: number }>;
type Search = (question: string) => Promise<Ranked> | Ranked;

interface Engine {
  name: string;
  build(set: EvalSet): Promise<Search>;
}

interface Row {
  set: string;
  engine: string;
  hit1: number;
  hit3: number;
  hit5: number;
  mrr10: number;
  medianMs: number;
  p95Ms: number;
}

/** One folder's abstention outcome at one threshold. */
interface AbstentionRow {
  folder: string;
  threshold: number;
  /** Share of answerable questions answered. */
  answered: number;
  /** Share abstained, per group of unanswerable questions. */
  abstained: Record<string, number>;
  precision: number | null;
  recall: number | null;
}

/** Confidences of one folder's questions, labelled by group; computed once, judged at every threshold. */
interface Judged {
  folder: string;
  answerable: number[];
  unanswerable: Record<string, number[]>;
}

const THRESHOLDS = [...new Set([0.3, RECOMMENDED_ANSWER_THRESHOLD, 0.5])].sort((a, b) => a - b);
const TINY_MODEL = 'citebot-test/tiny-bert';
const SECTION = '## Answer quality';

async function main(): Promise<void> {
  if (!existsSync(EVAL_DIR)) {
    console.log(`No eval sets at ${EVAL_DIR}; nothing to benchmark (skipped).`);
    return;
  }
  const tiny = await tinyEmbedder();
  const rows: Row[] = [];
  const sets: EvalSet[] = [];
  try {
    for (const name of SET_NAMES) {
      const set = await readEvalSet(name);
      sets.push(set);
      console.log(`${name}: ${set.paragraphs.length} paragraphs (${set.passages.length} citebot passages), ${set.questions.length} questions`);
      for (const engine of engines(tiny)) rows.push(await measure(engine, set));
    }
  } finally {
    await tiny.cleanup();
  }
  const table = markdownTable(rows);
  console.log(`\n${table}\n`);
  const abstention = abstentionTable(await judgeAll(sets));
  console.log(`${abstention}\n`);
  await writeSection(`${table}\n\n${ABSTENTION_INTRO}\n\n${abstention}`);
  console.log(`Wrote the "${SECTION}" section of docs/benchmarks.md.`);
}

function engines(tiny: { embedder: Embedder }): Engine[] {
  return [
    { name: 'citebot, keyword mode', build: async (set) => citebot(set, null) },
    { name: 'citebot, semantic+keyword, tiny test model ‡', build: async (set) => citebot(set, tiny.embedder) },
    { name: 'MiniSearch 7.2.0 (defaults)', build: async (set) => miniSearch(set.paragraphs) },
    { name: 'Orama 3.1.18 (defaults)', build: async (set) => orama(set.paragraphs) },
    { name: "vectra 0.12.3 keyword engine (wink-bm25 + vectra's prep, built once)", build: async (set) => vectraBm25(set.paragraphs) },
  ];
}

async function measure(engine: Engine, set: EvalSet): Promise<Row> {
  const search = await engine.build(set);
  const ranks: number[] = [];
  const times: number[] = [];
  for (const question of set.questions) {
    const started = performance.now();
    const ranked = await search(question.q);
    times.push(performance.now() - started);
    ranks.push(paragraphRank(ranked, question));
  }
  const row: Row = {
    set: set.name,
    engine: engine.name,
    hit1: hitAt(ranks, 1),
    hit3: hitAt(ranks, 3),
    hit5: hitAt(ranks, 5),
    mrr10: mrrAt(ranks, 10),
    medianMs: percentile(times, 50),
    p95Ms: percentile(times, 95),
  };
  console.log(`  ${engine.name}: hit@1 ${pct(row.hit1)}, MRR@10 ${row.mrr10.toFixed(3)}, p95 ${row.p95Ms.toFixed(2)} ms`);
  return row;
}

async function citebot(set: EvalSet, embedder: Embedder | null): Promise<Search> {
  let vectors: Float32Array | null = null;
  if (embedder) vectors = await embedder.embed(set.passages.map((p) => p.text));
  const index = memoryIndex(set.passages, vectors, embedder?.dim ?? 0, embedder?.model ?? null);
  const retriever = new Retriever(index, embedder, { answerThreshold: 0.5 });
  return async (q) => (await retriever.ask(q, { topK: 10 })).results.map((hit) => hit.passage);
}

const ABSTENTION_INTRO = [
  `Abstention (keyword mode; the default threshold is ${RECOMMENDED_ANSWER_THRESHOLD}). Eval-set rows use only the`,
  'held-out half of each question list (odd positions; bench/calibrate.ts fits on the even half):',
  "a set's own questions against its own documents are answerable; the other set's questions and",
  'the hand-written off-topic questions (bench/offtopic-questions.txt) are not. Precision = share of',
  'abstentions that were right, over that mix. The seed row is test/fixtures/seed-questions.jsonl',
  'against seeds/ (36 answerable, 36 off-topic; never fitted).',
].join('\n');

/** Every folder's questions, judged once. */
async function judgeAll(sets: EvalSet[]): Promise<Judged[]> {
  const offTopic = heldOut(await readOffTopicQuestions());
  const judged: Judged[] = [];
  for (const set of sets) {
    const retriever = new Retriever(memoryIndex(set.passages), null, { answerThreshold: RECOMMENDED_ANSWER_THRESHOLD });
    const others = sets.filter((s) => s !== set).flatMap((s) => heldOut(s.questions).map((q) => q.q));
    judged.push({
      folder: `${set.name} (${set.passages.length} passages)`,
      answerable: await confidences(retriever, heldOut(set.questions).map((q) => q.q)),
      unanswerable: { 'other set': await confidences(retriever, others), 'off-topic': await confidences(retriever, offTopic) },
    });
  }
  judged.push(await judgeSeed());
  return judged;
}

async function judgeSeed(): Promise<Judged> {
  const docs = await loadDocuments(path.join(REPO_ROOT, 'seeds'), () => {});
  const passages = docs.flatMap((doc) => splitDocument(doc));
  const retriever = new Retriever(memoryIndex(passages), null, { answerThreshold: RECOMMENDED_ANSWER_THRESHOLD });
  const cases = parseEvalCases(await readFile(path.join(REPO_ROOT, 'test', 'fixtures', 'seed-questions.jsonl'), 'utf8'));
  return {
    folder: `seeds/ (${passages.length} passages)`,
    answerable: await confidences(retriever, cases.filter((c) => c.answerable).map((c) => c.q)),
    unanswerable: { 'off-topic': await confidences(retriever, cases.filter((c) => !c.answerable).map((c) => c.q)) },
  };
}

async function confidences(retriever: Retriever, questions: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const q of questions) out.push((await retriever.ask(q, { topK: 1 })).confidence);
  return out;
}

function abstentionRow(judged: Judged, threshold: number): AbstentionRow {
  const outcomes = [
    ...judged.answerable.map((c) => ({ shouldAbstain: false, abstained: c < threshold })),
    ...Object.values(judged.unanswerable).flatMap((list) => list.map((c) => ({ shouldAbstain: true, abstained: c < threshold }))),
  ];
  const metrics = abstentionMetrics(outcomes);
  const share = (list: number[]): number => list.filter((c) => c < threshold).length / Math.max(list.length, 1);
  return {
    folder: judged.folder,
    threshold,
    answered: metrics.answeredRate ?? 0,
    abstained: Object.fromEntries(Object.entries(judged.unanswerable).map(([group, list]) => [group, share(list)])),
    precision: metrics.precision,
    recall: metrics.recall,
  };
}

function abstentionTable(judged: Judged[]): string {
  const lines = [
    '| folder | threshold | answerable answered | other set abstained | off-topic abstained | abstention precision | abstention recall |',
    '|---|---|---|---|---|---|---|',
  ];
  const cell = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : pct(x));
  for (const j of judged) {
    for (const threshold of THRESHOLDS) {
      const r = abstentionRow(j, threshold);
      const mark = threshold === RECOMMENDED_ANSWER_THRESHOLD ? ` **(default)**` : '';
      const cells = [r.folder, `${threshold}${mark}`, pct(r.answered), cell(r.abstained['other set']), cell(r.abstained['off-topic']), cell(r.precision), cell(r.recall)];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function byId(paragraphs: Paragraph[], ids: Iterable<string | number>): Ranked {
  const out: Ranked = [];
  for (const id of ids) {
    const p = paragraphs[Number(id)];
    if (p) out.push(p);
    if (out.length === 10) break;
  }
  return out;
}

function miniSearch(paragraphs: Paragraph[]): Search {
  const engine = new MiniSearch<Paragraph>({ fields: ['text'] });
  engine.addAll(paragraphs);
  return (q) => byId(paragraphs, engine.search(q).map((r) => r.id as number));
}

async function orama(paragraphs: Paragraph[]): Promise<Search> {
  const db = create({ schema: { text: 'string' } as const });
  await insertMultiple(db, paragraphs.map((p) => ({ id: String(p.id), text: p.text })));
  return async (q) => byId(paragraphs, (await oramaSearch(db, { term: q })).hits.map((h) => h.id));
}

/** The engine vectra 0.12.3 runs for `isBm25` queries (LocalIndex.setupbm25), built once. */
function vectraBm25(paragraphs: Paragraph[]): Search {
  const require = createRequire(path.join(REPO_ROOT, 'node_modules', 'vectra', 'lib', 'LocalIndex.js'));
  const bm25 = require('wink-bm25-text-search') as () => WinkBm25;
  const winkNLP = require('wink-nlp') as (model: unknown) => WinkNlp;
  const nlp = winkNLP(require('wink-eng-lite-web-model'));
  const its = nlp.its;
  const engine = bm25();
  engine.defineConfig({ fldWeights: { body: 1 } });
  engine.definePrepTasks([
    (text: string) => {
      const tokens: string[] = [];
      nlp
        .readDoc(text)
        .tokens()
        .filter((t) => t.out(its.type) === 'word' && !t.out(its.stopWordFlag))
        .each((t) => tokens.push(t.out(its.negationFlag) ? `!${t.out(its.stem)}` : String(t.out(its.stem))));
      return tokens;
    },
  ]);
  for (const p of paragraphs) engine.addDoc({ body: p.text }, p.id);
  engine.consolidate();
  return (q) => byId(paragraphs, engine.search(q).map(([id]) => id));
}

interface WinkBm25 {
  defineConfig(config: unknown): void;
  definePrepTasks(tasks: Array<(text: string) => string[]>): void;
  addDoc(doc: { body: string }, id: number): void;
  consolidate(): void;
  search(q: string): Array<[number, number]>;
}
interface WinkToken {
  out(what: unknown): unknown;
}
interface WinkNlp {
  its: Record<string, unknown>;
  readDoc(text: string): {
    tokens(): { filter(f: (t: WinkToken) => boolean): { each(f: (t: WinkToken) => void): void } };
  };
}

/** The tiny BERT-shaped test model, written to a temp folder and loaded through the real loader. */
async function tinyEmbedder(): Promise<{ embedder: Embedder; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-bench-'));
  const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'tiny-model.mjs');
  const { writeTinyModel } = (await import(fixture)) as { writeTinyModel: (dir: string, o: { name: string }) => Promise<string> };
  await writeTinyModel(dir, { name: TINY_MODEL });
  const embedder = await loadEmbedder({
    model: TINY_MODEL,
    modelsDir: dir,
    cacheDir: dir,
    allowDownload: false,
    timeoutMs: 1000,
    threads: 1,
    batchSize: 64,
  });
  return { embedder, cleanup: async () => rm(dir, { recursive: true, force: true }) };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function markdownTable(rows: Row[]): string {
  const lines = [
    '| set | engine | hit@1 | hit@3 | hit@5 | MRR@10 | median ms | p95 ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const cells = [r.set, r.engine, pct(r.hit1), pct(r.hit3), pct(r.hit5), r.mrr10.toFixed(3), r.medianMs.toFixed(2), r.p95Ms.toFixed(2)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function writeSection(tables: string): Promise<void> {
  const file = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const notes = await readFile(path.join(REPO_ROOT, 'bench', 'quality-notes.md'), 'utf8');
  const section = [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu}, ${os.cpus().length} cores, Node ${process.version}` +
      ' (`npm run bench:quality`; data: ../shared/eval, not copied here).',
    '',
    tables,
    '',
    notes.trim(),
    '',
  ].join('\n');
  const current = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmarks\n';
  await writeFile(file, replaceSection(current, section));
}

/** Replaces the "## Answer quality" section (up to the next "## " heading), or appends it. */
function replaceSection(doc: string, section: string): string {
  const start = doc.indexOf(`${SECTION}\n`);
  if (start < 0) return `${doc.trimEnd()}\n\n${section}`;
  const next = doc.indexOf('\n## ', start + SECTION.length);
  const rest = next < 0 ? '' : doc.slice(next + 1);
  return `${doc.slice(0, start)}${section}${rest === '' ? '' : `\n${rest}`}`;
}

await main();
