/**
 * Tools for the reliability tests: waiting for something a user would notice,
 * an embedder that can be held mid-ingest, and a disk that fills up on demand.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { vi } from 'vitest';
import type { LibraryApi } from '../../src/library/library.js';
import type { Embedder } from '../../src/types.js';
import { fakeEmbedder } from './fake-embedder.js';

/**
 * Resolves with the first non-null value of `probe`, checked every 20 ms.
 *
 * @example
 * await until(() => (library.files().includes('new.txt') ? true : null));
 */
export async function until<T>(probe: () => T | null | Promise<T | null>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Holds the next call that passes through it until released. */
export interface Hold {
  /** The next `pass()` waits until `release()`; later ones go straight through. */
  holdNext(): void;
  /** Resolves once a call is waiting. */
  held(): Promise<void>;
  release(): void;
}

/** A `Hold` plus the door calls go through. */
function door(): Hold & { pass(): Promise<void> } {
  let armed: Promise<void> | null = null;
  let open: () => void = () => undefined;
  let onWait: (() => void) | null = null;
  let waiting = false;
  return {
    async pass() {
      const gate = armed;
      armed = null;
      if (!gate) return;
      waiting = true;
      onWait?.();
      await gate;
      waiting = false;
    },
    holdNext() {
      armed = new Promise<void>((resolve) => (open = resolve));
    },
    held() {
      return waiting ? Promise.resolve() : new Promise<void>((resolve) => (onWait = resolve));
    },
    release() {
      armed = null;
      open();
    },
  };
}

/** A fake embedder that can hold one `embed` call: an ingest stopped between reading the folder and writing. */
export interface HeldEmbedder extends Embedder, Hold {
  calls: string[][];
}

/**
 * @example
 * const embedder = heldEmbedder();
 * embedder.holdNext();
 * const run = library.reindex();
 * await embedder.held(); // the ingest has read the folder and is stuck embedding
 * embedder.release();
 */
export function heldEmbedder(): HeldEmbedder {
  const inner = fakeEmbedder();
  const gate = door();
  return {
    model: inner.model,
    dim: inner.dim,
    calls: inner.calls,
    async embed(texts) {
      await gate.pass();
      return inner.embed(texts);
    },
    holdNext: gate.holdNext,
    held: gate.held,
    release: gate.release,
  };
}

/**
 * Makes every write of a temp file whose name matches `file` fail with
 * ENOSPC, as a full disk does, after writing nothing. The store writes
 * through the `node:fs/promises` object, so this is the real write path.
 * Returns the function that frees the disk again.
 *
 * @example
 * const free = fillDisk(/^index\.json\.tmp-/);
 * await expect(library.reindex()).rejects.toThrow(/disk is full/);
 * free();
 */
export function fillDisk(file: RegExp): () => void {
  const open = fsp.open.bind(fsp);
  const spy = vi.spyOn(fsp, 'open').mockImplementation((async (target: string, flags?: string, mode?: number) => {
    if (!file.test(path.basename(String(target)))) return open(target, flags, mode);
    const handle = await open(target, flags, mode);
    return Object.assign(Object.create(handle) as typeof handle, {
      writeFile: async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    });
  }) as typeof fsp.open);
  return () => spy.mockRestore();
}

/** A LibraryApi whose `ask` can be held, to act between the bot's defer and its answer. */
export interface HeldAsks extends Hold {
  library: LibraryApi;
}

/**
 * @example
 * let asks!: HeldAsks;
 * const h = await Harness.start({ wrap: (library) => (asks = heldAsks(library)).library });
 */
export function heldAsks(inner: LibraryApi): HeldAsks {
  const gate = door();
  return {
    library: {
      ask: async (question, options) => {
        await gate.pass();
        return inner.ask(question, options);
      },
      topK: inner.topK,
      files: () => inner.files(),
      paragraph: (file, n) => inner.paragraph(file, n),
      paragraphCount: (file) => inner.paragraphCount(file),
      stats: () => inner.stats(),
      reindex: () => inner.reindex(),
    },
    holdNext: gate.holdNext,
    held: gate.held,
    release: gate.release,
  };
}
