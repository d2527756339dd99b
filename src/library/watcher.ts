/**
 * Keeps a library in step with its docs folder while it serves (`serve --watch`).
 *
 * Two sources of "something changed": an `fs.watch` on each folder the walk
 * (src/documents/walk.ts) found, for a quick reaction, and a poll that
 * compares the folder with the index every few seconds. One watch per folder
 * rather than Node 20's recursive watch: on Linux that one walks the whole
 * tree synchronously at start (hidden folders included), follows nothing the
 * walk skips consistently, and watches each file's inode, so once an editor
 * has saved a file by rename later edits raise no event. A folder's own watch
 * names its entries, however they were replaced. The poll still backs it up:
 * it catches what happens in a new folder before its watch starts, and an
 * index written by another process (`citebot ingest`).
 *
 * Events, for the log and for tests to await instead of sleeping:
 * `'event'` (file, relevant) for each file event, `'check'` (stale) after
 * each poll, `'check-skipped'` when a poll came while the last one still ran,
 * `'run'` (ok) after each reindex the watcher ran.
 */
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { walkFolder, type FolderWalk } from '../documents/walk.js';
import { isCitebotError } from '../errors.js';
import type { WarningSink } from '../types.js';

export interface WatchOptions {
  /** Quiet time after the last change before re-indexing (default 500 ms). */
  debounceMs?: number;
  /** A folder that never goes quiet (a log being appended) is still re-indexed this often (default 10 × debounceMs). */
  maxWaitMs?: number;
  /** How often to compare the folder with the index regardless of events (default 5000 ms; 0 = never). */
  pollMs?: number;
}

/** What the watcher needs from the library it keeps fresh. */
export interface WatchTarget {
  docsDir: string;
  indexDir: string;
  /** Re-ingests and swaps the live index; rejects when that failed (the old index keeps serving). */
  reindex(): Promise<unknown>;
  /** The reindex in progress, whoever started it, or null. */
  inFlight(): Promise<unknown> | null;
  /** True when the folder (as `walk` found it) no longer matches the live index. */
  outOfDate(walk: FolderWalk): Promise<boolean>;
}

interface FolderWatch {
  watcher: FSWatcher;
  ino: number;
}

/**
 * Watches `target.docsDir` until `close()`. A change that lands while any
 * reindex runs (the watcher's own or a `/reindex`) triggers one more run
 * afterwards, so the last state of the folder always wins.
 *
 * @example
 * const watcher = new DocsWatcher({ docsDir, indexDir, reindex, inFlight, outOfDate }, console.warn);
 * await watcher.ready(); // every folder is watched
 * process.once('SIGTERM', () => watcher.close());
 */
export class DocsWatcher extends EventEmitter {
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly pollMs: number;
  private readonly poll: NodeJS.Timeout | undefined;
  private readonly folders = new Map<string, FolderWatch>();
  private readonly started: Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private firstChangeAt: number | null = null;
  /** A change arrived that no reindex started since has seen. */
  private dirty = false;
  private looping: Promise<void> | null = null;
  private checking: Promise<void> | null = null;
  private closed = false;
  private lastFailure: string | null = null;
  private watchFailure: string | null = null;

  constructor(
    private readonly target: WatchTarget,
    private readonly warn: WarningSink,
    options: WatchOptions = {},
  ) {
    super();
    this.debounceMs = options.debounceMs ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? this.debounceMs * 10;
    this.pollMs = options.pollMs ?? 5000;
    this.started = this.walk().then((walk) => this.follow(walk));
    if (this.pollMs > 0) {
      this.poll = setInterval(() => this.tick(), this.pollMs);
      this.poll.unref();
    }
  }

  /** Resolves once every folder found at start is watched. */
  ready(): Promise<void> {
    return this.started;
  }

  /**
   * Resolves when nothing is pending: no debounce timer, no reindex loop and
   * no poll running. Tests await it instead of sleeping.
   */
  async idle(): Promise<void> {
    await this.started;
    while (this.timer !== undefined || this.looping || this.checking) {
      if (this.looping) await this.looping;
      else if (this.checking) await this.checking;
      else await new Promise((resolve) => this.once('run', resolve));
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.poll);
    for (const { watcher } of this.folders.values()) watcher.close();
    this.folders.clear();
  }

  /** One poll tick: never a second check while the last one runs (a slow disk would pile them up). */
  private tick(): void {
    if (this.checking) {
      this.emit('check-skipped');
      return;
    }
    this.checking = this.check().finally(() => {
      this.checking = null;
    });
  }

  private async check(): Promise<void> {
    if (this.closed || this.dirty || this.target.inFlight()) return;
    const walk = await this.walk();
    if (this.closed) return;
    // A missing docs folder is stale too: the reindex that follows says why, once.
    const stale = walk === null || (await this.target.outOfDate(walk).catch(() => false));
    if (walk) await this.follow(walk);
    this.emit('check', stale);
    if (stale) this.changed();
  }

  private walk(): Promise<FolderWalk | null> {
    return walkFolder(this.target.docsDir, { exclude: [this.target.indexDir] }).catch(() => null);
  }

  /** Watches exactly the folders of `walk`: new ones added, gone or replaced ones dropped. */
  private async follow(walk: FolderWalk | null): Promise<void> {
    if (!walk || this.closed) return;
    const wanted = new Set(walk.folders);
    for (const [rel, folder] of this.folders) {
      if (!wanted.has(rel)) this.unwatch(rel, folder);
    }
    for (const rel of walk.folders) {
      const ino = await lstat(path.join(walk.root.dir, rel)).then(
        (info) => info.ino,
        () => null,
      );
      if (ino === null || this.closed) continue;
      const current = this.folders.get(rel);
      if (current?.ino === ino) continue;
      if (current) this.unwatch(rel, current);
      this.watchFolder(walk.root.dir, rel, ino);
    }
  }

  private watchFolder(docsDir: string, rel: string, ino: number): void {
    const fallback = this.pollMs > 0 ? `changes are still picked up every ${this.pollMs / 1000} s` : 'changes are no longer picked up';
    try {
      const watcher = watch(path.join(docsDir, rel), (_event, name) => this.onEvent(rel, name));
      // A folder deleted under its watch: the poll's next walk drops it or watches its successor.
      watcher.on('error', () => this.unwatch(rel, this.folders.get(rel)));
      this.folders.set(rel, { watcher, ino });
    } catch (err) {
      // Too many folders for the OS's watch limit, say: the poll still works. One line, not one per folder.
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.watchFailure) this.warn(`Cannot watch ${path.join(docsDir, rel)} (${message}); ${fallback}.`);
      this.watchFailure = message;
    }
  }

  private unwatch(rel: string, folder: FolderWatch | undefined): void {
    folder?.watcher.close();
    if (folder && this.folders.get(rel) === folder) this.folders.delete(rel);
  }

  private onEvent(folderRel: string, name: string | Buffer | null): void {
    const file = name === null ? folderRel : folderRel === '' ? name.toString() : `${folderRel}/${name.toString()}`;
    const relevant = name === null || this.relevant(file);
    this.emit('event', file, relevant);
    if (relevant) this.changed();
  }

  /**
   * Hidden files (editor swap files) never become documents, and the index's
   * own folder inside the docs folder would otherwise re-trigger every ingest.
   */
  private relevant(file: string): boolean {
    const abs = path.resolve(this.target.docsDir, file);
    const inIndex = path.relative(path.resolve(this.target.indexDir), abs);
    if (inIndex === '' || (!inIndex.startsWith('..') && !path.isAbsolute(inIndex))) return false;
    return !file.split('/').some((part) => part.startsWith('.'));
  }

  private changed(): void {
    if (this.closed) return;
    this.dirty = true;
    const now = Date.now();
    this.firstChangeAt ??= now;
    clearTimeout(this.timer);
    const wait = Math.min(this.debounceMs, Math.max(0, this.firstChangeAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.looping ??= this.run().finally(() => {
        this.looping = null;
      });
    }, wait);
  }

  /** Re-indexes until a run has started after the last change. One loop at a time. */
  private async run(): Promise<void> {
    this.firstChangeAt = null;
    while (this.dirty && !this.closed) {
      const running = this.target.inFlight();
      if (running) {
        // It may have read the folder before this change: wait, then run again.
        await running.catch(() => undefined);
        continue;
      }
      this.dirty = false;
      const ok = await this.target.reindex().then(
        () => {
          this.lastFailure = null;
          return true;
        },
        (err: unknown) => {
          this.failed(err);
          return false;
        },
      );
      // New folders get their watch as soon as the index has them.
      await this.follow(await this.walk());
      this.emit('run', ok);
    }
  }

  /** The poll retries a failed reindex every few seconds: one line per distinct failure, not one per try. */
  private failed(err: unknown): void {
    const message = isCitebotError(err) ? err.userMessage : err instanceof Error ? err.message : String(err);
    if (message !== this.lastFailure) this.warn(`Re-index after a file change failed; still serving the previous index. ${message}`);
    this.lastFailure = message;
  }
}
