/**
 * The shared eval sets (../shared/eval beside the repo), read for the quality
 * benchmark and the abstention calibration. Nothing is copied into the repo.
 *
 * Two kinds of set:
 * - paragraph sets (SQuAD, COVID-QA, FiQA, WikiQA): `.txt` articles, gold =
 *   `{file, paragraph}` by the sets' reader rule (split on blank lines, trim,
 *   drop empties). Baselines index those paragraphs.
 * - document sets (python-docs-html, discordjs-guide-md): real HTML/Markdown
 *   folders, gold = `{expect_files, expect_text}`. Baselines index citebot's
 *   own searchable passages, so the comparison is about ranking alone.
 *
 * Citebot always reads a set through its own loader and splitter
 * (loadDocuments + splitDocuments, what ingest does). Questions are parsed by
 * `parseEvalCases`, the same parser as `citebot eval`.
 *
 * @example
 * const set = await readEvalSet('fiqa');
 * const cases = questionHalf(set.questions, 'report'); // odd positions
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDocuments } from '../src/documents/load.js';
import { splitDocuments } from '../src/documents/split.js';
import { parseEvalCases, type EvalCase, type RankedUnit } from '../src/search/eval.js';
import type { Passage } from '../src/types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EVAL_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'eval');

/** Every set bench/quality.ts measures, in table order. */
export const SET_NAMES = [
  'squad-v1.1-dev',
  'covidqa-2020-04-23',
  'fiqa',
  'wikiqa',
  'python-docs-html',
  'discordjs-guide-md',
] as const;
/**
 * Also measured by default, after the shared sets: the bundled seed article
 * with test/fixtures/seed-questions.jsonl (36 answerable, 36 off-topic),
 * never fitted on. Present in every clone.
 */
export const SEED_SET = 'seeds';
export type SetName = (typeof SET_NAMES)[number] | typeof SEED_SET;


/** Sets whose baselines index citebot's own passages: real documentation folders, and the seed article (one paragraph per line). */
const DOCUMENT_SETS: ReadonlySet<string> = new Set<SetName>(['python-docs-html', 'discordjs-guide-md', SEED_SET]);

/** A paragraph per the sets' reader rule: split on blank lines, trim, drop empties. */
export interface Paragraph extends RankedUnit {
  id: number;
}

export interface EvalSet {
  name: SetName;
  kind: 'paragraph' | 'document';
  docsDir: string;
  /** Citebot's passages (all of them, searchable or not), as ingest makes them. */
  passages: Passage[];
  /** What the baselines index: reader-rule paragraphs, or citebot's searchable passages for a document set. */
  units: Paragraph[];
  /** Every question of the set, in file order (answerable and unanswerable). */
  questions: EvalCase[];
}

/** Which part of a list is measured: the fit half (even positions), the report half (odd), or all. */
export type Half = 'fit' | 'report' | 'all';

/** Reads one set; the documents go through citebot's own loader and splitter. */
export async function readEvalSet(name: SetName): Promise<EvalSet> {
  const seed = name === SEED_SET;
  const docsDir = seed ? path.join(REPO_ROOT, 'seeds') : path.join(EVAL_DIR, name, 'docs');
  const file = seed ? path.join(REPO_ROOT, 'test', 'fixtures', 'seed-questions.jsonl') : path.join(EVAL_DIR, name, 'questions.jsonl');
  const documents = await loadDocuments(docsDir, () => {});
  const passages = await splitDocuments(documents);
  const kind = DOCUMENT_SETS.has(name) ? 'document' : 'paragraph';
  const units = kind === 'document' ? passageUnits(passages) : readerRuleParagraphs(documents);
  const questions = parseEvalCases(await readFile(file, 'utf8'), file);
  return { name, kind, docsDir, passages, units, questions };
}

function readerRuleParagraphs(documents: ReadonlyArray<{ file: string; text: string }>): Paragraph[] {
  const out: Paragraph[] = [];
  for (const doc of documents) {
    doc.text
      .split(/\n\s*\n/)
      .map((block) => block.trim())
      .filter((block) => block !== '')
      .forEach((text, i) => out.push({ id: out.length, file: doc.file, paragraph: i + 1, text }));
  }
  return out;
}

/** Citebot's searchable passages as baseline units: what citebot itself can return. */
function passageUnits(passages: readonly Passage[]): Paragraph[] {
  return passages
    .filter((p) => p.searchable)
    .map((p, id) => ({ id, file: p.file, paragraph: p.paragraph, text: p.text }));
}

/**
 * One half of a list, by position: `fit` = even positions (0, 2, …), what
 * anything tuned may be fitted on; `report` = odd positions, what the table
 * reports; `all` = everything.
 *
 * @example
 * questionHalf(['a', 'b', 'c'], 'fit');    // → ['a', 'c']
 * questionHalf(['a', 'b', 'c'], 'report'); // → ['b']
 */
export function questionHalf<T>(items: readonly T[], half: Half): T[] {
  return items.filter((_, i) => inHalf(i, half));
}

/**
 * Whether position `i` (0-based) of a list belongs to `half`.
 *
 * @example
 * inHalf(3, 'report'); // → true
 */
export function inHalf(i: number, half: Half): boolean {
  return half === 'all' || i % 2 === (half === 'fit' ? 0 : 1);
}

/**
 * The half of a list the abstention model is fit on (even positions).
 *
 * @example
 * calibrationHalf(['a', 'b', 'c']); // → ['a', 'c']
 */
export function calibrationHalf<T>(items: readonly T[]): T[] {
  return questionHalf(items, 'fit');
}

/**
 * The half of a list kept out of any fit (odd positions).
 *
 * @example
 * heldOut(['a', 'b', 'c']); // → ['b']
 */
export function heldOut<T>(items: readonly T[]): T[] {
  return questionHalf(items, 'report');
}

/** Hand-written questions none of the eval sets answers (bench/offtopic-questions.txt). */
export async function readOffTopicQuestions(): Promise<string[]> {
  return (await readFile(path.join(REPO_ROOT, 'bench', 'offtopic-questions.txt'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** An in-memory index over passages (keyword mode unless vectors are given): the tests' one builder. */
export { memoryIndex } from '../test/helpers/memory-index.js';
