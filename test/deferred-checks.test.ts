/**
 * Issue 13 (a million passages, load < 3 s): a large index answers before
 * the checksums of its large files and its keyword postings are checked;
 * the checks run after the load. A damaged index must still be refused, with
 * what is wrong and the command that rebuilds it, from the first question
 * after the check has failed. A small index is checked before it loads, as
 * before (test/store.test.ts: it falls back to the previous generation).
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CitebotError } from '../src/errors.js';
import { Library } from '../src/library/library.js';
import { openIndex, writeIndex } from '../src/index/store.js';
import { allocateQuantized } from '../src/search/dot-kernel.js';
import { syntheticContent } from './helpers/synthetic-index.js';
import { tempFolder } from './helpers/temp-folder.js';

let dir: string;
let warnings: string[];
const warn = (line: string): void => void warnings.push(line);
const tmp = tempFolder('citebot-deferred-');
beforeEach(() => {
  dir = tmp();
  warnings = [];
});

async function generation(): Promise<string> {
  return path.join(dir, JSON.parse(await fsp.readFile(path.join(dir, 'CURRENT'), 'utf8')).generation);
}

async function flipBit(name: string, byte: number): Promise<void> {
  const file = path.join(await generation(), name);
  const bytes = await fsp.readFile(file);
  bytes[byte] = bytes[byte]! ^ 1;
  await fsp.writeFile(file, bytes);
}

/** Sets posting 0's row past the last passage and re-stamps keyword.bin's checksum, as a buggy writer would. */
async function badPosting(): Promise<void> {
  const genDir = await generation();
  const terms = (JSON.parse(await fsp.readFile(path.join(genDir, 'keyword.json'), 'utf8')) as { terms: string[] }).terms.length;
  const file = path.join(genDir, 'keyword.bin');
  const bytes = await fsp.readFile(file);
  bytes.writeUInt32LE(999, 4 * (terms + 1));
  await fsp.writeFile(file, bytes);
  const manifestFile = path.join(genDir, 'manifest.json');
  const manifest = JSON.parse(await fsp.readFile(manifestFile, 'utf8'));
  manifest.checksums['keyword.bin'] = createHash('sha256').update(bytes).digest('hex');
  await fsp.writeFile(manifestFile, JSON.stringify(manifest));
}

const damages: Array<[string, () => Promise<void>, RegExp]> = [
  ['one flipped bit in keyword.bin', () => flipBit('keyword.bin', 20), /^keyword\.bin does not match its checksum in manifest\.json/],
  ['one flipped bit in vectors.i8', () => flipBit('vectors.i8', 100), /^vectors\.i8 does not match its checksum in manifest\.json/],
  ['one flipped bit in passages.bin', () => flipBit('passages.bin', 40), /^passages\.bin does not match its checksum in manifest\.json/],
  ['an out-of-range row in keyword.bin', badPosting, /^keyword\.bin posting 0 names row 999, past the last passage \(39\)/],
];

describe('an index whose checks are deferred', () => {
  it.each(damages)('%s: loads, then says what is damaged', async (_, damage, reason) => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 40, dim: 16 }));
    await damage();
    const index = await openIndex(dir, warn, { quantized: allocateQuantized, deferChecksFrom: 40 });
    expect(index.passages.length).toBe(40);
    expect(await index.checked).toMatch(reason);
  });

  it('checks before loading below the size it is told, as before', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 40, dim: 16 }));
    await flipBit('keyword.bin', 20);
    const err = await openIndex(dir, warn, { quantized: allocateQuantized, deferChecksFrom: 41 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CitebotError);
    expect((err as CitebotError).message).toMatch(/is damaged: keyword\.bin does not match its checksum/);
  });

  it('says null when it is intact', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 40, dim: 16 }));
    const index = await openIndex(dir, warn, { quantized: allocateQuantized, deferChecksFrom: 0 });
    expect(await index.checked).toBeNull();
    expect(warnings).toEqual([]);
  });
});

describe('a library serving a large index that turns out damaged', () => {
  const library = (): Library => new Library({ docsDir: '/synthetic/1', indexDir: dir, embedder: null, answerThreshold: 0.4, topK: 3, warn, deferChecksFrom: 10 });

  it('refuses every question once the check fails, with the rebuild command, and warns once', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 40, dim: 0 }));
    await flipBit('keyword.bin', 20);
    const served = library();
    expect(await served.refresh()).toBe(true);
    // `refresh` loaded the index it opened; its checks settle after.
    const opened = (served as unknown as { snapshot: { index: { checked: Promise<string | null> } } }).snapshot.index.checked;
    expect(await opened).toMatch(/^keyword\.bin does not match its checksum/);
    for (const question of ['Passage 7 of write 1?', 'quoted text']) {
      const err = await served.ask(question).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CitebotError);
      expect((err as CitebotError).message).toBe(`The index in ${dir} is damaged: keyword.bin does not match its checksum in manifest.json (changed after it was written).`);
      expect((err as CitebotError).hint).toBe(`Rebuild it: npx citebot ingest --index ${dir}`);
    }
    expect(warnings).toEqual([`The index in ${dir} is damaged: keyword.bin does not match its checksum in manifest.json (changed after it was written). Rebuild it: npx citebot ingest --index ${dir}`]);
  });

  it('answers from an intact one', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 40, dim: 0 }));
    const served = library();
    await served.refresh();
    await (served as unknown as { snapshot: { index: { checked: Promise<string | null> } } }).snapshot.index.checked;
    expect((await served.ask('Passage 7 of write 1')).ranked?.length).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });
});
