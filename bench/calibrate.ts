/**
 * Refits the answer-confidence model in src/search/abstain.ts (ABSTAIN_MODEL).
 *
 *   npx tsx bench/calibrate.ts
 *
 * Only the fit half (even positions) of every shared set is used; bench/quality.ts
 * reports the other half. Labels say what *answered* promises a user:
 *   positive: an answerable question whose top passage is the right one;
 *   negative: an unanswerable question (wikiqa, the doc sets' near-misses) or a
 *             hand-written off-topic one (bench/offtopic-questions.txt, its even
 *             lines) against each folder.
 * Answerable questions ranked wrongly are left out: they are what *unsure* is for.
 * Each (set, label) group weighs the same, so SQuAD's thousands of questions
 * don't set the boundary for a 50-question documentation folder. Features are
 * raw (no scaling) so the coefficients can be read. The seed questions are
 * never fitted; their rates are printed for information.
 */
import { existsSync } from 'node:fs';
import { FEATURE_NAMES, answerConfidence, type AbstainFeatures } from '../src/search/abstain.js';
import { matchesGold } from '../src/search/eval.js';
import { Retriever } from '../src/search/retrieve.js';
import { decideVerdict } from '../src/search/verdict.js';
import { EVAL_DIR, SEED_SET, SET_NAMES, calibrationHalf, memoryIndex, readEvalSet, readOffTopicQuestions, type SetName } from './eval-sets.js';

interface Example {
  group: string;
  features: AbstainFeatures;
  positive: boolean;
  set: SetName;
}

const ITERATIONS = 20_000;
const LEARNING_RATE = 2;
const L2 = 1e-3;
/** Every n-th SQuAD question (10,570 in all): the other sets are far smaller. */
const SQUAD_STRIDE = 5;

async function main(): Promise<void> {
  if (!existsSync(EVAL_DIR)) {
    console.log(`No eval sets at ${EVAL_DIR}; nothing to calibrate on (skipped).`);
    return;
  }
  const offTopic = calibrationHalf(await readOffTopicQuestions());
  const examples: Example[] = [];
  for (const name of SET_NAMES) examples.push(...(await examplesOf(name, offTopic)));
  const model = fit(examples);
  console.log('ABSTAIN_MODEL = {');
  for (const [name, value] of Object.entries(model)) console.log(`  ${name}: ${value.toFixed(3)},`);
  console.log('}\n');
  for (const threshold of [0.4, 0.5, 0.6, 0.7]) report(examples, model, threshold);
  console.log(`(${SEED_SET} is not fitted: see bench/quality.ts)`);
}

async function examplesOf(name: SetName, offTopic: string[]): Promise<Example[]> {
  const set = await readEvalSet(name);
  const retriever = new Retriever(memoryIndex(set.passages), null, { answerThreshold: 0.5 });
  const questions = calibrationHalf(set.questions).filter((_, i) => name !== 'squad-v1.1-dev' || i % SQUAD_STRIDE === 0);
  const out: Example[] = [];
  for (const c of questions) {
    const { hits, features } = await retriever.rank(c.q, 1);
    const top = hits[0] === undefined ? undefined : set.passages[hits[0].row];
    const right = c.answerable && top !== undefined && matchesGold(c, top);
    if (features === null || (c.answerable && !right)) continue;
    out.push({ set: name, group: `${name} ${c.answerable ? 'right' : 'unanswerable'}`, features, positive: right });
  }
  for (const q of offTopic) {
    const { features } = await retriever.rank(q, 1);
    if (features !== null) out.push({ set: name, group: `${name} off-topic`, features, positive: false });
  }
  console.log(`${name}: ${out.length} examples`);
  return out;
}

/** Class- and group-balanced logistic regression by full-batch gradient descent. */
function fit(examples: Example[]): Record<string, number> {
  const groupSize = new Map<string, number>();
  for (const e of examples) groupSize.set(e.group, (groupSize.get(e.group) ?? 0) + 1);
  const groupsOf = (positive: boolean): number => new Set(examples.filter((e) => e.positive === positive).map((e) => e.group)).size;
  const [positives, negatives] = [groupsOf(true), groupsOf(false)];
  const weightOf = (e: Example): number => 0.5 / ((e.positive ? positives : negatives) * (groupSize.get(e.group) ?? 1));
  const w = new Array<number>(FEATURE_NAMES.length + 1).fill(0);
  for (let it = 0; it < ITERATIONS; it++) {
    const grad = new Array<number>(w.length).fill(0);
    for (const e of examples) {
      const x = [1, ...FEATURE_NAMES.map((f) => e.features[f])];
      const z = x.reduce((s, xi, i) => s + xi * (w[i] ?? 0), 0);
      const err = (1 / (1 + Math.exp(-z)) - (e.positive ? 1 : 0)) * weightOf(e);
      x.forEach((xi, i) => (grad[i] = (grad[i] ?? 0) + err * xi));
    }
    w.forEach((wi, i) => (w[i] = wi - LEARNING_RATE * ((grad[i] ?? 0) + (i > 0 ? L2 * wi : 0))));
  }
  return Object.fromEntries([['bias', w[0] ?? 0], ...FEATURE_NAMES.map((f, i) => [f, w[i + 1] ?? 0])]);
}

/** Per set: share of right answers answered, and of unanswerable/off-topic answered (the ≤ 10% line). */
function report(examples: Example[], model: Record<string, number>, threshold: number): void {
  const rows = SET_NAMES.map((set) => {
    const of = (positive: boolean): Example[] => examples.filter((e) => e.set === set && e.positive === positive);
    const answered = (list: Example[]): string => {
      const n = list.filter((e) => decideVerdict({ features: e.features, confidence: answerConfidence(e.features, model), denseZ: null }, threshold) === 'answered').length;
      return `${((100 * n) / Math.max(1, list.length)).toFixed(0)}%`;
    };
    return `${set.slice(0, 10)} right ${answered(of(true))} / not answerable ${answered(of(false))}`;
  });
  console.log(`threshold ${threshold}: ${rows.join(' | ')}`);
}

await main();
