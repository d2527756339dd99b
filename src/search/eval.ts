/**
 * The engine of `citebot eval FILE.jsonl`: runs labelled questions through
 * `ask` and reports how often the right passage comes first (hit@k, MRR@10),
 * which verdict (answered / unsure / none) answerable and unanswerable
 * questions got, and how long questions take. bench/quality.ts scores its
 * engines with the same matching (`matchesGold`, `goldRank`).
 *
 * One case per line:
 *   {"q": "Who led the team?", "file": "a.txt", "paragraph": 4}   gold passage
 *   {"q": "…", "expect_text": "Marco Rubio"}                      the right passage contains this
 *   {"q": "…", "expect_files": ["a.txt", "b.md"]}                any passage of these files will do
 *   {"q": "…", "expect_files": ["a.md"], "expect_text": "…"}       a passage of these files containing this
 *   {"q": "How do I bake a cake?", "answerable": false}           should not be answered
 * Other keys (an "id", "answers") are ignored, so the shared eval sets load as-is.
 */
import { CitebotError } from '../errors.js';
import type { Answer, Passage, Verdict } from '../types.js';

/** What ranking and matching need of a result: citebot passages and benchmark baselines' paragraphs both fit. */
export type RankedUnit = Pick<Passage, 'file' | 'paragraph' | 'text'>;

/** One labelled question. */
export interface EvalCase {
  /** 1-based line in the file, for messages. */
  line: number;
  q: string;
  file?: string;
  paragraph?: number;
  expectText?: string;
  expectFiles?: string[];
  /** False when the documents don't answer it (citebot should abstain). */
  answerable: boolean;
}

/** Ranking quality over the cases that have a gold answer at one level. */
export interface RankMetrics {
  cases: number;
  hit1: number;
  hit3: number;
  hit5: number;
  mrr10: number;
}

/** How one group of questions (answerable, or not) was judged: shares of each verdict. */
export interface VerdictShares {
  cases: number;
  answered: number;
  unsure: number;
  none: number;
}

/** Positive class = "should abstain" (anything but `answered` counts as abstaining). Null where the ratio has no denominator. */
export interface AbstentionMetrics {
  shouldAbstain: number;
  abstained: number;
  precision: number | null;
  recall: number | null;
  /** Share of answerable questions that were answered. */
  answeredRate: number | null;
}

/** What happened to one case (the `--json` output lists them). */
export interface CaseResult {
  line: number;
  q: string;
  /** 1-based rank of the gold passage (or file) among distinct paragraphs, 0 = not in the top 10; null = no gold. */
  rank: number | null;
  level: 'passage' | 'file' | null;
  /** 1-based rank of the first result from an acceptable file, among distinct files; null when the case names no file. */
  fileRank: number | null;
  answered: boolean;
  verdict: Verdict;
  confidence: number;
  ms: number;
}

export interface EvalReport {
  questions: number;
  passage: RankMetrics | null;
  /** By file, over every answerable case that names one ("file" or "expect_files"). */
  file: RankMetrics | null;
  /** Verdict shares of the answerable and of the unanswerable questions (null when there are none). */
  verdicts: { answerable: VerdictShares | null; unanswerable: VerdictShares | null };
  abstention: AbstentionMetrics;
  latency: { meanMs: number; p95Ms: number };
  cases: CaseResult[];
}

/** How deep ranks are looked for (MRR@10). */
export const EVAL_DEPTH = 10;

/**
 * Parses a JSONL eval file; a bad line throws a CitebotError naming it.
 *
 * @example
 * parseEvalCases('{"q": "Who?", "file": "a.txt", "paragraph": 2}\n');
 * // → [{ line: 1, q: 'Who?', file: 'a.txt', paragraph: 2, answerable: true }]
 */
export function parseEvalCases(text: string, source = 'eval file'): EvalCase[] {
  const cases: EvalCase[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    cases.push(parseCase(raw, i + 1, source));
  });
  if (cases.length === 0) throw new CitebotError(`${source} has no questions.`, { hint: 'Write one JSON object per line: {"q": "…"}.' });
  return cases;
}

function parseCase(raw: string, line: number, source: string): EvalCase {
  const fail = (why: string): CitebotError =>
    new CitebotError(`${source} line ${line}: ${why}.`, {
      hint: 'Each line is {"q": "…"} plus "file"+"paragraph", "expect_text", "expect_files" or "answerable": false.',
    });
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw fail('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('expected a JSON object');
  const obj = value as Record<string, unknown>;
  if (typeof obj.q !== 'string' || obj.q.trim() === '') throw fail('"q" must be a non-empty string');
  const out: EvalCase = { line, q: obj.q, answerable: true };
  if (obj.answerable !== undefined) {
    if (typeof obj.answerable !== 'boolean') throw fail('"answerable" must be true or false');
    out.answerable = obj.answerable;
  }
  if (obj.file !== undefined) {
    if (typeof obj.file !== 'string' || obj.file === '') throw fail('"file" must be a non-empty string');
    out.file = obj.file;
  }
  if (obj.paragraph !== undefined) {
    if (!Number.isInteger(obj.paragraph) || (obj.paragraph as number) < 1) throw fail('"paragraph" must be a whole number from 1');
    if (out.file === undefined) throw fail('"paragraph" needs a "file"');
    out.paragraph = obj.paragraph as number;
  }
  if (obj.expect_text !== undefined) {
    if (typeof obj.expect_text !== 'string' || obj.expect_text.trim() === '') throw fail('"expect_text" must be a non-empty string');
    out.expectText = obj.expect_text;
  }
  if (obj.expect_files !== undefined) {
    const files = obj.expect_files;
    if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === 'string' && f !== '')) {
      throw fail('"expect_files" must be a non-empty list of file names');
    }
    out.expectFiles = files as string[];
  }
  return out;
}

/** Whether a case is judged by passage, by file, or not ranked at all. */
function goldLevel(c: EvalCase): 'passage' | 'file' | null {
  if (!c.answerable) return null;
  if (c.paragraph !== undefined || c.expectText !== undefined) return 'passage';
  if (c.file !== undefined || c.expectFiles !== undefined) return 'file';
  return null;
}

/**
 * True when a passage satisfies every gold condition the case gives.
 * `expect_text` is found by {@link containsQuote}.
 *
 * @example
 * matchesGold({ line: 1, q: 'x', file: 'a.txt', paragraph: 2, answerable: true }, passage);
 */
export function matchesGold(c: EvalCase, passage: RankedUnit): boolean {
  if (!matchesFile(c, passage)) return false;
  if (c.paragraph !== undefined && passage.paragraph !== c.paragraph) return false;
  if (c.expectText !== undefined && !containsQuote(passage.text, c.expectText)) return false;
  return true;
}

/** True when the case names no file, or the passage comes from one it names. */
export function matchesFile(c: EvalCase, passage: RankedUnit): boolean {
  if (c.file !== undefined && passage.file !== c.file) return false;
  if (c.expectFiles !== undefined && !c.expectFiles.includes(passage.file)) return false;
  return true;
}

/**
 * Whether `text` contains `quote`, as a reader would judge it: first with
 * whitespace runs collapsed to one space (line wraps don't make a quote
 * wrong), then, failing that, after {@link lenientText} on both sides.
 *
 * @example
 * containsQuote('the object’s\n`name`', "object's name"); // → true
 */
export function containsQuote(text: string, quote: string): boolean {
  return squash(text).includes(squash(quote)) || lenientText(text).includes(lenientText(quote));
}

/** Whitespace differences (line wraps) don't make a quote wrong. */
function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The light normalisation a reader accepts as "the same words": Unicode NFKC;
 * typographic quotes folded to ASCII (’ ‘ → ', “ ” → "); Markdown inline marks
 * (backticks, `**`, `__`) and Sphinx's "¶" dropped; whitespace next to any
 * punctuation dropped (HTML code spans stripped to "csv . reader ( f )" read
 * as "csv.reader(f)"); other whitespace runs collapsed to one space. Applied to
 * both sides alike. Nothing else: no case folding, no stemming.
 *
 * @example
 * lenientText('Use `csv . reader ( f )`¶'); // → 'Use csv.reader(f)'
 */
export function lenientText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201F\u2033]/g, '"')
    .replace(/`|\*\*|__|\u00B6/g, '')
    .replace(/\s*([^\p{L}\p{N}\s])\s*/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * 1-based rank of the first gold unit among distinct units (the parts of a split
 * paragraph count once, at the rank of the first part shown; at file level, a
 * file counts once), or 0 when it is not within `depth`. A later part of a unit
 * already counted still makes that unit gold: with `expect_text`, the quote may
 * sit in part 2.
 *
 * @example
 * goldRank([p('a.txt', 1), p('a.txt', 1), p('b.txt', 3)], (x) => x.file === 'b.txt', 'passage'); // → 2
 */
export function goldRank<T extends Pick<Passage, 'file' | 'paragraph'>>(
  ranked: readonly T[],
  isGold: (passage: T) => boolean,
  level: 'passage' | 'file',
  depth: number = EVAL_DEPTH,
): number {
  const rankOf = new Map<string, number>();
  for (const passage of ranked) {
    const unit = level === 'file' ? passage.file : `${passage.file}\u0000${passage.paragraph}`;
    const rank = rankOf.get(unit) ?? rankOf.size + 1;
    if (rank > depth) return 0;
    rankOf.set(unit, rank);
    if (isGold(passage)) return rank;
  }
  return 0;
}

/**
 * Share of ranks from 1 to k (0 = not found).
 *
 * @example
 * hitAt([1, 2, 0, 4], 3); // → 0.5
 */
export function hitAt(ranks: readonly number[], k: number): number {
  if (ranks.length === 0) return 0;
  return ranks.filter((r) => r >= 1 && r <= k).length / ranks.length;
}

/**
 * Mean reciprocal rank, counting only ranks up to k.
 *
 * @example
 * mrrAt([1, 2, 0, 4], 10); // → (1 + 0.5 + 0 + 0.25) / 4 = 0.4375
 */
export function mrrAt(ranks: readonly number[], k: number): number {
  if (ranks.length === 0) return 0;
  return ranks.reduce((sum, r) => sum + (r >= 1 && r <= k ? 1 / r : 0), 0) / ranks.length;
}

/**
 * Abstention precision and recall, with "should abstain" as the positive class.
 *
 * @example
 * abstentionMetrics([{ shouldAbstain: true, abstained: true }, { shouldAbstain: false, abstained: true }]);
 * // → { shouldAbstain: 1, abstained: 2, precision: 0.5, recall: 1, answeredRate: 0 }
 */
export function abstentionMetrics(outcomes: ReadonlyArray<{ shouldAbstain: boolean; abstained: boolean }>): AbstentionMetrics {
  const tp = outcomes.filter((o) => o.shouldAbstain && o.abstained).length;
  const shouldAbstain = outcomes.filter((o) => o.shouldAbstain).length;
  const abstained = outcomes.filter((o) => o.abstained).length;
  const answerable = outcomes.length - shouldAbstain;
  const answered = outcomes.filter((o) => !o.shouldAbstain && !o.abstained).length;
  return {
    shouldAbstain,
    abstained,
    precision: abstained === 0 ? null : tp / abstained,
    recall: shouldAbstain === 0 ? null : tp / shouldAbstain,
    answeredRate: answerable === 0 ? null : answered / answerable,
  };
}

/**
 * Shares of each verdict in a list, or null for an empty list.
 *
 * @example
 * verdictShares(['answered', 'none', 'none', 'unsure']);
 * // → { cases: 4, answered: 0.25, unsure: 0.25, none: 0.5 }
 */
export function verdictShares(verdicts: readonly Verdict[]): VerdictShares | null {
  if (verdicts.length === 0) return null;
  const share = (v: Verdict): number => verdicts.filter((x) => x === v).length / verdicts.length;
  return { cases: verdicts.length, answered: share('answered'), unsure: share('unsure'), none: share('none') };
}

/**
 * Nearest-rank percentile (p in 0–100) of a list of numbers; 0 for an empty list.
 *
 * @example
 * percentile([5, 1, 4, 2, 3], 95); // → 5
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}

/**
 * Arithmetic mean; 0 for an empty list.
 *
 * @example
 * mean([1, 0, 0.5]); // 0.5
 */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Ranking metrics over a list of ranks (0 = not found), or null for none. */
function rankMetrics(ranks: readonly number[]): RankMetrics | null {
  if (ranks.length === 0) return null;
  return {
    cases: ranks.length,
    hit1: hitAt(ranks, 1),
    hit3: hitAt(ranks, 3),
    hit5: hitAt(ranks, 5),
    mrr10: mrrAt(ranks, EVAL_DEPTH),
  };
}

/**
 * Asks every question in turn and scores the answers. `ask` should return at
 * least 10 results (MRR@10 looks that deep).
 *
 * @example
 * const report = await runEval((q) => library.ask(q, { topK: 10 }), parseEvalCases(text));
 * console.log(formatEvalReport(report));
 */
export async function runEval(
  ask: (question: string) => Promise<Answer>,
  cases: readonly EvalCase[],
  now: () => number = () => performance.now(),
): Promise<EvalReport> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const started = now();
    const answer = await ask(c.q);
    const ms = now() - started;
    const level = goldLevel(c);
    const ranked = answer.results.map((hit) => hit.passage);
    const rank = level === null ? null : goldRank(ranked, (p) => matchesGold(c, p), level);
    const namesFile = c.answerable && (c.file !== undefined || c.expectFiles !== undefined);
    const fileRank = namesFile ? goldRank(ranked, (p) => matchesFile(c, p), 'file') : null;
    const { answered, verdict, confidence } = answer;
    results.push({ line: c.line, q: c.q, rank, level, fileRank, answered, verdict, confidence, ms });
  }
  return summarise(results, cases);
}

function summarise(results: CaseResult[], cases: readonly EvalCase[]): EvalReport {
  const passageRanks = results.filter((r) => r.level === 'passage').map((r) => r.rank ?? 0);
  const fileRanks = results.flatMap((r) => (r.fileRank === null ? [] : [r.fileRank]));
  const verdictsOf = (answerable: boolean): Verdict[] =>
    results.filter((_, i) => cases[i]?.answerable === answerable).map((r) => r.verdict);
  const times = results.map((r) => r.ms);
  return {
    questions: results.length,
    passage: rankMetrics(passageRanks),
    file: rankMetrics(fileRanks),
    verdicts: { answerable: verdictShares(verdictsOf(true)), unanswerable: verdictShares(verdictsOf(false)) },
    abstention: abstentionMetrics(
      results.map((r, i) => ({ shouldAbstain: cases[i]?.answerable === false, abstained: !r.answered })),
    ),
    latency: { meanMs: mean(times), p95Ms: percentile(times, 95) },
    cases: results,
  };
}

/**
 * The report as a plain-text table.
 *
 * @example
 * formatEvalReport(report);
 * // level    questions  hit@1  hit@3  hit@5  MRR@10
 * // passage         30  90.0%  96.7%  100%   0.942 …
 */
export function formatEvalReport(report: EvalReport): string {
  const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
  const rows: string[][] = [['level', 'questions', 'hit@1', 'hit@3', 'hit@5', 'MRR@10']];
  for (const [name, m] of [['passage', report.passage], ['file', report.file]] as const) {
    if (m !== null) rows.push([name, String(m.cases), pct(m.hit1), pct(m.hit3), pct(m.hit5), m.mrr10.toFixed(3)]);
  }
  const a = report.abstention;
  const lines = rows.length > 1 ? table(rows) : ['(no questions with a gold passage or file)'];
  lines.push('', ...verdictTable(report.verdicts, pct));
  lines.push(
    '',
    `abstention (positive = should abstain): ${a.shouldAbstain} should, ${a.abstained} did;` +
      ` precision ${pct(a.precision)}, recall ${pct(a.recall)}; answerable answered ${pct(a.answeredRate)}`,
    `latency: mean ${report.latency.meanMs.toFixed(1)} ms, p95 ${report.latency.p95Ms.toFixed(1)} ms over ${report.questions} questions`,
  );
  return lines.join('\n');
}

/** One row per group of questions: how many got each verdict. */
function verdictTable(verdicts: EvalReport['verdicts'], pct: (x: number) => string): string[] {
  const rows: string[][] = [['verdict', 'questions', 'answered', 'unsure', 'none']];
  for (const [name, v] of [['answerable', verdicts.answerable], ['unanswerable', verdicts.unanswerable]] as const) {
    if (v !== null) rows.push([name, String(v.cases), pct(v.answered), pct(v.unsure), pct(v.none)]);
  }
  return table(rows);
}

/** Left-aligned first column, right-aligned numbers. */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows.map((r) =>
    r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  '),
  );
}
