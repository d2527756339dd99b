import { describe, expect, it } from 'vitest';
import { boostLeads, leadRows } from '../src/search/lead.js';
import { Retriever } from '../src/search/retrieve.js';
import type { Passage } from '../src/types.js';
import { memoryIndex } from './helpers/memory-index.js';
import { passage } from './helpers/passage.js';

const at = (file: string, headings: string[], paragraph: number, searchable = true): Passage =>
  passage(`Paragraph ${paragraph} of ${file}.`, { file, headings, paragraph, searchable });

describe('leadRows', () => {
  it.each([
    ['one section: only its first passage', [at('a.md', ['Intro'], 1), at('a.md', ['Intro'], 2)], [1, 0]],
    ['a new heading starts a new section', [at('a.md', ['Intro'], 1), at('a.md', ['Intro', 'Usage'], 2)], [1, 1]],
    ['the same heading in another file is another section', [at('a.md', ['Intro'], 1), at('b.md', ['Intro'], 1)], [1, 1]],
    ['a plain file is one section', [at('a.txt', [], 1), at('a.txt', [], 2), at('a.txt', [], 3)], [1, 0, 0]],
    ['a heading or scrap (not searchable) is never the lead; the passage under it is', [at('a.md', ['Intro'], 1, false), at('a.md', ['Intro'], 2)], [0, 1]],
  ])('%s', (_name, passages, expected) => {
    expect([...leadRows(passages)]).toEqual(expected);
  });
});

describe('boostLeads', () => {
  it('lifts a lead passage over a slightly better one, and not over a clearly better one', () => {
    const leads = Uint8Array.of(1, 0, 0);
    const hits = [{ row: 1, score: 1.05 }, { row: 2, score: 1.0 }, { row: 0, score: 1.0 }];
    expect(boostLeads(hits, leads, 0.1).map((h) => h.row)).toEqual([0, 1, 2]);
    expect(boostLeads([{ row: 1, score: 2 }, { row: 0, score: 1 }], leads, 0.1).map((h) => h.row)).toEqual([1, 0]);
  });
});

describe('Retriever with the lead prior', () => {
  const section = (second: string): Passage[] => [
    passage('Delete an entire directory tree; the path must point to a directory.', { file: 'shutil.html', paragraph: 1, headings: ['shutil', 'rmtree'] }),
    passage(second, { file: 'shutil.html', paragraph: 2, headings: ['shutil', 'rmtree'] }),
    passage('Copy a file.', { file: 'shutil.html', paragraph: 3, headings: ['shutil', 'copy'] }),
  ];
  const first = async (passages: Passage[], leadBonus: number): Promise<number | undefined> => {
    const retriever = new Retriever(memoryIndex(passages), null, { answerThreshold: 0.5, leadBonus });
    return (await retriever.ask('how do I delete a directory tree', { topK: 2 })).ranked?.[0]?.passage.paragraph;
  };

  it.each([
    ['a section\'s opening beats a later passage that scores a few percent more', 'Each directory in the tree is deleted, and the tree itself.', 2, 1],
    ['a later passage that scores clearly more stays first', 'If the tree is large, deleting the directory tree takes a while.', 2, 2],
  ])('%s', async (_name, second, without, withBonus) => {
    expect(await first(section(second), 0)).toBe(without);
    expect(await first(section(second), 0.1)).toBe(withBonus);
  });
});
