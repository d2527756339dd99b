/**
 * An index opened as search opens it (format 5): the int8 copies from
 * vectors.i8 in memory, exact rows read from vectors.f32 on demand. Results
 * must equal a float64 scan of the float rows; damage to either file must be
 * found, not searched.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CitebotError } from '../src/errors.js';
import { plainQuantized } from '../src/index/quantized-file.js';
import { openIndex, writeIndex } from '../src/index/store.js';
import { allocateQuantized } from '../src/search/dot-kernel.js';
import { KeywordIndex } from '../src/search/keyword.js';
import { Retriever } from '../src/search/retrieve.js';
import { sharedKeywordParts, takenRanges, WorkerScanner } from '../src/search/scanner.js';
import { topK } from '../src/search/vectors.js';
import type { StoredVectors } from '../src/types.js';
import { syntheticContent, syntheticPassages, syntheticVectors } from './helpers/synthetic-index.js';
import { tempFolder } from './helpers/temp-folder.js';
import { naiveTopK } from './helpers/naive-top-k.js';

let dir: string;
let warnings: string[];
const warn = (line: string): void => void warnings.push(line);
const tmp = tempFolder('citebot-stored-vectors-');
beforeEach(() => {
  dir = tmp();
  warnings = [];
});


async function openStored(allocate = allocateQuantized): Promise<StoredVectors> {
  const index = await openIndex(dir, warn, { quantized: allocate });
  return index.vectors!;
}

async function generation(): Promise<string> {
  return path.join(dir, JSON.parse(await fsp.readFile(path.join(dir, 'CURRENT'), 'utf8')).generation);
}

/** Changes a file's bytes and writes its new checksum into the manifest, as a writer would have. */
async function restamped(genDir: string, name: string, change: (bytes: Buffer) => void): Promise<void> {
  const file = path.join(genDir, name);
  const bytes = await fsp.readFile(file);
  change(bytes);
  await fsp.writeFile(file, bytes);
  const manifestFile = path.join(genDir, 'manifest.json');
  const manifest = JSON.parse(await fsp.readFile(manifestFile, 'utf8'));
  manifest.checksums[name] = createHash('sha256').update(bytes).digest('hex');
  await fsp.writeFile(manifestFile, JSON.stringify(manifest));
}

describe('an index opened for search', () => {
  it.each([
    ['in kernel memory', 32, allocateQuantized],
    ['in plain arrays', 32, plainQuantized],
    ['of a dim the kernel does not take', 12, allocateQuantized],
  ] as const)('reads the int8 copies (%s, dim %i) and finds exactly what a float64 scan finds', async (_where, dim, allocate) => {
    const count = 600;
    await writeIndex(dir, syntheticContent({ tag: 4, count, dim }));
    const vectors = await openStored(allocate);
    const exact = syntheticVectors(4, count, dim);
    expect([vectors.rows, vectors.dim]).toEqual([count, dim]);
    const row = new Float32Array(dim);
    for (const r of [0, 1, 299, count - 1]) {
      vectors.readRow(r, row);
      expect(row).toEqual(exact.subarray(r * dim, (r + 1) * dim));
      let errorSq = 0;
      for (let j = 0; j < dim; j++) errorSq += (row[j]! - vectors.int8[r * dim + j]! * vectors.scales[r]!) ** 2;
      expect(Math.sqrt(errorSq)).toBeLessThanOrEqual(vectors.maxError);
    }
    const searchable = (r: number): boolean => syntheticPassages(4, count)[r]!.searchable;
    for (const query of [exact.slice(7 * dim, 8 * dim), exact.slice(100 * dim, 101 * dim).reverse()]) {
      expect(topK(vectors, dim, query, 25, searchable)).toEqual(naiveTopK(exact, dim, query, 25, searchable));
    }
    expect(warnings).toEqual([]);
  });

  it('keeps the int8 rows only: a quarter of the float rows', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 64, dim: 16 }));
    const vectors = await openStored();
    expect(vectors.int8.length).toBe(64 * 16);
    expect(vectors).not.toBeInstanceOf(Float32Array);
  });
});

/** Ways vectors.i8 can be damaged; each must be found when the index is opened. */
const damages: Array<[string, (genDir: string) => Promise<void>, RegExp]> = [
  ['missing vectors.i8', (g) => fsp.rm(path.join(g, 'vectors.i8')), /vectors\.i8 is missing/],
  ['truncated vectors.i8', (g) => fsp.truncate(path.join(g, 'vectors.i8'), 100), /vectors\.i8 has 100 bytes, expected \d+ \(32 passages × 16 dims\)/],
  ['one flipped bit in vectors.i8', async (g) => {
    const bytes = await fsp.readFile(path.join(g, 'vectors.i8'));
    bytes[40] = bytes[40]! ^ 4;
    await fsp.writeFile(path.join(g, 'vectors.i8'), bytes);
  }, /vectors\.i8 does not match its checksum/],
  ['a NaN scale in vectors.i8', (g) => restamped(g, 'vectors.i8', (b) => b.writeFloatLE(NaN, 32 * 16 + 4 * 3)), /vectors\.i8 holds values that are not numbers/],
  ['truncated vectors.f32', (g) => fsp.truncate(path.join(g, 'vectors.f32'), 1000), /vectors\.f32 has 1000 bytes, expected 2048/],
];

describe('damaged vectors, opened for search', () => {
  it.each(damages)('%s: falls back to the intact previous generation with a warning', async (_, damage, reason) => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 32, dim: 16 }));
    await writeIndex(dir, syntheticContent({ tag: 2, count: 32, dim: 16 }));
    await damage(await generation());

    const index = await openIndex(dir, warn, { quantized: allocateQuantized });
    expect(index.manifest.docsDir).toBe('/synthetic/1');
    expect(warnings).toEqual([expect.stringMatching(reason)]);
    expect(warnings[0]).toContain(`; run npx citebot ingest --index ${dir} to rebuild.`);
  });

  it.each(damages)('%s: refused with the rebuild command when there is no fallback', async (_, damage, reason) => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 32, dim: 16 }));
    await damage(await generation());

    const err = await openIndex(dir, warn, { quantized: allocateQuantized }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CitebotError);
    expect((err as CitebotError).message).toMatch(reason);
    expect((err as CitebotError).hint).toBe(`Rebuild it: npx citebot ingest --index ${dir}`);
  });

  it.each([
    // Row 1 is among the top 3 for this query (the synthetic rows are a ramp: the first ones score highest).
    ['a changed value', (b: Buffer) => b.writeFloatLE(b.readFloatLE(64) + 0.25, 64)],
    ['a NaN', (b: Buffer) => b.writeFloatLE(NaN, 64 + 8)],
  ])('a vectors.f32 row with %s is refused when searched, with the rebuild command', async (_what, spoil) => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 32, dim: 16 }));
    const vectors = await openStored();
    const query = syntheticVectors(1, 32, 16).slice(0, 16);
    const file = path.join(await generation(), 'vectors.f32');
    const bytes = await fsp.readFile(file);
    spoil(bytes);
    await fsp.writeFile(file, bytes);

    const err = (() => {
      try {
        topK(vectors, 16, query, 3);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(CitebotError);
    expect((err as CitebotError).message).toBe(`The index in ${dir} is damaged: vectors.f32 row 1 does not match its int8 copy in vectors.i8 (changed after it was written).`);
    expect((err as CitebotError).hint).toBe(`Rebuild it: npx citebot ingest --index ${dir}`);
  });
});

describe('a stored index searched in a worker thread', () => {
  it('gives exactly the in-process answers, and refuses a damaged vectors.f32 row with the rebuild command', async () => {
    await writeIndex(dir, syntheticContent({ tag: 3, count: 600, dim: 16 }));
    const index = await openIndex(dir, warn, { quantized: allocateQuantized });
    const exact = syntheticVectors(3, 600, 16);
    let next = 0;
    // Each question's "embedding" is one of the index's rows, taken in turn.
    const embedder = {
      model: 'test/synthetic',
      dim: 16,
      embed: async (): Promise<Float32Array> => {
        const row = (37 * next++) % 600;
        return exact.slice(row * 16, (row + 1) * 16);
      },
    };
    const here = new Retriever(index, embedder, { answerThreshold: 0.4 });
    const worker = new Retriever(index, embedder, { answerThreshold: 0.4, offThread: true });
    try {
      expect(worker.offThread).toBe(true);
      for (const q of ['passage 7 quoted text', 'write 3 unicode', 'escapes']) {
        const start = next;
        const there = await worker.ask(q, { topK: 5 });
        next = start;
        const local = await here.ask(q, { topK: 5 });
        const ranking = (answer: typeof there): unknown[] => (answer.ranked ?? []).map((h) => [h.passage.id, h.score]);
        expect(ranking(there).length).toBeGreaterThan(0);
        expect(ranking(there)).toEqual(ranking(local));
      }
      const file = path.join(await generation(), 'vectors.f32');
      const bytes = await fsp.readFile(file);
      for (let row = 0; row < 600; row++) bytes.writeFloatLE(bytes.readFloatLE(row * 64) + 0.5, row * 64);
      await fsp.writeFile(file, bytes);
      const err = await worker.ask('passage 7', { topK: 5 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CitebotError);
      expect((err as CitebotError).message).toMatch(/^The index in .* is damaged: vectors\.f32 row \d+ does not match its int8 copy/);
      expect((err as CitebotError).hint).toBe(`Rebuild it: npx citebot ingest --index ${dir}`);
    } finally {
      here.close();
      worker.close();
    }
  });
});

describe('a stored index scanned by several workers at once', () => {
  it.each([1, 2, 3])('with %i worker(s) finds exactly what one float64 scan finds, ties across their rows included', async (threads) => {
    const [count, dim] = [700, 16];
    const content = syntheticContent({ tag: 5, count, dim });
    // Rows 350… repeat rows 0…: equal scores in different workers' ranges, which must come back lower row first.
    content.vectors!.copyWithin(350 * dim, 0, 350 * dim);
    await writeIndex(dir, content);
    const index = await openIndex(dir, warn, { quantized: allocateQuantized });
    const parts = sharedKeywordParts(index.keyword!);
    const keyword = new KeywordIndex(parts);
    const searchable = Uint8Array.from(syntheticPassages(5, count), (p) => (p.searchable ? 1 : 0));
    const scanner = new WorkerScanner(keyword, parts, index.vectors, dim, searchable, threads);
    try {
      expect((scanner as unknown as { workers: unknown[] }).workers).toHaveLength(threads);
      for (const row of [3, 351, 699]) {
        const vector = content.vectors!.slice(row * dim, (row + 1) * dim);
        const query = keyword.query(`passage ${row} quoted text`);
        const { keyword: hits, dense } = await scanner.scan({ query, vector, depth: 40 });
        expect(dense).toEqual(naiveTopK(content.vectors!, dim, vector, 40, (r) => searchable[r] === 1));
        expect(hits).toEqual(keyword.search(query, 40));
      }
    } finally {
      scanner.close();
    }
  });

  it('hands out every row exactly once, in ranges taken in turn', () => {
    const split = { next: new Int32Array(new SharedArrayBuffer(4)), chunks: 7 };
    const [first, second] = [takenRanges(split, 100, 1), takenRanges(split, 100, 2)];
    const taken: Array<[number, number, number]> = [];
    for (let step = 0; step < 10; step++) {
      for (const ranges of [first, second]) {
        const next = ranges.next();
        if (!next.done) taken.push([next.value.start, next.value.end, next.value.slot]);
      }
    }
    expect(taken.map(([, , slot]) => slot)).toEqual([1, 2, 1, 2, 1, 2, 1]);
    const covered = taken.map(([start, end]) => [start, end]).sort((a, b) => a[0]! - b[0]!);
    expect(covered[0]![0]).toBe(0);
    expect(covered.at(-1)![1]).toBe(100);
    for (let i = 1; i < covered.length; i++) expect(covered[i]![0]).toBe(covered[i - 1]![1]);
  });
});
