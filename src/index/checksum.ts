/**
 * Per-file checksums of a generation (sha256, hex), recorded in its manifest
 * when the files are written and checked when they are read back, so a file
 * changed on disk after ingest (an edited quote, a flipped bit) is found
 * damaged instead of being quoted as verbatim. sha256 because Node hashes it
 * natively at over 1 GB/s here: checking costs far less than reading the file.
 *
 * @example
 * const sums: Record<string, string> = {};
 * await writeFileAtomic(file, checksummed(chunks, (sum) => (sums[name] = sum)), fs);
 * await verifyChecksum(await fsp.readFile(file), name, sums); // DamagedGeneration on a mismatch
 */
import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DamagedGeneration } from './damaged-generation.js';

/** Hashed this many bytes at a time, with the event loop let in between (~10 ms each). */
const SLICE_BYTES = 16 * 2 ** 20;

/**
 * The same chunks, passed through; `done(sum)` gets their checksum once the last one is taken.
 *
 * @example
 * await writeFileAtomic(file, checksummed(['a', 'b'], (sum) => console.log(sum)), fs);
 */
export function* checksummed(chunks: Iterable<string | Uint8Array>, done: (sum: string) => void): Generator<string | Uint8Array> {
  const hash = createHash('sha256');
  for (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
  done(hash.digest('hex'));
}

/**
 * The checksum of some bytes (or of several regions, hashed in order as one
 * file), hashed in slices so a large file never holds the event loop for long.
 *
 * @example
 * await checksumOf(Buffer.from('abc')); // 'ba7816bf…'
 * await checksumOf([Buffer.from('a'), Buffer.from('bc')]); // the same
 */
export async function checksumOf(bytes: Uint8Array | readonly Uint8Array[]): Promise<string> {
  const hash = createHash('sha256');
  let sinceYield = 0;
  for (const region of bytes instanceof Uint8Array ? [bytes] : bytes) {
    for (let at = 0; at < region.byteLength; at += SLICE_BYTES) {
      const end = Math.min(region.byteLength, at + SLICE_BYTES);
      hash.update(region.subarray(at, end));
      sinceYield += end - at;
      if (sinceYield >= SLICE_BYTES) {
        await yieldToEventLoop();
        sinceYield = 0;
      }
    }
  }
  return hash.digest('hex');
}

/**
 * Throws a `DamagedGeneration` unless `bytes` match the checksum `sums` records for `name`.
 *
 * @example
 * await verifyChecksum(bin, 'keyword.bin', manifest.checksums);
 */
export async function verifyChecksum(bytes: Uint8Array | readonly Uint8Array[], name: string, sums: Readonly<Record<string, string>>): Promise<void> {
  const expected = sums[name];
  if (expected === undefined) throw new DamagedGeneration(`manifest.json has no checksum for ${name}`);
  if ((await checksumOf(bytes)) !== expected) throw new DamagedGeneration(`${name} does not match its checksum in manifest.json (changed after it was written)`);
}
