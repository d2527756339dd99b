import { describe, expect, it } from 'vitest';
import { citation, hashLike } from '../src/search/citation.js';
import type { Passage } from '../src/types.js';
import { passage as make } from './helpers/passage.js';

const passage = (overrides: Partial<Passage> = {}): Passage =>
  make('x', { file: 'guide.md', paragraph: 4, lines: [5, 5], title: 'Install guide', ...overrides });

describe('citation', () => {
  it.each([
    ['one line', {}, 'Install guide (guide.md) › ¶4 · line 5'],
    ['a line range', { lines: [5, 7] as [number, number] }, 'Install guide (guide.md) › ¶4 · lines 5–7'],
    ['a piece of a long paragraph', { part: 2, lines: [5, 7] as [number, number] }, 'Install guide (guide.md) › ¶4 (part 2) · lines 5–7'],
    ['the heading path, the title heading left out', { headings: ['Install guide', 'Setup', 'Linux'] }, 'Install guide (guide.md) › Setup › Linux › ¶4 · line 5'],
    ['a title that is just the file name', { title: 'guide' }, 'guide.md › ¶4 · line 5'],
    ['no title', { title: '' }, 'guide.md › ¶4 · line 5'],
    [
      'a hash-like file name, shown with the title',
      { file: '000_23d5e4e5b37788fb.txt', title: 'Trump administration, Russia hold talks on ending Ukraine war, reopening ties' },
      'Trump administration, Russia hold talks on ending Ukraine… (000_23d5e4e5b37788fb.txt) › ¶4 · line 5',
    ],
  ])('%s', (_name, overrides, label) => {
    expect(citation(passage(overrides))).toEqual({ label });
  });

  it.each([
    ['Markdown: the section heading anchor', { headings: ['Install guide', 'Step 2: Install (Linux)'], anchor: 'step-2-install-linux' }, 'https://example.org/docs/guide.md#step-2-install-linux'],
    ['Markdown without a heading: the lines', {}, 'https://example.org/docs/guide.md#L5'],
    ['text: the line range', { file: 'notes/a b.txt', lines: [5, 7] as [number, number], headings: ['X'] }, 'https://example.org/docs/notes/a%20b.txt#L5-L7'],
    ['HTML: the heading id the page links to', { file: 'library/csv.html', headings: ['csv', 'csv.reader()'], anchor: 'csv.reader' }, 'https://example.org/docs/library/csv.html#csv.reader'],
  ])('links %s', (_name, overrides, url) => {
    expect(citation(passage(overrides), { baseUrl: 'https://example.org/docs/' }).url).toBe(url);
  });

  it('has no link without a base URL', () => {
    expect(citation(passage(), { baseUrl: null }).url).toBeUndefined();
  });
});

describe('hashLike', () => {
  it.each([
    ['000_23d5e4e5b37788fb.txt', true],
    ['3f2a9c1e-1b2c-4d5e-8f90-123456789abc.md', true],
    ['guide.md', false],
    ['2024-03-report.txt', false],
  ])('hashLike(%s) = %s', (file, expected) => {
    expect(hashLike(file)).toBe(expected);
  });
});
