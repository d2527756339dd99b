import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECOMMENDED_ANSWER_THRESHOLD, abstainFeatures, answerConfidence, type AbstainFeatures } from '../src/search/abstain.js';
import { KeywordIndex } from '../src/search/keyword.js';
import { scoreSentences } from '../src/search/highlight.js';
import { parseEvalCases, runEval, type EvalCase, type EvalReport } from '../src/search/eval.js';
import { loadDocuments } from '../src/documents/load.js';
import { Retriever } from '../src/search/retrieve.js';
import { splitDocument } from '../src/documents/split.js';
import type { LoadedIndex, Passage } from '../src/types.js';

const ROOT = path.resolve(import.meta.dirname, '..');

async function seedIndex(): Promise<LoadedIndex> {
  const docs = await loadDocuments(path.join(ROOT, 'seeds'), () => {});
  const passages = docs.flatMap((doc) => splitDocument(doc));
  return {
    dir: '(memory)', generation: 'test', passages, vectors: null,
    manifest: { format: 1, createdAt: '', mode: 'keyword', model: null, dim: 0, docsDir: 'seeds', files: {}, passages: passages.length },
  };
}

describe('the three verdicts on the seed article (its questions were never fitted)', () => {
  let retriever: Retriever;
  let cases: EvalCase[];
  const shares = async (answerable: boolean) => {
    const list = cases.filter((c) => c.answerable === answerable);
    const verdicts = await Promise.all(list.map(async (c) => (await retriever.ask(c.q, { topK: 3 })).verdict));
    const share = (v: string) => verdicts.filter((x) => x === v).length / verdicts.length;
    return { answered: share('answered'), unsure: share('unsure'), none: share('none') };
  };
  beforeAll(async () => {
    retriever = new Retriever(await seedIndex(), null, { answerThreshold: RECOMMENDED_ANSWER_THRESHOLD });
    cases = parseEvalCases(await readFile(path.join(ROOT, 'test/fixtures/seed-questions.jsonl'), 'utf8'));
    expect(cases.filter((c) => c.answerable).length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => !c.answerable).length).toBeGreaterThanOrEqual(30);
  });

  it('never answers an off-topic question, and refuses outright those whose words the article lacks', async () => {
    const { answered } = await shares(false);
    expect(answered).toBe(0);
    expect((await retriever.ask('How do I bake a chocolate cake?', { topK: 3 })).verdict).toBe('none');
  });

  it('refuses no answerable question outright, and answers at least 85% of them', async () => {
    const { answered, none } = await shares(true);
    expect(none).toBe(0);
    expect(answered).toBeGreaterThanOrEqual(0.85);
  });

  it('ranks the right paragraph first for most answerable questions', async () => {
    const report: EvalReport = await runEval((q) => retriever.ask(q, { topK: 10 }), cases);
    expect(report.passage?.hit1).toBeGreaterThanOrEqual(0.9);
  });

  it.each([
    // "headed" reaches "led" through the thesaurus; "delegation" is nowhere in the article.
    ['Who headed the American delegation at the meeting in Riyadh?', 4, 'Marco Rubio'],
    ['Were Kyiv or the Europeans at the table?', 5, 'Neither Ukraine nor any European'],
  ])('a paraphrase quotes the right paragraph first: %s', async (question, paragraph, text) => {
    const answer = await retriever.ask(question, { topK: 3 });
    expect(answer.verdict).not.toBe('none');
    expect([answer.results[0]?.passage.paragraph, answer.results[0]?.passage.text]).toEqual([paragraph, expect.stringContaining(text)]);
  });

  it.each([
    ['Who headed the meeting in Riyadh?', 'Riyadh'],
    ['what about Witkoff', 'Witkoff'],
    ['Munich?', 'Munich'],
  ])('a rare word the top passage shares is never refused outright: %s', async (question, word) => {
    const answer = await retriever.ask(question, { topK: 3 });
    expect(answer.verdict).not.toBe('none');
    expect(answer.results[0]?.passage.text).toContain(word);
  });

  it.each([
    ['Who led the American team in Riyadh?', 'hey, who led the American team in Riyadh?'],
    ['Who led the American team in Riyadh?', 'hi, can you tell me who led the American team in Riyadh please?'],
    ['What did Vance say in Munich?', 'hey what did Vance say in Munich? thanks!'],
    ['How do I bake a chocolate cake?', 'Hello! Could you tell me how do I bake a chocolate cake please'],
  ])('greetings and politeness change nothing: %s', async (plain, chatty) => {
    const [a, b] = [await retriever.ask(plain, { topK: 3 }), await retriever.ask(chatty, { topK: 3 })];
    expect([b.verdict, b.confidence, b.ranked?.map((h) => h.passage.id)]).toEqual([a.verdict, a.confidence, a.ranked?.map((h) => h.passage.id)]);
  });
});

describe('abstainFeatures', () => {
  const texts = [
    'Rubio led the team in Riyadh. The talks lasted four hours.',
    'Rubio flew out on Monday. Later that week the talks in Riyadh began.',
    'Lavrov spoke to reporters about sanctions.',
  ];
  const passages: Passage[] = texts.map((text, i) => ({
    id: `a.txt#${i + 1}`, file: 'a.txt', paragraph: i + 1, part: 0, lines: [i + 1, i + 1],
    title: '', headings: [], text, hash: String(i), searchable: true,
  }));
  const keyword = new KeywordIndex(passages);
  const featuresOf = (q: string, row: number): AbstainFeatures =>
    abstainFeatures(keyword, keyword.query(q), top(q, row));
  const top = (q: string, row: number, index = keyword) => {
    const query = index.query(q);
    const weights = new Map(query.terms.map((t) => [t.term, t.idf]));
    return { row, score: 1, nextScore: 0.5, sentences: scoreSentences(texts[row]!, weights) };
  };

  it.each([
    ['both words in one sentence', 0, 1],
    ['the same words in different sentences', 1, 0.5],
    ['neither word', 2, 0],
  ])('focus: %s → %f', (_name, row, focus) => {
    expect(featuresOf('Rubio Riyadh', row).focus).toBeCloseTo(focus, 1);
  });

  it('a word the folder never uses counts as unseen, not as uncovered', () => {
    const f = featuresOf('Rubio Riyadh zeppelin', 0);
    expect(f.coverage).toBe(1);
    expect(f.unseen).toBeGreaterThan(0);
  });

  it('unseen counts words: one unknown word of three is a third, however rare unknown words are', () => {
    expect(featuresOf('Rubio Riyadh zeppelin', 0).unseen).toBeCloseTo(1 / 3);
  });

  it.each([
    ['the rarest shared word occurs in one passage', 'Lavrov sanctions', 2, 1],
    ['the only shared word occurs in two of three passages', 'Rubio zeppelin', 1, Math.log(1.6) / Math.log(1 + 2.5 / 1.5)],
    ['nothing shared', 'zeppelin', 2, 0],
  ])('rare: %s → %s', (_name, q, row, rare) => {
    expect(featuresOf(q, row).rare).toBeCloseTo(rare, 1);
  });

  it('margin: how far the top keyword score is ahead of the runner-up', () => {
    expect(featuresOf('Rubio', 0).margin).toBeCloseTo(0.5, 5); // score 1 against 0.5
  });

  it('a bigger folder has a bigger size, capped at 1', () => {
    const big = new KeywordIndex(Array.from({ length: 200 }, (_, i) => ({ ...passages[0]!, id: `b#${i}`, paragraph: i + 1 })));
    const sizeOf = (index: KeywordIndex): number => abstainFeatures(index, index.query('Rubio'), top('Rubio', 0, index)).size;
    expect(sizeOf(keyword)).toBeCloseTo(Math.log10(3) / 4, 5);
    expect(sizeOf(big)).toBeCloseTo(Math.log10(200) / 4, 5);
    const huge = { documents: 1e6 } as Partial<KeywordIndex>;
    expect(abstainFeatures(Object.assign(Object.create(big), huge), big.query('Rubio'), top('Rubio', 0, big)).size).toBe(1);
  });
});

describe('answerConfidence', () => {
  const base: AbstainFeatures = { coverage: 0.5, unseen: 0.2, strength: 0.4, matched: 3, focus: 0.3, size: 0.5, margin: 0.3, rare: 0.6 };
  it.each([
    ['a stronger top score', { strength: 0.8 }, 1],
    ['more matched terms', { matched: 5 }, 1],
    ['a top passage far ahead of the runner-up', { margin: 0.9 }, 1],
    ['the same match in a far bigger folder', { size: 1 }, -1],
    // A paraphrase uses words the folder doesn't: that alone must not lower confidence.
    ['more of the question unknown to the documents', { unseen: 0.8 }, 0],
  ] as const)('%s moves confidence by sign %i', (_name, change, direction) => {
    const delta = answerConfidence({ ...base, ...change }) - answerConfidence(base);
    expect(Math.sign(Math.round(delta * 1e6))).toBe(direction);
  });

  it('puts the weakest match far below the threshold and the strongest far above it', () => {
    const weakest: AbstainFeatures = { coverage: 0, unseen: 1, strength: 0, matched: 0, focus: 0, size: 1, margin: 0, rare: 0 };
    const strongest: AbstainFeatures = { coverage: 1, unseen: 0, strength: 1, matched: 6, focus: 1, size: 0, margin: 1, rare: 1 };
    expect(answerConfidence(weakest)).toBeLessThan(RECOMMENDED_ANSWER_THRESHOLD / 2);
    expect(answerConfidence(strongest)).toBeGreaterThan((1 + RECOMMENDED_ANSWER_THRESHOLD) / 2);
  });
});
