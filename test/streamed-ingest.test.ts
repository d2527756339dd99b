/**
 * Ingest writes each document to the new generation as it reads it (issue 14,
 * item 7: 3 × 200 MB files took 4.9 GB because every passage was held), and
 * the files it writes are byte for byte those `writeIndex` writes for the
 * same passages with the keyword index built in one piece.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadDocuments } from '../src/documents/load.js';
import { splitDocuments } from '../src/documents/split.js';
import { GenerationWriter } from '../src/index/generation-writer.js';
import { MANIFEST, type ManifestDraft, type StoredManifest } from '../src/index/manifest.js';
import { currentGeneration, openIndex, writeIndex } from '../src/index/store.js';
import { ingest, type IngestOptions } from '../src/library/ingest.js';
import { KeywordIndex } from '../src/search/keyword.js';
import type { Embedder } from '../src/types.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { tempFolder } from './helpers/temp-folder.js';

const tmp = tempFolder('citebot-streamed-');

afterEach(() => {
  vi.restoreAllMocks();
});

const paragraphs = (name: string, count: number): string =>
  Array.from({ length: count }, (_, i) => `${name} paragraph ${i}: the ${name} service keeps ${i + 2} replicas of every shard in region ${i % 3}.`).join('\n\n');

const longSection = (name: string): string =>
  `# ${name} guide\n\n## Setup\n\n${Array.from({ length: 12 }, (_, i) => `The ${name} installer copies file number ${i} into the shared folder and checks it.`).join(' ')}\n\n## Use\n\nRun ${name} daily.\n`;

const FOLDERS: Record<string, Record<string, string>> = {
  'plain text, several files': { 'a.txt': paragraphs('alpha', 5), 'b.txt': paragraphs('bravo', 3), 'sub/c.txt': paragraphs('charlie', 7) },
  'long paragraphs split into pieces': { 'one.md': longSection('delta'), 'two.md': longSection('echo') },
  'several formats (copies marked across files)': {
    'page.html': `<html><head><title>Fox</title></head><body><main><h1>Fox</h1><p>${paragraphs('fox', 1)}</p><p>The fox jumps over the lazy dog near the river bank.</p></main></body></html>`,
    'page.txt': `Fox\n\n${paragraphs('fox', 1)}\n\nThe fox jumps over the lazy dog near the river bank.\n`,
    'notes.md': `# Notes\n\n${paragraphs('golf', 2)}\n`,
  },
  'no documents': {},
};

async function writeFolder(files: Record<string, string>): Promise<string> {
  const docsDir = path.join(tmp(), 'docs');
  await fsp.mkdir(docsDir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(docsDir, file)), { recursive: true });
    await fsp.writeFile(path.join(docsDir, file), text);
  }
  return docsDir;
}

/** Every file of the current generation; the manifest without its creation time. */
async function generationFiles(indexDir: string): Promise<Record<string, string>> {
  const genDir = path.join(indexDir, (await currentGeneration(indexDir))!);
  const out: Record<string, string> = {};
  for (const name of (await fsp.readdir(genDir)).sort()) {
    const bytes = await fsp.readFile(path.join(genDir, name));
    if (name !== MANIFEST) out[name] = bytes.toString('base64');
    else out[name] = JSON.stringify({ ...(JSON.parse(bytes.toString('utf8')) as StoredManifest), createdAt: null });
  }
  return out;
}

/** Items per file in the index.json being written in the index folder's unpublished generation (none when there is none). */
function itemsBeingWritten(indexDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const gen of existsSync(indexDir) ? readdirSync(indexDir).filter((name) => name.startsWith('gen-')) : []) {
    for (const name of readdirSync(path.join(indexDir, gen)).filter((n) => n.startsWith('index.json.tmp-'))) {
      for (const match of readFileSync(path.join(indexDir, gen, name), 'utf8').matchAll(/"metadata":\{"file":"([^"]+)"/g)) counts[match[1]!] = (counts[match[1]!] ?? 0) + 1;
    }
  }
  return counts;
}

function run(docsDir: string, indexDir: string, embedder: Embedder | null, extra: Partial<IngestOptions> = {}) {
  return ingest({ docsDir, indexDir, embedder, warn: () => undefined, maxChars: 120, ...extra });
}

/** The index as it was written before ingest streamed: every passage split first, the keyword index built in one piece. */
async function referenceIndex(docsDir: string, ingested: string, out: string): Promise<void> {
  const passages = await splitDocuments(await loadDocuments(docsDir, () => undefined), { maxChars: 120 });
  const stored = await openIndex(ingested);
  const { mode, model, dim, files, skipped } = stored.manifest as StoredManifest;
  const manifest: ManifestDraft = { mode, model, dim, docsDir: path.resolve(docsDir), files, skipped: skipped ?? {} };
  await writeIndex(out, { manifest, passages, vectors: stored.vectors as Float32Array | null, keyword: await KeywordIndex.buildParts(passages) });
}

describe('ingest, a document at a time', () => {
  it('writes each document to the new generation before it reads the next one, never more than one document at once', async () => {
    const docsDir = await writeFolder(FOLDERS['plain text, several files']!);
    const events: string[] = [];
    const add = GenerationWriter.prototype.add;
    vi.spyOn(GenerationWriter.prototype, 'add').mockImplementation(function (this: GenerationWriter, passages) {
      events.push(`write ${[...new Set(passages.map((p) => p.file))].join(',')} (${passages.length})`);
      return add.call(this, passages);
    });
    const onProgress: IngestOptions['onProgress'] = (done, total, phase) => {
      if (phase === 'read') events.push(`read ${done}/${total}`);
    };
    await run(docsDir, path.join(tmp(), 'index'), null, { onProgress });
    expect(events).toEqual(['read 1/3', 'write a.txt (5)', 'read 2/3', 'write b.txt (3)', 'read 3/3', 'write sub/c.txt (7)']);
  });

  it("has the earlier documents' passages in the new generation's index.json while it reads the next one", async () => {
    const docsDir = await writeFolder(FOLDERS['plain text, several files']!);
    const indexDir = path.join(tmp(), 'index');
    const seen: Array<Record<string, number>> = [];
    const onProgress: IngestOptions['onProgress'] = (done, _total, phase) => {
      if (phase === 'read') seen.push(itemsBeingWritten(indexDir));
    };
    await run(docsDir, indexDir, null, { onProgress });
    expect(seen).toEqual([{}, { 'a.txt': 5 }, { 'a.txt': 5, 'b.txt': 3 }]);
  });

  describe.each(Object.keys(FOLDERS))('%s', (folder) => {
    it.each([
      ['in memory-sized keyword runs', undefined],
      ['with a keyword run per posting', 1],
      ['with keyword runs of 5 postings', 5],
    ])('writes the same bytes as writeIndex of the whole folder, %s', async (_, runPostings) => {
      const docsDir = await writeFolder(FOLDERS[folder]!);
      const indexDir = path.join(tmp(), 'index');
      await run(docsDir, indexDir, null, runPostings === undefined ? {} : { target: { runPostings } });
      await referenceIndex(docsDir, indexDir, path.join(tmp(), 'reference'));
      expect(await generationFiles(indexDir)).toEqual(await generationFiles(path.join(tmp(), 'reference')));
    });
  });

  it('writes the same bytes in semantic mode, vectors included', async () => {
    const docsDir = await writeFolder(FOLDERS['long paragraphs split into pieces']!);
    const indexDir = path.join(tmp(), 'index');
    await run(docsDir, indexDir, fakeEmbedder(16), { target: { runPostings: 3 } });
    await referenceIndex(docsDir, indexDir, path.join(tmp(), 'reference'));
    const files = await generationFiles(indexDir);
    expect(Object.keys(files)).toContain('vectors.f32');
    expect(files).toEqual(await generationFiles(path.join(tmp(), 'reference')));
  });
});

describe('re-ingest with a document changed, added or removed', () => {
  const edits: Array<[string, (docsDir: string) => Promise<void>]> = [
    ['the first file changed', (d) => fsp.appendFile(path.join(d, 'a.txt'), '\n\nA new closing paragraph about alpha backups.')],
    ['the last file changed', (d) => fsp.appendFile(path.join(d, 'sub/c.txt'), '\n\nA new closing paragraph about charlie backups.')],
    ['a file added in the middle', (d) => fsp.writeFile(path.join(d, 'b2.txt'), paragraphs('bravo two', 2))],
    ['a file removed', (d) => fsp.rm(path.join(d, 'b.txt'))],
  ];

  it.each(edits)('%s: writes what a fresh ingest of the folder writes (the unchanged rows before it copied from the old index)', async (_, edit) => {
    const docsDir = await writeFolder(FOLDERS['plain text, several files']!);
    const indexDir = path.join(tmp(), 'index');
    await run(docsDir, indexDir, null);
    await edit(docsDir);
    await run(docsDir, indexDir, null, { target: { runPostings: 4 } });
    const fresh = path.join(tmp(), 'fresh');
    await run(docsDir, fresh, null);
    expect(await generationFiles(indexDir)).toEqual(await generationFiles(fresh));
  });

  it('writes nothing when nothing changed', async () => {
    const docsDir = await writeFolder(FOLDERS['plain text, several files']!);
    const indexDir = path.join(tmp(), 'index');
    const first = await run(docsDir, indexDir, null);
    const before = (await fsp.readdir(indexDir)).sort();
    const add = vi.spyOn(GenerationWriter.prototype, 'add');
    const again = await run(docsDir, indexDir, null);
    expect(again.generation).toBe(first.generation);
    expect(add).not.toHaveBeenCalled();
    expect((await fsp.readdir(indexDir)).sort()).toEqual(before);
  });
});

describe('a generation writer that cannot start', () => {
  const tmp = tempFolder('citebot-writer-');

  it('closes and removes the files it opened when the disk is full at its first write', async () => {
    const handles: Array<{ closed: boolean }> = [];
    const fullDisk = {
      ...fsp,
      open: async (...args: Parameters<typeof fsp.open>) => {
        const handle = await fsp.open(...args);
        const state = { closed: false };
        handles.push(state);
        return Object.assign(Object.create(handle) as typeof handle, {
          writeFile: async () => {
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          },
          close: async () => {
            state.closed = true;
            await handle.close();
          },
        });
      },
    } as typeof fsp;
    await expect(GenerationWriter.create(tmp(), fullDisk)).rejects.toThrow(/ENOSPC/);
    expect(handles.length).toBeGreaterThan(0);
    expect(handles.filter((h) => !h.closed)).toEqual([]);
    expect(await fsp.readdir(tmp())).toEqual([]);
  });
});
