/**
 * Answer-quality benchmark: citebot against the keyword engines a Node
 * developer would reach for, on every set in ../shared/eval, on the same
 * passages and questions, in one run.
 *
 *   npm run bench:quality [-- --sets squad,fiqa] [--engines citebot,bm25] [--half fit|report|all]
 *                            [--limit N] [--threshold X] [--no-write] [--dump FILE] [--compare OLD_DUMP]
 *
 * Every set's question list is split by position: the fit half (even
 * positions) is what anything tuned may be fitted on; the table reports the
 * report half (odd positions) unless `--half` says otherwise. The seed article
 * (seeds/ with test/fixtures/seed-questions.jsonl, never fitted) comes last;
 * without ../shared/eval it is all that is measured. `--threshold X` sets
 * citebot's answer threshold (default: the config default). A full run (all
 * sets, default engines, no --limit or --threshold) rewrites the "## Answer quality" section of docs/benchmarks.md
 * unless --no-write; `--dump FILE` writes every question's outcome as JSON, and
 * `--compare OLD_DUMP` pairs this run's questions with an earlier dump's
 * (gained / lost at hit@1, sign test, verdict moves).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Embedder } from '../src/types.js';
import { BASELINES, type Baseline } from './baselines.js';
import { citebotSearch, tinyEmbedder } from './citebot-engine.js';
import { EVAL_DIR, SEED_SET, SET_NAMES, questionHalf, readEvalSet, readOffTopicQuestions, type EvalSet, type Half, type SetName } from './eval-sets.js';
import { compareRuns, formatComparisons, readDump } from './quality-compare.js';
import { measureEngine, qualityRow, reachableGold, type MeasuredEngine, type QualityRow, type QuestionPlan, type QuestionResult } from './quality-measure.js';
import { SECTION, headlineTable, pct, qualityTable, writeQualitySection } from './quality-table.js';

const CITEBOT = { citebot: 'citebot, keyword mode', 'citebot-tiny': 'citebot, semantic+keyword, tiny test model ‡ (plumbing only, not a quality claim)' } as const;
type EngineKey = keyof typeof CITEBOT | keyof typeof BASELINES;
const ENGINE_KEYS = [...Object.keys(CITEBOT), ...Object.keys(BASELINES)] as EngineKey[];
/** Orama was far behind (BASELINES.md: 20% / 4% hit@1) and slow; run it with `--engines orama`. */
const DEFAULT_ENGINES: EngineKey[] = ['citebot', 'citebot-tiny', 'minisearch', 'bm25', 'wink'];
const BASELINE_KEYS = Object.keys(BASELINES);

interface Options {
  sets: SetName[];
  engines: EngineKey[];
  half: Half;
  limit: number | null;
  write: boolean;
  dump: string | null;
  compare: string | null;
  /** citebot's answer threshold, when not the default. */
  threshold: number | null;
  /** All sets, default engines, no limit: the run docs/benchmarks.md shows. */
  full: boolean;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) return;
  if (!existsSync(EVAL_DIR)) {
    console.log(`No eval sets at ${EVAL_DIR}; only the seed article is measured.`);
    options.sets = options.sets.filter((name) => name === SEED_SET);
    options.full = false;
  }
  const { rows, results } = await measureAll(options);
  const generated = report(rows, options);
  console.log(`\n${generated}\n`);
  if (options.dump !== null) {
    await writeFile(options.dump, `[\n${results.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
    console.log(`Wrote ${results.length} question results to ${options.dump}.`);
  }
  if (options.compare !== null) {
    const comparisons = formatComparisons(compareRuns(await readDump(options.compare), results));
    console.log(`Against ${options.compare} (questions asked in both runs):\n${comparisons || '(no questions in common)'}\n`);
  }
  if (options.write && options.full) {
    await writeQualitySection(generated);
    console.log(`Wrote the "${SECTION}" section of docs/benchmarks.md.`);
  } else {
    const why = options.write ? 'a partial run: --sets, --engines, --limit or --threshold given' : '--no-write';
    console.log(`docs/benchmarks.md not rewritten (${why}).`);
  }
}

/** Every chosen engine on every chosen set, each row printed as it is done. */
async function measureAll(options: Options): Promise<{ rows: QualityRow[]; results: QuestionResult[] }> {
  const offTopic = await readOffTopicQuestions();
  const rows: QualityRow[] = [];
  const results: QuestionResult[] = [];
  let tiny: Awaited<ReturnType<typeof tinyEmbedder>> | null = null;
  try {
    for (const name of options.sets) {
      const set = await readEvalSet(name);
      const shown = halvesShown(set, options);
      const plan = questionPlan(set, offTopic, shown.includes('all') ? 'all' : options.half, options.limit);
      console.log(`${name}: ${set.passages.length} citebot passages, ${set.units.length} baseline units; ` +
        `asking ${plan.answerable.length} answerable, ${plan.unanswerable.length} ${plan.unanswerableSource}${reachability(set)}`);
      for (const key of options.engines) {
        if (key === 'citebot-tiny') tiny ??= await tinyEmbedder();
        const engine = await buildEngine(key, set, tiny?.embedder ?? null, options.threshold);
        const measured = await measureEngine(set, engine, plan);
        results.push(...measured);
        for (const half of shown) {
          const row = qualityRow(set, engine, plan, measured, half);
          rows.push(row);
          console.log(`  ${rowLine(row)}`);
        }
      }
    }
  } finally {
    await tiny?.cleanup();
  }
  return { rows, results };
}

/**
 * The halves a set's rows show: the one asked for, and for a document set (50
 * questions, so 1 question = 5 points of its report half) every question too.
 */
function halvesShown(set: EvalSet, options: Options): Half[] {
  const extra = set.kind === 'document' && options.half === 'report' && options.limit === null;
  return extra ? ['report', 'all'] : [options.half];
}

/** For a document set: answerable questions whose gold passage citebot's passages contain at all. */
function reachability(set: EvalSet): string {
  if (set.kind !== 'document') return '';
  const { reachable, answerable } = reachableGold(set);
  return `; gold passage present among citebot's passages for ${reachable} of ${answerable} answerable`;
}

/** Which questions a run asks of a set: one half (or all), the first `limit` of it. */
function questionPlan(set: EvalSet, offTopic: string[], half: Half, limit: number | null): QuestionPlan {
  const cut = <T>(items: T[]): T[] => (limit === null ? items : items.slice(0, limit));
  const positioned = cut(questionHalf(set.questions.map((c, position) => ({ position, case: c })), half));
  const answerable = positioned.filter((p) => p.case.answerable);
  if (set.questions.some((c) => !c.answerable)) {
    const unanswerable = positioned.filter((p) => !p.case.answerable).map((p) => ({ position: p.position, q: p.case.q }));
    return { answerable, unanswerable, unanswerableSource: 'unanswerable' };
  }
  // Sets without unanswerables are judged on the hand-written off-topic questions, split the same way.
  const unanswerable = cut(questionHalf(offTopic.map((q, position) => ({ position, q })), half));
  return { answerable, unanswerable, unanswerableSource: 'off-topic' };
}

async function buildEngine(key: EngineKey, set: EvalSet, tiny: Embedder | null, threshold: number | null): Promise<MeasuredEngine> {
  if (key === 'citebot' || key === 'citebot-tiny') {
    const search = await citebotSearch(set.passages, key === 'citebot' ? null : tiny, threshold ?? undefined);
    return { key, label: CITEBOT[key], judges: true, ask: search };
  }
  const baseline: Baseline = BASELINES[key];
  const search = await baseline.build(set.units);
  return {
    key,
    label: baseline.label,
    judges: false,
    async ask(question) {
      const started = performance.now();
      const ranked = await search(question);
      return { ranked, verdict: null, confidence: null, ms: performance.now() - started };
    },
  };
}

function rowLine(r: QualityRow): string {
  const who = r.half === 'all' ? `${r.engine} (all questions)` : r.engine;
  const verdicts = (v: QualityRow['answerableVerdicts']): string =>
    v === null ? '' : `${pct(v.answered)} answered / ${pct(v.unsure)} unsure / ${pct(v.none)} none`;
  const parts = [
    `${who}: hit@1 ${pct(r.hit1)}`,
    `hit@3 ${pct(r.hit3)}`,
    `MRR@10 ${r.mrr10.toFixed(3)}`,
    ...(r.fileHit1 === null ? [] : [`file hit@1 ${pct(r.fileHit1)}`]),
    ...(r.answerableVerdicts === null ? [] : [`answerable ${verdicts(r.answerableVerdicts)}`]),
    ...(r.unanswerableVerdicts === null ? [] : [`${r.unanswerableSource} ${verdicts(r.unanswerableVerdicts)}`]),
    `p95 ${r.p95Ms.toFixed(2)} ms`,
  ];
  return parts.join(', ');
}

function report(rows: QualityRow[], options: Options): string {
  const halfName = { fit: 'fit half (even positions)', report: 'report half (odd positions)', all: 'every question' }[options.half];
  return [
    `Questions: the ${halfName} of each set${options.limit === null ? '' : `, first ${options.limit} only`}` +
      `${rows.some((r) => r.half === 'all') && options.half !== 'all' ? '; the document sets also with every question ("all")' : ''}.`,
    '',
    headlineTable(rows, 'citebot', BASELINE_KEYS),
    '',
    qualityTable(rows),
    '',
    TABLE_NOTES,
  ].join('\n');
}

const TABLE_NOTES = `How to read the table:

- **Halves.** Each set's questions.jsonl is split by position: even positions are the fit half (anything fitted — weights,
  thresholds, stop lists — may look at these only), odd positions the report half shown here. The off-topic questions
  (bench/offtopic-questions.txt) are split the same way. \`npm run bench:quality -- --half fit|all\` shows the others.
  The document sets have 50 questions (20 answerable in the report half: one question is 5 points), so they are also
  shown on every question ("all"). **seeds** is the bundled seed article with test/fixtures/seed-questions.jsonl: never
  fitted on, shown the same way.
- **Units.** Paragraph sets (squad, covidqa, fiqa, wikiqa): gold = \`{file, paragraph}\` by the sets' reader rule; baselines
  index those paragraphs; citebot indexes its own passages (loader + splitter) and the parts of a split paragraph count
  once. Document sets (python-docs-html, discordjs-guide-md): citebot reads the HTML/Markdown folder through its real loader
  and splitter, and **the baselines index citebot's own searchable passages**, so the comparison is about ranking alone
  (so do they on seeds, whose lines are paragraphs). The run's log says, per document set, for how many answerable
  questions the gold passage exists among citebot's passages at all.
- **Hit at rank k**, document sets: the k-th distinct passage is from a file in \`expect_files\` and contains \`expect_text\`,
  compared with whitespace collapsed, or else after a light normalisation of both sides (NFKC; ’ ‘ → ', “ ” → ";
  backticks, \`**\`, \`__\` and ¶ removed; whitespace next to punctuation removed). *file hit@1* = the first result is from a file
  in \`expect_files\`. The same matching is used by \`citebot eval\` (src/search/eval.ts).
- **Ranking vs verdict.** hit@k and MRR@10 score citebot's ranked order whatever its verdict (an *unsure* or *none*
  answer shows fewer quotes than it ranks). The verdict columns give the share of questions that citebot *answered*, was
  *unsure* about, or refused (*none*), at the default threshold; for answerable questions, and for questions that should
  not be answered: wikiqa's and the document sets' unanswerables, else the off-topic questions.
- **Baselines** use their defaults: MiniSearch 7.2.0 \`{fields: ['text']}\`; plain BM25 (bench/bm25.ts: k1 1.2, b 0.75,
  lower-cased \`[a-z0-9]+\` tokens, NLTK's English stop words, no stemming, Lucene's non-negative IDF); wink-bm25-text-search
  3.1.2 with the exact config and prep task vectra 0.12.3 runs for its BM25 option (see ../shared/eval/BASELINES.md),
  built once. Orama (far behind there) is left out; \`--engines orama\` runs it.
  Check: plain BM25 on every question (\`--half all\`) gives exactly the probe figures in the sets' READMEs, FiQA 40.7%
  hit@1 / MRR@10 0.503 and WikiQA 81.8% / 0.873.
- ‡ **The semantic row only shows the plumbing works.** It uses the tiny random-weight test model
  (test/fixtures/tiny-model.mjs), whose vectors carry no meaning. No real model can be run here, so semantic quality is not
  measured, and nothing is tuned on this row.
- Times are per \`ask\`/\`search\` call, after one untimed warm-up question, on a shared 2-core machine (expect ±20–50%
  noise); citebot's include near-duplicate merging and highlighting for 10 results.`;

/** Reads the flags; prints one line and returns null on a bad one. */
function parseOptions(argv: string[]): Options | null {
  const fail = (why: string): null => {
    console.error(`bench:quality: ${why}`);
    process.exitCode = 1;
    return null;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sets: { type: 'string' },
        engines: { type: 'string' },
        half: { type: 'string', default: 'report' },
        limit: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
        dump: { type: 'string' },
        compare: { type: 'string' },
        threshold: { type: 'string' },
      },
    }));
  } catch (err) {
    return fail((err as Error).message);
  }
  const sets: SetName[] | string = values.sets === undefined ? [...SET_NAMES, SEED_SET] : pickSets(values.sets);
  if (typeof sets === 'string') return fail(sets);
  const engines = values.engines === undefined ? DEFAULT_ENGINES : values.engines.split(',').map((e) => e.trim());
  const unknown = engines.filter((e) => !ENGINE_KEYS.includes(e as EngineKey));
  if (unknown.length > 0) return fail(`unknown engine ${unknown.join(', ')} (known: ${ENGINE_KEYS.join(', ')})`);
  if (!['fit', 'report', 'all'].includes(values.half)) return fail(`--half must be fit, report or all, not ${values.half}`);
  const limit = values.limit === undefined ? null : Number(values.limit);
  if (limit !== null && !(Number.isInteger(limit) && limit > 0)) return fail(`--limit must be a whole number from 1, not ${values.limit}`);
  const threshold = values.threshold === undefined ? null : Number(values.threshold);
  if (threshold !== null && !(Number.isFinite(threshold) && threshold >= 0 && threshold <= 1)) {
    return fail(`--threshold must be a number from 0 to 1, not ${values.threshold}`);
  }
  if (values.compare !== undefined && !existsSync(values.compare)) return fail(`--compare: no such file ${values.compare}`);
  const full = values.sets === undefined && values.engines === undefined && limit === null && threshold === null;
  return { sets, engines: engines as EngineKey[], half: values.half as Half, limit, write: !values['no-write'], dump: values.dump ?? null, compare: values.compare ?? null, threshold, full };
}

/** Set names from `--sets`: each a full name or an unambiguous prefix ("squad", "python"). */
function pickSets(list: string): SetName[] | string {
  const known: SetName[] = [...SET_NAMES, SEED_SET];
  const out: SetName[] = [];
  for (const wanted of list.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const matches = known.filter((name) => name === wanted || name.startsWith(wanted));
    if (matches.length !== 1) return `--sets: ${wanted} ${matches.length === 0 ? 'is no set' : 'is ambiguous'} (sets: ${known.join(', ')})`;
    out.push(matches[0] as SetName);
  }
  return out.length > 0 ? out : `--sets is empty (sets: ${known.join(', ')})`;
}

await main();
