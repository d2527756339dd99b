/**
 * Scores one engine on one set: the rank of the gold passage for every
 * answerable question (the same `matchesGold`/`goldRank` as `citebot eval`),
 * the file rank, the verdict of every question when the engine gives one, and
 * the time of each call.
 *
 * @example
 * const { row, results } = await measureEngine(set, engine, { answerable, unanswerable });
 */
import { goldRank, hitAt, matchesFile, matchesGold, mrrAt, percentile, verdictShares, type EvalCase, type RankedUnit, type VerdictShares } from '../src/search/eval.js';
import type { Verdict } from '../src/types.js';
import { inHalf, type EvalSet, type Half } from './eval-sets.js';

/** An engine's outcome for one question; `verdict` is null for engines that always answer. */
export interface EngineOutcome {
  ranked: RankedUnit[];
  verdict: Verdict | null;
  confidence: number | null;
  ms: number;
}

export interface MeasuredEngine {
  key: string;
  label: string;
  ask(question: string): Promise<EngineOutcome>;
  /** Whether it decides answered / unsure / none (only citebot does). */
  judges: boolean;
}

/** The questions one run asks of a set. */
export interface QuestionPlan {
  /** Answerable cases, with their position in the set's question list. */
  answerable: Array<{ position: number; case: EvalCase }>;
  /** Questions that should not be answered, and where they come from. */
  unanswerable: Array<{ position: number; q: string }>;
  unanswerableSource: string;
}

/** One row of the table. */
export interface QualityRow {
  set: string;
  /** Which questions the row covers. */
  half: Half;
  engine: string;
  label: string;
  answerable: number;
  hit1: number;
  hit3: number;
  mrr10: number;
  /** Document sets only: the first result comes from one of `expect_files`. */
  fileHit1: number | null;
  answerableVerdicts: VerdictShares | null;
  unanswerableVerdicts: VerdictShares | null;
  unanswerableSource: string;
  p95Ms: number;
}

/**
 * How many answerable questions have a gold passage among citebot's searchable
 * passages at all: a miss of the others is the loader's or splitter's, not the ranking's.
 */
export function reachableGold(set: EvalSet): { reachable: number; answerable: number } {
  const answerable = set.questions.filter((c) => c.answerable);
  const searchable = set.passages.filter((p) => p.searchable);
  const reachable = answerable.filter((c) => searchable.some((p) => matchesGold(c, p))).length;
  return { reachable, answerable: answerable.length };
}

/** One question's line in the `--dump` file. */
export interface QuestionResult {
  set: string;
  engine: string;
  /** 0-based position in the set's questions.jsonl (or in bench/offtopic-questions.txt). */
  position: number;
  group: 'answerable' | 'unanswerable';
  q: string;
  gold: { file?: string; paragraph?: number; expect_files?: string[]; expect_text?: string; text?: string } | null;
  /** 1-based rank of the gold passage among distinct paragraphs, 0 = not in the top 10. */
  rank: number | null;
  fileRank: number | null;
  verdict: Verdict | null;
  confidence: number | null;
  ms: number;
  top: Array<{ file: string; paragraph: number; text: string }>;
}

const SNIPPET = 160;
const TOP_SHOWN = 3;

/** Asks every planned question and scores the answers. */
export async function measureEngine(set: EvalSet, engine: MeasuredEngine, plan: QuestionPlan): Promise<QuestionResult[]> {
  const results: QuestionResult[] = [];
  const goldText = new Map(set.units.map((u) => [`${u.file}#${u.paragraph}`, u.text]));
  // One untimed question first: the first answer also reads the thesaurus and warms the JIT, which is
  // start-up (bench:startup measures it), not a question's latency; in an 18-question set it would be the p95.
  const warmUp = plan.answerable[0]?.case.q;
  if (warmUp !== undefined) await engine.ask(warmUp);
  for (const { position, case: c } of plan.answerable) {
    const outcome = await engine.ask(c.q);
    const rank = goldRank(outcome.ranked, (p) => matchesGold(c, p), 'passage');
    const fileRank = goldRank(outcome.ranked, (p) => matchesFile(c, p), 'file');
    const text = c.paragraph === undefined ? undefined : goldText.get(`${c.file}#${c.paragraph}`);
    results.push(resultOf(set, engine, position, 'answerable', c.q, goldOf(c, text), rank, fileRank, outcome));
  }
  if (engine.judges) {
    for (const { position, q } of plan.unanswerable) {
      results.push(resultOf(set, engine, position, 'unanswerable', q, null, null, null, await engine.ask(q)));
    }
  }
  return results;
}

/**
 * The table row of one engine on one set, over the results that fall in `half`
 * (by their position; a run that asked every question gives both halves).
 */
export function qualityRow(set: EvalSet, engine: MeasuredEngine, plan: QuestionPlan, all: QuestionResult[], half: Half): QualityRow {
  const results = all.filter((r) => inHalf(r.position, half));
  const answerable = results.filter((r) => r.group === 'answerable');
  const ranks = answerable.map((r) => r.rank ?? 0);
  const verdicts = (group: QuestionResult['group']): VerdictShares | null =>
    engine.judges ? verdictShares(results.filter((r) => r.group === group).flatMap((r) => r.verdict ?? [])) : null;
  return {
    set: set.name,
    half,
    engine: engine.key,
    label: engine.label,
    answerable: answerable.length,
    hit1: hitAt(ranks, 1),
    hit3: hitAt(ranks, 3),
    mrr10: mrrAt(ranks, 10),
    fileHit1: set.kind === 'document' ? hitAt(answerable.map((r) => r.fileRank ?? 0), 1) : null,
    answerableVerdicts: verdicts('answerable'),
    unanswerableVerdicts: verdicts('unanswerable'),
    unanswerableSource: plan.unanswerableSource,
    p95Ms: percentile(results.map((r) => r.ms), 95),
  };
}

/** The case's gold, with the start of the gold paragraph's text when the set has one (to read a miss beside it). */
function goldOf(c: EvalCase, text: string | undefined): QuestionResult['gold'] {
  return {
    ...(text === undefined ? {} : { text: snippet(text) }),
    ...(c.file === undefined ? {} : { file: c.file }),
    ...(c.paragraph === undefined ? {} : { paragraph: c.paragraph }),
    ...(c.expectFiles === undefined ? {} : { expect_files: c.expectFiles }),
    ...(c.expectText === undefined ? {} : { expect_text: c.expectText }),
  };
}

function resultOf(
  set: EvalSet,
  engine: MeasuredEngine,
  position: number,
  group: QuestionResult['group'],
  q: string,
  gold: QuestionResult['gold'],
  rank: number | null,
  fileRank: number | null,
  outcome: EngineOutcome,
): QuestionResult {
  const top = outcome.ranked.slice(0, TOP_SHOWN).map((u) => ({ file: u.file, paragraph: u.paragraph, text: snippet(u.text) }));
  const { verdict, confidence, ms } = outcome;
  return { set: set.name, engine: engine.key, position, group, q, gold, rank, fileRank, verdict, confidence, ms, top };
}

function snippet(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, SNIPPET);
}
