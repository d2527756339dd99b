/**
 * The question → answer pipeline over one loaded index:
 *
 *   keyword (BM25F) ranking ─┐
 *                            ├─ reciprocal rank fusion → near-duplicates merged
 *   dense (cosine) ranking  ─┘   → one-file crowding damped → calibrated answer/abstain
 *                                → best sentences highlighted
 *
 * The keyword index is restored from the one stored with the index (or built,
 * for an index made in memory) once, here in the constructor; a reindex makes
 * a new Retriever over the new index.
 */
import { CitebotError } from '../errors.js';
import { columnsOf } from '../index/passage-table.js';
import { prepareVectors } from './dot-kernel.js';
import { abstainFeatures, answerConfidence, type AbstainFeatures } from './abstain.js';
import { fuseRankings } from './fuse.js';
import { boostLeads, LEAD_BONUS, leadRows } from './lead.js';
import { highlightSpans, scoreSentences, type SentenceScore } from './highlight.js';
import { stripFillers, withoutAskerModals } from '../text/fillers.js';
import { defaultThesaurus, type Thesaurus } from '../text/thesaurus.js';
import { cosineZ, decideVerdict, UNSURE_RESULTS } from './verdict.js';
import type { KeywordOptions, KeywordParts } from '../index/keyword-file.js';
import { builtWith, DEFAULT_KEYWORD_OPTIONS, KeywordIndex, type KeywordQuery } from './keyword.js';
import type { Answer, Embedder, Hit, LoadedIndex, Mode, Passage, PassageList } from '../types.js';
import type { Scored } from './vectors.js';
import { InProcessScanner, sharedKeywordParts, WorkerScanner, type Scanner } from './scanner.js';

/** Which ranked passages `ask` returns. The library fills in `topK` from config (TOP_K) when a shell leaves it out. */
export interface AskOptions {
  /** How many passages to return. */
  topK: number;
  /** Skip this many ranked passages first (for "More results"). */
  offset?: number;
}

export interface RetrieverOptions {
  /** Confidence at or above which a question counts as answered (config ANSWER_THRESHOLD). */
  answerThreshold: number;
  /** Keyword-engine tuning (benchmarks only; the defaults are the measured best). */
  keyword?: Partial<KeywordOptions>;
  /** Score share a passage loses per better-ranked passage from the same file (see DIVERSITY_PENALTY). */
  diversityPenalty?: number;
  /**
   * Run the keyword and dense scans in a worker thread, over the same memory
   * (for a large index: the library decides, see OFF_THREAD_PASSAGES there).
   * Call `close()` when done with such a retriever.
   */
  offThread?: boolean;
  /** Score share added to the first passage under each heading (benchmarks only; default LEAD_BONUS). */
  leadBonus?: number;
  /** Where question words find synonyms; default the installed WordNet, null for none. */
  thesaurus?: Thesaurus | null;
}

/** A ranking with what the abstention decision needs; see {@link Retriever.rank}. */
export interface Ranking {
  mode: Mode;
  hits: Scored[];
  query: KeywordQuery;
  /** Null when nothing matched at all. */
  features: AbstainFeatures | null;
  /** z-score of the top passage's cosine among the query's dense candidates; null in keyword mode. */
  denseZ: number | null;
  /** Question term → IDF: what sentences are scored by. */
  weights: ReadonlyMap<string, number>;
  /** The top passage's scored sentences (the features used them; highlighting reuses them). */
  topSentences: SentenceScore[] | null;
}

/** Candidates taken from each ranking before fusion and merging. */
const MIN_DEPTH = 50;
/**
 * Mild on purpose: a second passage from the same file drops below another
 * file's passage only when that one scores within a few percent of it.
 */
const DIVERSITY_PENALTY = 0.03;
/** A selected passage, with the rows of other files holding exactly its text (see `ownPage`). */
interface Pick extends Scored {
  copies: number[];
}

/** Word-shingle overlap above which two passages count as the same text. */
const NEAR_DUPLICATE = 0.85;

/**
 * Answers questions from a loaded index.
 *
 * @example
 * const retriever = new Retriever(index, embedder, { answerThreshold: 0.5 });
 * const answer = await retriever.ask('Who led the American team in Riyadh?', { topK: 3 });
 * answer.results[0]?.passage.paragraph; // → 4
 */
export class Retriever {
  readonly mode: Mode;
  private readonly keyword: KeywordIndex;
  private readonly passages: PassageList;
  private readonly diversityPenalty: number;
  private readonly scanner: Scanner;
  private readonly leads: Uint8Array;
  private readonly leadBonus: number;
  private readonly thesaurus: Thesaurus | null;
  private fileSizes: Map<string, number> | null = null;

  /** `index.keyword`: the keyword index stored with the index (see `openIndex`), used when built with the same options. */
  constructor(
    private readonly index: LoadedIndex & { keyword?: KeywordParts | null },
    private readonly embedder: Embedder | null,
    private readonly options: RetrieverOptions,
  ) {
    if (index.vectors !== null && embedder !== null) assertSameModel(index, embedder);
    // Once, at load, rather than on the first question (tens of ms per 50k rows; a no-op for plain arrays).
    if (index.vectors instanceof Float32Array) prepareVectors(index.vectors, index.manifest.dim);
    this.passages = index.passages;
    const stored = index.keyword;
    const wanted = { ...DEFAULT_KEYWORD_OPTIONS, ...options.keyword };
    const keyword = stored && builtWith(stored, wanted) ? new KeywordIndex(stored) : new KeywordIndex([...index.passages], wanted);
    this.mode = index.vectors !== null && embedder !== null ? 'semantic+keyword' : 'keyword';
    this.diversityPenalty = options.diversityPenalty ?? DIVERSITY_PENALTY;
    this.leads = leadRows(index.passages);
    const searchable = searchableRows(index.passages);
    this.leadBonus = options.leadBonus ?? LEAD_BONUS;
    this.thesaurus = options.thesaurus === undefined ? defaultThesaurus() : options.thesaurus;
    const vectors = this.mode === 'semantic+keyword' ? index.vectors : null;
    const dim = index.manifest.dim;
    if (options.offThread) {
      // The postings move to shared memory, and this thread searches that copy too: one copy, read by both.
      const own = keyword.toParts();
      const parts = sharedKeywordParts(own);
      // A stored index's postings were read into shared memory: the same index, without a second term table.
      this.keyword = parts === own ? keyword : new KeywordIndex(parts);
      this.scanner = new WorkerScanner(this.keyword, parts, vectors, dim, searchable);
    } else {
      this.keyword = keyword;
      this.scanner = new InProcessScanner(keyword, vectors, dim, (row) => searchable[row] === 1);
    }
  }

  /** True while this retriever's scans run in a worker thread. */
  get offThread(): boolean {
    return this.scanner instanceof WorkerScanner && this.scanner.offThread;
  }

  /**
   * The keyword index this retriever searches, as parts (in shared memory when
   * it scans off-thread): what another retriever over the same index can reuse.
   */
  keywordParts(): KeywordParts {
    return this.keyword.toParts();
  }

  /** Stops the scan worker, if any, once the questions in flight are answered. */
  close(): void {
    this.scanner.close();
  }

  /**
   * Ranks passages for a question and decides the verdict. `results` holds what
   * to show: the ranking when answered, the closest two when unsure, nothing
   * when none; `ranked` always holds the ranking (for eval and "nearest passages").
   */
  async ask(question: string, options: AskOptions): Promise<Answer> {
    const count = Math.max(0, options.topK);
    const offset = Math.max(0, options.offset ?? 0);
    const ranking = await this.rank(question, offset + count);
    const confidence = ranking.features === null ? 0 : answerConfidence(ranking.features);
    const verdict = decideVerdict({ features: ranking.features, confidence, denseZ: ranking.denseZ }, this.options.answerThreshold);
    const ranked: Hit[] = ranking.hits.slice(offset).map(({ row, score }) => {
      const passage = this.passageAt(row);
      const sentences = row === ranking.hits[0]?.row && ranking.topSentences ? ranking.topSentences : scoreSentences(passage.text, ranking.weights);
      return { passage, score, highlights: highlightSpans(sentences) };
    });
    const shown = verdict === 'answered' ? ranked : verdict === 'unsure' ? ranked.slice(0, Math.max(0, UNSURE_RESULTS - offset)) : [];
    return { question, answered: verdict === 'answered', verdict, mode: ranking.mode, confidence, results: shown, ranked };
  }

  /**
   * The best `count` passages (fused, near-duplicates merged, one-file crowding
   * damped) with the evidence about the first. `ask` pages through this;
   * bench/calibrate.ts reads the features directly.
   */
  async rank(question: string, count: number): Promise<Ranking> {
    const depth = Math.max(MIN_DEPTH, 3 * count);
    const asked = stripFillers(question);
    const query = this.keyword.query(withoutAskerModals(asked), this.thesaurus);
    const vector = this.mode === 'semantic+keyword' ? await this.questionVector(asked) : null;
    const { keyword: keywordHits, dense } = await this.scanner.scan({ query, vector, depth });
    const ranked = boostLeads(keywordHits, this.leads, this.leadBonus);
    const fused = dense === null ? ranked : fuseRankings([ranked, dense]);
    const picks = this.select(fused, count);
    const hits = picks.map((pick) => ({ row: this.ownPage(pick), score: pick.score }));
    const top = picks[0];
    const weights = termWeights(query);
    if (top === undefined) return { mode: this.mode, hits, query, features: null, denseZ: null, weights, topSentences: null };
    // The features judge the plain BM25 evidence; the lead prior only orders.
    const topScore = keywordHits.find((h) => h.row === top.row)?.score ?? 0;
    const nextScore = keywordHits.find((h) => h.row !== top.row)?.score ?? 0;
    const sentences = scoreSentences(this.passageAt(top.row).text, weights);
    const features = topScore > 0 ? abstainFeatures(this.keyword, query, { row: top.row, score: topScore, nextScore, sentences }) : null;
    const z = dense === null ? null : denseZ(dense, top.row);
    return { mode: this.mode, hits, query, features, denseZ: z, weights, topSentences: sentences };
  }

  /** The question's embedding, in an array of its own (a worker is sent exactly these floats). */
  private async questionVector(question: string): Promise<Float32Array> {
    const vectors = await this.embedder!.embed([question]);
    return vectors.slice(0, this.index.manifest.dim);
  }

  /**
   * Greedy picks from the candidates: each pick costs the later passages of its
   * file a little score, and a passage repeating one already picked (a file
   * copied twice) is dropped, so the better-ranked copy keeps its place; exact
   * copies are kept aside for `ownPage` to choose which file is shown.
   */
  private select(candidates: Scored[], count: number): Pick[] {
    const pool = [...candidates];
    const picked: Pick[] = [];
    const perFile = new Map<string, number>();
    const shingles = new Map<number, Set<string>>();
    while (picked.length < count && pool.length > 0) {
      let bestAt = 0;
      let bestScore = -Infinity;
      pool.forEach((hit, i) => {
        const score = hit.score * (1 - this.diversityPenalty) ** (perFile.get(this.passageAt(hit.row).file) ?? 0);
        if (score > bestScore) [bestAt, bestScore] = [i, score];
      });
      const [best] = pool.splice(bestAt, 1);
      if (best === undefined) break;
      // One paragraph is one answer: its other pieces, or a copy of its text elsewhere, add nothing.
      if (picked.some((p) => this.sameParagraph(p.row, best.row))) continue;
      const original = picked.find((p) => this.sameText(p.row, best.row, shingles));
      if (original !== undefined) {
        if (this.passageAt(original.row).text === this.passageAt(best.row).text) original.copies.push(best.row);
        continue;
      }
      const file = this.passageAt(best.row).file;
      perFile.set(file, (perFile.get(file) ?? 0) + 1);
      picked.push({ row: best.row, score: bestScore, copies: [] });
    }
    return picked;
  }

  /**
   * Which copy of a picked text to show: the one from the file with the fewest
   * passages, the page of its own (`api/readline.html`) rather than an
   * all-in-one page (`api/all.html`) or a print edition; on a tie, the better ranked.
   */
  private ownPage(pick: Pick): number {
    let best = pick.row;
    for (const row of pick.copies) if (this.fileSize(row) < this.fileSize(best)) best = row;
    return best;
  }

  /** Passages in the file a row comes from (counted on first use: most questions find no copies). */
  private fileSize(row: number): number {
    if (this.fileSizes === null) {
      this.fileSizes = new Map();
      // From the columns: a stored index would otherwise read every text to count files.
      const { file } = columnsOf(this.passages);
      for (let at = 0; at < this.passages.length; at++) this.fileSizes.set(file(at), (this.fileSizes.get(file(at)) ?? 0) + 1);
    }
    return this.fileSizes.get(this.passageAt(row).file) ?? 0;
  }

  private sameParagraph(a: number, b: number): boolean {
    const pa = this.passageAt(a);
    const pb = this.passageAt(b);
    return pa.file === pb.file && pa.paragraph === pb.paragraph;
  }

  /** `cache` holds the shingles computed for this query's candidates. */
  private sameText(a: number, b: number, cache: Map<number, Set<string>>): boolean {
    const ta = this.passageAt(a).text;
    const tb = this.passageAt(b).text;
    if (ta === tb) return true;
    const ratio = Math.min(ta.length, tb.length) / Math.max(ta.length, tb.length, 1);
    if (ratio < NEAR_DUPLICATE) return false;
    const shinglesOf = (row: number, text: string): Set<string> => {
      let set = cache.get(row);
      if (set === undefined) cache.set(row, (set = wordShingles(text)));
      return set;
    };
    return jaccard(shinglesOf(a, ta), shinglesOf(b, tb)) >= NEAR_DUPLICATE;
  }

  private passageAt(row: number): Passage {
    const passage = this.passages.at(row);
    if (passage === undefined) throw new RangeError(`No passage at row ${row}.`);
    return passage;
  }
}

/** 1 for each row that can be an answer (from the columns: a stored index makes no passage for this). */
function searchableRows(passages: PassageList): Uint8Array {
  const out = new Uint8Array(passages.length);
  const { searchable } = columnsOf(passages);
  for (let row = 0; row < out.length; row++) out[row] = searchable(row) ? 1 : 0;
  return out;
}

/** Question term → IDF, the weights sentences are scored by. */
function termWeights(query: KeywordQuery): Map<string, number> {
  return new Map([...query.terms, ...query.phrases].map((t) => [t.term, t.idf]));
}

/** z-score of the top passage's cosine among the dense candidates (-∞ when dense search didn't find it). */
function denseZ(dense: readonly Scored[], row: number): number | null {
  const cosine = dense.find((h) => h.row === row)?.score;
  if (cosine === undefined) return Number.NEGATIVE_INFINITY;
  return cosineZ(cosine, dense.map((h) => h.score));
}

/** Vectors from one model are meaningless to another, even at the same length. */
function assertSameModel(index: LoadedIndex, embedder: Embedder): void {
  const { model, dim } = index.manifest;
  if (model === embedder.model && dim === embedder.dim) return;
  throw new CitebotError(
    `The index was built with ${model ?? 'no model'} (${dim} dimensions), but ${embedder.model} (${embedder.dim}) is loaded.`,
    { hint: 'Run `citebot ingest` to rebuild the index with this model.' },
  );
}

/** Lower-cased word 3-shingles: punctuation and spacing differences don't count. */
function wordShingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  if (words.length < 3) out.add(words.join(' '));
  for (let i = 2; i < words.length; i++) out.add(`${words[i - 2]} ${words[i - 1]} ${words[i]}`);
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared || 1);
}
