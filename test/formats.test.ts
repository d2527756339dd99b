/**
 * The formats documentation ships in: gzip-compressed text, Markdown and HTML,
 * and PDF with page numbers, read through the real loader and the real CLI.
 * Fixtures are written here: gzip with zlib, the PDF by test/helpers/pdf-file.ts.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDocuments } from '../src/documents/load.js';
import { splitDocument } from '../src/documents/split.js';
import { citebot } from './helpers/cli.js';
import { pdfBytes } from './helpers/pdf-file.js';

const PLAIN = 'Essential packages\n\nA package marked Essential: yes must never be removed, because the system cannot work without it.\n';
const MARKDOWN = '# Setup\n\n## Install\n\nRun the installer with the offline flag to skip the download step.\n';
const HTML = '<html><body><h1>Guide</h1><p>The cache folder keeps downloaded models between runs of the tool.</p></body></html>';
const PDF_PAGES = [
  ['Policy Manual', '', 'Packages are grouped into sections by what they do for a user.', 'Each section lists its packages.'],
  ['Chapter 3', '', 'A package whose control file says Essential: yes is needed', 'for the system to work, and dpkg refuses to remove it.'],
];

let dir: string;
let docs: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citebot-formats-'));
  docs = path.join(dir, 'docs');
  await fs.mkdir(docs);
  await fs.writeFile(path.join(docs, 'policy.txt.gz'), gzipSync(PLAIN));
  await fs.writeFile(path.join(docs, 'setup.md.gz'), gzipSync(MARKDOWN));
  await fs.writeFile(path.join(docs, 'guide.html.gz'), gzipSync(HTML));
  await fs.writeFile(path.join(docs, 'manual.pdf'), pdfBytes(PDF_PAGES));
  await fs.writeFile(path.join(docs, 'manual-copy.pdf.gz'), gzipSync(pdfBytes(PDF_PAGES)));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function load(folder: string) {
  const warnings: string[] = [];
  const loaded = await loadDocuments(folder, (line) => warnings.push(line));
  return { loaded, warnings, byFile: new Map(loaded.map((d) => [d.file, d])) };
}

describe('gzip-compressed documents', () => {
  it('reads .txt.gz, .md.gz and .html.gz as the text, Markdown and HTML inside them', async () => {
    const { byFile, warnings } = await load(docs);
    expect(warnings).toEqual([]);
    expect(byFile.get('policy.txt.gz')).toMatchObject({ kind: 'text', text: PLAIN });
    expect(byFile.get('setup.md.gz')?.kind).toBe('markdown');
    expect(byFile.get('guide.html.gz')?.kind).toBe('html');
    expect(byFile.get('guide.html.gz')?.text).toContain('The cache folder keeps downloaded models');
    const setup = splitDocument(byFile.get('setup.md.gz')!).find((p) => p.searchable);
    expect(setup?.headings).toEqual(['Setup', 'Install']);
  });

  it('skips a damaged .gz, and a .gz holding binary data, with one line each', async () => {
    const bad = await fs.mkdtemp(path.join(dir, 'bad-'));
    await fs.writeFile(path.join(bad, 'cut.txt.gz'), gzipSync(PLAIN).subarray(0, 12));
    await fs.writeFile(path.join(bad, 'blob.txt.gz'), gzipSync(Buffer.from([0, 1, 2, 3, 0, 0, 7, 8])));
    await fs.writeFile(path.join(bad, 'notes.tar.gz'), gzipSync('x'));
    const { loaded, warnings } = await load(bad);
    expect(loaded).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/^Skipped blob\.txt\.gz: binary file\.$/),
      expect.stringMatching(/^Skipped cut\.txt\.gz: not valid gzip \(.+\)\.$/),
      expect.stringMatching(/^Skipped notes\.tar\.gz: unsupported file type \(\.gz\); citebot reads .*\.pdf, each also as \.gz\.$/),
    ]);
  });
});

describe('PDF', () => {
  it('reads the text of every page and knows which page each passage is on', async () => {
    const { byFile } = await load(docs);
    for (const file of ['manual.pdf', 'manual-copy.pdf.gz']) {
      const passages = splitDocument(byFile.get(file)!);
      const essential = passages.find((p) => p.text.includes('Essential: yes'));
      expect(essential?.text).toBe('A package whose control file says Essential: yes is needed\nfor the system to work, and dpkg refuses to remove it.');
      expect(essential?.page).toBe(2);
      expect(passages.find((p) => p.text.startsWith('Packages are grouped'))?.page).toBe(1);
    }
  });

  it("reads a manual's structure: headings by type size, no contents pages, running headers or broken words", async () => {
    const manual = await fs.mkdtemp(path.join(dir, 'manual-'));
    const pages = [
      [{ text: 'Contents', size: 18 }, '', '3 Shell Features . . . . . . . . 7', '3.1 Quoting . . . . . . . . . . 7', '3.2 Expansion . . . . . . . . . 9', '3.3 Redirection . . . . . . . . 11'],
      ['Chapter 3: Shell Features 7', { text: '3 Shell Features', size: 18 }, '', 'This chapter covers quoting.', '', { text: '3.1 Quoting', size: 15 }, '', 'Quoting removes the special meaning of characters to the shell, and it stops param-', 'eter expansion when single quotes are used, while'],
      ['Chapter 3: Shell Features 8', 'double quotes keep the dollar sign special.', '', 'Backslashes escape one character at a time,', 'the character that follows them.'],
      [{ text: 'Index', size: 18 }, '', 'Q', 'quoting . . . . . . . . . . 7, 8', 'quote removal . . . . . . . 8'],
    ];
    await fs.writeFile(path.join(manual, 'manual.pdf'), pdfBytes(pages, { title: 'The Shell Manual' }));
    const { byFile } = await load(manual);
    const passages = splitDocument(byFile.get('manual.pdf')!);
    const quoting = passages.find((p) => p.text.startsWith('Quoting removes'));
    expect(quoting).toMatchObject({ headings: ['3 Shell Features', '3.1 Quoting'], page: 2 });
    // The word broken at the line's end is whole, and the paragraph goes on over the page break.
    expect(quoting?.text).toBe(
      'Quoting removes the special meaning of characters to the shell, and it stops\nparameter expansion when single quotes are used, while\ndouble quotes keep the dollar sign special.',
    );
    expect(passages.find((p) => p.text.startsWith('Backslashes'))).toMatchObject({ headings: ['3 Shell Features', '3.1 Quoting'], page: 3 });
    // The document's own title (its Info dictionary), not the contents page's heading.
    expect(quoting?.title).toBe('The Shell Manual');
    const searchable = passages.filter((p) => p.searchable).map((p) => p.text);
    expect(searchable.filter((text) => /\. \. \.|^3\.1 Quoting$|^3 Shell Features$|Chapter 3:/.test(text))).toEqual([]);
  });

  it('skips a file named .pdf that is not one, saying so', async () => {
    const bad = await fs.mkdtemp(path.join(dir, 'notpdf-'));
    await fs.writeFile(path.join(bad, 'fake.pdf'), 'just some text pretending\n');
    const { loaded, warnings } = await load(bad);
    expect(loaded).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^Skipped fake\.pdf: not a readable PDF \(.+\)\.$/)]);
  });

  it('cites the page in ask --json and as "p. N" in the terminal', async () => {
    const only = await fs.mkdtemp(path.join(dir, 'pdf-'));
    await fs.writeFile(path.join(only, 'manual.pdf'), pdfBytes(PDF_PAGES));
    const index = path.join(only, '..', `${path.basename(only)}-index`);
    const args = ['ask', '--docs', only, '--index', index];
    const json = await citebot([...args, '--json', 'What does Essential: yes mean?']);
    expect(json.code).toBe(0);
    const first = JSON.parse(json.stdout).results[0];
    expect(first).toMatchObject({ source: 'manual.pdf', page: 2 });
    expect(first.text).toContain('dpkg refuses to remove it');
    const text = await citebot([...args, 'What does Essential: yes mean?']);
    expect(text.stdout).toMatch(/^1\. (.+ \()?manual\.pdf\)? › ¶\d+ · p\. 2  score/m);
  });
});
