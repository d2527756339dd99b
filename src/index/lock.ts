/**
 * One writer per index folder. The lock is a file created with O_EXCL (only
 * one process can create it) holding the owner's pid, host and start time. A
 * lock whose process is gone is taken over; a live one makes the next writer
 * wait, then give up with a clear message.
 *
 * @example
 * const lock = await acquireLock('embeddings');
 * try { await writeIndex('embeddings', content); } finally { await lock.release(); }
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempPathFor } from './atomic.js';
import { CitebotError } from '../errors.js';
import { indexWriteError } from './write-error.js';

const LOCK_FILE = 'ingest.lock';

/** A killed writer can leave an empty lock file; after this long it counts as abandoned. */
const UNREADABLE_GRACE_MS = 5_000;

export interface LockOptions {
  /** How long to wait for a live holder to finish before giving up (default 30 s). */
  waitMs?: number;
  /** How often to look again while waiting (default 100 ms). */
  pollMs?: number;
}

export interface Lock {
  /** Deletes the lock file, if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

/** What a lock file says about its owner. */
interface Holder {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
}

/** Tokens of the locks this process holds, to tell "my pid, reused after a crash" from "me". */
const heldHere = new Set<string>();

/**
 * Takes the index folder's write lock, creating the folder if needed. Waits
 * while another live process holds it; takes over a lock whose process died.
 *
 * @example
 * const lock = await acquireLock('embeddings', { waitMs: 0 }); // refuse at once if busy
 */
export async function acquireLock(dir: string, options: LockOptions = {}): Promise<Lock> {
  const { waitMs = 30_000, pollMs = 100 } = options;
  const file = path.join(dir, LOCK_FILE);
  await fsp.mkdir(dir, { recursive: true }).catch((err: unknown) => {
    throw indexWriteError(dir, err);
  });
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lock = await tryCreate(file).catch((err: unknown) => {
      throw indexWriteError(dir, err);
    });
    if (lock) return lock;
    const seen = await readLockFile(file);
    if (seen === null) continue;
    if (await isAbandoned(file, seen)) {
      await takeOver(file, seen);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = parseHolder(seen)?.pid;
      throw new CitebotError(`Another ingest (pid ${who ?? 'unknown'}) is writing ${dir}; try again when it finishes.`, {
        hint: `If no ingest is running, delete ${file}.`,
      });
    }
    await sleep(pollMs);
  }
}

async function tryCreate(file: string): Promise<Lock | null> {
  const holder: Holder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(holder)}\n`;
  let handle;
  try {
    handle = await fsp.open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw err;
  }
  // Registered before the text is on disk: a waiter in this same process may read it meanwhile.
  heldHere.add(holder.token);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (err) {
    heldHere.delete(holder.token);
    await fsp.rm(file, { force: true });
    throw err;
  } finally {
    await handle.close();
  }
  return { release: () => release(file, text, holder.token) };
}

async function release(file: string, text: string, token: string): Promise<void> {
  heldHere.delete(token);
  if ((await readLockFile(file)) === text) await fsp.rm(file, { force: true });
}

/** The lock file's text, or null when it vanished meanwhile. */
async function readLockFile(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function parseHolder(text: string): Holder | null {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string' || typeof value.host !== 'string') return null;
    return value as Holder;
  } catch {
    return null;
  }
}

async function isAbandoned(file: string, text: string): Promise<boolean> {
  const holder = parseHolder(text);
  if (holder === null) {
    const stat = await fsp.stat(file).catch(() => null);
    return stat !== null && Date.now() - stat.mtimeMs > UNREADABLE_GRACE_MS;
  }
  // Another machine's pid says nothing about this one: assume it is alive.
  if (holder.host !== os.hostname()) return false;
  // Our own pid on a lock we don't hold: a container restart reused the pid.
  if (holder.pid === process.pid) return !heldHere.has(holder.token);
  return !isProcessAlive(holder.pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the abandoned lock aside rather than deleting it: if another waiter
 * took it over first and already made a fresh one, our rename grabbed *that*,
 * which we then notice and put back.
 */
async function takeOver(file: string, seen: string): Promise<void> {
  const aside = tempPathFor(file);
  try {
    await fsp.rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readLockFile(aside);
  if (moved !== seen) await fsp.link(aside, file).catch(() => undefined);
  await fsp.rm(aside, { force: true });
}
