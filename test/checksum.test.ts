import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { checksumOf } from '../src/index/checksum.js';

/** `bytes` bytes of a repeating pattern, in shared memory (as keyword.bin and vectors.i8 are read at load). */
function sharedBytes(bytes: number): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes));
  for (let i = 0; i < bytes; i += 4093) out[i] = i % 251;
  return out;
}

describe('checksumOf', () => {
  it('gives the sha256 of the regions in order, shared or not, large or small', async () => {
    const large = sharedBytes(48 * 2 ** 20);
    const small = Buffer.from('a small region after it');
    const expected = createHash('sha256').update(large).update(small).digest('hex');
    expect(await checksumOf([large, small])).toBe(expected);
    expect(await checksumOf([Buffer.from(large), small])).toBe(expected);
    expect(await checksumOf(small)).toBe(createHash('sha256').update(small).digest('hex'));
  });

  it('hashes a large file in shared memory on another thread: this one stays free meanwhile', async () => {
    const large = sharedBytes(256 * 2 ** 20);
    const before = performance.eventLoopUtilization();
    const sum = await checksumOf(large);
    const { utilization } = performance.eventLoopUtilization(before);
    expect(sum).toBe(createHash('sha256').update(large).digest('hex'));
    // Hashed here, the event loop would be busy nearly all along (it only yields between 16 MB slices).
    expect(utilization).toBeLessThan(0.5);
  });
});
