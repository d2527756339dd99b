import { describe, expect, it } from 'vitest';
import { TermTable } from '../src/search/term-table.js';
import { seededRandom } from './helpers/random.mjs';

describe('TermTable', () => {
  it('finds every term at the id a Map built from the same list gives, and nothing else', () => {
    const next = seededRandom(13);
    const letters = 'abcdefghijklmnopqrstuvwxyzéß中 ';
    const word = (): string => Array.from({ length: 1 + Math.floor(next() * 9) }, () => letters[Math.floor(next() * letters.length)]).join('');
    // Duplicates included: a Map keeps the last id of a repeated key.
    const terms = Array.from({ length: 20_000 }, word);
    const map = new Map<string, number>();
    terms.forEach((term, id) => map.set(term, id));
    const table = new TermTable(terms);

    for (const term of terms) expect([table.get(term), table.has(term)]).toEqual([map.get(term), true]);
    const others = Array.from({ length: 20_000 }, () => `${word()}${word()}`);
    for (const other of others) expect([table.get(other), table.has(other)]).toEqual([map.get(other), map.has(other)]);
    expect(table.get('')).toBe(map.get(''));
  });

  it('answers for an empty list', () => {
    expect(new TermTable([]).get('anything')).toBeUndefined();
    expect(new TermTable([]).has('anything')).toBe(false);
  });
});
