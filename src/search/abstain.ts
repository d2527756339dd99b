/**
 * Should citebot answer, or say the documents don't cover the question?
 *
 * A raw similarity cutoff can't decide this: a BM25 score means different things
 * in a 40-paragraph folder and a 3,000-paragraph one, and a question whose words
 * only brush the documents ("Who won the 2018 World Cup final?" against an
 * article that mentions "World War II") still gets a top hit. So the decision is
 * a logistic model over features that mean the same thing at any corpus size
 * (plus the size itself), above all: how much of the question's information
 * (its IDF mass) the top passage actually contains.
 *
 * The coefficients below were fit by `bench/calibrate.ts` (run it to refit) on
 * labelled retrievals from the calibration half (even positions) of the shared
 * eval sets (../shared/eval) and of bench/offtopic-questions.txt; bench/quality.ts
 * reports abstention on the other half:
 *   answerable   — SQuAD dev questions against SQuAD docs, COVID-QA questions
 *                  against COVID-QA docs; also each question against its own
 *                  article alone (folder-of-one-article size, like seeds/);
 *   unanswerable — SQuAD questions against COVID-QA docs and vice versa,
 *                  questions against a *different* single article, and
 *                  hand-written off-topic questions (bench/offtopic-questions.txt)
 *                  against both, every way.
 * Each group weighs the same within its class and the two classes weigh the
 * same, so thousands of easy off-topic retrievals don't set the boundary;
 * features are used raw (no scaling) so the coefficients can be read. The
 * seed test questions (test/fixtures/seed-questions.jsonl) are not in the fit.
 *
 * Two features carry most of the weight in large folders, where off-topic
 * questions whose words all occur *somewhere* are the hard case: `focus` (an
 * answer sits in one sentence with the question's words; a chance match
 * scatters them over the paragraph) and `size` (the more passages there are,
 * the likelier one of them holds a few common question words by chance, so a
 * bigger folder asks for more evidence).
 *
 * The dense cosine is not a feature, and this is deliberate for semantic mode
 * too: cosine scales differ from one embedding model to the next and no real
 * model can run here to fit a weight (the tiny test model's cosines mean
 * nothing). So in semantic mode the decision is made on the same lexical
 * evidence, for the passage the *fused* ranking puts first: a passage that only
 * the dense search found and that shares no words with the question gets a low
 * confidence, and citebot says it found nothing rather than quote it. That errs
 * towards abstaining on paraphrased questions, the safe side for a bot that
 * quotes its sources.
 */
import type { KeywordIndex, KeywordQuery } from './keyword.js';
import { sentenceSpans } from '../text/sentences.js';
import { tokenize } from '../text/tokenize.js';

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
  /** Distinct question terms found in the top passage, capped at 6. */
  matched: number;
  /** Share of the known IDF mass found in the top passage's single best sentence (0–1). */
  focus: number;
  /** Folder size: log10 of the searchable passages over 4, capped at 1 (10,000 passages). */
  size: number;
}

/** Logistic-model weights: confidence = σ(bias + Σ weight·feature). Fit by bench/calibrate.ts. */
export const ABSTAIN_MODEL = {
  bias: -3.84,
  coverage: 0.634,
  unseen: -3.067,
  strength: 3.961,
  matched: 1.163,
  focus: 2.379,
  size: -2.522,
} as const satisfies { bias: number } & Record<keyof AbstainFeatures, number>;

/**
 * The threshold the fit supports (recommended ANSWER_THRESHOLD). Held out from
 * the fit (bench/quality.ts), 0.4 answers 94–97% of answerable questions and
 * abstains on 79–91% of unanswerable ones in 2,500–4,300-passage folders, and on
 * 100% of the seed off-topic questions while answering 97%; 0.5 would drop the
 * seed answered rate to 94% and SQuAD's to 92% for 3–4 points more abstention.
 */
export const RECOMMENDED_ANSWER_THRESHOLD = 0.4;

/** Feature names in a fixed order (for fitting and printing). */
export const FEATURE_NAMES = ['coverage', 'unseen', 'strength', 'matched', 'focus', 'size'] as const;

const MAX_MATCHED = 6;
/** log10 of the folder size that counts as "as big as it gets" (10,000 passages). */
const MAX_LOG_SIZE = 4;

/** Features of a ranking with nothing to judge; `answerConfidence` of these is low. */
export const NO_FEATURES: AbstainFeatures = { coverage: 0, unseen: 0, strength: 0, matched: 0, focus: 0, size: 0 };

/**
 * The features of a ranking's top passage.
 *
 * @param top row, text and keyword score of the passage ranked first (score 0 when only dense search found it).
 * @example
 * const query = keyword.query('Who led the American team in Riyadh?');
 * abstainFeatures(keyword, query, { row: 3, score: 7.2, text: passages[3].text });
 */
export function abstainFeatures(
  keyword: KeywordIndex,
  query: KeywordQuery,
  top: { row: number; score: number; text: string },
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
  if (total === 0) return NO_FEATURES;
  const ceiling = total * (keyword.options.k1 + 1);
  return {
    coverage: known === 0 ? 0 : covered / known,
    unseen: unseen / total,
    strength: Math.min(top.score / ceiling, 1),
    matched: Math.min(matched, MAX_MATCHED),
    focus: known === 0 || covered === 0 ? 0 : bestSentenceMass(top.text, query) / known,
    size: Math.min(Math.log10(Math.max(keyword.documents, 1)) / MAX_LOG_SIZE, 1),
  };
}

/** The most IDF mass of known question terms that one sentence of `text` holds. */
function bestSentenceMass(text: string, query: KeywordQuery): number {
  let best = 0;
  for (const span of sentenceSpans(text)) {
    const terms = new Set(tokenize(text.slice(span.start, span.end)));
    let mass = 0;
    for (const term of query.terms) if (term.id >= 0 && terms.has(term.term)) mass += term.idf;
    best = Math.max(best, mass);
  }
  return best;
}

/**
 * Calibrated probability (0–1) that the top passage answers the question.
 *
 * @example
 * answerConfidence({ coverage: 0.9, unseen: 0, strength: 0.5, matched: 4, focus: 0.8, size: 0.4 }); // → ≈ 0.98
 */
export function answerConfidence(features: AbstainFeatures, model: Record<string, number> = ABSTAIN_MODEL): number {
  let z = model.bias ?? 0;
  for (const name of FEATURE_NAMES) z += (model[name] ?? 0) * features[name];
  return 1 / (1 + Math.exp(-z));
}
