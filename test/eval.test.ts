import { describe, expect, it } from 'vitest';
import {
  abstentionMetrics, containsQuote, formatEvalReport, goldRank, hitAt, lenientText, matchesGold, mean, mrrAt, parseEvalCases,
  percentile, runEval, verdictShares, type EvalCase,
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
    ['a later part holding the quote counts at its paragraph\'s rank', (x: Passage) => x.text === 'y', 'passage', 1],
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
    [{ ...base, expectFiles: ['lib/csv.html'], expectText: 'reading a CSV file' }, p('lib/csv.html', 4, 'The simplest example of reading a CSV file:'), true],
    [{ ...base, expectFiles: ['lib/csv.html'], expectText: 'reading a CSV file' }, p('lib/json.html', 4, 'reading a CSV file'), false],
    [{ ...base, expectFiles: ['lib/csv.html'], expectText: 'reading a CSV file' }, p('lib/csv.html', 5, 'writing a CSV file'), false],
  ])('%j vs %j → %s', (c, passage, expected) => {
    expect(matchesGold(c, passage)).toBe(expected);
  });
});

describe('containsQuote (expect_text as a reader would judge it)', () => {
  it.each([
    ['exact', 'Return the current local date and time.', 'current local date', true],
    ['line wraps and runs of spaces', 'Return the current\n  local date', 'current local date', true],
    ['typographic apostrophe in the document, typed one in the quote', 'the object’s name', "object's name", true],
    ['the document’s own apostrophe, kept as is', 'the object’s name', 'object’s name', true],
    ['Markdown inline code and bold', 'use `interaction.reply()` **now**', 'use interaction.reply() now', true],
    ['Sphinx permalink mark', 'os.listdir(path=\'.\')¶ Return a list', "os.listdir(path='.') Return", true],
    ['HTML code spans stripped to spaced tokens', 'reader = csv . reader ( f )', 'reader = csv.reader(f)', true],
    ['case is not folded', 'Return the current local date', 'return the current', false],
    ['different words', 'Return the current local date', 'current UTC date', false],
    ['no stemming', 'dictionaries of lists', 'dictionary of lists', false],
  ])('%s', (_name, text, quote, expected) => {
    expect(containsQuote(text, quote)).toBe(expected);
  });

  it('lenientText shows what is compared', () => {
    expect(lenientText('Use `csv . reader ( f )`¶  “now”')).toBe('Use csv.reader(f)"now"');
  });
});

describe('verdictShares', () => {
  it.each([
    [['answered', 'none', 'none', 'unsure'], { cases: 4, answered: 0.25, unsure: 0.25, none: 0.5 }],
    [['unsure'], { cases: 1, answered: 0, unsure: 1, none: 0 }],
    [[], null],
  ] as const)('%j', (verdicts, expected) => {
    expect(verdictShares(verdicts)).toEqual(expected);
  });
});

describe('runEval', () => {
  const passages = [p('a.txt', 1, 'Rubio led the team'), p('a.txt', 2, 'Lavrov spoke'), p('b.txt', 1, 'cake recipe')];
  const answer = (q: string, verdict: Answer['verdict'], rows: number[]): Answer => ({
    question: q,
    answered: verdict === 'answered',
    verdict,
    mode: 'keyword',
    confidence: verdict === 'answered' ? 0.9 : 0.2,
    results: rows.map((i) => ({ passage: passages[i]!, score: 1, highlights: [] })),
  });
  const answers: Record<string, Answer> = {
    rubio: answer('rubio', 'answered', [0, 1, 2]),
    lavrov: answer('lavrov', 'unsure', [0, 1]),
    cake: answer('cake', 'answered', [2]),
    weather: answer('weather', 'none', []),
    news: answer('news', 'unsure', [1]),
    team: answer('team', 'none', []),
  };
  const cases = parseEvalCases(
    [
      '{"q": "rubio", "file": "a.txt", "paragraph": 1}',
      '{"q": "lavrov", "expect_text": "Lavrov"}',
      '{"q": "cake", "answerable": false}',
      '{"q": "weather", "answerable": false}',
      '{"q": "rubio", "expect_files": ["b.txt"]}',
      '{"q": "news", "answerable": false}',
      '{"q": "lavrov", "expect_files": ["a.txt"], "expect_text": "Lavrov  spoke"}',
      '{"q": "team", "expect_files": ["a.txt"], "expect_text": "Rubio led"}',
    ].join('\n'),
  );
  let clock = 0;
  const now = (): number => (clock += 5);

  it('scores ranks by passage and by file', async () => {
    const report = await runEval(async (q) => answers[q]!, cases, now);
    // passage level: rubio 1, lavrov 2, lavrov (doc-set form) 2, team 0 (refused with nothing shown)
    expect(report.passage).toEqual({ cases: 4, hit1: 0.25, hit3: 0.75, hit5: 0.75, mrr10: (1 + 0.5 + 0.5 + 0) / 4 });
    // file level, every answerable case naming a file: rubio→a.txt 1, rubio→b.txt 2, lavrov→a.txt 1, team 0
    expect(report.file).toEqual({ cases: 4, hit1: 0.5, hit3: 0.75, hit5: 0.75, mrr10: (1 + 0.5 + 1 + 0) / 4 });
    expect(report.cases.map((c) => c.rank)).toEqual([1, 2, null, null, 2, null, 2, 0]);
    expect(report.cases.map((c) => c.fileRank)).toEqual([1, null, null, null, 2, null, 1, 0]);
  });

  it('gives the verdict shares of answerable and unanswerable questions', async () => {
    const report = await runEval(async (q) => answers[q]!, cases, now);
    // answerable: rubio answered ×2, lavrov unsure ×2, team none
    expect(report.verdicts.answerable).toEqual({ cases: 5, answered: 0.4, unsure: 0.4, none: 0.2 });
    // unanswerable: cake answered, weather none, news unsure
    expect(report.verdicts.unanswerable).toEqual({ cases: 3, answered: 1 / 3, unsure: 1 / 3, none: 1 / 3 });
    expect(report.cases.map((c) => c.verdict)).toEqual(['answered', 'unsure', 'answered', 'none', 'answered', 'unsure', 'unsure', 'none']);
  });

  it('counts anything but answered as abstaining, and times every question', async () => {
    const report = await runEval(async (q) => answers[q]!, cases, now);
    expect(report.abstention).toEqual({ shouldAbstain: 3, abstained: 5, precision: 0.4, recall: 2 / 3, answeredRate: 0.4 });
    expect(report.latency).toEqual({ meanMs: 5, p95Ms: 5 });
  });

  it('formats a readable table', async () => {
    const text = formatEvalReport(await runEval(async (q) => answers[q]!, cases, now));
    expect(text).toMatch(/^passage\s+4\s+25\.0%\s+75\.0%\s+75\.0%\s+0\.500$/m);
    expect(text).toMatch(/^file\s+4\s+50\.0%\s+75\.0%\s+75\.0%\s+0\.625$/m);
    expect(text).toMatch(/^verdict\s+questions\s+answered\s+unsure\s+none$/m);
    expect(text).toMatch(/^answerable\s+5\s+40\.0%\s+40\.0%\s+20\.0%$/m);
    expect(text).toMatch(/^unanswerable\s+3\s+33\.3%\s+33\.3%\s+33\.3%$/m);
    expect(text).toMatch(/p95 5\.0 ms over 8 questions/);
  });

  it('leaves out a group with no questions', async () => {
    const onlyAnswerable = parseEvalCases('{"q": "rubio", "file": "a.txt", "paragraph": 1}');
    const report = await runEval(async (q) => answers[q]!, onlyAnswerable, now);
    expect(report.verdicts).toEqual({ answerable: { cases: 1, answered: 1, unsure: 0, none: 0 }, unanswerable: null });
    expect(formatEvalReport(report)).not.toMatch(/^unanswerable/m);
  });
});
