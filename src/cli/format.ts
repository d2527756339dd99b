/**
 * Shell-neutral rendering of answers: the JSON contract of `citebot ask --json`
 * and the plain-text form the terminal prints. Discord has its own renderer
 * (src/bot/render.ts) because its limits and escaping differ.
 */
import type { Answer, Hit, Passage } from '../types.js';
import { markSpans } from '../text/spans.js';
import { citation } from '../search/citation.js';

/** One result in the `--json` contract. */
export interface JsonResult {
  source: string;
  paragraph: number;
  lines: [number, number];
  score: number;
  text: string;
  /** Only for a PDF: the page the passage starts on. */
  page?: number;
}

/** The `--json` contract: exactly one object per question. */
export interface JsonAnswer {
  question: string;
  /** True only when the verdict is `answered`. */
  answered: boolean;
  /** `answered`, `unsure` (results are the closest, at most 2) or `none` (no results). */
  verdict: Answer['verdict'];
  mode: Answer['mode'];
  confidence: number;
  results: JsonResult[];
}

/**
 * The `--json` shape of an answer. A question nothing answers carries no
 * results, and an unsure one at most the 2 closest, so nothing unrelated is
 * ever presented as an answer.
 *
 * @example
 * console.log(JSON.stringify(toJson(answer)));
 */
export function toJson(answer: Answer): JsonAnswer {
  return {
    question: answer.question,
    answered: answer.answered,
    verdict: answer.verdict,
    mode: answer.mode,
    confidence: round(answer.confidence),
    results: shownResults(answer).map(toJsonResult),
  };
}

/** The hits a verdict may show: all when answered, the closest 2 when unsure, none otherwise. */
function shownResults(answer: Answer): Hit[] {
  if (answer.verdict === 'answered' && answer.answered) return answer.results;
  if (answer.verdict === 'unsure') return answer.results.slice(0, MAX_UNSURE);
  return [];
}

function toJsonResult(hit: Hit): JsonResult {
  const { passage } = hit;
  const result: JsonResult = { source: passage.file, paragraph: passage.paragraph, lines: passage.lines, score: round(hit.score), text: passage.text };
  if (passage.page !== undefined) result.page = passage.page;
  return result;
}

function round(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

/**
 * The source line above every quote: the shared citation's words (no link: a
 * terminal shows the file name, which `--docs` already locates). A PDF's
 * passage is cited by page, since its extracted lines match nothing a reader sees.
 *
 * @example
 * sourceLabel(passage); // 'Install guide (guide.md) › Setup › ¶3 · lines 5–7', or 'manual.pdf › ¶40 · p. 12'
 */
export function sourceLabel(passage: Passage): string {
  return citation(passage).label;
}

export const NOT_FOUND = 'Nothing in the documents answers that question.';
/** What to do after NOT_FOUND: the question may use other words than the documents. */
export const NEXT_STEP = 'Try rephrasing it with the words the documents would use, or citebot ask with other words.';
export const UNSURE = "I couldn't find a passage that clearly answers that. These are the closest:";
/** An unsure answer shows this many of the closest passages, no more: they are not answers. */
const MAX_UNSURE = 2;

/**
 * The terminal form of an answer: the verdict in words, then each passage it
 * may show quoted with its source and score, the best-matching sentences
 * passed through `bold`. Nothing near: no quotes, and a next step.
 *
 * @example
 * process.stdout.write(formatAnswerText(answer, (s) => `\x1b[1m${s}\x1b[22m`));
 * // 'Answered (confidence 88%):\n\n1. guide.md › ¶3 · lines 5–7  score 7.162\n  > …'
 */
export function formatAnswerText(answer: Answer, bold: (s: string) => string = (s) => s): string {
  const hits = shownResults(answer);
  if (hits.length === 0) return `${NOT_FOUND}\n${NEXT_STEP}\n`;
  const heading = answer.verdict === 'unsure' ? UNSURE : `Answered (confidence ${Math.round(answer.confidence * 100)}%):`;
  return `${heading}\n\n${hits.map((hit, i) => formatHit(hit, i + 1, bold)).join('\n')}`;
}

/**
 * Replaces control characters (other than tab and newline) with U+FFFD: a
 * document must not be able to move the cursor or restyle the user's terminal.
 * Same length in UTF-16 units, so highlight offsets still line up.
 *
 * @example
 * terminalSafe('a\x1b[2Jb'); // 'a\ufffd[2Jb'
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}

function formatHit(hit: Hit, rank: number, bold: (s: string) => string): string {
  const quote = markSpans(terminalSafe(hit.passage.text), hit.highlights, bold)
    .split('\n')
    .map((line) => `  > ${line}`)
    .join('\n');
  return `${rank}. ${terminalSafe(sourceLabel(hit.passage))}  score ${hit.score.toFixed(3)}\n${quote}\n`;
}
