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
import { oneShotWorker } from './one-shot-worker.js';

/** Hashed this many bytes at a time, with the event loop let in between (~10 ms each). */
const SLICE_BYTES = 16 * 2 ** 20;

/**
 * Bytes in shared memory from which a file is hashed in a worker thread, on
 * another core, while this thread goes on loading: at a million passages
 * keyword.bin and vectors.i8 are 1.4 GB, a second of sha256 here. Below it,
 * starting a worker costs more than it saves.
 */
const WORKER_BYTES = 32 * 2 ** 20;

/** The worker's whole program (plain JavaScript, so it needs no loader): hash the regions it was given, in order. */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
for (const region of workerData) hash.update(region);
parentPort.postMessage(hash.digest('hex'));
`;

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
 * file): in a worker thread when they are mostly in shared memory and large
 * (the worker reads them in place), else here in slices, so a large file
 * never holds the event loop for long.
 *
 * @example
 * await checksumOf(Buffer.from('abc')); // 'ba7816bf…'
 * await checksumOf([Buffer.from('a'), Buffer.from('bc')]); // the same
 */
export async function checksumOf(bytes: Uint8Array | readonly Uint8Array[]): Promise<string> {
  const regions = bytes instanceof Uint8Array ? [bytes] : bytes;
  const shared = regions.reduce((sum, region) => sum + (region.buffer instanceof SharedArrayBuffer ? region.byteLength : 0), 0);
  return shared >= WORKER_BYTES ? checksumInWorker(regions) : checksumHere(regions);
}

/** Hashed in a worker started for it; the regions in shared memory are not copied (the few small others are). */
function checksumInWorker(regions: readonly Uint8Array[]): Promise<string> {
  return oneShotWorker<string>(HASH_WORKER, regions, 'checksum');
}

async function checksumHere(regions: readonly Uint8Array[]): Promise<string> {
  const hash = createHash('sha256');
  let sinceYield = 0;
  for (const region of regions) {
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
 * Runs one of a generation's integrity checks (which throws a
 * `DamagedGeneration` when it fails): at once, the default, or kept to run
 * after the load has returned (a large index, `ReadOptions.deferChecksFrom`).
 *
 * @example
 * await check(() => verifyChecksum(bytes, 'keyword.bin', manifest.checksums));
 */
export type IntegrityCheck = (run: () => Promise<void>) => Promise<void>;

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
