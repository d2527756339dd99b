/**
 * An embedding child that comes back. The child can die under us (the OOM
 * killer, a native crash in onnxruntime); until now every later question then
 * failed with "Restart citebot". Instead it is restarted with a growing
 * backoff while questions are answered in keyword mode (`health()` says so,
 * for `/stats` and the log); after repeated crashes it stays in keyword mode
 * with one clear warning rather than crash-looping a model that can't run.
 *
 * Events, for the log and for tests to await: `'down'` (reason) when a child
 * died, `'up'` when a new one is ready, `'gave-up'` (reason) after the last crash.
 */
import { EventEmitter } from 'node:events';
import { CitebotError } from '../errors.js';
import type { ChildEmbedder } from './embed-child.js';
import type { Embedder, EmbedderHealth, WarningSink } from '../types.js';

export interface RestartOptions {
  /** Wait before each restart; one crash more than there are delays gives up (default 1 s, 5 s, 30 s). */
  delaysMs?: number[];
  /** A child that ran this long without crashing resets the count (default 10 min). */
  stableMs?: number;
}

const DEFAULT_DELAYS_MS = [1_000, 5_000, 30_000];
const DEFAULT_STABLE_MS = 10 * 60_000;

/**
 * Wraps a running child embedder; `start` makes another like it.
 *
 * @example
 * const first = await startEmbedderProcess(options);
 * const embedder = new RestartingEmbedder(first, () => startEmbedderProcess(options), console.warn);
 * embedder.health(); // { available: true, reason: null }
 */
export class RestartingEmbedder extends EventEmitter implements Embedder {
  readonly model: string;
  readonly dim: number;
  private current: ChildEmbedder | null;
  private readonly delaysMs: number[];
  private readonly stableMs: number;
  private crashes = 0;
  private startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private reason: string | null = null;
  private closed = false;

  constructor(
    first: ChildEmbedder,
    private readonly start: () => Promise<ChildEmbedder>,
    private readonly warn: WarningSink,
    options: RestartOptions = {},
  ) {
    super();
    this.model = first.model;
    this.dim = first.dim;
    this.delaysMs = options.delaysMs ?? DEFAULT_DELAYS_MS;
    this.stableMs = options.stableMs ?? DEFAULT_STABLE_MS;
    this.current = first;
    this.follow(first);
  }

  /** The running child's process id (for logs and tests), or null while there is none. */
  get pid(): number | null {
    return this.current?.pid ?? null;
  }

  health(): EmbedderHealth {
    return { available: this.current !== null, reason: this.reason };
  }

  embed(texts: string[]): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new CitebotError('The embedder was closed.'));
    if (!this.current) return Promise.reject(new CitebotError(`Semantic search is unavailable: ${this.reason ?? 'the embedding process is restarting'}.`));
    return this.current.embed(texts);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.current?.close?.();
  }

  private follow(child: ChildEmbedder): void {
    void child.stopped.then((reason) => {
      if (reason && !this.closed && this.current === child) this.crashed(reason.message);
    });
  }

  private crashed(why: string): void {
    this.current = null;
    if (Date.now() - this.startedAt > this.stableMs) this.crashes = 0;
    this.crashes++;
    const delay = this.delaysMs[this.crashes - 1];
    const what = why.replace(/\.$/, '');
    if (delay === undefined) {
      this.reason = `the embedding process stopped ${this.crashes} times (last: ${lowerFirst(what)}); keyword mode until citebot is restarted`;
      this.warn(`Keyword mode from now on: ${this.reason}. If it keeps happening, check the memory available (the OOM killer) and run with DEBUG=true.`);
      this.emit('gave-up', this.reason);
      return;
    }
    this.reason = `${lowerFirst(what)}; restarting it in ${delay / 1000} s`;
    this.warn(`${what}; answering in keyword mode meanwhile, restarting it in ${delay / 1000} s.`);
    this.emit('down', why);
    this.timer = setTimeout(() => void this.restart(), delay);
    this.timer.unref();
  }

  private async restart(): Promise<void> {
    let child: ChildEmbedder;
    try {
      child = await this.start();
    } catch (err) {
      if (!this.closed) this.crashed(err instanceof Error ? err.message : String(err));
      return;
    }
    if (this.closed) {
      await child.close?.();
      return;
    }
    this.current = child;
    this.startedAt = Date.now();
    this.reason = null;
    this.follow(child);
    this.warn('The embedding process is running again: semantic mode is back.');
    this.emit('up');
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
