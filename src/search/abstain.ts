/**
 * How sure is citebot that the top passage answers the question? The answer
 * decides *answered* against *unsure* (src/search/verdict.ts decides *none*).
 *
 * A raw score cutoff can't decide this: a BM25 score means different things in
 * a 40-paragraph folder and a 60,000-passage manual. So the confidence is a
 * logistic model over features that mean the same at any corpus size (plus the
 * size itself): how strong the top keyword score is against the most the
 * question could score, how far it is ahead of the runner-up (`margin`), how
 * many and how rare the shared words are.
 *
 * The coefficients were fit by bench/calibrate.ts (run it to refit) on the fit
 * half (even positions) of every shared eval set: squad, covidqa, fiqa, wikiqa,
 * python-docs-html and discordjs-guide-md, with the hand-written off-topic
 * questions (bench/offtopic-questions.txt) against each. Positive = an
 * answerable question whose top passage is right; negative = an unanswerable or
 * off-topic one. bench/quality.ts reports the other half, and the seed questions
 * (test/fixtures/seed-questions.jsonl), never fitted.
 *
 * Left out on purpose: `unseen` (question words the folder never uses). A
 * paraphrase is made of such words; they must not make citebot doubt a passage
 * that shares the question's rare words. And the dense cosine: its scale
 * differs from one embedding model to the next and no real model runs here to
 * fit a weight, so semantic evidence enters the verdict as a per-query z-score
 * instead (see verdict.ts).
 */
import type { SentenceScore } from './highlight.js';
import type { KeywordIndex, KeywordQuery } from './keyword.js';

/** What the decision looks at, for the top-ranked passage. */
export interface AbstainFeatures {
  /** Share of the IDF mass of the question's known terms that the top passage contains (0–1). */
  coverage: number;
  /**
   * Share of the question's words that occur nowhere in the documents (0–1); not in the model. Counted
   * by words, not IDF: an unknown word has the highest IDF there is, so one typo or one name of the
   * asker's would otherwise outweigh all the words the folder knows.
   */
  unseen: number;
  /** Top passage's BM25 score over the most any passage could score for this question (≈0–1). */
  strength: number;
  /** Distinct question terms found in the top passage, capped at 6. */
  matched: number;
  /** Share of the known IDF mass found in the top passage's single best sentence (0–1). */
  focus: number;
  /** Folder size: log10 of the searchable passages over 4, capped at 1 (10,000 passages). */
  size: number;
  /** How far the top passage's keyword score stands above the runner-up's: 1 − second/first (0–1). */
  margin: number;
  /**
   * Rarity of the rarest question term the top passage shares: its IDF over the
   * IDF of a term found in one passage (0–1). A shared rare word ("Riyadh",
   * "conffile") is evidence however the rest of the question is worded.
   */
  rare: number;
}

/** Logistic-model weights: confidence = σ(bias + Σ weight·feature). Fit by bench/calibrate.ts. */
export const ABSTAIN_MODEL = {
  bias: -1.946,
  coverage: -1.12,
  strength: 7.475,
  matched: 0.647,
  focus: -0.473,
  size: -4.459,
  margin: 1.192,
  rare: 0.059,
} as const satisfies { bias: number } & Record<ModelFeature, number>;

/** The features the confidence model weighs. `unseen` is left out on purpose: a paraphrase uses words the folder doesn't. */
export const FEATURE_NAMES = ['coverage', 'strength', 'matched', 'focus', 'size', 'margin', 'rare'] as const;
export type ModelFeature = (typeof FEATURE_NAMES)[number];

/**
 * The threshold the fit supports (recommended ANSWER_THRESHOLD): on the fit
 * half it keeps unanswerable and off-topic questions out of *answered* (≤ 7%)
 * on every set but wikiqa, whose on-topic unanswerables no lexical feature
 * tells apart (see docs/benchmarks.md).
 */
export const RECOMMENDED_ANSWER_THRESHOLD = 0.5;

const MAX_MATCHED = 6;
/** log10 of the folder size that counts as "as big as it gets" (10,000 passages). */
const MAX_LOG_SIZE = 4;

/** Features of a ranking with nothing to judge; `answerConfidence` of these is low. */
export const NO_FEATURES: AbstainFeatures = { coverage: 0, unseen: 0, strength: 0, matched: 0, focus: 0, size: 0, margin: 0, rare: 0 };

/** The top passage as the features see it. */
export interface TopPassage {
  row: number;
  /** Its keyword score (0 when only dense search found it). */
  score: number;
  /** The runner-up's keyword score. */
  nextScore: number;
  /** Its sentences, scored by the question's term weights (see `scoreSentences`). */
  sentences: readonly SentenceScore[];
}

/**
 * The features of a ranking's top passage.
 *
 * @example
 * const query = keyword.query('Who led the American team in Riyadh?');
 * abstainFeatures(keyword, query, { row: 3, score: 7.2, nextScore: 2.8, sentences });
 */
export function abstainFeatures(keyword: KeywordIndex, query: KeywordQuery, top: TopPassage): AbstainFeatures {
  let total = 0;
  let known = 0;
  let covered = 0;
  let unseenWords = 0;
  let matched = 0;
  let rarest = 0;
  for (const term of query.terms) {
    total += term.idf;
    if (term.id < 0) unseenWords++;
    else known += term.idf;
    if (keyword.contains(term.id, top.row)) {
      covered += term.idf;
      matched++;
      rarest = Math.max(rarest, term.idf);
    }
  }
  if (total === 0) return NO_FEATURES;
  const ceiling = total * (keyword.options.k1 + 1);
  const best = top.sentences.reduce((m, s) => Math.max(m, s.score), 0);
  return {
    coverage: known === 0 ? 0 : covered / known,
    unseen: unseenWords / query.terms.length,
    strength: Math.min(top.score / ceiling, 1),
    matched: Math.min(matched, MAX_MATCHED),
    focus: known === 0 || covered === 0 ? 0 : Math.min(best / known, 1),
    size: Math.min(Math.log10(Math.max(keyword.documents, 1)) / MAX_LOG_SIZE, 1),
    margin: top.score > 0 ? Math.max(0, 1 - top.nextScore / top.score) : 0,
    rare: Math.min(rarest / Math.max(keyword.rarestIdf, 1e-9), 1),
  };
}

/**
 * Calibrated probability (0–1) that the top passage answers the question.
 *
 * @example
 * answerConfidence({ ...NO_FEATURES, coverage: 0.9, strength: 0.5, matched: 4, focus: 0.8, size: 0.4 }); // → ≈ 0.98
 */
export function answerConfidence(features: AbstainFeatures, model: Record<string, number> = ABSTAIN_MODEL): number {
  let z = model.bias ?? 0;
  for (const name of FEATURE_NAMES) z += (model[name] ?? 0) * features[name];
  return 1 / (1 + Math.exp(-z));
}
