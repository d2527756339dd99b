/**
 * Plain textbook BM25, the baseline anyone could write in an afternoon:
 * k1 = 1.2, b = 0.75, lower-cased `[a-z0-9]+` tokens, NLTK's English stop
 * words, no stemming, no fields. IDF is Lucene's `ln(1 + (N − df + 0.5)/(df + 0.5))`,
 * which never goes negative. This is the "plain BM25 probe" the eval sets'
 * READMEs quote (FiQA 40.7% hit@1, WikiQA 81.8%).
 *
 * @example
 * const bm25 = new PlainBm25(['the cat sat', 'a dog ran']);
 * bm25.search('where did the cat sit', 10); // → [0]
 */
const K1 = 1.2;
const B = 0.75;

/** NLTK's English stop words (the apostrophe forms can't occur as `[a-z0-9]+` tokens). */
const STOP = new Set(
  ('i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself ' +
    'it its itself they them their theirs themselves what which who whom this that these those am is are was were be ' +
    'been being have has had having do does did doing a an the and but if or because as until while of at by for with ' +
    'about against between into through during before after above below to from up down in out on off over under again ' +
    'further then once here there when where why how all any both each few more most other some such no nor not only own ' +
    'same so than too very s t can will just don should now d ll m o re ve y ain aren couldn didn doesn hadn hasn haven ' +
    'isn ma mightn mustn needn shan shouldn wasn weren won wouldn').split(' '),
);

/** Lower-cased `[a-z0-9]+` tokens minus stop words. */
export function plainTokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !STOP.has(t));
}

export class PlainBm25 {
  private readonly postings = new Map<string, Array<[row: number, tf: number]>>();
  private readonly lengths: number[];
  private readonly avgLength: number;

  constructor(texts: readonly string[]) {
    this.lengths = texts.map((text, row) => {
      const tokens = plainTokens(text);
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [term, n] of tf) {
        const list = this.postings.get(term) ?? [];
        list.push([row, n]);
        this.postings.set(term, list);
      }
      return tokens.length;
    });
    this.avgLength = this.lengths.reduce((a, b) => a + b, 0) / Math.max(1, texts.length);
  }

  /** Rows of the best `k` texts, best first (ties: lower row first). Each distinct query term counts once. */
  search(query: string, k: number): number[] {
    const scores = new Map<number, number>();
    const n = this.lengths.length;
    for (const term of new Set(plainTokens(query))) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const [row, tf] of list) {
        const norm = K1 * (1 - B + (B * (this.lengths[row] ?? 0)) / this.avgLength);
        scores.set(row, (scores.get(row) ?? 0) + (idf * tf * (K1 + 1)) / (tf + norm));
      }
    }
    return [...scores].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, k).map(([row]) => row);
  }
}
