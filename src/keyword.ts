/**
 * The keyword engine: a BM25F inverted index over passages, built once per
 * loaded index and kept in typed arrays (postings sorted by term, then row).
 *
 * Fields: the passage text, plus its document title, Markdown heading path and
 * file name, each with its own weight. BM25F adds the weighted term
 * frequencies of all fields *before* saturation, so a word in the title counts
 * like a few more mentions in the body instead of a separate, unbounded bonus.
 * Adjacent word pairs are indexed as phrase terms, which rewards passages that
 * say "Secretary of State" over ones that say "state" and "secretary" apart.
 */
import type { Passage } from './types.js';
import { analyze, bigram, tokenize } from './tokenize.js';
import { TopKHeap, type Scored } from './vectors.js';

/** Tuning knobs; the defaults are what docs/benchmarks.md measured best. */
export interface KeywordOptions {
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation of the body text (0 = none, 1 = full). */
  b: number;
  /** Weight of a phrase (adjacent word pair) match, relative to a body word. */
  phrase: number;
  /** Weights of metadata fields, relative to a body word. */
  title: number;
  headings: number;
  file: number;
}

export const DEFAULT_KEYWORD_OPTIONS: KeywordOptions = {
  k1: 0.9,
  b: 0.4,
  phrase: 0.3,
  title: 0.5,
  headings: 1,
  file: 0.5,
};

/** Titles longer than this are a first paragraph standing in for a title (plain text files). */
const MAX_TITLE_CHARS = 160;

/** A question, analysed once and reused for search, abstention features and highlights. */
export interface KeywordQuery {
  /** Distinct terms of the question, with their IDF (unknown terms get the IDF of an unseen term). */
  terms: Array<{ term: string; idf: number; id: number }>;
  /** Distinct phrase terms found in the index. */
  phrases: Array<{ term: string; idf: number; id: number }>;
}

/**
 * BM25F index of the searchable passages.
 *
 * @example
 * const index = new KeywordIndex(passages);
 * const query = index.query('Who led the American team in Riyadh?');
 * index.search(query, 10); // → [{ row: 3, score: 9.1 }, …]
 */
export class KeywordIndex {
  readonly options: KeywordOptions;
  /** Number of searchable passages (the N of IDF). */
  readonly documents: number;
  private readonly termIds = new Map<string, number>();
  private readonly offsets: Uint32Array;
  private readonly postingRows: Uint32Array;
  /** Field-weighted, length-normalised term frequency per posting. */
  private readonly weights: Float32Array;
  private readonly scores: Float64Array;

  constructor(passages: readonly Passage[], options: Partial<KeywordOptions> = {}) {
    this.options = { ...DEFAULT_KEYWORD_OPTIONS, ...options };
    const built = buildPostings(passages, this.options, this.termIds);
    this.documents = built.documents;
    this.offsets = built.offsets;
    this.postingRows = built.rows;
    this.weights = built.weights;
    this.scores = new Float64Array(passages.length);
  }

  /** Inverse document frequency; an unseen term gets the highest value. */
  idf(term: string): number {
    const id = this.termIds.get(term);
    return this.idfOf(id === undefined ? 0 : this.df(id));
  }

  /**
   * Analyses a question against this index.
   *
   * @example
   * index.query('What is git-stash?').terms.map((t) => t.term); // → ['git', 'stash', 'git-stash']
   */
  query(question: string): KeywordQuery {
    const { terms, words } = analyze(question);
    const seen = new Set<string>();
    const out: KeywordQuery = { terms: [], phrases: [] };
    for (const term of terms) {
      if (seen.has(term)) continue;
      seen.add(term);
      const id = this.termIds.get(term) ?? -1;
      out.terms.push({ term, id, idf: this.idfOf(id < 0 ? 0 : this.df(id)) });
    }
    for (let i = 1; i < words.length; i++) {
      const term = bigram(words[i - 1] ?? '', words[i] ?? '');
      const id = this.termIds.get(term);
      if (id === undefined || seen.has(term)) continue;
      seen.add(term);
      out.phrases.push({ term, id, idf: this.idfOf(this.df(id)) });
    }
    return out;
  }

  /** The `limit` best rows for a query, best first. Rows of unsearchable passages never appear. */
  search(query: KeywordQuery, limit: number): Scored[] {
    const { k1 } = this.options;
    const scores = this.scores;
    const touched: number[] = [];
    const add = (id: number, idf: number): void => {
      const end = this.offsets[id + 1] ?? 0;
      for (let p = this.offsets[id] ?? 0; p < end; p++) {
        const row = this.postingRows[p] ?? 0;
        const tf = this.weights[p] ?? 0;
        if (scores[row] === 0) touched.push(row);
        scores[row] = (scores[row] ?? 0) + (idf * tf * (k1 + 1)) / (k1 + tf);
      }
    };
    for (const t of query.terms) if (t.id >= 0) add(t.id, t.idf);
    for (const t of query.phrases) add(t.id, t.idf);
    const heap = new TopKHeap(limit);
    for (const row of touched) {
      heap.offer(row, scores[row] ?? 0);
      scores[row] = 0;
    }
    return heap.sorted();
  }

  /** True when the passage at `row` contains the term (in any field). */
  contains(termId: number, row: number): boolean {
    if (termId < 0) return false;
    let lo = this.offsets[termId] ?? 0;
    let hi = (this.offsets[termId + 1] ?? 0) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const found = this.postingRows[mid] ?? 0;
      if (found === row) return true;
      if (found < row) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  private df(id: number): number {
    return (this.offsets[id + 1] ?? 0) - (this.offsets[id] ?? 0);
  }

  private idfOf(df: number): number {
    return Math.log(1 + (this.documents - df + 0.5) / (df + 0.5));
  }
}

/** The terms of a file path: `docs/git-Stash_notes.md` → terms of "docs git Stash notes". */
function fileText(file: string): string {
  return file.replace(/\.[a-z0-9]+$/i, '').replace(/[_/\\.]+/g, ' ');
}

interface Postings {
  documents: number;
  offsets: Uint32Array;
  rows: Uint32Array;
  weights: Float32Array;
}

/**
 * Two passes: the first measures body lengths (for the average BM25 needs),
 * the second emits (term, row, weight) triples, which a counting sort turns
 * into compressed-row postings.
 */
function buildPostings(passages: readonly Passage[], options: KeywordOptions, termIds: Map<string, number>): Postings {
  const bodies = passages.map((p) => (p.searchable ? bodyTerms(p.text, options.phrase > 0) : null));
  let documents = 0;
  let totalLength = 0;
  for (const body of bodies) {
    if (body === null) continue;
    documents++;
    totalLength += body.length;
  }
  const avgLength = documents === 0 ? 1 : Math.max(totalLength / documents, 1);
  const triples = new TripleBuffer();
  const metaCache = new Map<string, string[]>();
  passages.forEach((passage, row) => {
    const body = bodies[row];
    if (body === undefined || body === null) return;
    const weights = fieldWeights(passage, body, avgLength, options, metaCache);
    for (const [term, weight] of weights) {
      let id = termIds.get(term);
      if (id === undefined) termIds.set(term, (id = termIds.size));
      triples.push(id, row, weight);
    }
  });
  return { documents, ...triples.toPostings(termIds.size) };
}

interface BodyTerm {
  term: string;
  phrase: boolean;
}

function bodyTerms(text: string, withPhrases: boolean): BodyTerm[] {
  const { terms, words } = analyze(text);
  const out: BodyTerm[] = terms.map((term) => ({ term, phrase: false }));
  if (withPhrases) {
    for (let i = 1; i < words.length; i++) {
      out.push({ term: bigram(words[i - 1] ?? '', words[i] ?? ''), phrase: true });
    }
  }
  return out;
}

function fieldWeights(
  passage: Passage,
  body: BodyTerm[],
  avgLength: number,
  options: KeywordOptions,
  metaCache: Map<string, string[]>,
): Map<string, number> {
  const weights = new Map<string, number>();
  const norm = 1 - options.b + (options.b * body.length) / avgLength;
  for (const { term, phrase } of body) {
    weights.set(term, (weights.get(term) ?? 0) + (phrase ? options.phrase : 1) / norm);
  }
  // Metadata fields are short and shared by a whole file: no length normalisation.
  const meta = (text: string): string[] => {
    let terms = metaCache.get(text);
    if (terms === undefined) metaCache.set(text, (terms = tokenize(text)));
    return terms;
  };
  const addField = (terms: string[], weight: number): void => {
    if (weight <= 0) return;
    for (const term of terms) weights.set(term, (weights.get(term) ?? 0) + weight);
  };
  if (passage.title.length <= MAX_TITLE_CHARS && passage.title !== passage.text) {
    addField(meta(passage.title), options.title);
  }
  addField(meta(passage.headings.join('\n')), options.headings);
  addField(meta(fileText(passage.file)), options.file);
  return weights;
}

/** Growable (term, row, weight) columns. */
class TripleBuffer {
  private terms = new Uint32Array(1024);
  private rows = new Uint32Array(1024);
  private weights = new Float32Array(1024);
  private size = 0;

  push(term: number, row: number, weight: number): void {
    if (this.size === this.terms.length) this.grow();
    this.terms[this.size] = term;
    this.rows[this.size] = row;
    this.weights[this.size] = weight;
    this.size++;
  }

  /** Counting sort by term; rows stay ascending within a term because they were pushed in row order. */
  toPostings(termCount: number): Omit<Postings, 'documents'> {
    const offsets = new Uint32Array(termCount + 1);
    for (let i = 0; i < this.size; i++) offsets[(this.terms[i] ?? 0) + 1]!++;
    for (let t = 0; t < termCount; t++) offsets[t + 1]! += offsets[t] ?? 0;
    const cursor = offsets.slice(0, termCount);
    const rows = new Uint32Array(this.size);
    const weights = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const at = cursor[this.terms[i] ?? 0]!++;
      rows[at] = this.rows[i] ?? 0;
      weights[at] = this.weights[i] ?? 0;
    }
    return { offsets, rows, weights };
  }

  private grow(): void {
    const size = this.terms.length * 2;
    const terms = new Uint32Array(size);
    const rows = new Uint32Array(size);
    const weights = new Float32Array(size);
    terms.set(this.terms);
    rows.set(this.rows);
    weights.set(this.weights);
    this.terms = terms;
    this.rows = rows;
    this.weights = weights;
  }
}
