import { describe, expect, it } from 'vitest';
import {
  abstentionMetrics, formatEvalReport, goldRank, hitAt, matchesGold, mean, mrrAt, parseEvalCases, percentile, runEval,
  type EvalCase,
} from '../src/search/eval.js';
import { CitebotError } from '../src/errors.js';
import type { Answer, Passage } from '../src/types.js';

function p(file: string, paragraph: number, text = 'text', part = 0): Passage {
  return { id: `${file}#${paragraph}`, file, paragraph, part, lines: [1, 1], title: '', headings: [], text, hash: '', searchable: true };
}

describe('rank metrics', () => {
  it.each([
    [[1, 2, 0, 4], 1, 0.25],
    [[1, 2, 0, 4], 3, 0.5],
    [[1, 2, 0, 4], 5, 0.75],
    [[0, 0], 5, 0],
    [[], 1, 0],
  ])('hitAt(%j, %i) = %d', (ranks, k, expected) => {
    expect(hitAt(ranks, k)).toBeCloseTo(expected, 10);
  });

  it.each([
    [[1, 2, 0, 4], 10, (1 + 0.5 + 0 + 0.25) / 4],
    [[3, 11], 10, 1 / 3 / 2],
    [[5], 4, 0],
    [[], 10, 0],
  ])('mrrAt(%j, %i) = %d', (ranks, k, expected) => {
    expect(mrrAt(ranks, k)).toBeCloseTo(expected, 10);
  });

  it.each([
    [[5, 1, 4, 2, 3], 95, 5],
    [[5, 1, 4, 2, 3], 50, 3],
    [[10, 20], 50, 10],
    [[], 95, 0],
  ])('percentile(%j, %i) = %d', (values, pct, expected) => {
    expect(percentile(values, pct)).toBe(expected);
  });

  it('mean', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBe(0);
  });
});

describe('goldRank', () => {
  const ranked = [p('a.txt', 1, 'x', 1), p('a.txt', 1, 'y', 2), p('b.txt', 3), p('a.txt', 2), p('c.txt', 1)];
  it.each([
    ['parts of one paragraph count once', (x: Passage) => x.file === 'b.txt', 'passage', 2],
    ['file level counts each file once', (x: Passage) => x.file === 'c.txt', 'file', 3],
    ['absent', (x: Passage) => x.file === 'z.txt', 'passage', 0],
  ] as const)('%s', (_name, isGold, level, expected) => {
    expect(goldRank(ranked, isGold, level)).toBe(expected);
  });

  it('only looks 10 units deep', () => {
    const many = Array.from({ length: 12 }, (_, i) => p('a.txt', i + 1));
    expect(goldRank(many, (x) => x.paragraph === 11, 'passage')).toBe(0);
    expect(goldRank(many, (x) => x.paragraph === 10, 'passage')).toBe(10);
  });
});

describe('abstentionMetrics (positive = should abstain)', () => {
  const o = (shouldAbstain: boolean, abstained: boolean) => ({ shouldAbstain, abstained });
  it.each([
    ['perfect', [o(true, true), o(false, false)], { precision: 1, recall: 1, answeredRate: 1 }],
    ['one false abstention', [o(true, true), o(false, true), o(false, false)], { precision: 0.5, recall: 1, answeredRate: 0.5 }],
    ['one missed abstention', [o(true, false), o(true, true), o(false, false)], { precision: 1, recall: 0.5, answeredRate: 1 }],
    ['never abstains', [o(true, false), o(false, false)], { precision: null, recall: 0, answeredRate: 1 }],
    ['nothing to abstain on', [o(false, false)], { precision: null, recall: null, answeredRate: 1 }],
  ])('%s', (_name, outcomes, expected) => {
    expect(abstentionMetrics(outcomes)).toMatchObject(expected);
  });
});

describe('parseEvalCases', () => {
  it('reads every kind of case and ignores unknown keys', () => {
    const text = [
      '{"q": "Who?", "file": "a.txt", "paragraph": 2, "id": 7, "answers": ["x"]}',
      '',
      '{"q": "What?", "expect_text": "Rubio"}',
      '{"q": "Where?", "expect_files": ["a.txt", "b.md"]}',
      '{"q": "Cake?", "answerable": false}',
    ].join('\n');
    expect(parseEvalCases(text)).toEqual([
      { line: 1, q: 'Who?', file: 'a.txt', paragraph: 2, answerable: true },
      { line: 3, q: 'What?', expectText: 'Rubio', answerable: true },
      { line: 4, q: 'Where?', expectFiles: ['a.txt', 'b.md'], answerable: true },
      { line: 5, q: 'Cake?', answerable: false },
    ]);
  });

  it.each([
    ['{"q": "ok"}\nnot json', /line 2: not valid JSON/],
    ['[1, 2]', /line 1: expected a JSON object/],
    ['{"q": ""}', /line 1: "q" must be a non-empty string/],
    ['{"q": "x", "paragraph": 2}', /line 1: "paragraph" needs a "file"/],
    ['{"q": "x", "file": "a.txt", "paragraph": 0}', /"paragraph" must be a whole number/],
    ['{"q": "x", "expect_files": []}', /"expect_files" must be a non-empty list/],
    ['{"q": "x", "answerable": "no"}', /"answerable" must be true or false/],
    ['\n\n', /has no questions/],
  ])('rejects %j', (text, message) => {
    expect(() => parseEvalCases(text, 'q.jsonl')).toThrow(CitebotError);
    expect(() => parseEvalCases(text, 'q.jsonl')).toThrow(message);
  });
});

describe('matchesGold', () => {
  const base: EvalCase = { line: 1, q: 'q', answerable: true };
  it.each([
    [{ ...base, file: 'a.txt', paragraph: 2 }, p('a.txt', 2), true],
    [{ ...base, file: 'a.txt', paragraph: 2 }, p('a.txt', 3), false],
    [{ ...base, expectText: 'Marco  Rubio' }, p('x.txt', 1, 'led by Marco\nRubio today'), true],
    [{ ...base, expectText: 'Rubio', expectFiles: ['b.txt'] }, p('a.txt', 1, 'Rubio'), false],
    [{ ...base, expectFiles: ['a.txt'] }, p('a.txt', 9), true],
  ])('%j vs %j → %s', (c, passage, expected) => {
    expect(matchesGold(c, passage)).toBe(expected);
  });
});

describe('runEval', () => {
  const passages = [p('a.txt', 1, 'Rubio led the team'), p('a.txt', 2, 'Lavrov spoke'), p('b.txt', 1, 'cake recipe')];
  const answers: Record<string, Answer> = {
    rubio: { question: 'rubio', answered: true, verdict: 'answered', mode: 'keyword', confidence: 0.9, results: [0, 1, 2].map((i) => ({ passage: passages[i]!, score: 1, highlights: [] })) },
    lavrov: { question: 'lavrov', answered: true, verdict: 'answered', mode: 'keyword', confidence: 0.7, results: [0, 1].map((i) => ({ passage: passages[i]!, score: 1, highlights: [] })) },
    cake: { question: 'cake', answered: true, verdict: 'answered', mode: 'keyword', confidence: 0.6, results: [] },
    weather: { question: 'weather', answered: false, verdict: 'none', mode: 'keyword', confidence: 0.1, results: [] },
  };
  const cases = parseEvalCases(
    [
      '{"q": "rubio", "file": "a.txt", "paragraph": 1}',
      '{"q": "lavrov", "expect_text": "Lavrov"}',
      '{"q": "cake", "answerable": false}',
      '{"q": "weather", "answerable": false}',
      '{"q": "rubio", "expect_files": ["b.txt"]}',
    ].join('\n'),
  );
  let clock = 0;
  const now = (): number => (clock += 5);

  it('scores ranks, abstention and latency', async () => {
    const report = await runEval(async (q) => answers[q]!, cases, now);
    expect(report.passage).toEqual({ cases: 2, hit1: 0.5, hit3: 1, hit5: 1, mrr10: 0.75 });
    expect(report.file).toEqual({ cases: 1, hit1: 0, hit3: 1, hit5: 1, mrr10: 0.5 });
    expect(report.abstention).toEqual({ shouldAbstain: 2, abstained: 1, precision: 1, recall: 0.5, answeredRate: 1 });
    expect(report.latency).toEqual({ meanMs: 5, p95Ms: 5 });
    expect(report.cases.map((c) => c.rank)).toEqual([1, 2, null, null, 2]);
  });

  it('formats a readable table', async () => {
    const text = formatEvalReport(await runEval(async (q) => answers[q]!, cases, now));
    expect(text).toMatch(/passage\s+2\s+50\.0%\s+100\.0%\s+100\.0%\s+0\.750/);
    expect(text).toMatch(/precision 100\.0%, recall 50\.0%/);
    expect(text).toMatch(/p95 5\.0 ms over 5 questions/);
  });
});
