/**
 * The same Embedder, with the model off the main thread, so a long ingest never
 * stalls the event loop (and a Discord bot's heartbeats): onnxruntime-node runs
 * inference synchronously.
 *
 * It runs in a child process, not a worker thread: onnxruntime-node 1.14's
 * native addon is not context-aware. A second worker thread in one process
 * fails with "Module did not self-register", and a worker beside a main-thread
 * session corrupts the heap (`free(): invalid pointer`). A process also keeps
 * a native crash in the model from taking the bot down with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CitebotError } from '../errors.js';
import type { EmbedderOptions } from './embedder-options.js';
import type { DownloadProgress } from './model-files.js';
import type { Embedder } from '../types.js';

/**
 * The child's entry. Built (dist/, this file is `.js`): the compiled child-entry.js.
 * From source: a `.mjs` shim that registers tsx, then loads child-entry.ts.
 */
const CHILD_SCRIPT = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? './child-entry.js' : './child-entry.mjs', import.meta.url));

/** An error that crossed the process boundary. */
export interface ChildError {
  message: string;
  hint?: string;
  /** True for a CitebotError (the user can fix it); false for a bug, whose stack comes along. */
  citebot: boolean;
  stack?: string;
}

/** Parent → child. Functions don't cross processes, so progress reporting is a flag. */
export type ParentMessage =
  | { type: 'load'; options: Omit<EmbedderOptions, 'onProgress'>; reportProgress: boolean }
  | { type: 'embed'; id: number; texts: string[] };

/** Child → parent. */
export type ChildMessage =
  | { type: 'progress'; progress: DownloadProgress }
  | { type: 'ready'; model: string; dim: number }
  | { type: 'failed'; error: ChildError }
  | { type: 'result'; id: number; vectors: Float32Array }
  | { type: 'error'; id: number; error: ChildError };

/**
 * Loads the model in a child process; resolves once it is ready. Same options,
 * errors and results as `loadEmbedder`. The child holds the parent open only
 * while calls are pending, exits when the parent does, and `close()` ends it.
 *
 * @example
 * const embedder = await startEmbedderProcess(embedderOptions(config));
 * const vectors = await embedder.embed(passages.map((p) => p.text)); // event loop stays free
 * await embedder.close();
 */
export async function startEmbedderProcess(options: EmbedderOptions, script: string = CHILD_SCRIPT): Promise<ChildEmbedder> {
  const { onProgress, ...rest } = options;
  // 'advanced' serialization carries Float32Arrays as binary, not as JSON number lists.
  const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const stderr = tailOf(child);
  send(child, { type: 'load', options: rest, reportProgress: onProgress !== undefined });
  return new Promise<ChildEmbedder>((resolve, reject) => {
    const onMessage = (message: ChildMessage): void => {
      if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'ready') settle(() => resolve(new ProcessEmbedder(child, stderr, message.model, message.dim)));
      else if (message.type === 'failed') settle(() => reject(fromChild(message.error)), true);
    };
    const onError = (err: Error): void => settle(() => reject(stopped(`it could not start: ${err.message}`)), true);
    const onExit = (code: number | null, signal: string | null): void =>
      settle(() => reject(stopped(`${exitReason(code, signal, stderr)} while loading`)));
    const settle = (finish: () => void, kill = false): void => {
      child.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (kill) child.kill();
      finish();
    };
    child.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/** Rebuilds an error the child sent: CitebotErrors stay CitebotErrors, bugs keep their stack. */
function fromChild(error: ChildError): Error {
  if (error.citebot) return new CitebotError(error.message, error.hint === undefined ? {} : { hint: error.hint });
  const bug = new Error(error.message);
  if (error.stack) bug.stack = error.stack;
  return bug;
}

function send(child: ChildProcess, message: ParentMessage): void {
  child.send(message);
}

function stopped(why: string): CitebotError {
  return new CitebotError(`The embedding process stopped (${why}).`, {
    hint: 'Restart citebot; if it happens again, run with DEBUG=true and report it.',
  });
}

/** `it exited with code 1: <last stderr line>`: a native crash says why only on stderr. */
function exitReason(code: number | null, signal: string | null, stderr: () => string): string {
  const how = signal ? `it was killed by ${signal}` : `it exited with code ${code}`;
  const last = stderr();
  return last ? `${how}: ${last}` : how;
}

/** Drains the child's stderr (so it never blocks) and remembers its last non-empty line. */
function tailOf(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4096);
  });
  return () => {
    // Skip stack frames (JS and native) and Node's version banner: the message is what's left.
    const lines = tail.split('\n').map((l) => l.trim()).filter((l) => l && !/^(at |\d+: |-----|Node\.js v)/.test(l));
    return lines.at(-1) ?? '';
  };
}

/** A handle that can keep the event loop alive: the child, its IPC channel, its stderr socket. */
interface RefCounted {
  ref(): void;
  unref(): void;
}

/** An embedder in a child process: its pid, and how it ended. */
export interface ChildEmbedder extends Embedder {
  readonly pid: number | null;
  /** Resolves when the child is gone: with why when it died, null when `close()` ended it. */
  readonly stopped: Promise<CitebotError | null>;
}

class ProcessEmbedder implements ChildEmbedder {
  private readonly pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** Set once the child is gone: every later call fails with it. */
  private stopReason: CitebotError | null = null;
  private closing = false;
  private readonly exited: Promise<void>;
  readonly stopped: Promise<CitebotError | null>;
  private settleStopped: (reason: CitebotError | null) => void = () => undefined;

  readonly pid: number | null;

  constructor(
    private readonly child: ChildProcess,
    stderr: () => string,
    readonly model: string,
    readonly dim: number,
  ) {
    this.pid = child.pid ?? null;
    this.stopped = new Promise((resolve) => (this.settleStopped = resolve));
    child.on('message', (message: ChildMessage) => this.receive(message));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.stop(stopped(exitReason(code, signal, stderr)));
        resolve();
      });
    });
    child.on('error', (err) => this.stop(stopped(`it could not be reached: ${err.message}`)));
    this.idle(true);
  }

  embed(texts: string[]): Promise<Float32Array> {
    if (this.stopReason) return Promise.reject(this.stopReason);
    if (texts.length === 0) return Promise.resolve(new Float32Array(0));
    const id = this.nextId++;
    if (this.pending.size === 0) this.idle(false);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      send(this.child, { type: 'embed', id, texts });
    });
  }

  async close(): Promise<void> {
    if (!this.stopReason) {
      this.closing = true;
      this.stop(new CitebotError('The embedder was closed.'));
      // Held, so that awaiting the exit keeps a finishing CLI alive until the child is gone.
      this.idle(false);
      this.child.kill();
    }
    await this.exited;
  }

  /** An idle child must not keep the CLI alive once its work is done. */
  private idle(idle: boolean): void {
    const handles = [this.child, this.child.channel, this.child.stderr as unknown as RefCounted | null];
    for (const handle of handles) {
      if (idle) handle?.unref();
      else handle?.ref();
    }
  }

  private receive(message: ChildMessage): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.settled(message.id);
    if (message.type === 'result') call.resolve(message.vectors);
    else call.reject(fromChild(message.error));
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0 && !this.stopReason) this.idle(true);
  }

  private stop(reason: CitebotError): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.settleStopped(this.closing ? null : reason);
    for (const [id, call] of this.pending) {
      this.settled(id);
      call.reject(reason);
    }
  }
}
