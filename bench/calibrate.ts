/**
 * Refits the abstention model in src/abstain.ts (ABSTAIN_MODEL).
 *
 *   npx tsx bench/calibrate.ts
 *
 * Builds labelled retrievals from ../shared/eval (see the comment in
 * src/abstain.ts for which question goes against which documents) out of the
 * calibration half of every question list (bench/quality.ts measures on the
 * other half), fits a
 * class-balanced logistic regression on the raw features, and prints the
 * coefficients to paste into ABSTAIN_MODEL, with the rates they give per group.
 * The seed test questions are scored for information only, never fitted.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FEATURE_NAMES, NO_FEATURES, answerConfidence, type AbstainFeatures } from '../src/search/abstain.js';
import { parseEvalCases } from '../src/search/eval.js';
import { loadDocuments } from '../src/documents/load.js';
import { Retriever } from '../src/search/retrieve.js';
import { splitDocument } from '../src/documents/split.js';
import type { Passage } from '../src/types.js';
import { CALIBRATION_SETS, EVAL_DIR, REPO_ROOT, calibrationHalf, memoryIndex, readEvalSet, readOffTopicQuestions, type EvalSet } from './eval-sets.js';

interface Example {
  group: string;
  features: AbstainFeatures;
  answerable: boolean;
}

/** Questions per article against that article alone, and foreign questions per article. */
const PER_ARTICLE = 15;
/** Every n-th question of a full set, to keep the full-corpus groups comparable in size. */
const FULL_STRIDE: Record<string, number> = { 'squad-v1.1-dev': 3, 'covidqa-2020-04-23': 1 };
const ITERATIONS = 4000;
const LEARNING_RATE = 0.5;
const L2 = 1e-3;

async function main(): Promise<void> {
  if (!existsSync(EVAL_DIR)) {
    console.log(`No eval sets at ${EVAL_DIR}; nothing to calibrate on (skipped).`);
    return;
  }
  // Only the calibration half: bench/quality.ts reports abstention on the other half.
  const offTopic = calibrationHalf(await readOffTopicQuestions());
  const sets = (await Promise.all(CALIBRATION_SETS.map((name) => readEvalSet(name)))).map((set) => ({
    ...set,
    questions: calibrationHalf(set.questions),
  }));
  const examples: Example[] = [];
  for (const set of sets) {
    const others = sets.filter((s) => s !== set).flatMap((s) => s.questions.map((q) => q.q));
    examples.push(...(await fullCorpus(set, others, offTopic)));
    examples.push(...(await singleArticles(set, others, offTopic)));
  }
  const model = fit(examples);
  console.log('ABSTAIN_MODEL = {');
  for (const [name, value] of Object.entries(model)) console.log(`  ${name}: ${value.toFixed(3)},`);
  console.log('}\n');
  report(examples, model);
  await reportSeed(model);
}

async function fullCorpus(set: EvalSet, foreign: string[], offTopic: string[]): Promise<Example[]> {
  const retriever = new Retriever(memoryIndex(set.passages), null, { answerThreshold: 0.5 });
  const stride = FULL_STRIDE[set.name] ?? 1;
  const own = set.questions.filter((_, i) => i % stride === 0).map((q) => q.q);
  const alien = foreign.filter((_, i) => i % Math.max(1, Math.round(foreign.length / own.length)) === 0);
  return [
    ...(await label(retriever, own, true, `${set.name} own`)),
    ...(await label(retriever, alien, false, `${set.name} other set`)),
    ...(await label(retriever, offTopic, false, `${set.name} off-topic`)),
  ];
}

/** Folder-of-one-article retrievals: the size of seeds/, where BM25 statistics are thin. */
async function singleArticles(set: EvalSet, foreign: string[], offTopic: string[]): Promise<Example[]> {
  const byFile = new Map<string, Passage[]>();
  for (const p of set.passages) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  const out: Example[] = [];
  let n = 0;
  for (const [file, passages] of byFile) {
    if (passages.length < 15) continue;
    const retriever = new Retriever(memoryIndex(passages), null, { answerThreshold: 0.5 });
    const own = set.questions.filter((q) => q.file === file).map((q) => q.q);
    const sameSet = set.questions.filter((q) => q.file !== file).map((q) => q.q);
    const pick = (list: string[]): string[] => list.filter((_, i) => (i * 7919 + n) % Math.max(1, Math.floor(list.length / PER_ARTICLE)) === 0).slice(0, PER_ARTICLE);
    out.push(...(await label(retriever, pick(own), true, `${set.name} article own`)));
    out.push(...(await label(retriever, pick(sameSet), false, `${set.name} article other article`)));
    out.push(...(await label(retriever, pick(foreign).slice(0, 5), false, `${set.name} article other set`)));
    out.push(...(await label(retriever, offTopic.filter((_, i) => i % 4 === n % 4), false, `${set.name} article off-topic`)));
    n++;
  }
  return out;
}

async function label(retriever: Retriever, questions: string[], answerable: boolean, group: string): Promise<Example[]> {
  const out: Example[] = [];
  for (const q of questions) {
    const { features } = await retriever.rank(q, 1);
    out.push({ group, answerable, features: features ?? NO_FEATURES });
  }
  return out;
}

/**
 * Logistic regression by full-batch gradient descent. Each group weighs the same
 * within its class, and the classes weigh the same, so the thousands of easy
 * off-topic retrievals don't decide the boundary.
 */
function fit(examples: Example[]): Record<string, number> {
  const groupSize = new Map<string, number>();
  for (const e of examples) groupSize.set(e.group, (groupSize.get(e.group) ?? 0) + 1);
  const groupsOf = (answerable: boolean): number => new Set(examples.filter((e) => e.answerable === answerable).map((e) => e.group)).size;
  const [positiveGroups, negativeGroups] = [groupsOf(true), groupsOf(false)];
  const weightOf = (e: Example): number => 0.5 / ((e.answerable ? positiveGroups : negativeGroups) * (groupSize.get(e.group) ?? 1));
  const w = new Array<number>(FEATURE_NAMES.length + 1).fill(0);
  for (let it = 0; it < ITERATIONS; it++) {
    const grad = new Array<number>(w.length).fill(0);
    for (const e of examples) {
      const x = [1, ...FEATURE_NAMES.map((f) => e.features[f])];
      const z = x.reduce((s, xi, i) => s + xi * (w[i] ?? 0), 0);
      const err = (1 / (1 + Math.exp(-z)) - (e.answerable ? 1 : 0)) * weightOf(e);
      x.forEach((xi, i) => (grad[i] = (grad[i] ?? 0) + err * xi));
    }
    w.forEach((wi, i) => (w[i] = wi - LEARNING_RATE * ((grad[i] ?? 0) + (i > 0 ? L2 * wi : 0))));
  }
  return Object.fromEntries([['bias', w[0] ?? 0], ...FEATURE_NAMES.map((f, i) => [f, w[i + 1] ?? 0])]);
}

function report(examples: Example[], model: Record<string, number>): void {
  const groups = [...new Set(examples.map((e) => e.group))];
  for (const threshold of [0.3, 0.4, 0.5, 0.6]) {
    console.log(`threshold ${threshold}:`);
    for (const group of groups) {
      const list = examples.filter((e) => e.group === group);
      const answered = list.filter((e) => answerConfidence(e.features, model) >= threshold).length;
      const right = list[0]?.answerable ? answered : list.length - answered;
      console.log(`  ${group.padEnd(40)} ${list[0]?.answerable ? 'answered' : 'abstained'} ${pct(right / list.length)} of ${list.length}`);
    }
  }
}

async function reportSeed(model: Record<string, number>): Promise<void> {
  const docs = await loadDocuments(path.join(REPO_ROOT, 'seeds'), () => {});
  const retriever = new Retriever(memoryIndex(docs.flatMap((d) => splitDocument(d))), null, { answerThreshold: 0.5 });
  const text = await readFile(path.join(REPO_ROOT, 'test', 'fixtures', 'seed-questions.jsonl'), 'utf8');
  const cases = parseEvalCases(text);
  console.log('\nseed test questions (not fitted):');
  for (const threshold of [0.3, 0.4, 0.5, 0.6]) {
    let answeredOk = 0;
    let abstainedOk = 0;
    for (const c of cases) {
      const { features } = await retriever.rank(c.q, 1);
      const answered = features !== null && answerConfidence(features, model) >= threshold;
      if (c.answerable && answered) answeredOk++;
      if (!c.answerable && !answered) abstainedOk++;
    }
    const answerable = cases.filter((c) => c.answerable).length;
    console.log(`  threshold ${threshold}: answerable answered ${pct(answeredOk / answerable)}, off-topic abstained ${pct(abstainedOk / (cases.length - answerable))}`);
  }
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

await main();
