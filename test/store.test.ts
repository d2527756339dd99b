import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LocalIndex } from 'vectra';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FileSystem } from '../src/index/atomic.js';
import { CitebotError } from '../src/errors.js';
import { FORMAT_VERSION } from '../src/index/manifest.js';
import { columnsOf } from '../src/index/passage-table.js';
import { hasIndex, openIndex, readManifest, writeIndex } from '../src/index/store.js';
import { allocateVectors, vectorsAreFinite } from '../src/search/dot-kernel.js';
import { tempFolder } from './helpers/temp-folder.js';
import { syntheticContent, syntheticPassages, syntheticVectors } from './helpers/synthetic-index.js';

let dir: string;
let warnings: string[];
const warn = (line: string): void => void warnings.push(line);

const tmp = tempFolder('citebot-store-');
beforeEach(() => {
  dir = tmp();
  warnings = [];
});

async function current(): Promise<{ format: number; generation: string; previous: string | null }> {
  return JSON.parse(await fsp.readFile(path.join(dir, 'CURRENT'), 'utf8'));
}

async function generationFolders(): Promise<string[]> {
  return (await fsp.readdir(dir)).filter((name) => name.startsWith('gen-')).sort();
}

/** Asserts the index in `dir` is exactly the synthetic write `tag`. */
async function expectWrite(tag: number, count: number, dim: number): Promise<void> {
  const index = await openIndex(dir, warn);
  expect([...index.passages]).toEqual(syntheticPassages(tag, count));
  expect(index.manifest.docsDir).toBe(`/synthetic/${tag}`);
  expect(index.vectors).toEqual(dim > 0 ? syntheticVectors(tag, count, dim) : null);
}

async function rejection(promise: Promise<unknown>): Promise<CitebotError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CitebotError);
  return err as CitebotError;
}

describe('writeIndex / openIndex', () => {
  it('round-trips passages and vectors bit for bit', async () => {
    const content = syntheticContent({ tag: 1, count: 230, dim: 16 });
    const vectors = content.vectors!;
    vectors.set([-0, Number.MIN_VALUE, 3.4028234663852886e38, -1e-40], 0);
    content.passages[5] = { ...content.passages[5]!, page: 12 };
    const generation = await writeIndex(dir, content);

    const index = await openIndex(dir, warn);
    expect(index.generation).toBe(generation);
    expect([...index.passages]).toEqual(content.passages);
    expect(bytesOf(index.vectors!)).toEqual(Buffer.from(vectors.buffer));
    expect(index.manifest).toMatchObject({ format: FORMAT_VERSION, mode: 'semantic+keyword', dim: 16, passages: 230 });
    expect(warnings).toEqual([]);
  });

  it('stores each file title once, and round-trips a passage whose title differs from its file', async () => {
    const content = syntheticContent({ tag: 5, count: 120, dim: 0 });
    content.passages[7] = { ...content.passages[7]!, title: 'A title of its own' };
    const generation = await writeIndex(dir, content);

    expect([...(await openIndex(dir, warn)).passages]).toEqual(content.passages);
    const items = await fsp.readFile(path.join(dir, generation, 'index.json'), 'utf8');
    expect(items.split('"title":').length - 1).toBe(1);
    expect((await readManifest(dir))?.titles).toEqual({ 'doc-0.md': 'Document 0', 'doc-1.md': 'Document 1', 'doc-2.md': 'Document 2' });
  });

  it('writes no vectors file in keyword mode', async () => {
    const generation = await writeIndex(dir, syntheticContent({ tag: 2, count: 5, dim: 0 }));
    const index = await openIndex(dir, warn);
    expect(index.vectors).toBeNull();
    expect(index.manifest).toMatchObject({ mode: 'keyword', model: null, dim: 0 });
    expect((await fsp.readdir(path.join(dir, generation))).sort()).toEqual(['index.json', 'keyword.bin', 'keyword.json', 'manifest.json', 'passages.bin', 'texts.bin']);
  });

  it('stores vectors as little-endian float32 rows in item order', async () => {
    const generation = await writeIndex(dir, syntheticContent({ tag: 3, count: 4, dim: 3 }));
    const bytes = await fsp.readFile(path.join(dir, generation, 'vectors.f32'));
    expect(bytes.length).toBe(4 * 3 * 4);
    expect(bytes.readFloatLE((2 * 3 + 1) * 4)).toBe(syntheticVectors(3, 4, 3)[2 * 3 + 1]);
  });

  it("writes index.json that vectra's own LocalIndex reads", async () => {
    const content = syntheticContent({ tag: 4, count: 3, dim: 8 });
    const generation = await writeIndex(dir, content);

    const items = await new LocalIndex(path.join(dir, generation)).listItems();
    expect(items.map((item) => item.id)).toEqual(content.passages.map((p) => p.id));
    expect(items[1]!.metadata).toMatchObject({
      file: 'doc-0.md',
      paragraph: 2,
      lineStart: 3,
      lineEnd: 4,
      text: content.passages[1]!.text,
      row: 1,
    });
    expect(items[1]!.vector).toEqual([]);
  });

  it('keeps the previous generation as the fallback and deletes older ones and leftovers', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 3, dim: 0 }));
    const second = await writeIndex(dir, syntheticContent({ tag: 2, count: 3, dim: 0 }));
    await fsp.mkdir(path.join(dir, 'gen-20000101T000000000Z-deadbeef'));
    await fsp.writeFile(path.join(dir, 'CURRENT.tmp-1-abcd'), 'half a pointer');
    const third = await writeIndex(dir, syntheticContent({ tag: 3, count: 3, dim: 0 }));

    expect(await current()).toEqual({ format: FORMAT_VERSION, generation: third, previous: second });
    expect(await generationFolders()).toEqual([second, third].sort());
    expect((await fsp.readdir(dir)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('reads the manifest alone with readManifest', async () => {
    expect(await readManifest(dir)).toBeNull();
    await writeIndex(dir, syntheticContent({ tag: 5, count: 7, dim: 4 }));
    expect(await readManifest(dir)).toMatchObject({ passages: 7, dim: 4, docsDir: '/synthetic/5' });
  });
});

describe('refusals', () => {
  it('says there is no index and how to build one', async () => {
    expect(await hasIndex(dir)).toBe(false);
    const err = await rejection(openIndex(dir, warn));
    expect(err.message).toBe(`No index in ${dir}.`);
    expect(err.hint).toBe(`Run: npx citebot ingest --index ${dir}`);
  });

  it('says there is no index when the index path is a file', async () => {
    const file = path.join(dir, 'notes.txt');
    await fsp.writeFile(file, 'not an index');
    expect((await rejection(openIndex(file, warn))).message).toBe(`No index in ${file}.`);
  });

  it.each([
    ['the previous (format 5, texts inside passages.bin: every passage decoded at load)', 5],
    ['format 4 (no int8 copies of the vectors stored: made at every load)', 4],
    ['format 2 (passages in index.json, no checksums)', 2],
    ['an older', 1],
  ])('refuses %s format, naming both versions and the rebuild command', async (_age, format) => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 3, dim: 0 }));
    const pointer = await current();
    await fsp.writeFile(path.join(dir, 'CURRENT'), JSON.stringify({ ...pointer, format }));

    const err = await rejection(openIndex(dir, warn));
    expect(err.message).toBe(`The index in ${dir} is format ${format}; this citebot reads format ${FORMAT_VERSION}.`);
    expect(err.hint).toBe(`Rebuild it: npx citebot ingest --index ${dir}`);
  });

  it('refuses a newer format, naming both versions, and says to upgrade rather than rebuild over it', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 3, dim: 0 }));
    const pointer = await current();
    await fsp.writeFile(path.join(dir, 'CURRENT'), JSON.stringify({ ...pointer, format: FORMAT_VERSION + 1 }));

    const err = await rejection(openIndex(dir, warn));
    expect(err.message).toBe(
      `The index in ${dir} is format ${FORMAT_VERSION + 1}; this citebot reads format ${FORMAT_VERSION}. It was written by a newer citebot and is left untouched.`,
    );
    expect(err.hint).toBe('Upgrade citebot, or set INDEX_DIR (or pass --index DIR) to another folder to build an index there.');
  });

  it('refuses a bare vectra index from before generations', async () => {
    await fsp.writeFile(path.join(dir, 'index.json'), '{"version":1,"metadata_config":{},"items":[]}');
    const err = await rejection(openIndex(dir, warn));
    expect(err.message).toMatch(new RegExp(`is format 0 .*; this citebot reads format ${FORMAT_VERSION}\\.$`));
  });
});

/** Ways a generation can be found damaged; each must be detected, not loaded as garbage. */
const damages: Array<[string, (genDir: string) => Promise<void>, RegExp]> = [
  ['truncated passages.bin', (g) => truncate(path.join(g, 'passages.bin'), 0.5), /passages\.bin (is truncated|has \d+ bytes, expected \d+)/],
  ['empty passages.bin', (g) => fsp.writeFile(path.join(g, 'passages.bin'), ''), /passages\.bin is truncated/],
  ['missing passages.bin', (g) => fsp.rm(path.join(g, 'passages.bin')), /passages\.bin is missing/],
  ['missing texts.bin', (g) => fsp.rm(path.join(g, 'texts.bin')), /texts\.bin is missing/],
  ['truncated texts.bin', (g) => truncate(path.join(g, 'texts.bin'), 0.9), /texts\.bin has \d+ bytes, expected \d+/],
  ['missing vectors.f32', (g) => fsp.rm(path.join(g, 'vectors.f32')), /vectors\.f32 is missing/],
  ['truncated vectors.f32', (g) => truncate(path.join(g, 'vectors.f32'), 0.9), /vectors\.f32 has \d+ bytes, expected 1024/],
  ['manifest dim ≠ vectors', (g) => editManifest(g, { dim: 4 }), /vectors\.f32 has 1024 bytes, expected 512 \(32 passages × 4 dims\)/],
  ['manifest count ≠ passages', (g) => editManifest(g, { passages: 5 }), /passages\.bin holds 32 passages, manifest\.json says 5/],
  ['garbled manifest', (g) => fsp.writeFile(path.join(g, 'manifest.json'), '{"format":1,'), /manifest\.json is truncated/],
  ['manifest without checksums', (g) => editManifest(g, { checksums: undefined }), /manifest\.json has missing or inconsistent fields/],
  ['missing keyword.bin', (g) => fsp.rm(path.join(g, 'keyword.bin')), /keyword\.bin is missing/],
  ['truncated keyword.bin', (g) => truncate(path.join(g, 'keyword.bin'), 0.7), /keyword\.bin has \d+ bytes, expected \d+/],
  ['garbled keyword.json', (g) => fsp.writeFile(path.join(g, 'keyword.json'), '{"options":'), /keyword\.json is truncated/],
  // Integrity: changes a size check can't see.
  ['a title edited in passages.bin', (g) => replaceIn(path.join(g, 'passages.bin'), 'Document 0', 'Document 9'), /passages\.bin does not match its checksum in manifest\.json/],
  ['one flipped bit in vectors.f32', (g) => flipBit(path.join(g, 'vectors.f32'), 1000), /vectors\.f32 does not match its checksum/],
  ['one flipped bit in keyword.bin', (g) => flipBit(path.join(g, 'keyword.bin'), 20), /keyword\.bin does not match its checksum/],
  // Structure, with the checksum re-stamped (a buggy writer, or a careful vandal): still caught.
  ['an out-of-range row in keyword.bin', (g) => editPostings(g, ({ rows }) => void (rows[0] = 32)), /keyword\.bin posting 0 names row 32, past the last passage \(31\)/],
  ['a NaN weight in keyword.bin', (g) => editPostings(g, ({ weights }) => void (weights[3] = NaN)), /keyword\.bin posting 3 has weight NaN, not a number/],
  ['descending offsets in keyword.bin', (g) => editPostings(g, ({ offsets }) => void (offsets[2] = offsets[1]! - 1)), /keyword\.bin offsets descend at term 1/],
  ['an all-NaN vectors.f32', (g) => restamped(g, 'vectors.f32', (b) => void new Float32Array(b.buffer, b.byteOffset, b.length / 4).fill(NaN)), /vectors\.f32 holds values that are not numbers \(NaN or infinite\)/],
  ['one infinite value in vectors.f32', (g) => restamped(g, 'vectors.f32', (b) => b.writeFloatLE(Infinity, 40)), /vectors\.f32 holds values that are not numbers/],
];

async function replaceIn(file: string, from: string, to: string): Promise<void> {
  const bytes = await fsp.readFile(file);
  const at = bytes.indexOf(from);
  expect(at).toBeGreaterThanOrEqual(0);
  Buffer.from(to).copy(bytes, at);
  await fsp.writeFile(file, bytes);
}

async function flipBit(file: string, byte: number): Promise<void> {
  const bytes = await fsp.readFile(file);
  bytes[byte] = bytes[byte]! ^ 1;
  await fsp.writeFile(file, bytes);
}

/** Changes a file's bytes and writes its new checksum into the manifest, as a writer would have. */
async function restamped(genDir: string, name: string, change: (bytes: Buffer) => void): Promise<void> {
  const file = path.join(genDir, name);
  const bytes = await fsp.readFile(file);
  change(bytes);
  await fsp.writeFile(file, bytes);
  const manifest = JSON.parse(await fsp.readFile(path.join(genDir, 'manifest.json'), 'utf8'));
  await editManifest(genDir, { checksums: { ...manifest.checksums, [name]: createHash('sha256').update(bytes).digest('hex') } });
}

/** keyword.bin's three arrays, changed in place and re-stamped. */
async function editPostings(genDir: string, change: (parts: { offsets: Uint32Array; rows: Uint32Array; weights: Float32Array }) => void): Promise<void> {
  const terms = (JSON.parse(await fsp.readFile(path.join(genDir, 'keyword.json'), 'utf8')) as { terms: string[] }).terms.length;
  await restamped(genDir, 'keyword.bin', (bytes) => {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    const postings = words[terms]!;
    change({
      offsets: words.subarray(0, terms + 1),
      rows: words.subarray(terms + 1, terms + 1 + postings),
      weights: new Float32Array(bytes.buffer, bytes.byteOffset + 4 * (terms + 1 + postings), postings),
    });
  });
}

async function truncate(file: string, fraction: number): Promise<void> {
  const { size } = await fsp.stat(file);
  await fsp.truncate(file, Math.floor(size * fraction));
}

async function editManifest(genDir: string, changes: Record<string, unknown>): Promise<void> {
  const file = path.join(genDir, 'manifest.json');
  await fsp.writeFile(file, JSON.stringify({ ...JSON.parse(await fsp.readFile(file, 'utf8')), ...changes }));
}

describe('damaged generations', () => {
  it.each(damages)('%s: falls back to the intact previous generation with a warning', async (_, damage, reason) => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 32, dim: 8 }));
    const generation = await writeIndex(dir, syntheticContent({ tag: 2, count: 32, dim: 8 }));
    await damage(path.join(dir, generation));

    await expectWrite(1, 32, 8);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expect(warnings[0]).toContain(`; run npx citebot ingest --index ${dir} to rebuild.`);
  });

  it.each(damages)('%s: refused with the rebuild command when there is no fallback', async (_, damage, reason) => {
    const generation = await writeIndex(dir, syntheticContent({ tag: 1, count: 32, dim: 8 }));
    await damage(path.join(dir, generation));

    const err = await rejection(openIndex(dir, warn));
    expect(err.message).toMatch(reason);
    expect(err.message).toMatch(/^The index in .* is damaged: /);
    expect(err.hint).toBe(`Rebuild it: npx citebot ingest --index ${dir}`);
  });

  it.each([
    ['all NaN', (v: Float32Array) => void v.fill(NaN)],
    ['one NaN', (v: Float32Array) => void (v[16 * 5 + 3] = NaN)],
    ['one -Infinity', (v: Float32Array) => void (v[16 * 31 + 15] = -Infinity)],
  ])('finds %s in vectors.f32 read into the search kernel (its own, free check)', async (_name, spoil) => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 32, dim: 16 }));
    const content = syntheticContent({ tag: 2, count: 32, dim: 16 });
    spoil(content.vectors!);
    await writeIndex(dir, content);

    const index = await openIndex(dir, warn, { allocate: allocateVectors, finite: vectorsAreFinite });
    expect([...index.passages]).toEqual(syntheticPassages(1, 32));
    expect(warnings).toEqual([expect.stringMatching(/vectors\.f32 holds values that are not numbers \(NaN or infinite\)\. Using the previous one/)]);
  });

  it('quotes passages.bin, not an edited index.json (kept for vectra, never read)', async () => {
    const generation = await writeIndex(dir, syntheticContent({ tag: 1, count: 32, dim: 8 }));
    const items = path.join(dir, generation, 'index.json');
    await fsp.writeFile(items, (await fsp.readFile(items, 'utf8')).replace('Passage 7 of write 1', 'Passage 9 of write 1'));

    await expectWrite(1, 32, 8);
    expect(warnings).toEqual([]);
  });

  it('reads a passage text from texts.bin when it is used, and refuses one edited after loading with the rebuild command', async () => {
    const generation = await writeIndex(dir, syntheticContent({ tag: 1, count: 32, dim: 8 }));
    const index = await openIndex(dir, warn);
    await replaceIn(path.join(dir, generation, 'texts.bin'), 'Passage 7 of write 1', 'Passage 9 of write 1');

    const expected = syntheticPassages(1, 32);
    expect(index.passages.at(6)!.text).toBe(expected[6]!.text);
    let err: unknown;
    try {
      void index.passages.at(7)!.text;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CitebotError);
    expect((err as CitebotError).message).toBe(`The index in ${dir} is damaged: passage 7's text in texts.bin does not match its hash (changed after it was written).`);
    expect((err as CitebotError).hint).toBe(`Rebuild it: npx citebot ingest --index ${dir}`);
    expect(warnings).toEqual([]);
  });

  it('gives every row\'s fields and hash from the columns, without reading a text (texts.bin damaged after loading)', async () => {
    const content = syntheticContent({ tag: 4, count: 24, dim: 0 });
    const generation = await writeIndex(dir, content);
    const { passages } = await openIndex(dir, warn);
    await fsp.writeFile(path.join(dir, generation, 'texts.bin'), 'x'.repeat((await fsp.stat(path.join(dir, generation, 'texts.bin'))).size));
    const columns = columnsOf(passages);
    const row = (p: (typeof content.passages)[number], i: number): unknown[] => [p.file, p.paragraph, p.headings, p.searchable, p.hash, i];
    expect(content.passages.map((_, i) => [columns.file(i), columns.paragraph(i), columns.headings(i), columns.searchable(i), columns.hash(i), i])).toEqual(
      content.passages.map(row),
    );
    expect(() => passages.at(3)).toThrow(/does not match its hash/);
  });

  it('gives the same passages through at, forEach, every, some, map and filter as the array it was written from', async () => {
    const content = syntheticContent({ tag: 3, count: 40, dim: 0 });
    await writeIndex(dir, content);
    const { passages } = await openIndex(dir, warn);
    const written = content.passages;

    expect(passages).toHaveLength(written.length);
    expect(written.map((_, row) => passages.at(row))).toEqual(written);
    expect(passages.at(written.length)).toBeUndefined();
    expect(passages.at(-1)).toBeUndefined();
    const visited: unknown[] = [];
    passages.forEach((p, row) => visited.push([row, p]));
    expect(visited).toEqual(written.map((p, row) => [row, p]));
    expect(passages.map((p, row) => `${row}:${p.id}:${p.text}`)).toEqual(written.map((p, row) => `${row}:${p.id}:${p.text}`));
    expect(passages.filter((p) => p.searchable)).toEqual(written.filter((p) => p.searchable));
    expect(passages.every((p, row) => p.hash === written[row]!.hash)).toBe(true);
    expect(passages.some((p) => p.text === written[17]!.text)).toBe(true);
    expect(passages.some((p) => p.text === 'nothing like it')).toBe(false);
  });

  it('finds the newest intact generation when CURRENT itself is garbled', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 3, dim: 0 }));
    await writeIndex(dir, syntheticContent({ tag: 2, count: 3, dim: 0 }));
    await fsp.writeFile(path.join(dir, 'CURRENT'), '{"format":1,"gen');

    await expectWrite(2, 3, 0);
    expect(warnings[0]).toMatch(/CURRENT is unreadable; using gen-/);
  });
});

/** A file system whose writes (or renames) to matching paths fail with `code`, after writing half. */
function failingFs(code: string, target: RegExp, operation: 'write' | 'rename'): FileSystem {
  const fail = (): Error => Object.assign(new Error(`${code}: simulated`), { code });
  return {
    ...fsp,
    open: (async (file: string, flags?: string) => {
      const handle = await fsp.open(file, flags);
      if (operation !== 'write' || !target.test(path.basename(file))) return handle;
      return Object.assign(Object.create(handle) as typeof handle, {
        writeFile: async (data: string | Uint8Array) => {
          await handle.writeFile(typeof data === 'string' ? data.slice(0, data.length / 2) : data.subarray(0, data.length / 2));
          throw fail();
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      });
    }) as FileSystem['open'],
    rename: async (from, to) => {
      if (operation === 'rename' && target.test(path.basename(String(to)))) throw fail();
      return fsp.rename(from, to);
    },
  };
}

describe('write failures', () => {
  const cmd = (): string => `npx citebot ingest --index ${dir}`;
  it.each([
    ['ENOSPC', /^vectors\.f32\.tmp-/, 'write', 'the disk is full', (): string => `free some space and run: ${cmd()}`],
    ['ENOSPC', /^index\.json\.tmp-/, 'write', 'the disk is full', (): string => `free some space and run: ${cmd()}`],
    ['EROFS', /^manifest\.json$/, 'rename', 'the file system is read-only', (): string => 'choose a writable folder with --index DIR.'],
    ['EACCES', /^CURRENT$/, 'rename', 'permission denied', (): string => `check the folder's permissions and run: ${cmd()}`],
  ] as const)('%s on %s (%s): clear error, old index intact, nothing left behind', async (code, target, op, reason, fix) => {
    const old = await writeIndex(dir, syntheticContent({ tag: 1, count: 40, dim: 8 }));
    const before = (await fsp.readdir(dir)).sort();

    const err = await rejection(writeIndex(dir, syntheticContent({ tag: 2, count: 40, dim: 8 }), { fs: failingFs(code, target, op) }));
    expect(err.message).toBe(`Could not write the index in ${dir}: ${reason} (${code}).`);
    expect(err.hint).toBe(`The previous index is unchanged; ${fix()}`);

    expect((await current()).generation).toBe(old);
    await expectWrite(1, 40, 8);
    expect((await fsp.readdir(dir)).sort()).toEqual(before);
  });
});

/** The bytes of the floats themselves: a loaded index's vectors are a view into a larger (kernel) buffer. */
function bytesOf(vectors: Float32Array): Buffer {
  return Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
}

describe('the keyword postings', () => {
  it('are read into shared memory, so a search worker reads them in place with no copy', async () => {
    await writeIndex(dir, syntheticContent({ tag: 1, count: 40, dim: 0 }));
    const { keyword } = await openIndex(dir, warn);
    for (const array of [keyword!.offsets, keyword!.postingRows, keyword!.weights]) expect(array.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(keyword!.postingRows.length).toBeGreaterThan(0);
  });
});
