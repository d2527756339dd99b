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
  let handle;
  try {
    handle = await realFileSystem.open(path.join(genDir, name), 'r');
  } catch (err) {
    throw missingAsDamage(err, name);
  }
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    for (let offset = 0; offset < size; ) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) throw new DamagedGeneration(`${name} ended early`);
      offset += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
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
