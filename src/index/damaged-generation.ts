/**
 * A generation folder that cannot be loaded as it is (truncated, missing a
 * file, inconsistent), and the reads that detect it. The store catches
 * `DamagedGeneration` to fall back to the previous generation; any other error
 * (permissions, I/O) is not damage and goes up as it is.
 *
 * @example
 * const text = await readGenerationText(genDir, 'manifest.json'); // DamagedGeneration when missing
 * const value = parseGenerationJson(text, 'manifest.json');       // DamagedGeneration when truncated
 */
import { close, closeSync, fstatSync, openSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { realFileSystem } from './atomic.js';

/** A generation that cannot be loaded as it is; the message names the file and what is wrong. */
export class DamagedGeneration extends Error {}

/**
 * A generation file as UTF-8 text; a missing one is damage.
 *
 * @example
 * const json = await readGenerationText('embeddings/gen-…', 'keyword.json');
 */
export async function readGenerationText(genDir: string, name: string): Promise<string> {
  return (await readGenerationBytes(genDir, name)).toString('utf8');
}

/**
 * A generation file's bytes; a missing one is damage.
 *
 * @example
 * const bin = await readGenerationBytes('embeddings/gen-…', 'keyword.bin');
 */
export async function readGenerationBytes(genDir: string, name: string): Promise<Buffer> {
  try {
    return await realFileSystem.readFile(path.join(genDir, name));
  } catch (err) {
    throw missingAsDamage(err, name);
  }
}

/**
 * A generation file's bytes in shared memory (a `SharedArrayBuffer`), for
 * data a worker thread reads in place (the keyword postings of a large index):
 * read there directly, so sharing it later costs no copy. A missing one is damage.
 *
 * @example
 * const bin = await readSharedGenerationBytes('embeddings/gen-…', 'keyword.bin');
 * bin.buffer instanceof SharedArrayBuffer; // true
 */
export async function readSharedGenerationBytes(genDir: string, name: string): Promise<Buffer> {
  return withGenerationFile(path.join(genDir, name), name, async (handle, size) => {
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    await fillRegions(handle, [bytes], name);
    return bytes;
  });
}

/**
 * Opens a generation file for `use` (with its size) and closes it after; a
 * missing file is damage. The one open of the binary files read into
 * memory the caller chose (shared, aligned for the kernel).
 *
 * @example
 * await withGenerationFile(file, 'vectors.i8', (handle, size) => fillRegions(handle, [bytes], 'vectors.i8'));
 */
export async function withGenerationFile<T>(file: string, name: string, use: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await realFileSystem.open(file, 'r');
  } catch (err) {
    throw missingAsDamage(err, name);
  }
  try {
    return await use(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

/**
 * Fills each region in turn from an open file, from its first byte; a file
 * that ends first is damage.
 *
 * @example
 * await fillRegions(handle, [int8Rows, scales], 'vectors.i8');
 */
export async function fillRegions(handle: FileHandle, regions: readonly Uint8Array[], name: string): Promise<void> {
  let position = 0;
  for (const region of regions) {
    for (let offset = 0; offset < region.byteLength; ) {
      const { bytesRead } = await handle.read(region, offset, region.byteLength - offset, position);
      if (bytesRead === 0) throw new DamagedGeneration(`${name} ended early`);
      offset += bytesRead;
      position += bytesRead;
    }
  }
}

/**
 * ENOENT on a file of the generation becomes damage; anything else is returned as it is.
 *
 * @example
 * try { handle = await fsp.open(file); } catch (err) { throw missingAsDamage(err, 'vectors.f32'); }
 */
export function missingAsDamage(err: unknown, name: string): unknown {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' ? new DamagedGeneration(`${name} is missing`) : err;
}

/**
 * `JSON.parse`, with unparseable text as damage of the file `name`.
 *
 * @example
 * parseGenerationJson('{"format":', 'manifest.json'); // throws DamagedGeneration('manifest.json is truncated or not JSON')
 */
export function parseGenerationJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DamagedGeneration(`${name} is truncated or not JSON`);
  }
}

/**
 * A plain JSON object (not null, not an array).
 *
 * @example
 * isRecord(JSON.parse('{"a":1}')); // true
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A whole number ≥ 0.
 *
 * @example
 * isCount(3); // true; isCount(-1), isCount(1.5) and isCount('3') are false
 */
export function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

/** Closes the files `openForOwner` kept open once their owner can't read from them any more (a query in flight keeps it alive). */
const openFiles = new FinalizationRegistry<number>((fd) => close(fd, () => undefined));

/**
 * Opens a generation's file `name` to read it a piece at a time for as long
 * as `owner(fd)` lives, refusing it as damage when it is missing or not
 * `expected` bytes long (`why` says what that size is made of).
 *
 * @example
 * const vectors = openForOwner(file, 'vectors.f32', rows * dim * 4, ` (${rows} passages × ${dim} dims)`, (fd) => ({ fd }));
 */
export function openForOwner<T extends object>(file: string, name: string, expected: number, why: string, owner: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw missingAsDamage(err, name);
  }
  let made: T;
  try {
    const { size } = fstatSync(fd);
    if (size !== expected) throw new DamagedGeneration(`${name} has ${size} bytes, expected ${expected}${why}`);
    made = owner(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  openFiles.register(made, fd);
  return made;
}
