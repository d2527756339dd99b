/**
 * Should citebot answer, or say the documents don't cover the question?
 *
 * A raw similarity cutoff can't decide this: a BM25 score means different things
 * in a 40-paragraph folder and a 3,000-paragraph one, and a question whose words
 * only brush the documents ("Who won the 2018 World Cup final?" against an
 * article that mentions "World War II") still gets a top hit. So the decision is
 * a logistic model over features that mean the same thing at any corpus size,
 * above all: how much of the question's information (its IDF mass) the top
 * passage actually contains.
 *
 * The coefficients below were fit by `bench/calibrate.ts` (run it to refit) on
 * labelled retrievals from the shared eval sets (../shared/eval):
 *   answerable   — SQuAD dev questions against SQuAD docs, COVID-QA questions
 *                  against COVID-QA docs; also each question against its own
 *                  article alone (folder-of-one-article size, like seeds/);
 *   unanswerable — SQuAD questions against COVID-QA docs and vice versa,
 *                  questions against a *different* single article, and
 *                  hand-written off-topic questions (bench/offtopic-questions.txt)
 *                  against both, every way.
 * Each group weighs the same within its class and the two classes weigh the
 * same, so thousands of easy off-topic retrievals don't set the boundary;
 * features are used raw (no scaling) so the coefficients can be read. The question sets used to *test* abstention
 * (test/fixtures/seed-questions.jsonl) are not in the fit.
 *
 * The dense cosine is not a feature: no real embedding model can run here to
 * fit its weight (the tiny test model's cosines mean nothing), so semantic
 * mode uses the same lexical evidence for the passage it ranks first.
 */
import type { KeywordIndex, KeywordQuery } from './keyword.js';

/** What the decision looks at, for the top-ranked passage. */
export interface AbstainFeatures {
  /**
   * Share of the IDF mass of the question's *known* terms that the top passage
   * contains (0–1). Unknown terms are left to `unseen`: in a small folder most
   * of them are ordinary words ("regarding", "job") the text happens not to use.
   */
  coverage: number;
  /** Share of the question's IDF mass on terms that occur nowhere in the documents (0–1). */
  unseen: number;
  /** Top passage's BM25 score over the most any passage could score for this question (≈0–1). */
  strength: number;
  /** Relative lead of the top keyword score over the runner-up (0–1). */
  gap: number;
  /** Distinct question terms found in the top passage, capped at 6. */
  matched: number;
}

/** Logistic-model weights: confidence = σ(bias + Σ weight·feature). Fit by bench/calibrate.ts. */
export const ABSTAIN_MODEL = {
  bias: -5.146,
  coverage: 1.527,
  unseen: -1.539,
  strength: 4.22,
  gap: 0.374,
  matched: 1.186,
} as const satisfies { bias: number } & Record<keyof AbstainFeatures, number>;

/**
 * The threshold the fit supports (recommended ANSWER_THRESHOLD). At 0.4 the
 * fit's own groups answer 89–98% of answerable questions and, against
 * single-article folders like seeds/, abstain on 91–99.6% of unanswerable ones;
 * 0.5 costs 3–5 points of answered questions for little gain.
 */
export const RECOMMENDED_ANSWER_THRESHOLD = 0.4;

/** Feature names in a fixed order (for fitting and printing). */
export const FEATURE_NAMES = ['coverage', 'unseen', 'strength', 'gap', 'matched'] as const;

const MAX_MATCHED = 6;

/**
 * The features of a ranking's top passage.
 *
 * @param top row and keyword score of the passage ranked first (score 0 when only dense search found it).
 * @param runnerUp keyword score of the best other passage (0 when none).
 * @example
 * const query = keyword.query('Who led the American team in Riyadh?');
 * abstainFeatures(keyword, query, { row: 3, score: 7.2 }, 2.1);
 */
export function abstainFeatures(
  keyword: KeywordIndex,
  query: KeywordQuery,
  top: { row: number; score: number },
  runnerUp: number,
): AbstainFeatures {
  let total = 0;
  let known = 0;
  let covered = 0;
  let unseen = 0;
  let matched = 0;
  for (const term of query.terms) {
    total += term.idf;
    if (term.id < 0) unseen += term.idf;
    else known += term.idf;
    if (keyword.contains(term.id, top.row)) {
      covered += term.idf;
      matched++;
    }
  }
  if (total === 0) return { coverage: 0, unseen: 0, strength: 0, gap: 0, matched: 0 };
  const ceiling = total * (keyword.options.k1 + 1);
  return {
    coverage: known === 0 ? 0 : covered / known,
    unseen: unseen / total,
    strength: Math.min(top.score / ceiling, 1),
    gap: top.score > 0 ? Math.max(0, top.score - runnerUp) / top.score : 0,
    matched: Math.min(matched, MAX_MATCHED),
  };
}

/**
 * Calibrated probability (0–1) that the top passage answers the question.
 *
 * @example
 * answerConfidence({ coverage: 0.9, unseen: 0, strength: 0.5, gap: 0.3, matched: 4 }); // → ≈ 0.9
 */
export function answerConfidence(features: AbstainFeatures, model: Record<string, number> = ABSTAIN_MODEL): number {
  let z = model.bias ?? 0;
  for (const name of FEATURE_NAMES) z += (model[name] ?? 0) * features[name];
  return 1 / (1 + Math.exp(-z));
}
