import { describe, expect, it } from 'vitest';
import { formatAnswerText, NEXT_STEP, NOT_FOUND, sourceLabel, terminalSafe, toJson, UNSURE } from '../src/cli/format.js';
import { markSpans } from '../src/text/spans.js';
import type { Answer, Hit, Passage } from '../src/types.js';
import { passage as make } from './helpers/passage.js';

const passage = (text: string, overrides: Partial<Passage> = {}): Passage => make(text, { paragraph: 2, lines: [3, 4], title: 'A', ...overrides });

function answer(answered: boolean, hits: Hit[]): Answer {
  return { question: 'Q?', answered, verdict: answered ? 'answered' : 'none', mode: 'keyword', confidence: 0.87654321, results: hits };
}

const hit: Hit = { passage: passage('First sentence. Second one.'), score: 1.23456, highlights: [{ start: 16, end: 27 }] };

describe('toJson', () => {
  it('keeps the contract keys and the verbatim text', () => {
    expect(toJson(answer(true, [hit]))).toEqual({
      question: 'Q?', answered: true, verdict: 'answered', mode: 'keyword', confidence: 0.8765,
      results: [{ source: 'a.txt', paragraph: 2, lines: [3, 4], score: 1.2346, text: 'First sentence. Second one.' }],
    });
  });

  it('carries no results when the question is not answered', () => {
    expect(toJson(answer(false, [hit])).results).toEqual([]);
  });
});

describe('sourceLabel', () => {
  it.each([
    [[3, 4], 'a.txt › ¶2 · lines 3–4'],
    [[5, 5], 'a.txt › ¶2 · line 5'],
  ] as const)('lines %j → %s', (lines, label) => {
    expect(sourceLabel(passage('x', { lines: [...lines] as [number, number] }))).toBe(label);
  });
});

describe('markSpans', () => {
  const b = (s: string) => `[${s}]`;
  it.each([
    ['one span', 'abcdef', [{ start: 1, end: 3 }], 'a[bc]def'],
    ['unsorted spans', 'abcdef', [{ start: 4, end: 5 }, { start: 0, end: 1 }], '[a]bcd[e]f'],
    ['overlap keeps text verbatim', 'abcdef', [{ start: 0, end: 3 }, { start: 2, end: 4 }], '[abc]def'],
    ['empty span ignored', 'abc', [{ start: 1, end: 1 }], 'abc'],
    ['no spans', 'abc', [], 'abc'],
  ])('%s', (_name, text, spans, expected) => {
    expect(markSpans(text, spans, b)).toBe(expected);
  });
});

describe('formatAnswerText', () => {
  it('quotes the passage with its source and score, the highlight marked', () => {
    const text = formatAnswerText(answer(true, [hit]), (s) => `**${s}**`);
    expect(text).toBe('Answered (confidence 88%):\n\n1. a.txt › ¶2 · lines 3–4  score 1.235\n  > First sentence. **Second one.**\n');
  });

  it('says plainly when nothing answers, quoting nothing, and suggests a next step', () => {
    expect(formatAnswerText(answer(false, [hit]))).toBe(`${NOT_FOUND}\n${NEXT_STEP}\n`);
    expect(NEXT_STEP).toMatch(/rephras.*citebot ask/);
  });

  it('when unsure, says so and shows at most the 2 closest passages', () => {
    const hits = [1, 2, 3].map((n): Hit => ({ passage: passage(`Closest number ${n}.`, { paragraph: n }), score: 1 / n, highlights: [] }));
    const unsure: Answer = { ...answer(false, hits), verdict: 'unsure', confidence: 0.3 };
    const text = formatAnswerText(unsure);
    expect(text.split('\n')[0]).toBe("I couldn't find a passage that clearly answers that. These are the closest:");
    expect(text.split('\n')[0]).toBe(UNSURE);
    expect(text).toContain('> Closest number 1.');
    expect(text).toContain('> Closest number 2.');
    expect(text).not.toContain('Closest number 3');
    expect(toJson(unsure)).toMatchObject({ answered: false, verdict: 'unsure' });
    expect(toJson(unsure).results.map((r) => r.paragraph)).toEqual([1, 2]);
  });

  it('cannot be used to send escape codes to the terminal', () => {
    const hostile: Hit = { passage: passage('ok \u001b[2J\u001b]0;pwned\u0007 done'), score: 1, highlights: [] };
    const text = formatAnswerText(answer(true, [hostile]));
    expect(text).not.toMatch(/[\u001b\u0007]/);
    expect(text).toContain('ok \ufffd[2J\ufffd]0;pwned\ufffd done');
  });
});

describe('terminalSafe', () => {
  it.each([
    ['tab and newline pass', 'a\tb\nc', 'a\tb\nc'],
    ['escape replaced', '\u001b[31m', '\ufffd[31m'],
    ['C1 control replaced', 'a\u009bb', 'a\ufffdb'],
    ['unicode text untouched', 'Zelensky’s “deal” — 🇺🇦', 'Zelensky’s “deal” — 🇺🇦'],
  ])('%s', (_name, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
    expect(terminalSafe(input)).toHaveLength(input.length);
  });
});
