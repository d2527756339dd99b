/**
 * The keyword engine: a BM25F inverted index over passages, built once per
 * loaded index and kept in typed arrays (postings sorted by term, then row).
 *
 * Fields: the passage text, plus its document title, heading path, the section's own title (innermost heading) and
 * file name, each with its own weight. BM25F adds the weighted term
 * frequencies of all fields *before* saturation, so a word in the title counts
 * like a few more mentions in the body instead of a separate, unbounded bonus.
 * Adjacent word pairs are indexed as phrase terms, which rewards passages that
 * say "Secretary of State" over ones that say "state" and "secretary" apart.
 *
 * Building takes seconds at 50k passages (tokenising is most of it), so ingest
 * builds it once with `KeywordIndex.buildParts` (in slices, letting the event
 * loop in), the store keeps its `toParts()` in the index generation, and loading
 * restores it with `new KeywordIndex(parts)` in milliseconds.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Passage } from '../types.js';
import { detached } from '../text/detach.js';
import { analyze, bigram, stem, surfaceWords, tokenize } from '../text/tokenize.js';
import { isStopWord } from '../text/stopwords.js';
import type { Thesaurus } from '../text/thesaurus.js';
import { expansions } from '../text/abbreviations.js';
import type { KeywordHead, KeywordOptions, KeywordParts } from '../index/keyword-file.js';
import type { PostingRun, PostingWeight } from '../index/keyword-runs.js';
import { TopKHeap, type Scored } from './vectors.js';
import { TermTable } from './term-table.js';
import { grownTo } from '../index/grow.js';

/** What docs/benchmarks.md measured best. */
export const DEFAULT_KEYWORD_OPTIONS: KeywordOptions = {
  k1: 0.9,
  b: 0.4,
  phrase: 0.2,
  paragraph: 0.3,
  title: 0.5,
  headings: 1,
  file: 0.5,
  section: 0.5,
};

/**
 * True when stored parts were built with these options; otherwise the index
 * is rebuilt in memory rather than searched with other tuning.
 *
 * @example
 * const keyword = builtWith(stored, DEFAULT_KEYWORD_OPTIONS) ? new KeywordIndex(stored) : new KeywordIndex(passages);
 */
export function builtWith(parts: KeywordParts, options: KeywordOptions): boolean {
  return (Object.keys(DEFAULT_KEYWORD_OPTIONS) as Array<keyof KeywordOptions>).every((key) => parts.options[key] === options[key]);
}

/** Titles longer than this are a first paragraph standing in for a title (plain text files). */
const MAX_TITLE_CHARS = 160;

/** A question, analysed once and reused for search, abstention features and highlights. */
export interface KeywordQuery {
  /** Distinct terms of the question, with their IDF (unknown terms get the IDF of an unseen term). */
  terms: Array<{ term: string; idf: number; id: number }>;
  /** Distinct phrase terms found in the index. */
  phrases: Array<{ term: string; idf: number; id: number }>;
  /**
   * Other words for the question's words found in the index: synonyms and abbreviation expansions
   * (`dicts` → `dictionary`), their IDF scaled down by `SYNONYM_WEIGHT`, and the same word written as
   * one or two (`file name` → `filename`) in full. Searched, never counted as matched.
   */
  synonyms: Array<{ term: string; idf: number; id: number }>;
}

/** A compound's other spelling is the asker's own word, written differently: it counts in full (see `compounds`). */
const COMPOUND_WEIGHT = 1;
/** Shortest part of a word split in two (see `compounds`): shorter parts match by chance. */
const MIN_PART = 3;

/** A synonym counts this much of its own IDF: evidence, but weaker than the asker's own word. */
export const SYNONYM_WEIGHT = 0.3;

/** Longest stretch of building between two yields to the event loop in `KeywordIndex.buildParts`. */
const BUILD_SLICE_MS = 5;

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
  private readonly termIds: TermTable;
  private readonly terms: string[];
  private readonly rows: number;
  private readonly offsets: Uint32Array;
  private readonly postingRows: Uint32Array;
  /** Field-weighted, length-normalised term frequency per posting. */
  private readonly weights: Float32Array;
  private readonly scores: Float64Array;
  /** The rows a search has scored so far (a row is listed when its score leaves 0). */
  private touched: Int32Array;

  /**
   * Builds the index over `source` passages (blocking until done), or restores
   * one from the parts of an index built before.
   *
   * @example
   * const restored = new KeywordIndex(new KeywordIndex(passages).toParts());
   */
  constructor(source: readonly Passage[] | KeywordParts, options: Partial<KeywordOptions> = {}) {
    const parts = 'postingRows' in source ? source : drain(buildParts(source, { ...DEFAULT_KEYWORD_OPTIONS, ...options }));
    this.options = parts.options;
    this.documents = parts.documents;
    this.terms = parts.terms;
    this.rows = parts.rows;
    this.offsets = parts.offsets;
    this.postingRows = parts.postingRows;
    this.weights = parts.weights;
    this.termIds = new TermTable(parts.terms);
    this.scores = new Float64Array(parts.rows);
    this.touched = new Int32Array(parts.rows);
  }

  /**
   * Builds the parts of an index (what the store writes) without blocking: the
   * work runs in slices of about 5 ms with the event loop let in between, so a
   * bot re-indexing stays responsive.
   *
   * @example
   * const parts = await KeywordIndex.buildParts(passages); // → { options, documents, rows, terms, … }
   */
  static async buildParts(passages: readonly Passage[], options: Partial<KeywordOptions> = {}): Promise<KeywordParts> {
    const steps = buildParts(passages, { ...DEFAULT_KEYWORD_OPTIONS, ...options });
    let sliceStart = performance.now();
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      if (performance.now() - sliceStart > BUILD_SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  }

  /**
   * The index as plain arrays, to store and restore later.
   *
   * @example
   * const parts = index.toParts(); // → { options, documents, rows, terms, offsets, postingRows, weights }
   */
  toParts(): KeywordParts {
    const { options, documents, rows, terms, offsets, postingRows, weights } = this;
    return { options, documents, rows, terms, offsets, postingRows, weights };
  }

  /** IDF of a term found in exactly one passage: the most a shared word can weigh. */
  get rarestIdf(): number {
    return this.idfOf(1);
  }

  /**
   * Analyses a question against this index.
   *
   * @example
   * index.query('What is git-stash?').terms.map((t) => t.term); // → ['git', 'stash', 'git-stash']
   */
  query(question: string, thesaurus: Thesaurus | null = null): KeywordQuery {
    const { terms, words } = analyze(question);
    const seen = new Set<string>();
    const out: KeywordQuery = { terms: [], phrases: [], synonyms: [] };
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
    this.addSynonyms(question, thesaurus, seen, out.synonyms);
    return out;
  }

  private addSynonyms(question: string, thesaurus: Thesaurus | null, seen: Set<string>, out: KeywordQuery['synonyms']): void {
    const words = surfaceWords(question);
    const add = (text: string, weight: number): void => {
      for (const term of tokenize(text)) {
        const id = this.termIds.get(term);
        if (id === undefined || seen.has(term)) continue;
        seen.add(term);
        out.push({ term, id, idf: weight * this.idfOf(this.df(id)) });
      }
    };
    for (const [i, word] of words.entries()) {
      for (const other of this.compounds(word, words[i + 1])) add(other, COMPOUND_WEIGHT);
      for (const synonym of [...expansions(word), ...(thesaurus?.synonyms(word) ?? [])]) add(synonym, SYNONYM_WEIGHT);
    }
  }

  /**
   * The same word written as one or as two: "file name" where the documents
   * say "filename", and an unknown "virtualenv" or "standalone" as the two
   * known words it is made of ("virtual env", "stand alone").
   */
  private compounds(word: string, next: string | undefined): string[] {
    // Words here are plain lower-case letters, so a word's term is its stem; a stop word is no evidence.
    const known = (part: string): boolean => !isStopWord(part) && this.termIds.has(stem(part));
    const out = next !== undefined && known(word + next) ? [word + next] : [];
    if (known(word)) return out;
    for (let cut = MIN_PART; cut <= word.length - MIN_PART; cut++) {
      const [head, tail] = [word.slice(0, cut), word.slice(cut)];
      if (known(head) && (known(tail) || expansions(tail).some((long) => tokenize(long).some((t) => this.termIds.has(t))))) return [...out, head, tail];
    }
    return out;
  }

  /** The `limit` best rows for a query, best first. Rows of unsearchable passages never appear. */
  search(query: KeywordQuery, limit: number): Scored[] {
    const { k1 } = this.options;
    const { scores, offsets, postingRows, weights } = this;
    // A typed list of the rows scored, and the arrays in locals: at a million passages a question walks up to a million postings.
    let touched = this.touched;
    let count = 0;
    const add = (id: number, idf: number): void => {
      const end = offsets[id + 1]!;
      for (let p = offsets[id]!; p < end; p++) {
        const row = postingRows[p]!;
        const tf = weights[p]!;
        if (scores[row] === 0) {
          // Only a weight of 0 lists a row twice (its score stays 0); then the list grows, as the plain array it replaces did.
          if (count === touched.length) touched = this.touched = grownTo(touched, count + 1);
          touched[count++] = row;
        }
        scores[row]! += (idf * tf * (k1 + 1)) / (k1 + tf);
      }
    };
    for (const t of query.terms) if (t.id >= 0) add(t.id, t.idf);
    for (const t of query.phrases) add(t.id, t.idf);
    for (const t of query.synonyms) add(t.id, t.idf);
    const heap = new TopKHeap(limit);
    for (let i = 0; i < count; i++) {
      const row = touched[i]!;
      heap.offer(row, scores[row]!);
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

/** Postings collected before they are sorted and handed over as one run: about 64 MB of columns. */
const RUN_POSTINGS = 1 << 22;

/**
 * The keyword index built a document at a time, for a folder too big to hold
 * at once (ingest): postings go out in sorted runs of a few million
 * (`index/keyword-runs.ts` spills and merges them), so memory follows one
 * run, not the folder. Terms, ids and weights are exactly those
 * `KeywordIndex.buildParts` gives over all the passages at once.
 *
 * @example
 * const builder = new KeywordBuilder((run) => spill.add(run));
 * for (const file of files) await builder.add(passagesOf(file));
 * const { head, weight } = await builder.finish();
 * await writeFileAtomic(keywordBin, spill.bin(head.terms.length, weight));
 */
export class KeywordBuilder {
  readonly options: KeywordOptions;
  private readonly termIds = new Map<string, number>();
  private readonly metaCache = new Map<string, string[]>();
  private lengths = new Float64Array(1024);
  private rows = 0;
  private documents = 0;
  private totalLength = 0;
  private readonly block: RunBlock;

  constructor(
    private readonly sink: (run: PostingRun) => Promise<void>,
    options: Partial<KeywordOptions> = {},
    runPostings = RUN_POSTINGS,
  ) {
    this.options = { ...DEFAULT_KEYWORD_OPTIONS, ...options };
    this.block = new RunBlock(runPostings);
  }

  /**
   * Adds the next passages in row order: whole documents (a long paragraph's
   * pieces look at their neighbours, which must come in the same call).
   */
  async add(passages: readonly Passage[]): Promise<void> {
    const pieces = new ParagraphPieces(passages, this.options);
    let sliceStart = performance.now();
    for (let i = 0; i < passages.length; i++) {
      const row = this.rows++;
      const passage = passages[i]!;
      this.growLengths();
      if (!passage.searchable) continue;
      const { body, length } = pieces.body(i);
      this.documents++;
      this.totalLength += this.lengths[row] = length;
      for (const [term, [bodyWeight, metaWeight]] of fieldWeights(passage, body, this.options, this.metaCache)) {
        let id = this.termIds.get(term);
        // Kept for the whole build: a slice of this document's text would keep all of it.
        if (id === undefined) this.termIds.set(detached(term), (id = this.termIds.size));
        if (this.block.full) await this.sink(await this.block.sorted(this.termIds.size));
        this.block.push(id, row, bodyWeight, metaWeight);
      }
      if (performance.now() - sliceStart > BUILD_SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  }

  /** Hands over the last run; returns keyword.json's content and the weight of a posting (`PostingWeight`). */
  async finish(): Promise<{ head: KeywordHead; weight: PostingWeight }> {
    if (this.block.size > 0) await this.sink(await this.block.sorted(this.termIds.size));
    const { options, documents, rows } = this;
    const avgLength = documents === 0 ? 1 : Math.max(this.totalLength / documents, 1);
    const norms = this.lengths.subarray(0, rows).map((length) => 1 - options.b + (options.b * length) / avgLength);
    // As TripleBuffer.toPostings: the body weight over the row's length norm, plus the metadata weight.
    const weight: PostingWeight = (body, meta, row) => body / norms[row]! + meta;
    return { head: { options, documents, rows, terms: [...this.termIds.keys()] }, weight };
  }

  private growLengths(): void {
    if (this.rows > this.lengths.length) this.lengths = grownTo(this.lengths, this.rows);
  }
}

/** The postings of one run as they are collected: (term, row, body weight, metadata weight) columns. */
class RunBlock {
  private readonly terms: Uint32Array;
  private readonly rows: Uint32Array;
  private readonly body: Float32Array;
  private readonly meta: Float32Array;
  size = 0;

  constructor(capacity: number) {
    this.terms = new Uint32Array(capacity);
    this.rows = new Uint32Array(capacity);
    this.body = new Float32Array(capacity);
    this.meta = new Float32Array(capacity);
  }

  get full(): boolean {
    return this.size === this.terms.length;
  }

  push(term: number, row: number, body: number, meta: number): void {
    const at = this.size++;
    this.terms[at] = term;
    this.rows[at] = row;
    this.body[at] = body;
    this.meta[at] = meta;
  }

  /**
   * The postings as a run, counting-sorted by term (rows stay ascending within
   * a term: they were pushed in row order); empties the block.
   */
  async sorted(termCount: number): Promise<PostingRun> {
    const n = this.size;
    const starts = new Uint32Array(termCount);
    for (let i = 0; i < n; i++) starts[this.terms[i]!]!++;
    let distinct = 0;
    for (let t = 0; t < termCount; t++) if (starts[t]! > 0) distinct++;
    const terms = new Uint32Array(distinct);
    const counts = new Uint32Array(distinct);
    for (let t = 0, k = 0, at = 0; t < termCount; t++) {
      const count = starts[t]!;
      if (count > 0) {
        terms[k] = t;
        counts[k++] = count;
      }
      starts[t] = at;
      at += count;
    }
    await yieldToEventLoop();
    const [rows, body, meta] = [new Uint32Array(n), new Float32Array(n), new Float32Array(n)];
    for (let i = 0; i < n; i++) {
      const at = starts[this.terms[i]!]!++;
      rows[at] = this.rows[i]!;
      body[at] = this.body[i]!;
      meta[at] = this.meta[i]!;
      if (i % SORT_STEP === 0) await yieldToEventLoop();
    }
    this.size = 0;
    return { terms, counts, rows, body, meta };
  }
}

/** The terms of a file path: `docs/git-Stash_notes.md` → terms of "docs git Stash notes". */
function fileText(file: string): string {
  return file.replace(/\.[a-z0-9]+$/i, '').replace(/[_/\\.]+/g, ' ');
}

/** Runs a build to the end without pausing. */
function drain<T>(steps: Generator<void, T>): T {
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/**
 * One pass over the passages, pausing (`yield`) after each one and every 64k
 * postings sorted, so a caller can let the event loop in. Body weights are
 * length-normalised at the end, once the average length is known, so no
 * passage's terms are kept in between.
 */
function* buildParts(passages: readonly Passage[], options: KeywordOptions): Generator<void, KeywordParts> {
  const termIds = new Map<string, number>();
  const triples = new TripleBuffer();
  const lengths = new Float64Array(passages.length);
  const metaCache = new Map<string, string[]>();
  const pieces = new ParagraphPieces(passages, options);
  let documents = 0;
  let totalLength = 0;
  for (let row = 0; row < passages.length; row++) {
    const passage = passages[row]!;
    if (!passage.searchable) continue;
    const { body, length } = pieces.body(row);
    documents++;
    totalLength += lengths[row] = length;
    for (const [term, [bodyWeight, metaWeight]] of fieldWeights(passage, body, options, metaCache)) {
      let id = termIds.get(term);
      if (id === undefined) termIds.set(term, (id = termIds.size));
      triples.push(id, row, bodyWeight, metaWeight);
    }
    yield;
  }
  const avgLength = documents === 0 ? 1 : Math.max(totalLength / documents, 1);
  const norms = lengths.map((length) => 1 - options.b + (options.b * length) / avgLength);
  const postings = yield* triples.toPostings(termIds.size, norms);
  return { options, documents, rows: passages.length, terms: [...termIds.keys()], ...postings };
}

/**
 * Body terms of each passage, with the neighbouring pieces of its paragraph
 * (when a long paragraph was split) weighted by `options.paragraph`. Only the
 * piece before and after count: that is the context a reader sees, and it
 * keeps a 10 MB paragraph's cost linear.
 */
class ParagraphPieces {
  constructor(
    private readonly passages: readonly Passage[],
    private readonly options: KeywordOptions,
  ) {}

  body(row: number): { body: BodyTerms; length: number } {
    const passage = this.passages[row]!;
    const body: BodyTerms = { terms: [], weights: [] };
    let length = addBodyTerms(body, passage.text, 1, this.options);
    if (passage.part === 0 || this.options.paragraph <= 0) return { body, length };
    for (const near of [row - 1, row + 1]) {
      const other = this.passages[near];
      if (!other || !other.searchable || other.file !== passage.file || other.paragraph !== passage.paragraph) continue;
      length += addBodyTerms(body, other.text, this.options.paragraph, this.options) * this.options.paragraph;
    }
    return { body, length };
  }
}

/**
 * A passage's body terms with their weights (a phrase's already scaled by
 * `options.phrase`), as two parallel arrays: the build allocates nothing per
 * word beyond the term itself. Two objects per word were most of a build's
 * garbage, and so of its peak memory (an 800 MB heap for 111k passages).
 */
interface BodyTerms {
  terms: string[];
  weights: number[];
}

/** Appends the terms (and phrase terms) of `text` at `weight`; returns how many it added. */
function addBodyTerms(out: BodyTerms, text: string, weight: number, options: KeywordOptions): number {
  const { terms, words } = analyze(text);
  for (const term of terms) {
    out.terms.push(term);
    out.weights.push(weight);
  }
  if (options.phrase <= 0) return terms.length;
  const phraseWeight = options.phrase * weight;
  for (let i = 1; i < words.length; i++) {
    out.terms.push(bigram(words[i - 1] ?? '', words[i] ?? ''));
    out.weights.push(phraseWeight);
  }
  return terms.length + Math.max(0, words.length - 1);
}

/** term → [body weight before length normalisation, metadata weight]. */
function fieldWeights(
  passage: Passage,
  body: BodyTerms,
  options: KeywordOptions,
  metaCache: Map<string, string[]>,
): Map<string, [number, number]> {
  const weights = new Map<string, [number, number]>();
  const entry = (term: string): [number, number] => {
    let pair = weights.get(term);
    if (pair === undefined) weights.set(term, (pair = [0, 0]));
    return pair;
  };
  for (let i = 0; i < body.terms.length; i++) entry(body.terms[i]!)[0] += body.weights[i]!;
  // Metadata fields are short and shared by a whole file: no length normalisation.
  const meta = (text: string): string[] => {
    let terms = metaCache.get(text);
    // Kept for the whole build: no slices of a document's text (see text/detach.ts).
    if (terms === undefined) metaCache.set(detached(text), (terms = tokenize(text).map(detached)));
    return terms;
  };
  const addField = (terms: string[], weight: number): void => {
    if (weight <= 0) return;
    for (const term of terms) entry(term)[1] += weight;
  };
  if (passage.title.length <= MAX_TITLE_CHARS && passage.title !== passage.text) {
    addField(meta(passage.title), options.title);
  }
  const headings = passage.headings.map(signatureName);
  addField(meta(headings.join('\n')), options.headings);
  // The innermost heading names what this section is about; the outer ones are shared by many sections.
  addField(meta(headings[headings.length - 1] ?? ''), options.section);
  addField(meta(fileText(passage.file)), options.file);
  return weights;
}

const SIGNATURE = /^(.*?[\p{L}\p{N}_\]])\(.*\)\s*(?:->.*)?$/u;
/**
 * An API heading without its parameter list: `json.dumps(obj, *, sort_keys=False)` → `json.dumps()`.
 * Parameter names (`sort_keys`, `setUp=None`) name options of the call, not what the section is about.
 */
export function signatureName(heading: string): string {
  const match = SIGNATURE.exec(heading);
  return match === null ? heading : `${match[1]}()`;
}

/** Steps between pauses in the postings sort. */
const SORT_STEP = 1 << 16;

/** Postings are collected in blocks of this many: growing never copies, and at most one block is unused. */
const BLOCK_BITS = 20;
const BLOCK = 1 << BLOCK_BITS;

/** A growable column of numbers in fixed-size typed-array blocks. */
class BlockColumn<T extends Uint32Array | Float32Array> {
  private readonly blocks: Array<T | null> = [];
  length = 0;

  constructor(private readonly make: (size: number) => T) {}

  push(value: number): void {
    const at = this.length & (BLOCK - 1);
    if (at === 0) this.blocks.push(this.make(BLOCK));
    this.blocks[this.blocks.length - 1]![at] = value;
    this.length++;
  }

  get(i: number): number {
    return this.blocks[i >>> BLOCK_BITS]![i & (BLOCK - 1)]!;
  }

  /** Lets go of the blocks before `i` (read in order, they are not needed again). */
  releaseBefore(i: number): void {
    for (let b = 0; b < i >>> BLOCK_BITS; b++) this.blocks[b] = null;
  }
}

/**
 * (term, row, body weight, metadata weight) columns. Metadata weights (title,
 * heading and file-name terms) are rare, so only the non-zero ones are kept,
 * with the posting they belong to: at 200k passages this and the blocks keep
 * the build hundreds of MB smaller than growing flat arrays by doubling.
 */
class TripleBuffer {
  private readonly terms = new BlockColumn((n) => new Uint32Array(n));
  private readonly rows = new BlockColumn((n) => new Uint32Array(n));
  private readonly bodyWeights = new BlockColumn((n) => new Float32Array(n));
  private readonly metaAt = new BlockColumn((n) => new Uint32Array(n));
  private readonly metaWeights = new BlockColumn((n) => new Float32Array(n));

  push(term: number, row: number, bodyWeight: number, metaWeight: number): void {
    if (metaWeight !== 0) {
      this.metaAt.push(this.terms.length);
      this.metaWeights.push(metaWeight);
    }
    this.terms.push(term);
    this.rows.push(row);
    this.bodyWeights.push(bodyWeight);
  }

  /**
   * Counting sort by term; rows stay ascending within a term because they were
   * pushed in row order. A posting's weight is its body weight over its row's
   * length norm, plus its metadata weight.
   */
  *toPostings(termCount: number, norms: Float64Array): Generator<void, Pick<KeywordParts, 'offsets' | 'postingRows' | 'weights'>> {
    const size = this.terms.length;
    const offsets = new Uint32Array(termCount + 1);
    for (let i = 0; i < size; i++) {
      offsets[this.terms.get(i) + 1]!++;
      if (i % SORT_STEP === 0) yield;
    }
    for (let t = 0; t < termCount; t++) offsets[t + 1]! += offsets[t] ?? 0;
    yield;
    const cursor = offsets.slice(0, termCount);
    const postingRows = new Uint32Array(size);
    const weights = new Float32Array(size);
    let meta = 0;
    for (let i = 0; i < size; i++) {
      const at = cursor[this.terms.get(i)]!++;
      const row = this.rows.get(i);
      postingRows[at] = row;
      let weight = this.bodyWeights.get(i) / (norms[row] ?? 1);
      if (meta < this.metaAt.length && this.metaAt.get(meta) === i) weight += this.metaWeights.get(meta++);
      weights[at] = weight;
      if (i % SORT_STEP === 0) {
        for (const column of [this.terms, this.rows, this.bodyWeights]) column.releaseBefore(i);
        yield;
      }
    }
    return { offsets, postingRows, weights };
  }
}
