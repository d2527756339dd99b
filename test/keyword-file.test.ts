/**
 * keyword.json is written in pieces (the terms a slice at a time), so that
 * writing a large index's 700k terms never holds the event loop; the bytes
 * must be exactly those of one JSON.stringify, which readers parse.
 */
import { describe, expect, it } from 'vitest';
import { checkKeywordPostings, keywordJson, keywordJsonChunks } from '../src/index/keyword-file.js';
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

describe('the keyword postings of a large index in shared memory', () => {
  /** `count` postings over 1000 rows in shared memory, one term each; `spoil` damages them. */
  const sharedParts = (count: number, spoil: (parts: { postingRows: Uint32Array; weights: Float32Array; offsets: Uint32Array }) => void) => {
    const offsets = new Uint32Array(new SharedArrayBuffer(4 * 5));
    offsets.set([0, count / 4, count / 2, (3 * count) / 4, count]);
    const postingRows = new Uint32Array(new SharedArrayBuffer(4 * count));
    for (let p = 0; p < count; p++) postingRows[p] = p % 1000;
    const weights = new Float32Array(new SharedArrayBuffer(4 * count)).fill(0.5);
    spoil({ offsets, postingRows, weights });
    return { options: DEFAULT_KEYWORD_OPTIONS, documents: 1000, rows: 1000, terms: ['a', 'b', 'c', 'd'], offsets, postingRows, weights };
  };
  const count = 1 << 22;

  it.each([
    ['a row past the last passage', (p: { postingRows: Uint32Array }) => void (p.postingRows[3_000_001] = 1000), 'keyword.bin posting 3000001 names row 1000, past the last passage (999)'],
    ['a weight that is not a number', (p: { weights: Float32Array }) => void (p.weights[4_000_000] = NaN), 'keyword.bin posting 4000000 has weight NaN, not a number'],
    ['offsets that descend', (p: { offsets: Uint32Array }) => void (p.offsets[2] = 1), 'keyword.bin offsets descend at term 1'],
  ])('are checked on another thread, with the message of a check here (%s)', async (_, spoil, message) => {
    const shared = sharedParts(count, spoil);
    expect(shared.postingRows.buffer).toBeInstanceOf(SharedArrayBuffer);
    await expect(checkKeywordPostings(shared)).rejects.toThrow(message);
    // The same postings in ordinary memory are checked here.
    const here = sharedParts(count, spoil);
    const plain = { ...here, offsets: Uint32Array.from(here.offsets), postingRows: Uint32Array.from(here.postingRows), weights: Float32Array.from(here.weights) };
    await expect(checkKeywordPostings(plain)).rejects.toThrow(message);
  });

  it('pass when intact', async () => {
    await expect(checkKeywordPostings(sharedParts(count, () => undefined))).resolves.toBeUndefined();
  });
});
