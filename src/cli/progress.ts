/**
 * A one-line progress bar for terminals. Redraws in place with `\r`, at most
 * ten times a second, so a fast ingest doesn't spend its time painting.
 */
import type { Io } from './io.js';

export interface ProgressBar {
  update(done: number, total: number, phase: string): void;
  /** Clears the bar's line; safe to call more than once. */
  done(): void;
}

/**
 * @example
 * const bar = progressBar(io);
 * bar.update(10, 100, 'embedding');
 * bar.done();
 */
export function progressBar(io: Io, width = 30): ProgressBar {
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total, phase) {
      const now = Date.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      io.err(`\r${bar} ${String(Math.round(ratio * 100)).padStart(3)}% ${phase} ${done}/${total}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) io.err('\r\x1b[K');
      drawn = false;
    },
  };
}
