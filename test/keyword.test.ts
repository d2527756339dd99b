import { describe, expect, it } from 'vitest';
import { DEFAULT_KEYWORD_OPTIONS, KeywordIndex, signatureName } from '../src/search/keyword.js';
import type { Passage } from '../src/types.js';
import { passage as make } from './helpers/passage.js';

const passage = (file: string, paragraph: number, text: string, extra: Partial<Passage> = {}): Passage =>
  make(text, { file, paragraph, title: 'Notes', ...extra });

const passages = [
  passage('a.txt', 1, 'The talks in Riyadh lasted four hours.'),
  passage('a.txt', 2, 'Russia and the United States held talks about the war and the talks went on.'),
  passage('a.txt', 3, 'Secretary of State Marco Rubio led the American team.'),
  passage('a.txt', 4, 'Rubio heading', { searchable: false }),
  passage('tools/git-stash.md', 1, 'Saving work in progress without committing it.', { headings: ['Shelving changes'] }),
  passage('b.txt', 1, 'The state secretary of a small club wrote the minutes.'),
];
const index = new KeywordIndex(passages);
const top = (q: string): string | undefined => {
  const hit = index.search(index.query(q), 3)[0];
  return hit === undefined ? undefined : passages[hit.row]!.id;
};

describe('KeywordIndex', () => {
  it.each([
    ['a rare term decides', 'How long were the talks in Riyadh?', 'a.txt#1'],
    ['stemming matches inflections', 'Who is leading the Americans?', 'a.txt#3'],
    ['the adjacent phrase beats the same words apart', 'secretary of state', 'a.txt#3'],
    ['the file name is searchable', 'git stash', 'tools/git-stash.md#1'],
    ['the heading path is searchable', 'shelving', 'tools/git-stash.md#1'],
    ['nothing matches', 'chocolate cake', undefined],
  ])('%s', (_name, q, expected) => {
    expect(top(q)).toBe(expected);
  });

  it('never returns an unsearchable passage, even on its own words', () => {
    const rows = index.search(index.query('Rubio heading'), 10).map((h) => h.row);
    expect(rows).not.toContain(3);
    expect(rows).toContain(2);
  });

  it('rarer terms weigh more, and a term no passage has weighs most', () => {
    const idf = Object.fromEntries(index.query('Riyadh talks nowhere').terms.map((t) => [t.term, t.idf]));
    expect(Object.keys(idf)).toEqual(['riyadh', 'talk', 'nowher']);
    expect(idf.riyadh).toBeGreaterThan(idf.talk!);
    expect(idf.nowher).toBeGreaterThan(idf.riyadh!);
    expect(index.rarestIdf).toBeCloseTo(Math.log(1 + (index.documents - 0.5) / 1.5), 9);
    expect(index.documents).toBe(5);
  });

  it('knows which passage holds a term', () => {
    const [riyadh] = index.query('Riyadh').terms;
    expect(index.contains(riyadh!.id, 0)).toBe(true);
    expect(index.contains(riyadh!.id, 1)).toBe(false);
    expect(index.contains(-1, 0)).toBe(false);
  });

  it('scores are sorted and limited', () => {
    const hits = index.search(index.query('talks Rubio state'), 2);
    expect(hits).toHaveLength(2);
    expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
  });

  describe('the innermost heading (the section title) weighs more than an outer one', () => {
    const sections = [
      passage('guide.md', 1, 'Details follow below.', { headings: ['Logging to a file', 'Rotating'] }),
      passage('guide.md', 2, 'Details follow below.', { headings: ['Handlers', 'Logging to a file'] }),
    ];
    const scores = (section: number): Map<string, number> => {
      const keyword = new KeywordIndex(sections, { section });
      return new Map(keyword.search(keyword.query('logging to a file'), 2).map((h) => [sections[h.row]?.id ?? '', h.score]));
    };

    it('by default the section named by the question ranks first', () => {
      const byId = scores(0.5);
      expect(byId.get('guide.md#2')).toBeGreaterThan(byId.get('guide.md#1') ?? Infinity);
    });

    it('with the section weight off, where the heading sits makes no difference', () => {
      const byId = scores(0);
      expect(byId.get('guide.md#2')).toBeCloseTo(byId.get('guide.md#1') ?? NaN, 9);
    });
  });

  it.each([
    ['json.dumps(obj, *, skipkeys=False, sort_keys=False)', 'json.dumps()'],
    ['class unittest.TestCase(methodName=\'runTest\')', 'class unittest.TestCase()'],
    ['os.walk(top) -> Iterator', 'os.walk()'],
    ['list[index](x)', 'list[index]()'],
    ['Logging to a file (and rotating it)', 'Logging to a file (and rotating it)'],
    ['Sorting keys', 'Sorting keys'],
  ])('an API heading is indexed by its name, not its parameters: %s', (heading, indexed) => {
    expect(signatureName(heading)).toBe(indexed);
  });

  it('a parameter name in a signature heading does not pull its section up', () => {
    const api = [
      passage('json.html', 1, 'Serialize obj to a JSON formatted str.', { headings: ['json', 'json.dumps(obj, *, sort_keys=False)'] }),
      passage('howto.html', 1, 'Sort the keys first, then print them.', { headings: ['Sorting HOWTO', 'Sorting keys'] }),
    ];
    const keyword = new KeywordIndex(api);
    const rows = keyword.search(keyword.query('how do I sort keys'), 5).map((h) => api[h.row]!.file);
    expect(rows).toEqual(['howto.html']);
  });

  describe('a word written as one or as two', () => {
    const docs = [
      passage('venv.html', 1, 'Create a virtual env for each project with the venv module.'),
      passage('os.html', 1, 'The filename is given as a path relative to the working folder.'),
      passage('turtle.html', 1, 'Set the size of the drawing window and start the project.'),
      passage('io.html', 1, 'Read the bytes of the file and give them to a new stream.'),
      ...['Lists keep order.', 'Sets drop repeats.', 'Tuples never change.'].map((text, i) => passage(`x${i}.html`, 1, text)),
    ];
    const keyword = new KeywordIndex(docs);
    it.each([
      ['an unknown word made of two known ones', 'how to setup a virtualenv project', 'venv.html'],
      ['two words the documents write as one', 'which file name', 'os.html'],
    ])('%s', (_name, q, file) => {
      expect(docs[keyword.search(keyword.query(q), 3)[0]!.row]!.file).toBe(file);
    });

    it('a stop word is no part of a split ("forever" is not "for" + "ever")', () => {
      const ever = new KeywordIndex([...docs, passage('y.html', 1, 'Did anyone ever see the project window?')]);
      expect(ever.query('forever').synonyms.map((s) => s.term)).toEqual([]);
    });
  });

  it('an empty index answers nothing', () => {
    const empty = new KeywordIndex([]);
    expect(empty.search(empty.query('anything'), 5)).toEqual([]);
  });
});

describe('a search walking postings of weight 0', () => {
  it('lists a row each time its score is still 0, even more often than there are rows, as before', () => {
    const parts = {
      options: DEFAULT_KEYWORD_OPTIONS,
      documents: 2,
      rows: 2,
      terms: ['a', 'b', 'c'],
      offsets: Uint32Array.of(0, 2, 4, 6),
      postingRows: Uint32Array.of(0, 1, 0, 1, 0, 1),
      weights: new Float32Array(6),
    };
    const query = { terms: parts.terms.map((term, id) => ({ term, id, idf: 1 })), phrases: [], synonyms: [] };
    const hits = new KeywordIndex(parts).search(query, 10);
    expect(hits.map((h) => [h.row, h.score])).toEqual([[0, 0], [0, 0], [0, 0], [1, 0], [1, 0], [1, 0]]);
  });
});
