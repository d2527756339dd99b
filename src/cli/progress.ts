/**
 * A one-line progress bar for terminals. Redraws in place with `\r`, at most
 * ten times a second, so a fast ingest doesn't spend its time painting. Once a
 * phase has run for a few seconds it shows an estimate of the time left.
 */
import type { Io } from './io.js';

export interface ProgressBar {
  update(done: number, total: number, phase: string): void;
  /** Clears the bar's line; safe to call more than once. */
  done(): void;
}

export interface ProgressOptions {
  width?: number;
  /** Milliseconds clock; tests pass their own. */
  now?: () => number;
}

/** A phase shorter than this needs no estimate; before it, the rate is too noisy to trust. */
const ETA_AFTER_MS = 3000;

/**
 * @example
 * const bar = progressBar(io);
 * bar.update(10, 100, 'embedding');
 * bar.done();
 */
export function progressBar(io: Io, options: ProgressOptions = {}): ProgressBar {
  const width = options.width ?? 30;
  const now = options.now ?? Date.now;
  let lastDraw = -Infinity;
  let drawn = false;
  let phaseName = '';
  let phaseStart = 0;
  return {
    update(done, total, phase) {
      const at = now();
      if (phase !== phaseName) [phaseName, phaseStart] = [phase, at];
      if (at - lastDraw < 100 && done < total) return;
      lastDraw = at;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const eta = estimate(at - phaseStart, done, total);
      io.err(`\r${bar} ${String(Math.round(ratio * 100)).padStart(3)}% ${phase} ${done}/${total}${eta ? `, ${eta} left` : ''}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) io.err('\r\x1b[K');
      drawn = false;
    },
  };
}

/**
 * Time left at the phase's rate so far, or null while it is too early to say.
 *
 * @example
 * estimate(4000, 40, 100); // '6 s'
 */
export function estimate(elapsedMs: number, done: number, total: number): string | null {
  if (elapsedMs < ETA_AFTER_MS || done <= 0 || done >= total) return null;
  const seconds = Math.ceil(((elapsedMs / done) * (total - done)) / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
