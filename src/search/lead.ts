/**
 * The lead prior: the first passage under a heading (or, in a file without
 * headings, the file's first passage) is a little more likely to be the
 * answer than the passages after it. Documentation opens a section by saying
 * what it is about ("Return the current local date and time.", "Delete an
 * entire directory tree"), forum answers restate the question in their first
 * lines, and encyclopaedia articles put the definition first.
 *
 * Measured on the fit half of the eval sets (docs/benchmarks.md): 14 of 20
 * gold passages of python-docs-html and of discordjs-guide-md are the first of
 * their section, against a base rate of about 1 in 3.5; a 10% bonus gained
 * 1.8 pts hit@1 on fiqa, 1.1 on wikiqa and 0.2 on SQuAD, and cost COVID-QA 0.3.
 */
import { columnsOf } from '../index/passage-table.js';
import type { PassageList } from '../types.js';
import type { Scored } from './vectors.js';

/** Score share added to a lead passage's keyword score (fit half, see above). */
export const LEAD_BONUS = 0.1;

/**
 * Marks the lead passages: 1 for the first searchable passage of each run of
 * passages with the same file and heading path. Passages come in file order,
 * so one pass comparing neighbours finds them without building keys.
 *
 * @example
 * leadRows([p('a.md', ['Intro']), p('a.md', ['Intro']), p('a.md', ['Usage'])]); // → Uint8Array [1, 0, 1]
 */
export function leadRows(passages: PassageList): Uint8Array {
  const out = new Uint8Array(passages.length);
  // From the columns: a stored index makes no passage for this.
  const { file, headings, searchable } = columnsOf(passages);
  let previous = -1;
  for (let row = 0; row < passages.length; row++) {
    if (!searchable(row)) continue;
    if (previous < 0 || !sameSection(file(previous), headings(previous), file(row), headings(row))) out[row] = 1;
    previous = row;
  }
  return out;
}

/**
 * Keyword hits with lead passages' scores raised by `bonus`, best first again.
 *
 * @example
 * boostLeads([{ row: 1, score: 1 }, { row: 0, score: 0.95 }], Uint8Array.of(1, 0), 0.1);
 * // → [{ row: 0, score: 1.045 }, { row: 1, score: 1 }]
 */
export function boostLeads(hits: readonly Scored[], leads: Uint8Array, bonus: number): Scored[] {
  return hits
    .map(({ row, score }) => ({ row, score: leads[row] === 1 ? score * (1 + bonus) : score }))
    .sort((a, b) => b.score - a.score);
}

function sameSection(fileA: string, headingsA: readonly string[], fileB: string, headingsB: readonly string[]): boolean {
  if (fileA !== fileB || headingsA.length !== headingsB.length) return false;
  return headingsA.every((heading, i) => heading === headingsB[i]);
}
