/**
 * keyword.json is written in pieces (the terms a slice at a time), so that
 * writing a large index's 700k terms never holds the event loop; the bytes
 * must be exactly those of one JSON.stringify, which readers parse.
 */
import { describe, expect, it } from 'vitest';
import { keywordJson, keywordJsonChunks } from '../src/index/keyword-file.js';
import { DEFAULT_KEYWORD_OPTIONS } from '../src/search/keyword.js';

describe('keyword.json', () => {
  it.each([0, 1, 40_000])('with %i terms, comes in pieces that make exactly one JSON.stringify of it', (count) => {
    const terms = Array.from({ length: count }, (_, i) => (i % 3 === 0 ? `"quoted\\${i}"` : i % 3 === 1 ? `naïve ✓ ${i}` : `term${i}`));
    const head = { options: DEFAULT_KEYWORD_OPTIONS, documents: 7, rows: 9, terms };
    const pieces = [...keywordJsonChunks(head)];
    expect(pieces.join('')).toBe(`${JSON.stringify(head)}\n`);
    expect(keywordJson(head)).toBe(`${JSON.stringify(head)}\n`);
    expect(JSON.parse(pieces.join(''))).toEqual(head);
    expect(pieces.length).toBe(2 + Math.ceil(count / 16_384));
  });
});
