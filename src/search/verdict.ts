/**
 * The three honest outcomes of a question, decided from evidence that means
 * the same in any folder and with any embedding model:
 *
 * - *none*: nothing in the documents is near. The top passage shares no word
 *   with the question, or only common ones while most of the question's words
 *   occur nowhere in the folder; and no dense match stands out. "How do I bake
 *   a chocolate cake?" against a news article.
 * - *answered*: the calibrated confidence (src/search/abstain.ts) that the top
 *   passage answers reaches ANSWER_THRESHOLD.
 * - *unsure*: everything between. A paraphrase ("What lands does Trump want?")
 *   often shares a rare word with the right passage but too little else for
 *   confidence; citebot then shows the closest passages and says it is unsure,
 *   instead of refusing a question its documents can answer.
 *
 * The semantic path lifts a question by one step when the top passage stands
 * out of that query's own cosine distribution (see `denseLift`): the z-score
 * of its cosine among the query's candidates. Raw cosines are not comparable
 * across models (MiniLM's unrelated texts sit near 0.1, other models' near
 * 0.7), but a z-score is: it asks how unusual the best match is for this
 * query, whatever the model's scale.
 */
import type { Verdict } from '../types.js';
import type { AbstainFeatures } from './abstain.js';

/** A shared word at least this rare (relative IDF, see `AbstainFeatures.rare`) keeps a question from *none*. */
export const RARE_WORD = 0.5;
/**
 * …and so does a question whose words the folder mostly knows (less than this
 * share of its words unseen): a paraphrase of something the documents
 * cover, even when the words it shares with the best passage are common.
 */
export const UNSEEN_SHARE = 0.5;
/**
 * z-scores of the top cosine among the query's candidates. For normal noise,
 * z ≥ 3 happens once in 700 passages by chance, and z ≥ 4 once in 30,000:
 * constants from the distribution, not fitted to any model.
 */
export const DENSE_UNSURE_Z = 3;
export const DENSE_LIFT_Z = 4;
/** At most this many passages are shown when unsure: more would read as an answer. */
export const UNSURE_RESULTS = 2;

export interface VerdictEvidence {
  /** Lexical features of the top passage; null when nothing matched. */
  features: AbstainFeatures | null;
  /** Calibrated confidence from the features (0–1). */
  confidence: number;
  /** z-score of the top passage's cosine among the query's dense candidates; null in keyword mode. */
  denseZ: number | null;
}

/**
 * Decides answered / unsure / none.
 *
 * @example
 * decideVerdict({ features, confidence: 0.83, denseZ: null }, 0.4); // 'answered'
 * decideVerdict({ features: null, confidence: 0, denseZ: null }, 0.4); // 'none'
 */
export function decideVerdict(evidence: VerdictEvidence, threshold: number): Verdict {
  const lexical = lexicalVerdict(evidence, threshold);
  return lift(lexical, denseLift(evidence.denseZ));
}

function lexicalVerdict({ features, confidence }: VerdictEvidence, threshold: number): Verdict {
  if (features === null || features.matched === 0) return 'none';
  if (features.rare < RARE_WORD && features.unseen >= UNSEEN_SHARE) return 'none';
  return confidence >= threshold ? 'answered' : 'unsure';
}

/** How many steps the dense evidence lifts: 0, 1 (to unsure) or 2 (to answered from unsure). */
function denseLift(z: number | null): number {
  if (z === null || !Number.isFinite(z)) return 0;
  return z >= DENSE_LIFT_Z ? 2 : z >= DENSE_UNSURE_Z ? 1 : 0;
}

/** none → unsure needs z ≥ 3; unsure → answered needs z ≥ 4; never more than one step. */
function lift(verdict: Verdict, steps: number): Verdict {
  if (verdict === 'none' && steps >= 1) return 'unsure';
  if (verdict === 'unsure' && steps >= 2) return 'answered';
  return verdict;
}

/**
 * z-score of `cosine` (the top passage's) among the query's dense candidates
 * (best first; the first is left out of the statistics, so one clear match
 * doesn't widen the spread it is measured against).
 *
 * @example
 * cosineZ(0.9, [0.9, 0.3, 0.32, 0.28, 0.31]); // ≈ 37: one clear match
 * cosineZ(0.31, [0.31, 0.3, 0.3, 0.29, 0.3]); // ≈ 2: nothing stands out
 */
export function cosineZ(cosine: number, candidates: readonly number[]): number | null {
  if (candidates.length < 5) return null;
  const rest = candidates.slice(1);
  const mean = rest.reduce((s, c) => s + c, 0) / rest.length;
  const sd = Math.sqrt(rest.reduce((s, c) => s + (c - mean) ** 2, 0) / rest.length);
  return sd < 1e-9 ? null : (cosine - mean) / sd;
}
