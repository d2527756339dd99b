import { describe, expect, it } from 'vitest';
import { PlainBm25, plainTokens } from '../bench/bm25.js';
import { questionHalf } from '../bench/eval-sets.js';
import { compareRuns, formatComparisons } from '../bench/quality-compare.js';
import type { QualityRow, QuestionResult } from '../bench/quality-measure.js';
import { headlineTable } from '../bench/quality-table.js';

describe('plain BM25 baseline', () => {
  const texts = [
    'The cat sat on the mat.',
    'A dog ran in the park, and the dog barked.',
    'Cats and dogs: a cat is not a dog.',
    'Nothing here at all.',
  ];
  const bm25 = new PlainBm25(texts);

  it.each([
    ['lower-cases and drops NLTK stop words', 'Where is THE mat?', [0]],
    ['no stemming: "cats" is not "cat"', 'cats', [2]],
    ['more occurrences rank higher', 'dog', [1, 2]],
    ['a query of stop words finds nothing', 'what is the', []],
    ['unknown words find nothing', 'zebra', []],
  ])('%s', (_name, query, rows) => {
    expect(bm25.search(query, 10)).toEqual(rows);
  });

  it('keeps only [a-z0-9]+ tokens', () => {
    expect(plainTokens("Don't use fs.readFile in 2024!")).toEqual(['use', 'fs', 'readfile', '2024']);
  });

  it('cuts to k results', () => {
    expect(bm25.search('cat dog', 1)).toHaveLength(1);
  });
});

describe('questionHalf', () => {
  it.each([
    ['fit', ['q0', 'q2', 'q4']],
    ['report', ['q1', 'q3']],
    ['all', ['q0', 'q1', 'q2', 'q3', 'q4']],
  ] as const)('%s', (half, expected) => {
    expect(questionHalf(['q0', 'q1', 'q2', 'q3', 'q4'], half)).toEqual(expected);
  });
});

describe('compareRuns (paired, question by question)', () => {
  const r = (position: number, rank: number | null, verdict: QuestionResult['verdict'], group: QuestionResult['group'] = 'answerable'): QuestionResult => ({
    set: 'fiqa', engine: 'citebot', position, group, q: `q${position}`, gold: null, rank, fileRank: null, verdict, confidence: null, ms: 1, top: [],
  });
  const before = [r(1, 1, 'answered'), r(3, 2, 'none'), r(5, 0, 'none'), r(7, 1, 'answered'), r(1, null, 'answered', 'unanswerable')];
  const after = [r(1, 1, 'answered'), r(3, 1, 'answered'), r(5, 1, 'unsure'), r(7, 3, 'answered'), r(1, null, 'none', 'unanswerable'), r(9, 1, 'answered')];

  it('counts questions gained and lost at rank 1 and the verdict moves', () => {
    const [c] = compareRuns(before, after);
    expect(c).toMatchObject({ set: 'fiqa', engine: 'citebot', paired: 5, hit1Before: 0.5, hit1After: 0.75, gained: 2, lost: 1 });
    expect(c?.z).toBeCloseTo(1 / Math.sqrt(3), 10);
    expect(c?.moves).toEqual({ answerable: { 'none→answered': 1, 'none→unsure': 1 }, unanswerable: { 'answered→none': 1 } });
  });

  it('flags a loss of more than one point of hit@1', () => {
    const text = formatComparisons(compareRuns(after, before));
    expect(text).toMatch(/^fiqa citebot: hit@1 75\.0% → 50\.0% \(-25\.0 pts; \+1 −2, z = -0\.58\)/);
    expect(text).toMatch(/\*\* loses 25\.0 pts hit@1 \*\*$/);
    expect(formatComparisons(compareRuns(before, after))).not.toMatch(/loses/);
  });
});

describe('headlineTable', () => {
  const row = (set: string, engine: string, hit1: number, half: QualityRow['half'] = 'report'): QualityRow => ({
    set, half, engine, label: engine, answerable: 10, hit1, hit3: hit1, mrr10: hit1, fileHit1: null,
    answerableVerdicts: engine === 'citebot' ? { cases: 10, answered: 0.9, unsure: 0, none: 0.1 } : null,
    unanswerableVerdicts: engine === 'citebot' ? { cases: 4, answered: 0.25, unsure: 0.25, none: 0.5 } : null,
    unanswerableSource: 'off-topic', p95Ms: 1,
  });

  it('sets citebot against the best baseline of each set', () => {
    const rows = [row('fiqa', 'citebot', 0.392), row('fiqa', 'bm25', 0.395), row('fiqa', 'wink', 0.37), row('fiqa', 'citebot-tiny', 0.9)];
    const table = headlineTable(rows, 'citebot', ['bm25', 'wink']);
    expect(table.split('\n')[2]).toBe('| fiqa | 39.2% | 39.5% (bm25) | -0.3 ✗ | 10.0% ✗ | 25.0% ✗ | 1.0 ✓ |');
  });

  it.each([
    ['just over every bar', 0.43, { cases: 10, answered: 0.95, unsure: 0, none: 0.05 }, { cases: 10, answered: 0.1, unsure: 0.5, none: 0.4 }, 49.9, '| s | 43.0% | 40.0% (bm25) | 3.0 ✓ | 5.0% ✓ | 10.0% ✓ | 49.9 ✓ |'],
    ['just under every bar', 0.429, { cases: 10, answered: 0.9, unsure: 0, none: 0.06 }, { cases: 10, answered: 0.11, unsure: 0, none: 0.89 }, 50, '| s | 42.9% | 40.0% (bm25) | 2.9 ✗ | 6.0% ✗ | 11.0% ✗ | 50.0 ✗ |'],
  ] as const)('marks each figure against its bar: %s', (_name, hit1, answerable, unanswerable, p95Ms, line) => {
    const own = { ...row('s', 'citebot', hit1), answerableVerdicts: answerable, unanswerableVerdicts: unanswerable, p95Ms };
    expect(headlineTable([own, row('s', 'bm25', 0.4)], 'citebot', ['bm25']).split('\n')[2]).toBe(line);
  });

  it('gives a set measured on every question a line of its own', () => {
    const rows = [row('docs', 'citebot', 0.25), row('docs', 'wink', 0.15), row('docs', 'citebot', 0.3, 'all'), row('docs', 'wink', 0.2, 'all')];
    expect(headlineTable(rows, 'citebot', ['wink']).split('\n').slice(2)).toEqual([
      '| docs | 25.0% | 15.0% (wink) | 10.0 ✓ | 10.0% ✗ | 25.0% ✗ | 1.0 ✓ |',
      '| docs (all) | 30.0% | 20.0% (wink) | 10.0 ✓ | 10.0% ✗ | 25.0% ✗ | 1.0 ✓ |',
    ]);
  });
});
