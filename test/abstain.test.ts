import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECOMMENDED_ANSWER_THRESHOLD, abstainFeatures, answerConfidence, type AbstainFeatures } from '../src/search/abstain.js';
import { KeywordIndex } from '../src/search/keyword.js';
import { parseEvalCases, runEval, type EvalReport } from '../src/search/eval.js';
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

describe('abstention on the seed article', () => {
  let report: EvalReport;
  beforeAll(async () => {
    const retriever = new Retriever(await seedIndex(), null, { answerThreshold: RECOMMENDED_ANSWER_THRESHOLD });
    const cases = parseEvalCases(await readFile(path.join(ROOT, 'test/fixtures/seed-questions.jsonl'), 'utf8'));
    expect(cases.filter((c) => c.answerable).length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => !c.answerable).length).toBeGreaterThanOrEqual(30);
    report = await runEval((q) => retriever.ask(q, { topK: 10 }), cases);
  });

  it('says "not in the documents" to at least 90% of off-topic questions', () => {
    expect(report.abstention.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('still answers at least 95% of the questions the article answers', () => {
    expect(report.abstention.answeredRate).toBeGreaterThanOrEqual(0.95);
  });

  it('ranks the right paragraph first for most answerable questions', () => {
    expect(report.passage?.hit1).toBeGreaterThanOrEqual(0.8);
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
    abstainFeatures(keyword, keyword.query(q), { row, score: 1, text: texts[row]! });

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

  it('a bigger folder has a bigger size, capped at 1', () => {
    const big = new KeywordIndex(Array.from({ length: 200 }, (_, i) => ({ ...passages[0]!, id: `b#${i}`, paragraph: i + 1 })));
    const sizeOf = (index: KeywordIndex): number => abstainFeatures(index, index.query('Rubio'), { row: 0, score: 1, text: texts[0]! }).size;
    expect(sizeOf(big)).toBeGreaterThan(sizeOf(keyword));
    expect(sizeOf(big)).toBeLessThanOrEqual(1);
  });
});

describe('answerConfidence', () => {
  const base: AbstainFeatures = { coverage: 0.5, unseen: 0.2, strength: 0.4, matched: 3, focus: 0.3, size: 0.5 };
  it.each([
    ['more of the question covered', { coverage: 0.9 }, 'up'],
    ['more of the question unknown to the documents', { unseen: 0.8 }, 'down'],
    ['a stronger top score', { strength: 0.8 }, 'up'],
    ['more matched terms', { matched: 5 }, 'up'],
    ["the question's words gathered in one sentence", { focus: 0.9 }, 'up'],
    ['the same match in a far bigger folder', { size: 1 }, 'down'],
  ] as const)('%s moves confidence %s', (_name, change, direction) => {
    const before = answerConfidence(base);
    const after = answerConfidence({ ...base, ...change });
    if (direction === 'up') expect(after).toBeGreaterThan(before);
    else expect(after).toBeLessThan(before);
  });

  it('puts the weakest match far below the threshold and the strongest far above it', () => {
    const weakest: AbstainFeatures = { coverage: 0, unseen: 1, strength: 0, matched: 0, focus: 0, size: 1 };
    const strongest: AbstainFeatures = { coverage: 1, unseen: 0, strength: 1, matched: 6, focus: 1, size: 0 };
    expect(answerConfidence(weakest)).toBeLessThan(RECOMMENDED_ANSWER_THRESHOLD / 2);
    expect(answerConfidence(strongest)).toBeGreaterThan((1 + RECOMMENDED_ANSWER_THRESHOLD) / 2);
  });
});
