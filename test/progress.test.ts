/** The terminal progress bar: moves per step, and estimates the time left once a phase is slow. */
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { estimate, progressBar } from '../src/cli/progress.js';
import { capturedIo } from './helpers/cli.js';

/** stderr as a terminal: the bar draws there, one frame per write. */
function terminal(): { io: Io; frames: string[] } {
  const frames: string[] = [];
  return { io: { ...capturedIo().io, err: (t) => void frames.push(t), interactive: true }, frames };
}

describe('progressBar', () => {
  it('redraws per file while reading and per batch while embedding, with an ETA after a few seconds', () => {
    const { io, frames } = terminal();
    let clock = 0;
    const bar = progressBar(io, { width: 10, now: () => clock });
    for (let file = 1; file <= 3; file++) {
      clock += 200;
      bar.update(file, 3, 'read');
    }
    bar.update(0, 100, 'embed'); // within 100 ms of the last frame: not redrawn
    clock += 2000;
    bar.update(10, 100, 'embed'); // 2 s in: too early to guess
    clock += 2000;
    bar.update(40, 100, 'embed'); // 4 s for 40: 6 s to go
    bar.done();
    const shown = frames.map((f) => f.replace(/\r|\x1b\[K/g, ''));
    expect(shown).toEqual([
      '███░░░░░░░  33% read 1/3',
      '███████░░░  67% read 2/3',
      '██████████ 100% read 3/3',
      '█░░░░░░░░░  10% embed 10/100',
      '████░░░░░░  40% embed 40/100, 6 s left',
      '',
    ]);
  });

  it.each([
    [2999, 10, 100, null],
    [4000, 40, 100, '6 s'],
    [30_000, 10, 100, '4 min 30 s'],
    [10_000, 100, 100, null],
  ])('estimate(%i ms, %i of %i) = %s', (elapsed, done, total, expected) => {
    expect(estimate(elapsed, done, total)).toBe(expected);
  });
});
