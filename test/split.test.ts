import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDocuments } from '../src/documents/load.js';
import { sentenceSpans } from '../src/text/sentences.js';
import { DEFAULT_MAX_CHARS, isOneParagraphPerLine, splitDocument } from '../src/documents/split.js';
import type { LoadedDocument, Passage } from '../src/types.js';
import { citationProblem } from './helpers/citations.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/docs', import.meta.url));
const SEEDS = fileURLToPath(new URL('../seeds', import.meta.url));
const SEED = '000_23d5e4e5b37788fb.txt';

async function fixture(dir: string, file: string): Promise<LoadedDocument> {
  const warnings: string[] = [];
  const doc = (await loadDocuments(dir, (line) => warnings.push(line))).find((d) => d.file === file);
  expect(warnings).toEqual([]);
  if (!doc) throw new Error(`no fixture ${file} in ${dir}`);
  return doc;
}

function textDoc(text: string, kind: LoadedDocument['kind'] = 'text'): LoadedDocument {
  const ext = { text: 'txt', markdown: 'md', html: 'html', pdf: 'pdf' }[kind];
  return { file: `doc.${ext}`, absPath: `/tmp/doc.${ext}`, kind, text, sha256: '', size: text.length, mtimeMs: 0 };
}

function startingWith(passages: Passage[], prefix: string): Passage {
  const found = passages.find((p) => p.text.startsWith(prefix));
  if (!found) throw new Error(`no passage starts with ${JSON.stringify(prefix)}`);
  return found;
}

describe('the seed article (title, blank line, one paragraph per line)', async () => {
  const doc = await fixture(SEEDS, SEED);
  const passages = splitDocument(doc);

  it('gives every line of the article its own passage, numbered in file order', () => {
    const lines = doc.text.split('\n').filter((line) => line.trim() !== '');
    expect(passages.map((p) => p.text)).toEqual(lines.map((line) => line.trim()));
    expect(passages.map((p) => p.paragraph)).toEqual(lines.map((_, i) => i + 1));
  });

  it('cites the Marco Rubio paragraph as its own passage on line 5', () => {
    const rubio = startingWith(passages, 'A Trump administration team led by Secretary of State Marco Rubio');
    expect(rubio).toMatchObject({ paragraph: 4, part: 0, lines: [5, 5], id: `${SEED}#4`, searchable: true });
    expect(rubio.text).toBe(doc.text.split('\n')[4]);
  });

  it.each(['- Share via', 'More to Read'])('keeps the scrap %j but never as an answer', (scrap) => {
    const passage = passages.find((p) => p.text === scrap);
    expect(passage?.searchable).toBe(false);
  });

  it('takes the title from the first line', () => {
    expect(new Set(passages.map((p) => p.title))).toEqual(
      new Set(['Trump administration, Russia hold talks on ending Ukraine war, reopening ties']),
    );
  });

  it('cites every passage at the lines where its text is', () => {
    expect(passages.map((p) => citationProblem(doc, p)).filter(Boolean)).toEqual([]);
  });
});

describe.each([
  ['hard-wrapped prose', 'hard-wrapped.txt'],
  ['Markdown', 'guide.md'],
  ['HTML', 'page.html'],
  ['a long paragraph', 'long-paragraph.txt'],
  ['short-line blocks', 'address.txt'],
  ['the seed article', SEED],
])('%s', (_name, file) => {
  it('yields passages that are verbatim slices at their cited lines', async () => {
    const doc = await fixture(file === SEED ? SEEDS : FIXTURES, file);
    const passages = splitDocument(doc);
    expect(passages.length).toBeGreaterThan(0);
    expect(passages.map((p) => citationProblem(doc, p)).filter(Boolean)).toEqual([]);
  });
});

describe('hard-wrapped prose', async () => {
  const doc = await fixture(FIXTURES, 'hard-wrapped.txt');
  const passages = splitDocument(doc);

  it('keeps each wrapped paragraph whole, as the blank-line reader numbers them', () => {
    const reader = doc.text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
    expect(passages.map((p) => [p.paragraph, p.text])).toEqual(reader.map((text, i) => [i + 1, text]));
  });

  it.each([
    [2, [3, 8]],
    [3, [10, 15]],
    [5, [22, 24]],
  ])('cites paragraph %i at lines %j', (paragraph, lines) => {
    expect(passages.find((p) => p.paragraph === paragraph)?.lines).toEqual(lines);
  });
});

describe('Markdown with front matter, nested headings and code fences', async () => {
  const doc = await fixture(FIXTURES, 'guide.md');
  const passages = splitDocument(doc);
  const byStart = (prefix: string) => startingWith(passages, prefix);

  it.each([
    ['---\ntitle:', 1, [1, 4], [], false],
    ['# Tidewatch', 2, [5, 5], [], false],
    ['Tidewatch records', 3, [7, 8], ['Tidewatch'], true],
    ['## Installation', 4, [9, 9], ['Tidewatch'], false],
    ['Install the package', 5, [10, 10], ['Tidewatch', 'Installation'], true],
    ['The station needs', 7, [14, 14], ['Tidewatch', 'Installation', 'Requirements'], true],
    ['### Building from source', 8, [16, 16], ['Tidewatch', 'Installation'], false],
    ['```sh', 10, [21, 25], ['Tidewatch', 'Installation', 'Building from source'], true],
    ['Configuration\n---', 11, [27, 28], ['Tidewatch'], false],
    ['Settings live', 12, [30, 31], ['Tidewatch', 'Configuration'], true],
    ['~~~toml', 13, [33, 38], ['Tidewatch', 'Configuration'], true],
    ['Troubleshooting\n===', 14, [40, 41], [], false],
    ['If readings stop', 15, [43, 44], ['Troubleshooting'], true],
    ['- Share via', 16, [46, 46], ['Troubleshooting'], false],
  ])('%j is paragraph %i at lines %j under %j (searchable: %s)', (prefix, paragraph, lines, headings, searchable) => {
    expect(byStart(prefix)).toMatchObject({ paragraph, lines, headings, searchable, part: 0 });
  });

  it('keeps a fenced code block with blank lines inside as one passage', () => {
    expect(byStart('```sh').text).toContain('tidewatch.git\n\ncd tidewatch && npm run build\n```');
  });

  it('takes the title from the first heading', () => {
    expect(passages[0]?.title).toBe('Tidewatch');
  });
});

describe('HTML with scripts, styles and navigation', async () => {
  const doc = await fixture(FIXTURES, 'page.html');
  const passages = splitDocument(doc);
  const all = passages.map((p) => p.text).join('\n');

  it.each(['dataLayer', 'font-family', 'Buses', 'Home', 'City Transport', 'Download our app', 'Search', 'JavaScript', 'not text'])(
    'drops page chrome: no %j',
    (chrome) => expect(all).not.toContain(chrome),
  );

  it.each([
    ['River ferries & water buses', [14, 14]],
    ['The river ferry runs every twenty minutes', [15, 16]],
    ['A single journey costs £2.40 and a day ticket costs £6;', [19, 21]],
    ['Bicycles may be carried', [23, 24]],
  ])('keeps %j (entities decoded) from source lines %j', (prefix, lines) => {
    expect(startingWith(passages, prefix).lines).toEqual(lines);
  });

  it('decodes dashes and keeps the <br> as a line break', () => {
    expect(all).toContain('on board — contactless cards are accepted — but');
    expect(startingWith(passages, 'Bicycles').text).toBe(
      'Bicycles may be carried outside the morning rush hour, up to four per sailing.\nDogs on leads are always welcome.',
    );
  });

  it('titles the page with its h1', () => {
    expect(passages[0]?.title).toBe('River ferries & water buses');
  });
});

describe('paragraphs longer than maxChars', async () => {
  const doc = await fixture(FIXTURES, 'long-paragraph.txt');
  const paragraph = doc.text.split('\n')[2]!;

  it.each([DEFAULT_MAX_CHARS, 600, 300])('splits at sentence ends into verbatim pieces of at most %i chars', (maxChars) => {
    const pieces = splitDocument(doc, { maxChars }).filter((p) => p.paragraph === 2);
    expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(paragraph.length / maxChars));
    expect(pieces.map((p) => p.part)).toEqual(pieces.map((_, i) => i + 1));
    expect(pieces.map((p) => p.id)).toEqual(pieces.map((_, i) => `long-paragraph.txt#2.${i + 1}`));
    for (const piece of pieces) {
      expect(piece.text.length).toBeLessThanOrEqual(maxChars);
      expect(piece.text).toMatch(/\.$/);
      expect(piece.lines).toEqual([3, 3]);
    }
    expect(pieces.map((p) => p.text).join(' ')).toBe(paragraph);
  });

  it('cuts a sentence with no end at a word, then hard-cuts a run with no spaces', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const doc2 = textDoc(`${words}\n\n${'x'.repeat(2500)}`);
    const passages = splitDocument(doc2, { maxChars: 300 });
    for (const p of passages) expect(p.text.length).toBeLessThanOrEqual(300);
    expect(passages.filter((p) => p.paragraph === 1).map((p) => p.text).join(' ')).toBe(words);
    expect(passages.filter((p) => p.paragraph === 2).map((p) => p.text).join('')).toBe('x'.repeat(2500));
  });
});

describe('one paragraph per line, or hard-wrapped?', () => {
  const sentence = (n: number) =>
    `Line ${n} of the report describes what the harbour board decided at its meeting about the eastern breakwater repairs.`;
  it.each([
    ['long lines that end sentences (news article)', Array.from({ length: 6 }, (_, i) => sentence(i) + ' It was agreed.'), true],
    ['one sentence per line', ['The ferry leaves at nine every morning.', 'It returns from the island at five.', 'Tickets are sold on the quay before departure.'], true],
    ['prose wrapped at 72 columns', ['The lamp at Corran Point was first lit in 1851, and for more than a', 'century a keeper climbed its one hundred and twelve steps every evening', 'at dusk.'], false],
    ['prose wrapped at 120 columns', [sentence(1).slice(0, 118) + ' and then', 'continued on the next line where the sentence finally reaches its natural end after a long and winding clause with no', 'stop.'], false],
    ['an address', ['Harbour Office', '1 Quay Street', 'Port Ellen', 'PA42 7AA'], false],
    ['a poem', ['The tide comes in,', 'the tide goes out,', 'and gulls wheel over', 'the harbour wall.'], false],
    ['a single line', ['Just one line here.'], false],
  ])('%s → per line: %s', (_name, lines, expected) => {
    expect(isOneParagraphPerLine(lines)).toBe(expected);
  });
});

describe('titles', () => {
  it.each([
    ['text: first non-empty line, trimmed', textDoc('\n\n   Harbour notes  \n\nBody text goes here.'), 'Harbour notes'],
    ['markdown: first heading wins over the first line', textDoc('Intro line first.\n\n## Real Title ##\n\nBody.', 'markdown'), 'Real Title'],
    ['markdown: front matter title when there is no heading', textDoc("---\ntitle: 'Quay rules'\n---\nBody text.", 'markdown'), 'Quay rules'],
  ])('%s', (_name, doc, title) => {
    expect(splitDocument(doc)[0]?.title).toBe(title);
  });

  it('caps a very long first line at about 200 characters, at a word', () => {
    const title = splitDocument(textDoc(`${'harbour '.repeat(60)}\n\nBody.`))[0]!.title;
    expect(title.length).toBeLessThanOrEqual(201);
    expect(title).toMatch(/^harbour( harbour)*…$/);
  });
});

describe('sentenceSpans', () => {
  it.each([
    ['Dr. Marsh led it. The U.S. Navy helped.', ['Dr. Marsh led it.', 'The U.S. Navy helped.']],
    ['“It would be unstable,” she said. Then she left!', ['“It would be unstable,” she said.', 'Then she left!']],
    ['He asked (quietly.) Why? Nobody knew…  Even J. Smith.', ['He asked (quietly.)', 'Why?', 'Nobody knew…', 'Even J. Smith.']],
    ['Version 2.1 shipped. 3 bugs remain.', ['Version 2.1 shipped.', '3 bugs remain.']],
    ['the U.S. and Russia agreed. they met', ['the U.S. and Russia agreed. they met']],
    ['第一句。第二句！', ['第一句。', '第二句！']],
    ['First paragraph without a stop\n\nSecond one', ['First paragraph without a stop', 'Second one']],
    ['  \n ', []],
  ])('%j', (text, expected) => {
    expect(sentenceSpans(text).map((s) => text.slice(s.start, s.end))).toEqual(expected);
  });
});
