/**
 * Keeps a library in step with its docs folder while it serves (`serve --watch`).
 *
 * Two sources of "something changed": `fs.watch` (recursive) for a quick
 * reaction, and a poll that compares the folder with the index every few
 * seconds. The poll is not optional on Linux: Node 20's recursive watcher
 * there watches each file's inode, so once an editor has saved a file by
 * rename (or it was deleted and created again) later edits of that file
 * raise no event at all. The poll also picks up an index written by another
 * process (`citebot ingest`) and repairs a damaged current generation.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
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
  /** True when the folder no longer matches the live index. */
  outOfDate(): Promise<boolean>;
}

/**
 * Watches `target.docsDir` until `close()`. A change that lands while any
 * reindex runs (the watcher's own or a `/reindex`) triggers one more run
 * afterwards, so the last state of the folder always wins.
 *
 * @example
 * const watcher = new DocsWatcher({ docsDir, indexDir, reindex, inFlight, outOfDate }, console.warn);
 * process.once('SIGTERM', () => watcher.close());
 */
export class DocsWatcher {
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly watcher: FSWatcher | null;
  private readonly poll: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private firstChangeAt: number | null = null;
  /** A change arrived that no reindex started since has seen. */
  private dirty = false;
  private looping = false;
  private closed = false;
  private lastFailure: string | null = null;

  constructor(
    private readonly target: WatchTarget,
    private readonly warn: WarningSink,
    options: WatchOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? this.debounceMs * 10;
    const pollMs = options.pollMs ?? 5000;
    this.watcher = this.startWatcher(pollMs);
    if (pollMs > 0) {
      this.poll = setInterval(() => void this.check(), pollMs);
      this.poll.unref();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.poll);
    this.watcher?.close();
  }

  private startWatcher(pollMs: number): FSWatcher | null {
    const fallback = pollMs > 0 ? `changes are still picked up every ${pollMs / 1000} s` : 'changes are no longer picked up';
    try {
      const watcher = watch(this.target.docsDir, { recursive: true }, (_event, name) => {
        if (this.relevant(name)) this.changed();
      });
      watcher.on('error', (err) => this.warn(`Watching ${this.target.docsDir} failed (${err.message}); ${fallback}.`));
      return watcher;
    } catch (err) {
      // Too many files for the OS's watch limit, say: the poll still works.
      this.warn(`Cannot watch ${this.target.docsDir} (${err instanceof Error ? err.message : String(err)}); ${fallback}.`);
      return null;
    }
  }

  /**
   * Hidden files (editor swap files) never become documents, and the index's
   * own folder inside the docs folder would otherwise re-trigger every ingest.
   */
  private relevant(name: string | Buffer | null): boolean {
    if (name === null) return true;
    const file = path.resolve(this.target.docsDir, name.toString());
    const inIndex = path.relative(path.resolve(this.target.indexDir), file);
    if (inIndex === '' || (!inIndex.startsWith('..') && !path.isAbsolute(inIndex))) return false;
    return !path.relative(this.target.docsDir, file).split(path.sep).some((part) => part.startsWith('.'));
  }

  private changed(): void {
    if (this.closed) return;
    this.dirty = true;
    const now = Date.now();
    this.firstChangeAt ??= now;
    clearTimeout(this.timer);
    const wait = Math.min(this.debounceMs, Math.max(0, this.firstChangeAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => void this.run(), wait);
  }

  /** Re-indexes until a run has started after the last change. One loop at a time. */
  private async run(): Promise<void> {
    this.firstChangeAt = null;
    if (this.looping) return;
    this.looping = true;
    try {
      while (this.dirty && !this.closed) {
        const running = this.target.inFlight();
        if (running) {
          // It may have read the folder before this change: wait, then run again.
          await running.catch(() => undefined);
          continue;
        }
        this.dirty = false;
        await this.target.reindex().then(
          () => void (this.lastFailure = null),
          (err: unknown) => this.failed(err),
        );
      }
    } finally {
      this.looping = false;
    }
  }

  /** The poll retries a failed reindex every few seconds: one line per distinct failure, not one per try. */
  private failed(err: unknown): void {
    const message = isCitebotError(err) ? err.userMessage : err instanceof Error ? err.message : String(err);
    if (message !== this.lastFailure) this.warn(`Re-index after a file change failed; still serving the previous index. ${message}`);
    this.lastFailure = message;
  }

  private async check(): Promise<void> {
    if (this.closed || this.dirty || this.target.inFlight()) return;
    if (await this.target.outOfDate().catch(() => false)) this.changed();
  }
}
