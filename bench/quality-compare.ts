/**
 * Paired comparison of two bench:quality runs (`--dump` files), question by
 * question: hit@1 before → after, questions gained and lost at rank 1 with a
 * sign test, and how the verdicts moved. A set that loses more than 1 point of
 * hit@1 is flagged (issue 9: such a change is not kept unless the table says why).
 *
 * @example
 * npm run bench:quality -- --sets fiqa --no-write --dump /tmp/after.json --compare /tmp/before.json
 */
import { readFile } from 'node:fs/promises';
import type { QuestionResult } from './quality-measure.js';

/** Hit@1 loss (in points) above which a set is flagged. */
const MAX_LOSS_POINTS = 1;

/** One (set, engine) pair of runs compared. */
export interface Comparison {
  set: string;
  engine: string;
  /** Questions present in both runs. */
  paired: number;
  hit1Before: number;
  hit1After: number;
  gained: number;
  lost: number;
  /** Sign-test z of gained vs lost (0 when nothing changed). */
  z: number;
  /** Verdict moves "before→after" with their counts, answerable and unanswerable apart. */
  moves: Record<QuestionResult['group'], Record<string, number>>;
}

/** Reads a `--dump` file. */
export async function readDump(file: string): Promise<QuestionResult[]> {
  return JSON.parse(await readFile(file, 'utf8')) as QuestionResult[];
}

const keyOf = (r: QuestionResult): string => `${r.set}\u0000${r.engine}\u0000${r.group}\u0000${r.position}`;

/**
 * Pairs the questions of two runs by set, engine, group and position.
 *
 * @example
 * compareRuns(before, after)[0]; // → { set: 'fiqa', engine: 'citebot', hit1Before: 0.392, hit1After: 0.41, gained: 9, lost: 3, … }
 */
export function compareRuns(before: readonly QuestionResult[], after: readonly QuestionResult[]): Comparison[] {
  const old = new Map(before.map((r) => [keyOf(r), r]));
  const groups = new Map<string, Array<[QuestionResult, QuestionResult]>>();
  for (const r of after) {
    const was = old.get(keyOf(r));
    if (was === undefined) continue;
    const pairKey = `${r.set}\u0000${r.engine}`;
    groups.set(pairKey, [...(groups.get(pairKey) ?? []), [was, r]]);
  }
  return [...groups.values()].map(comparisonOf);
}

function comparisonOf(pairs: Array<[QuestionResult, QuestionResult]>): Comparison {
  const first = pairs[0]?.[1];
  const ranked = pairs.filter(([, r]) => r.group === 'answerable');
  const top = (r: QuestionResult): boolean => r.rank === 1;
  const gained = ranked.filter(([a, b]) => !top(a) && top(b)).length;
  const lost = ranked.filter(([a, b]) => top(a) && !top(b)).length;
  const moves: Comparison['moves'] = { answerable: {}, unanswerable: {} };
  for (const [a, b] of pairs) {
    if (a.verdict === b.verdict || a.verdict === null || b.verdict === null) continue;
    const move = `${a.verdict}→${b.verdict}`;
    moves[b.group][move] = (moves[b.group][move] ?? 0) + 1;
  }
  const share = (pick: (p: [QuestionResult, QuestionResult]) => QuestionResult): number =>
    ranked.length === 0 ? 0 : ranked.filter((p) => top(pick(p))).length / ranked.length;
  return {
    set: first?.set ?? '',
    engine: first?.engine ?? '',
    paired: pairs.length,
    hit1Before: share(([a]) => a),
    hit1After: share(([, b]) => b),
    gained,
    lost,
    z: gained + lost === 0 ? 0 : (gained - lost) / Math.sqrt(gained + lost),
    moves,
  };
}

/**
 * One line per comparison, flagged when hit@1 fell by more than a point.
 *
 * @example
 * // fiqa citebot: hit@1 39.2% → 41.0% (+1.8 pts; +9 −3, z = 1.73); answerable none→answered 4
 */
export function formatComparisons(comparisons: readonly Comparison[]): string {
  return comparisons
    .map((c) => {
      const delta = 100 * (c.hit1After - c.hit1Before);
      const flag = delta < -MAX_LOSS_POINTS ? `  ** loses ${(-delta).toFixed(1)} pts hit@1 **` : '';
      const moves = (['answerable', 'unanswerable'] as const)
        .flatMap((group) => Object.entries(c.moves[group]).map(([move, n]) => `${group} ${move} ${n}`))
        .join(', ');
      const head = `${c.set} ${c.engine}: hit@1 ${pct(c.hit1Before)} → ${pct(c.hit1After)} (${delta >= 0 ? '+' : ''}${delta.toFixed(1)} pts; +${c.gained} −${c.lost}, z = ${c.z.toFixed(2)})`;
      return `${head}${moves === '' ? '' : `; ${moves}`}${flag}`;
    })
    .join('\n');
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
