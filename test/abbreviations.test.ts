import { describe, expect, it } from 'vitest';
import { expansions } from '../src/text/abbreviations.js';
import { KeywordIndex } from '../src/search/keyword.js';
import { passage } from './helpers/passage.js';

describe('abbreviations', () => {
  it.each([
    ['dict', ['dictionary']],
    ['dicts', ['dictionary']],
    ['dictionary', ['dict']],
    ['exe', ['executable']],
    ['regex', ['regular expression']],
    ['table', []],
    ['is', []],
  ])('%s → %j', (word, expected) => {
    expect(expansions(word)).toEqual(expected);
  });

  it('a question in short words finds the passage that spells them out', () => {
    const passages = [
      passage('Merge the branches of history, two at a time.', { file: 'git.html', paragraph: 1 }),
      passage('Two dictionaries merged give a new dictionary.', { file: 'stdtypes.html', paragraph: 1 }),
      ...['Lists keep order.', 'Sets drop repeats.', 'Tuples never change.', 'Strings hold text.', 'Files hold bytes.', 'Numbers add up.'].map((text, i) =>
        passage(text, { file: `other${i}.html`, paragraph: 1 }),
      ),
    ];
    const index = new KeywordIndex(passages);
    const top = index.search(index.query('merge two dicts'), 2)[0];
    expect(passages[top!.row]!.file).toBe('stdtypes.html');
    // An expansion ranks, but is not a word the asker used.
    expect(index.query('merge two dicts').terms.map((t) => t.term)).not.toContain('dictionari');
  });
});
