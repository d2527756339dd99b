/**
 * Crash-safe file writes: data goes to a temp file beside the target, is
 * fsynced, then renamed over the target. A reader (or a process killed at any
 * moment) sees the old file or the new one, never half of one.
 *
 * The file-system calls go through a `FileSystem` object so tests can inject a
 * full disk or a read-only mount without root or a real device.
 */
import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The few `fs/promises` calls the store makes; tests swap in failing ones. */
export type FileSystem = Pick<typeof fsp, 'open' | 'rename' | 'rm' | 'mkdir' | 'readdir' | 'readFile' | 'stat'>;

export const realFileSystem: FileSystem = fsp;

/** Marks temp files, so a cleanup can recognise the leftovers of a killed writer. */
const TEMP_MARK = '.tmp-';

/**
 * A fresh temp name next to `target`: same directory, so the final rename never
 * crosses a file system; pid and random suffix, so two writers never collide.
 *
 * @example
 * tempPathFor('/idx/CURRENT'); // '/idx/CURRENT.tmp-4242-9f1c2a7b'
 */
export function tempPathFor(target: string): string {
  return `${target}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes `chunks` to `target` atomically. Strings are written as UTF-8; pass
 * big outputs as several chunks so no single giant string is ever built.
 * The caller fsyncs the directory once after its last rename (`syncDirectory`).
 *
 * @example
 * await writeFileAtomic('/idx/CURRENT', ['{"format":1}']);
 */
export async function writeFileAtomic(
  target: string,
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  fs: FileSystem = realFileSystem,
): Promise<void> {
  const file = await openFileAtomic(target, fs);
  try {
    for await (const chunk of chunks) await file.write(chunk);
  } catch (err) {
    await file.abort();
    throw err;
  }
  await file.commit();
}

/** A file being written by `openFileAtomic`: appended to, then committed (renamed into place) or abandoned. */
export interface AtomicFile {
  /** Appends a chunk (a string as UTF-8). */
  write(chunk: string | Uint8Array): Promise<void>;
  /** fsyncs, closes and renames the temp file over the target; returns the sha256 (hex) of everything written. */
  commit(): Promise<string>;
  /** Closes and removes the temp file; the target is untouched. Never throws. */
  abort(): Promise<void>;
}

/**
 * `writeFileAtomic` for a writer whose content arrives over time (ingest
 * appends each document's passages as it reads them): the same temp file,
 * fsync and rename, with the checksum taken on the way.
 *
 * @example
 * const file = await openFileAtomic('/idx/gen-…/index.json');
 * await file.write('{"items":[');
 * const sha256 = await file.commit();
 */
export async function openFileAtomic(target: string, fs: FileSystem = realFileSystem): Promise<AtomicFile> {
  const temp = tempPathFor(target);
  const handle = await fs.open(temp, 'wx');
  const hash = createHash('sha256');
  let open = true;
  const close = async (): Promise<void> => {
    if (open) await handle.close();
    open = false;
  };
  const abort = async (): Promise<void> => {
    await close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
  };
  return {
    // writeFile, unlike write, loops until a chunk is fully written; successive calls append.
    write: async (chunk) => {
      hash.update(chunk);
      await handle.writeFile(chunk);
    },
    commit: async () => {
      try {
        await handle.sync();
        await close();
        await fs.rename(temp, target);
      } catch (err) {
        await abort();
        throw err;
      }
      return hash.digest('hex');
    },
    abort,
  };
}

/**
 * Makes the renames inside `dir` durable: without it a power cut after rename
 * can still lose the new directory entry.
 *
 * @example
 * await syncDirectory('/idx');
 */
export async function syncDirectory(dir: string, fs: FileSystem = realFileSystem): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
  } catch (err) {
    if (cannotSyncDirectories(err)) return;
    throw err;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (!cannotSyncDirectories(err)) throw err;
  } finally {
    await handle.close();
  }
}

/** Windows cannot open or fsync a directory; its renames are journaled anyway. */
function cannotSyncDirectories(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return process.platform === 'win32' && (code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL');
}

/**
 * Removes the temp files a killed writer left in `dir`. Only safe while holding
 * the index lock: another writer's temp files would otherwise vanish under it.
 *
 * @example
 * await removeTempFiles('/idx');
 */
export async function removeTempFiles(dir: string, fs: FileSystem = realFileSystem): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((name) => name.includes(TEMP_MARK)).map((name) => fs.rm(path.join(dir, name), { force: true, recursive: true })),
  );
}
