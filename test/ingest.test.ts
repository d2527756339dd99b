import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { beforeEach, describe, expect, it } from 'vitest';
import { CitebotError } from '../src/errors.js';
import { ingest, isStale, type IngestOptions } from '../src/library/ingest.js';
import { FORMAT_VERSION } from '../src/index/manifest.js';
import { openIndex } from '../src/index/store.js';
import type { Embedder } from '../src/types.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { tempFolder } from './helpers/temp-folder.js';

const HELPERS = path.join(import.meta.dirname, 'helpers');

const BASE_DOCS: Record<string, string> = {
  'alpha.md': '# Alpha guide\n\nThe alpha module reads configuration files from disk.\n\nIt caches every parsed file for later lookups.\n',
  'bravo.txt': 'Bravo notes\n\nBravo servers restart every night at midnight.\n\nLogs rotate after seven days of storage.\n',
  'sub/charlie.md': '# Charlie\n\nCharlie handles the billing of every customer account.\n',
};

let root: string;
let docsDir: string;
let indexDir: string;
let warnings: string[];

const tmp = tempFolder('citebot-ingest-');
beforeEach(async () => {
  root = tmp();
  docsDir = path.join(root, 'docs');
  indexDir = path.join(root, 'index');
  warnings = [];
  for (const [file, text] of Object.entries(BASE_DOCS)) await writeDoc(file, text);
});

async function writeDoc(file: string, text: string): Promise<void> {
  await fsp.mkdir(path.dirname(path.join(docsDir, file)), { recursive: true });
  await fsp.writeFile(path.join(docsDir, file), text);
}

async function editDoc(file: string, from: string, to: string): Promise<void> {
  const text = await fsp.readFile(path.join(docsDir, file), 'utf8');
  await fsp.writeFile(path.join(docsDir, file), text.replace(from, to));
}

function run(embedder: Embedder | null, extra: Partial<IngestOptions> = {}) {
  return ingest({ docsDir, indexDir, embedder, warn: (line) => warnings.push(line), ...extra });
}

/** Every searchable row must hold exactly what the embedder gives for its text; the rest are zero. */
async function expectVectorsMatch(embedder: Embedder): Promise<void> {
  const index = await openIndex(indexDir);
  const expected = await embedder.embed(index.passages.map((p) => p.text));
  index.passages.forEach((passage, row) => {
    const got = index.vectors!.subarray(row * embedder.dim, (row + 1) * embedder.dim);
    const want = passage.searchable ? expected.subarray(row * embedder.dim, (row + 1) * embedder.dim) : new Float32Array(embedder.dim);
    expect(got, passage.id).toEqual(want);
  });
}

describe('a first ingest', () => {
  it('indexes every document in keyword mode without a vectors file', async () => {
    const summary = await run(null);
    expect(summary).toMatchObject({ files: 3, added: 3, changed: 0, removed: 0, embedded: 0, mode: 'keyword' });

    const index = await openIndex(indexDir);
    expect(summary.passages).toBe(index.passages.length);
    expect(index.vectors).toBeNull();
    expect(await fsp.readdir(path.join(indexDir, summary.generation))).not.toContain('vectors.f32');
    expect([...new Set(index.passages.map((p) => p.file))]).toEqual(['alpha.md', 'bravo.txt', 'sub/charlie.md']);
    expect(index.passages.map((p) => p.text)).toContain('Logs rotate after seven days of storage.');
  });

  it('embeds each searchable passage once, in batches, reporting progress', async () => {
    const embedder = fakeEmbedder(16);
    const progress: string[] = [];
    const summary = await run(embedder, { batchSize: 2, onProgress: (done, total, phase) => progress.push(`${phase} ${done}/${total}`) });

    const index = await openIndex(indexDir);
    const searchable = index.passages.filter((p) => p.searchable).length;
    expect(summary).toMatchObject({ mode: 'semantic+keyword', embedded: searchable });
    expect(embedder.calls.map((batch) => batch.length)).toEqual([2, 2, searchable - 4]);
    expect(progress).toEqual(['read 1/3', 'read 2/3', 'read 3/3', `embed 0/${searchable}`, `embed 2/${searchable}`, `embed 4/${searchable}`,
      `embed ${searchable}/${searchable}`, 'write 0/1', 'write 1/1']);
    await expectVectorsMatch(embedder);
  });

  it('refuses an index path that is a file, touching nothing', async () => {
    indexDir = path.join(docsDir, 'bravo.txt');
    const err = await run(null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CitebotError);
    expect((err as CitebotError).userMessage).toBe(
      `Could not write the index in ${indexDir}: it is a file, not a folder (EEXIST). Choose a folder with --index DIR.`,
    );
    expect(await fsp.readFile(indexDir, 'utf8')).toBe(BASE_DOCS['bravo.txt']);
  });

  it('writes an empty index, with a warning, for a folder without documents', async () => {
    await fsp.rm(docsDir, { recursive: true });
    await fsp.mkdir(docsDir);
    expect(await run(null)).toMatchObject({ files: 0, passages: 0 });
    expect(warnings).toEqual([`No documents found in ${docsDir}; the index will be empty.`]);
  });
});

describe('incremental ingest', () => {
  it.each([
    ['a new file', () => writeDoc('delta.txt', 'Delta keeps the backups of every database.\n'),
      { added: 1, changed: 0, removed: 0 }, ['Delta keeps the backups of every database.']],
    ['an edited paragraph', () => editDoc('bravo.txt', 'seven days', 'thirty days'),
      { added: 0, changed: 1, removed: 0 }, ['Logs rotate after thirty days of storage.']],
    ['a deleted file', () => fsp.rm(path.join(docsDir, 'sub/charlie.md')),
      { added: 0, changed: 0, removed: 1 }, []],
    ['a touched but unchanged file', () => fsp.utimes(path.join(docsDir, 'alpha.md'), new Date(), new Date(2001, 1, 1)),
      { added: 0, changed: 0, removed: 0 }, []],
    ['a paragraph moved to a new file', () => writeDoc('echo.md', 'Bravo servers restart every night at midnight.\n'),
      { added: 1, changed: 0, removed: 0 }, []],
  ])('after %s, embeds only new text', async (_, change, counts, embeddedTexts) => {
    const embedder = fakeEmbedder(16);
    await run(embedder);
    embedder.calls.length = 0;

    await change();
    const summary = await run(embedder);
    expect(summary).toMatchObject({ ...counts, embedded: embeddedTexts.length });
    expect(embedder.calls.flat()).toEqual(embeddedTexts);
    await expectVectorsMatch(embedder);
  });

  it("drops a deleted file's passages", async () => {
    await run(null);
    await fsp.rm(path.join(docsDir, 'sub/charlie.md'));
    await run(null);
    const index = await openIndex(indexDir);
    expect(index.passages.filter((p) => p.file === 'sub/charlie.md')).toEqual([]);
    expect(Object.keys(index.manifest.files)).toEqual(['alpha.md', 'bravo.txt']);
  });

  it('writes nothing when nothing changed', async () => {
    const embedder = fakeEmbedder(16);
    const first = await run(embedder);
    embedder.calls.length = 0;
    const second = await run(embedder);
    expect(second).toMatchObject({ generation: first.generation, added: 0, changed: 0, removed: 0, embedded: 0 });
    expect(embedder.calls).toEqual([]);
  });

  const renamed = (embedder: Embedder): Embedder => ({ ...embedder, model: 'another/model' });
  it.each([
    ['another model of the same size', () => fakeEmbedder(16), () => renamed(fakeEmbedder(16))],
    ['another vector size', () => fakeEmbedder(16), () => fakeEmbedder(8)],
    ['keyword mode before', () => null, () => fakeEmbedder(16)],
  ])('re-embeds everything after %s', async (_, before, after) => {
    await run(before());
    const embedder = after();
    const summary = await run(embedder);

    const index = await openIndex(indexDir);
    expect(summary.embedded).toBe(index.passages.filter((p) => p.searchable).length);
    expect(index.manifest).toMatchObject({ model: embedder.model, dim: embedder.dim });
    await expectVectorsMatch(embedder);
  });

  it('drops the vectors when switching to keyword mode', async () => {
    await run(fakeEmbedder(16));
    const summary = await run(null);
    expect(summary.mode).toBe('keyword');
    expect((await openIndex(indexDir)).vectors).toBeNull();
    expect(await fsp.readdir(path.join(indexDir, summary.generation))).not.toContain('vectors.f32');
  });

  it('rebuilds from scratch, with a warning, over an index of an older format', async () => {
    await run(null);
    await fsp.writeFile(path.join(indexDir, 'CURRENT'), '{"format":1,"generation":"gen-1Z-ab","previous":null}');
    const summary = await run(null);
    expect(summary.added).toBe(3);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^Rebuilding the index from scratch: .* is format 1; this citebot reads format ${FORMAT_VERSION}\\.$`))]);
    expect((await openIndex(indexDir)).generation).toBe(summary.generation);
  });

  // An older citebot used to rebuild over it, deleting both generations it could not read.
  it('refuses to touch an index of a newer format, and deletes nothing', async () => {
    await run(null);
    await writeDoc('delta.txt', 'Delta keeps the backups.');
    await run(null);
    const pointer = JSON.parse(await fsp.readFile(path.join(indexDir, 'CURRENT'), 'utf8')) as Record<string, unknown>;
    await fsp.writeFile(path.join(indexDir, 'CURRENT'), JSON.stringify({ ...pointer, format: FORMAT_VERSION + 1 }));
    const before = (await fsp.readdir(indexDir)).sort();
    await writeDoc('echo.txt', 'Echo answers the phone.');

    const error = await run(null).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CitebotError);
    expect((error as CitebotError).message).toMatch(/is format \d+; this citebot reads format \d+\. It was written by a newer citebot and is left untouched\.$/);
    expect((error as CitebotError).hint).toMatch(/^Upgrade citebot/);
    expect((await fsp.readdir(indexDir)).sort()).toEqual(before.filter((name) => name !== 'ingest.lock'));
    expect(before.filter((name) => name.startsWith('gen-'))).toHaveLength(2);
  });
});

describe('isStale', () => {
  it('is true without an index', async () => {
    expect(await isStale(docsDir, indexDir)).toBe(true);
  });

  it.each([
    ['nothing changed', false, async () => undefined],
    ['a file was touched, not changed', false, () => fsp.utimes(path.join(docsDir, 'alpha.md'), new Date(), new Date(2001, 1, 1))],
    ['a skipped empty file is still there', false, async () => undefined, 'empty.txt'],
    ['a file of another type appeared', false, () => writeDoc('photo.png', 'not a document')],
    ['a hidden file appeared', false, () => writeDoc('.notes.md', 'Private notes nobody should index here.')],
    ['a file was edited, same size', true, () => editDoc('bravo.txt', 'seven', 'SEVEN')],
    ['a file grew', true, () => editDoc('bravo.txt', 'seven', 'seventy')],
    ['a file was added', true, () => writeDoc('delta.txt', 'Delta keeps the backups.')],
    ['a file was deleted', true, () => fsp.rm(path.join(docsDir, 'sub/charlie.md'))],
    ['a skipped empty file got text', true, () => writeDoc('empty.txt', 'Now it has some words.'), 'empty.txt'],
    ['the docs folder is gone', true, () => fsp.rm(docsDir, { recursive: true })],
  ])('after %s: stale = %s', async (_, stale, change, emptyFile?: string) => {
    if (emptyFile) await writeDoc(emptyFile, '');
    await run(null);
    await change();
    expect(await isStale(docsDir, indexDir)).toBe(stale);
  });

  it('is true for an index built from another folder', async () => {
    await run(null);
    await fsp.cp(docsDir, path.join(root, 'copy'), { recursive: true, preserveTimestamps: true });
    expect(await isStale(path.join(root, 'copy'), indexDir)).toBe(true);
  });
});

/** Starts a helper script in its own process; resolves with the process and its stdout lines. */
function startHelper(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HELPERS, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const nextLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    void exited.then((code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, lines, exited, nextLine };
}

describe('one writer at a time', () => {
  it('runs two ingests in one process one after the other', async () => {
    const [a, b] = await Promise.all([run(null), run(null)]);
    expect([a.added, b.added].sort()).toEqual([0, 3]);
    expect(a.generation).toBe(b.generation);
    expect((await openIndex(indexDir)).generation).toBe(a.generation);
  });

  it('runs two ingest processes at once without corrupting the index', async () => {
    const children = [0, 1].map(() => startHelper('ingest-child.ts', [docsDir, indexDir, '16']));
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0]);

    const summaries = children.map((c) => JSON.parse(c.lines.at(-1)!) as { added: number; generation: string });
    expect(summaries.map((s) => s.added).sort()).toEqual([0, 3]);
    const index = await openIndex(indexDir, (line) => warnings.push(line));
    expect(index.generation).toBe(summaries[0]!.generation);
    expect(warnings).toEqual([]);
    await expectVectorsMatch(fakeEmbedder(16));
  });

  it("refuses while another live process holds the lock, naming its pid", async () => {
    const holder = startHelper('hold-lock.ts', [indexDir]);
    try {
      expect(await holder.nextLine).toBe('locked');
      const err = await run(null, { lockWaitMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CitebotError);
      expect((err as CitebotError).message).toBe(
        `Another ingest (pid ${holder.child.pid}) is writing ${indexDir}; try again when it finishes.`,
      );
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
  });

  it('takes over the lock of a process that was killed', async () => {
    const holder = startHelper('hold-lock.ts', [indexDir]);
    expect(await holder.nextLine).toBe('locked');
    holder.child.kill('SIGKILL');
    await holder.exited;

    expect(await run(null, { lockWaitMs: 0 })).toMatchObject({ added: 3 });
    expect(await fsp.readdir(indexDir)).not.toContain('ingest.lock');
  });
});

describe('an ingest given the index its caller has loaded', () => {
  /** The index as search loads it, each vector's first value marked so a copy from it can be told from one read off disk. */
  async function loadedAndMarked(embedder: Embedder): Promise<{ index: Awaited<ReturnType<typeof openIndex>>; mark: number }> {
    const index = await openIndex(indexDir);
    const mark = Math.fround(0.123);
    for (let row = 0; row < index.passages.length; row++) if (index.passages.at(row)!.searchable) index.vectors![row * embedder.dim] = mark;
    return { index, mark };
  }

  it('copies the unchanged vectors from it, not from disk, when it is the current generation', async () => {
    const embedder = fakeEmbedder(8);
    await run(embedder);
    const { index: loaded, mark } = await loadedAndMarked(embedder);
    await writeDoc('delta.txt', 'Delta notes\n\nDelta pipes carry water under the old town.\n');
    const summary = await run(embedder, { loaded });

    expect(summary).toMatchObject({ added: 1, embedded: 1 });
    const after = await openIndex(indexDir);
    const marked = after.passages.filter((p, row) => p.searchable && after.vectors![row * 8] === mark).map((p) => p.file);
    expect([...new Set(marked)].sort()).toEqual(['alpha.md', 'bravo.txt', 'sub/charlie.md']);
  });

  it('reads the current generation from disk when the loaded one is older', async () => {
    const embedder = fakeEmbedder(8);
    await run(embedder);
    const { index: loaded, mark } = await loadedAndMarked(embedder);
    await editDoc('bravo.txt', 'midnight', 'noon');
    await run(embedder);
    await writeDoc('delta.txt', 'Delta notes\n\nDelta pipes carry water under the old town.\n');
    await run(embedder, { loaded });

    const after = await openIndex(indexDir);
    expect(after.passages.some((p, row) => p.searchable && after.vectors![row * 8] === mark)).toBe(false);
    await expectVectorsMatch(embedder);
  });
});
