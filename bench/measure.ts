/**
 * Small measuring tools shared by the speed benchmark and its child processes.
 *
 * @example
 * const probe = startStallProbe(() => phase);
 * await library.reindex();
 * probe.stop(); // → { ms: longest event-loop stall, where: the phase it happened in, busyMs: the longest stretch of its own work }
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The p-th percentile (nearest rank) of some timings. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Resident set size in MB, after a full collection when the process allows one (`--expose-gc`). */
export function residentMB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
}

/** Deterministic L2-normalised rows (a seeded LCG, so every run scans the same numbers). */
export function randomUnitVectors(rows: number, dim: number, seed: number): Float32Array {
  const out = new Float32Array(rows * dim);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  for (let row = 0; row < rows; row++) {
    const v = out.subarray(row * dim, (row + 1) * dim);
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < dim; j++) v[j]! /= norm;
  }
  return out;
}

/** What a stall probe saw. */
export interface Stall {
  /** The longest event-loop stall, ms. */
  ms: number;
  /** The phase (`where()`) the interval saw it in. */
  where: string;
  /**
   * The longest stall counting only the process's own CPU time in it (all its
   * threads, so an upper bound of the event loop's own work): what the code
   * can be blamed for. The rest of a stall is time the process waited for a
   * core while other processes (the embedding child, other work on the
   * machine) ran.
   */
  busyMs: number;
}

/**
 * Watches the event loop two ways at once: Node's delay histogram (1 ms
 * resolution) and a 1 ms interval whose lateness is the stall. `stop` returns
 * the worse of the two, what `where()` said when the interval saw its worst,
 * and the longest stall made of the process's own work.
 */
export function startStallProbe(where: () => string = () => ''): { stop(): Stall } {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let worst = 0;
  let worstWhere = '';
  let busiest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const stall = now - last - 1;
    if (stall > worst) [worst, worstWhere] = [stall, where()];
    busiest = Math.max(busiest, Math.min(stall, (cpu.user + cpu.system) / 1000));
    last = now;
    lastCpu = process.cpuUsage();
  }, 1);
  return {
    stop(): Stall {
      clearInterval(timer);
      histogram.disable();
      return { ms: Math.max(worst, histogram.max / 1e6), where: worstWhere, busyMs: busiest };
    },
  };
}
