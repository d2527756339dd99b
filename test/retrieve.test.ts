import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocuments } from '../src/documents/load.js';
import { openIndex, writeIndex } from '../src/index/store.js';
import { KeywordIndex } from '../src/search/keyword.js';
import { Retriever } from '../src/search/retrieve.js';
import { splitDocument } from '../src/documents/split.js';
import type { Embedder, LoadedIndex, Passage } from '../src/types.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { memoryIndex } from './helpers/memory-index.js';
import { passage as make } from './helpers/passage.js';

const ROOT = path.resolve(import.meta.dirname, '..');

const passage = (file: string, paragraph: number, text: string, searchable = true): Passage => make(text, { file, paragraph, searchable });

describe('Retriever on the seed article (keyword mode)', () => {
  let retriever: Retriever;
  beforeAll(async () => {
    const docs = await loadDocuments(path.join(ROOT, 'seeds'), () => {});
    retriever = new Retriever(memoryIndex(docs.flatMap((d) => splitDocument(d))), null, { answerThreshold: 0.4 });
  });

  it.each([
    ['Who led the American team in Riyadh?', 4, 'Marco Rubio'],
    ['What did Rubio call the first step of a long journey?', 6, 'first step of a long and difficult journey'],
    ['Which court indicted Putin?', 18, 'International Criminal Court'],
  ])('%s → paragraph %i first, its answer highlighted', async (q, paragraph, phrase) => {
    const answer = await retriever.ask(q, { topK: 3 });
    expect(answer).toMatchObject({ question: q, answered: true, mode: 'keyword' });
    const [first] = answer.results;
    expect(first?.passage.paragraph).toBe(paragraph);
    const marked = first!.highlights.map((s) => first!.passage.text.slice(s.start, s.end)).join(' ');
    expect(marked).toContain(phrase);
  });

  it('pages with offset and topK without repeating a passage', async () => {
    const q = 'What did Trump and Putin discuss about Ukraine?';
    const first = await retriever.ask(q, { topK: 3 });
    const next = await retriever.ask(q, { topK: 3, offset: 3 });
    const all = await retriever.ask(q, { topK: 6 });
    expect(first.ranked).toHaveLength(3);
    expect([...first.ranked!, ...next.ranked!].map((h) => h.passage.id)).toEqual(all.ranked!.map((h) => h.passage.id));
  });

  it('abstains on an off-topic question', async () => {
    const answer = await retriever.ask('How do I bake a chocolate cake?', { topK: 3 });
    expect(answer.answered).toBe(false);
    expect(answer.confidence).toBeLessThan(0.4);
  });

  it('a question of stop words only finds nothing', async () => {
    expect(await retriever.ask('What is it?', { topK: 3 })).toMatchObject({ answered: false, confidence: 0, results: [] });
  });
});

describe('Retriever ranking rules', () => {
  const riyadh = 'A team led by Marco Rubio met Russian officials in Riyadh for four hours.';
  const passages = [
    passage('a.txt', 1, riyadh),
    passage('copy.txt', 1, `${riyadh} `),
    passage('near.txt', 1, 'A team led by Marco Rubio met Russian officials in Riyadh for four hours!'),
    passage('a.txt', 2, 'Rubio spoke of Riyadh again and of Riyadh talks with Rubio.'),
    passage('b.txt', 1, 'Rubio went to Riyadh, Saudi Arabia, with the team.'),
    passage('a.txt', 3, 'Rubio Riyadh team', false),
  ];
  const retriever = new Retriever(memoryIndex(passages), null, { answerThreshold: 0.4 });

  it('merges identical and near-identical passages, keeping the best-ranked copy', async () => {
    const ids = (await retriever.ask('Rubio team Riyadh officials four hours', { topK: 10 })).results.map((h) => h.passage.id);
    const copies = ids.filter((id) => ['a.txt#1', 'copy.txt#1', 'near.txt#1'].includes(id));
    expect(copies).toHaveLength(1);
  });

  it('"how can I" asks as "how do I": the modal finds no passage on its own', async () => {
    const folder = [
      make('You can change the search path variable of the shell in your profile files.', { file: 'shell.html', paragraph: 1 }),
      make('Users can change their password; you can change yours too, and can change it again later.', { file: 'users.html', paragraph: 1 }),
      make('The kernel keeps the hostname; it is set from the hostname file at boot.', { file: 'boot.html', paragraph: 1 }),
    ];
    const own = new Retriever(memoryIndex(folder), null, { answerThreshold: 0.4 });
    const answer = await own.ask('How can I change the hostname?', { topK: 3 });
    expect(answer.ranked?.[0]?.passage.file).toBe('boot.html');
  });

  // American documentation; the askers write British English and chat without apostrophes.
  const american = [
    make('Set the prompt color with the PS1 variable.', { file: 'prompt.html', paragraph: 1 }),
    make('The prompt of the shell: the prompt shows the directory.', { file: 'shell.html', paragraph: 1 }),
    make('Organize files into folders.', { file: 'files.html', paragraph: 1 }),
    make('Back up files: copy the files to another disk.', { file: 'backup.html', paragraph: 1 }),
    make('The terminal window can be resized and moved like any other.', { file: 'terminal.html', paragraph: 1 }),
  ];

  // A thesaurus synonym would find these too, but as weaker evidence than the asker's own word: unsure.
  it.each([
    ['a British spelling answers as the American one', 'What colour is the prompt?', 'prompt.html'],
    ['…in a verb form too', 'organising files', 'files.html'],
  ])('%s', async (_name, question, file) => {
    const own = new Retriever(memoryIndex(american), null, { answerThreshold: 0.4 });
    const answer = await own.ask(question, { topK: 3 });
    expect(answer.results[0]?.passage.file).toBe(file);
    expect(answer.verdict).toBe('answered');
  });

  it('a question typed without apostrophes ("whats", "doesnt") is not refused for them', async () => {
    // Every passage says "prompt": the one word the question shares is common, so unknown words would decide.
    const prompts = ['The prompt is a dollar sign.', 'A long prompt wraps.', 'The prompt can show the time.', 'Each shell has its own prompt.'];
    const own = new Retriever(memoryIndex(prompts.map((text, i) => make(text, { file: `p${i}.html`, paragraph: 1 }))), null, { answerThreshold: 0.4 });
    expect((await own.ask('whats the prompt, it doesnt', { topK: 3 })).verdict).not.toBe('none');
  });

  it('one misspelt word among words the folder knows is not a reason to refuse', async () => {
    // Every passage has the question's other words, so none of them is rare enough to keep it from "none" alone.
    const texts = ['A list can change between runs; a tuple cannot.', 'Lists and tuples move between functions.', 'A tuple or a list, passed between calls.', 'Between a list and a tuple, pick one.'];
    const own = new Retriever(memoryIndex(texts.map((text, i) => make(text, { file: `t${i}.html`, paragraph: 1 }))), null, { answerThreshold: 0.4 });
    expect((await own.ask('the diffrence between a list and a tuple', { topK: 3 })).verdict).not.toBe('none');
  });

  it.each([
    ['what does $? mean', 'params.html'],
    ['what does && do', 'lists.html'],
  ])('an operator is a word of the question: "%s"', async (question, file) => {
    const shell = [
      make('($?) Expands to the exit status of the most recently executed pipeline.', { file: 'params.html', paragraph: 1 }),
      make('A list is a sequence of pipelines separated by && or ||, which run the next one by the status of the last.', { file: 'lists.html', paragraph: 1 }),
      make('What the words of a command mean is decided by expansion.', { file: 'expansion.html', paragraph: 1 }),
      make('Do not mean to run it? Press Ctrl-C.', { file: 'keys.html', paragraph: 1 }),
    ];
    const own = new Retriever(memoryIndex(shell), null, { answerThreshold: 0.4 });
    expect((await own.ask(question, { topK: 3 })).ranked?.[0]?.passage.file).toBe(file);
  });

  // An all-in-one page (Node.js's api/all.html) repeating a text of its own page.
  const example = 'Read the file one line at a time with the line event of the interface.';
  const allInOne = [
    make(example, { file: 'api/all.html', paragraph: 7, headings: ['Readline', 'Reading a file line by line'] }),
    ...['Streams carry data.', 'Timers run later.', 'Paths join parts.'].map((text, i) => make(text, { file: 'api/all.html', paragraph: i + 1 })),
    make(example, { file: 'api/readline.html', paragraph: 3, headings: ['Example'] }),
    make('The interface reads input.', { file: 'api/readline.html', paragraph: 1 }),
  ];

  it('shows a text that an all-in-one page repeats from its own page', async () => {
    const folder = allInOne;
    const own = new Retriever(memoryIndex(folder), null, { answerThreshold: 0.4 });
    const answer = await own.ask('reading a file line by line in readline', { topK: 3 });
    const shown = answer.results.filter((h) => h.passage.text === example).map((h) => h.passage.id);
    expect(shown).toEqual(['api/readline.html#3']);
    expect(answer.results[0]?.passage.id).toBe('api/readline.html#3');
  });

  it('reads from a stored index only the texts of the passages it looks at', async () => {
    const folder = allInOne;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'citebot-retrieve-'));
    try {
      const manifest = { mode: 'keyword' as const, model: null, dim: 0, docsDir: dir, files: {} };
      const generation = await writeIndex(dir, { manifest, passages: folder, vectors: null, keyword: await KeywordIndex.buildParts(folder) });
      // A damaged text no answer here needs: reading it would refuse the question.
      const texts = path.join(dir, generation, 'texts.bin');
      const bytes = await readFile(texts);
      bytes.write('Tumers', bytes.indexOf('Timers'));
      await writeFile(texts, bytes);

      const stored = new Retriever(await openIndex(dir), null, { answerThreshold: 0.4 });
      const answer = await stored.ask('reading a file line by line in readline', { topK: 3 });
      expect(answer.results.filter((h) => h.passage.text === example).map((h) => h.passage.id)).toEqual(['api/readline.html#3']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never returns an unsearchable passage', async () => {
    const ids = (await retriever.ask('Rubio Riyadh team', { topK: 10 })).results.map((h) => h.passage.id);
    expect(ids).not.toContain('a.txt#3');
  });

  it('scores never increase down the list', async () => {
    const scores = (await retriever.ask('Rubio Riyadh', { topK: 10 })).results.map((h) => h.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
  });

  it('a passage from another file is not crowded out by an equally good one from the same file', async () => {
    const same = [
      passage('a.txt', 1, 'Rubio met Lavrov in Riyadh.'),
      passage('a.txt', 2, 'Rubio met Lavrov in Riyadh again.'),
      passage('b.txt', 1, 'Rubio met Lavrov in Riyadh once more.'),
    ];
    const diverse = new Retriever(memoryIndex(same), null, { answerThreshold: 0.4, diversityPenalty: 0.5, leadBonus: 0 });
    const plain = new Retriever(memoryIndex(same), null, { answerThreshold: 0.4, diversityPenalty: 0, leadBonus: 0 });
    const files = async (r: Retriever): Promise<string[]> => (await r.ask('Rubio Lavrov Riyadh', { topK: 2 })).results.map((h) => h.passage.file);
    expect(await files(plain)).toEqual(['a.txt', 'a.txt']);
    expect(await files(diverse)).toEqual(['a.txt', 'b.txt']);
  });
});

describe('Retriever with vectors (semantic+keyword)', () => {
  it('fuses dense and keyword rankings and embeds each question once', async () => {
    const passages = [
      passage('a.txt', 1, 'Cats purr when they are content.'),
      passage('a.txt', 2, 'Dogs bark at strangers.'),
      passage('a.txt', 3, 'Heading', false),
    ];
    const embedder = fakeEmbedder(32);
    const vectors = await embedder.embed(passages.map((p) => p.text));
    embedder.calls.length = 0;
    const retriever = new Retriever(memoryIndex(passages, vectors, 32, embedder.model), embedder, { answerThreshold: 0.4 });
    const answer = await retriever.ask('Why do cats purr?', { topK: 3 });
    expect(answer.mode).toBe('semantic+keyword');
    expect(answer.results[0]?.passage.id).toBe('a.txt#1');
    expect(answer.results.map((h) => h.passage.id)).not.toContain('a.txt#3');
    expect(embedder.calls).toEqual([['Why do cats purr?']]);
  });

  /** An embedder that puts each listed text at a given direction: the question lands next to one passage. */
  function pointingEmbedder(directions: Record<string, number>, dim = 16): Embedder {
    return {
      model: 'pointing', dim,
      async embed(texts) {
        const out = new Float32Array(texts.length * dim);
        texts.forEach((text, i) => {
          const axis = directions[text] ?? dim - 1;
          out[i * dim + axis] = 1;
          // A little shared noise, so cosines spread like a real model's instead of being exactly 0.
          for (let d = 0; d < dim; d++) out[i * dim + d]! += 0.05 * (((i * 7 + d * 13) % 5) / 5);
        });
        for (let i = 0; i < texts.length; i++) {
          const row = out.subarray(i * dim, (i + 1) * dim);
          const norm = Math.hypot(...row);
          row.forEach((v, d) => (row[d] = v / norm));
        }
        return out;
      },
    };
  }

  it.each([
    ['keyword only: no shared word, so nothing answers', false, 'none', undefined, 0],
    ['a dense match that stands out of the query\'s own cosines lifts it to unsure', true, 'unsure', 1, 2],
  ] as const)('%s', async (_name, dense, verdict, first, most) => {
    const texts = ['Airships are guided by rudders and by varying engine thrust.', ...Array.from({ length: 12 }, (_, i) => `Filler paragraph number ${i} about gardening tools.`)];
    const passages = texts.map((t, i) => passage('a.txt', i + 1, t));
    const question = 'How are zeppelins steered?';
    const embedder = pointingEmbedder({ [texts[0]!]: 0, [question]: 0, ...Object.fromEntries(texts.slice(1).map((t, i) => [t, 1 + (i % 10)])) });
    const vectors = dense ? await embedder.embed(texts) : null;
    const retriever = new Retriever(memoryIndex(passages, vectors, vectors ? 16 : 0, vectors ? 'pointing' : null), dense ? embedder : null, { answerThreshold: 0.5 });
    const answer = await retriever.ask(question, { topK: 3 });
    expect(answer.verdict).toBe(verdict);
    expect(answer.answered).toBe(false);
    // Unsure shows the closest passages, at most two, the airship one first; none shows nothing.
    expect(answer.results[0]?.passage.paragraph).toBe(first);
    expect(answer.results.length).toBeLessThanOrEqual(most);
  });

  it.each([
    ['another model', 'other-model', 32],
    ['another vector length', 'fake-hash-32', 16],
  ])('refuses an index built with %s', (_name, model, dim) => {
    const passages = [passage('a.txt', 1, 'Cats purr.')];
    const index = memoryIndex(passages, new Float32Array(dim), dim, model);
    expect(() => new Retriever(index, fakeEmbedder(32), { answerThreshold: 0.4 })).toThrow(/index was built with/);
  });

  it('falls back to keyword mode without an embedder', () => {
    const passages = [passage('a.txt', 1, 'Cats purr.')];
    expect(new Retriever(memoryIndex(passages, new Float32Array(4), 4), null, { answerThreshold: 0.4 }).mode).toBe('keyword');
  });
});
