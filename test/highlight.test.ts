import { describe, expect, it } from 'vitest';
import { highlightSpans, scoreSentences } from '../src/search/highlight.js';

const text = 'Rubio led the team in Riyadh. Lavrov spoke afterwards. The talks lasted four hours in Riyadh.';
const slices = (weights: Record<string, number>): string[] =>
  highlightSpans(scoreSentences(text, new Map(Object.entries(weights)))).map((s) => text.slice(s.start, s.end));

describe('highlightSpans', () => {
  it.each([
    ['the sentence with the rarest matching term wins', { rubio: 5, riyadh: 1 }, ['Rubio led the team in Riyadh.']],
    ['an equally good second sentence is marked too', { riyadh: 3 }, ['Rubio led the team in Riyadh.', 'The talks lasted four hours in Riyadh.']],
    ['a clearly weaker sentence is not', { lavrov: 4, riyadh: 1 }, ['Lavrov spoke afterwards.']],
    ['no shared term, nothing marked', { cake: 3 }, []],
  ])('%s', (_name, weights, expected) => {
    expect(slices(weights)).toEqual(expected);
  });

  it('spans are in text order and never overlap', () => {
    const spans = highlightSpans(scoreSentences(text, new Map([['riyadh', 2], ['talk', 2]])));
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
  });
});
