/**
 * Picks the sentence(s) of a quoted passage that best match the question, so a
 * reader sees at once which part of a long paragraph answers it. Sentences come
 * from `sentenceSpans` (src/sentences.ts, shared with splitting and trimming);
 * each is scored by the IDF of the question terms it contains, so a sentence
 * with the rare "Riyadh" beats one with the common "Russia".
 */
import type { Span } from '../types.js';
import { sentenceSpans } from '../text/sentences.js';
import { tokenize } from '../text/tokenize.js';

/** A runner-up sentence is marked too when it scores at least this share of the best. */
const RUNNER_UP_SHARE = 0.75;
/** More than two marked sentences stop being a highlight. */
const MAX_SENTENCES = 2;

/** A sentence of a passage and the weight of the question terms it holds. */
export interface SentenceScore {
  span: Span;
  score: number;
}

/**
 * Every sentence of `text` with the summed weight of the distinct question
 * terms it contains: computed once per hit, it decides the highlight and the
 * abstention's `focus`.
 *
 * @param weights question term → weight (its IDF); see `tokenize` for terms.
 * @example
 * scoreSentences('Rubio led the team. Lavrov spoke.', new Map([['rubio', 3]]));
 * // → [{ span: { start: 0, end: 19 }, score: 3 }, { span: { start: 20, end: 33 }, score: 0 }]
 */
export function scoreSentences(text: string, weights: ReadonlyMap<string, number>): SentenceScore[] {
  return sentenceSpans(text).map((span) => ({ span, score: sentenceScore(text.slice(span.start, span.end), weights) }));
}

/**
 * The best-matching sentences as spans of the passage, in text order; [] when
 * no sentence shares a term with the question (e.g. a purely semantic match).
 *
 * @example
 * const text = 'Rubio led the team. Lavrov spoke later.';
 * highlightSpans(scoreSentences(text, new Map([['rubio', 3], ['team', 1]])));
 * // → [{ start: 0, end: 19 }]
 */
export function highlightSpans(sentences: readonly SentenceScore[]): Span[] {
  const scored = sentences.filter((s) => s.score > 0);
  if (scored.length === 0) return [];
  const ranked = [...scored].sort((a, b) => b.score - a.score || a.span.start - b.span.start);
  const best = ranked[0]?.score ?? 0;
  return ranked
    .filter((s, i) => i === 0 || s.score >= best * RUNNER_UP_SHARE)
    .slice(0, MAX_SENTENCES)
    .map((s) => s.span)
    .sort((a, b) => a.start - b.start);
}

/** Sum of the weights of the distinct question terms the sentence contains. */
function sentenceScore(sentence: string, weights: ReadonlyMap<string, number>): number {
  let score = 0;
  for (const term of new Set(tokenize(sentence))) score += weights.get(term) ?? 0;
  return score;
}
