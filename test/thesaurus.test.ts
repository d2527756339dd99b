import { describe, expect, it } from 'vitest';
import { Retriever } from '../src/search/retrieve.js';
import { Thesaurus } from '../src/text/thesaurus.js';
import type { Passage } from '../src/types.js';
import { memoryIndex } from './helpers/memory-index.js';
import { passage } from './helpers/passage.js';

const thesaurus = Thesaurus.open();

describe('Thesaurus (WordNet verbs)', () => {
  it('is installed with citebot', () => {
    expect(thesaurus).not.toBeNull();
  });

  it.each([
    ['an inflected verb is looked up by its base form', 'headed', 'lead'],
    ['-ing forms too', 'purchasing', 'buy'],
    ['the first senses only, but all their single-word lemmas', 'obtain', 'get'],
  ])('%s: %s → %s', (_name, word, synonym) => {
    expect(thesaurus?.synonyms(word)).toContain(synonym);
  });

  it.each([
    ['a name', 'riyadh'],
    ['a word WordNet has only as a noun', 'delegation'],
    ['nonsense', 'qwzrtx'],
  ])('%s has none: %s', (_name, word) => {
    expect(thesaurus?.synonyms(word)).toEqual([]);
  });

  it('never offers the word itself or multi-word phrases', () => {
    const synonyms = thesaurus?.synonyms('take') ?? [];
    expect(synonyms.length).toBeGreaterThan(0);
    expect(synonyms).not.toContain('take');
    expect(synonyms.filter((s) => s.includes('_') || s.includes(' '))).toEqual([]);
  });

  it('is null (no synonyms, no error) when the dictionary is missing', () => {
    expect(Thesaurus.open('/nonexistent/wordnet')).toBeNull();
  });
});

describe('Retriever with synonyms', () => {
  // The asker says "headed"; the answer says "led". Both passages share one other word, and the shorter one wins on it alone.
  const passages = [
    passage('The talks began on Tuesday.', { paragraph: 1 }),
    passage('The talks were led by the foreign minister of the host country.', { paragraph: 2 }),
    passage('Geneva hosted a summit.', { paragraph: 3 }),
  ];
  const first = async (options: { thesaurus?: Thesaurus | null }): Promise<number | undefined> => {
    const retriever = new Retriever(memoryIndex(passages), null, { answerThreshold: 0.5, leadBonus: 0, ...options });
    return (await retriever.ask('who headed the talks?', { topK: 3 })).ranked?.[0]?.passage.paragraph;
  };

  it('finds the passage that uses a synonym of the question\'s verb', async () => {
    expect(await first({ thesaurus: null })).toBe(1);
    expect(await first({})).toBe(2);
  });
});
