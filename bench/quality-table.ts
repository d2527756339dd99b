/**
 * The answer-quality table as Markdown, and the "## Answer quality" section of
 * docs/benchmarks.md it is written into (table, generated notes, then the
 * hand-kept bench/quality-notes.md).
 *
 * @example
 * const table = qualityTable(rows);
 * await writeQualitySection(table, notes);
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VerdictShares } from '../src/search/eval.js';
import { REPO_ROOT } from './eval-sets.js';
import type { QualityRow } from './quality-measure.js';

export const SECTION = '## Answer quality';

/** A share as a percentage with one decimal. */
export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function shares(v: VerdictShares | null): string {
  if (v === null) return '–';
  const one = (x: number): string => (100 * x).toFixed(1);
  return `${one(v.answered)} / ${one(v.unsure)} / ${one(v.none)}`;
}

/** The rows as one Markdown table, in the order given. */
export function qualityTable(rows: readonly QualityRow[]): string {
  const lines = [
    '| set | engine | answerable q | hit@1 | hit@3 | MRR@10 | file hit@1 | answerable: answered / unsure / none % | not answerable: answered / unsure / none % | p95 ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  let lastSet = '';
  for (const r of rows) {
    const setCell = r.half === 'all' ? `${r.set} (all)` : r.set;
    const unanswerable = r.unanswerableVerdicts === null ? '–' : `${shares(r.unanswerableVerdicts)} (${r.unanswerableVerdicts.cases} ${r.unanswerableSource})`;
    const cells = [
      setCell === lastSet ? '' : setCell,
      r.label,
      String(r.answerable),
      pct(r.hit1),
      pct(r.hit3),
      r.mrr10.toFixed(3),
      r.fileHit1 === null ? '–' : pct(r.fileHit1),
      shares(r.answerableVerdicts),
      unanswerable,
      r.p95Ms.toFixed(2),
    ];
    lastSet = setCell;
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Issue 9's acceptance bars, per set, for citebot keyword mode: hit@1 at least
 * 3 points over the best baseline, answerable questions refused outright at
 * most 5%, questions that should not be answered *answered* at most 10%, p95
 * under 50 ms. A cell ends in ✓ or ✗ against its bar, judged on the figure as
 * shown (one decimal), so 0.43 − 0.40 is 3.0 points and passes.
 */
export const BARS = { marginPoints: 3, refused: 0.05, wronglyAnswered: 0.1, p95Ms: 50 } as const;

/**
 * Per set: citebot keyword against the best baseline by hit@1 (the "before /
 * after" view the issue asks for), each figure marked against {@link BARS}.
 */
export function headlineTable(rows: readonly QualityRow[], citebotKey: string, baselineKeys: readonly string[]): string {
  const lines = [
    `| set | citebot keyword hit@1 | best baseline hit@1 | margin (pts, bar ≥ ${BARS.marginPoints}) | answerable refused (none, bar ≤ ${pct(BARS.refused)}) | not answerable answered (bar ≤ ${pct(BARS.wronglyAnswered)}) | citebot p95 ms (bar < ${BARS.p95Ms}) |`,
    '|---|---|---|---|---|---|---|',
  ];
  const mark = (ok: boolean): string => (ok ? ' ✓' : ' ✗');
  const groups = [...new Map(rows.map((r) => [`${r.set} ${r.half}`, r])).values()];
  for (const { set, half } of groups) {
    const same = rows.filter((r) => r.set === set && r.half === half);
    const own = same.find((r) => r.engine === citebotKey);
    const best = same.filter((r) => baselineKeys.includes(r.engine)).sort((a, b) => b.hit1 - a.hit1)[0];
    if (own === undefined) continue;
    const setCell = half === 'all' ? `${set} (all)` : set;
    const margin = best === undefined ? null : 100 * (own.hit1 - best.hit1);
    const cells = [
      setCell,
      pct(own.hit1),
      best === undefined ? '–' : `${pct(best.hit1)} (${best.engine})`,
      margin === null ? '–' : `${margin.toFixed(1)}${mark(Number(margin.toFixed(1)) >= BARS.marginPoints)}`,
      verdictCell(own.answerableVerdicts?.none, (x) => shown(x) <= BARS.refused),
      verdictCell(own.unanswerableVerdicts?.answered, (x) => shown(x) <= BARS.wronglyAnswered),
      `${own.p95Ms.toFixed(1)}${mark(own.p95Ms < BARS.p95Ms)}`,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');

  /** A share rounded as `pct` shows it. */
  function shown(share: number): number {
    return Math.round(share * 1000) / 1000;
  }

  function verdictCell(share: number | undefined, ok: (x: number) => boolean): string {
    return share === undefined ? '–' : `${pct(share)}${mark(ok(share))}`;
  }
}

/** Rewrites the "## Answer quality" section of docs/benchmarks.md: the generated part, then bench/quality-notes.md. */
export async function writeQualitySection(generated: string): Promise<void> {
  const file = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const notes = await readFile(path.join(REPO_ROOT, 'bench', 'quality-notes.md'), 'utf8');
  const section = [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu}, ${os.cpus().length} cores, Node ${process.version},` +
      ` load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} at the end of the run` +
      ' (`npm run bench:quality`; data: ../shared/eval, not copied here). This part down to the hand-kept notes is written by the bench.',
    '',
    generated.trim(),
    '',
    notes.trim(),
    '',
  ].join('\n');
  const current = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmarks\n';
  await writeFile(file, replaceSection(current, section));
}

/** Replaces the "## Answer quality" section (up to the next "## " heading), or appends it. */
export function replaceSection(doc: string, section: string): string {
  const start = doc.indexOf(`${SECTION}\n`);
  if (start < 0) return `${doc.trimEnd()}\n\n${section}`;
  const next = doc.indexOf('\n## ', start + SECTION.length);
  const rest = next < 0 ? '' : doc.slice(next + 1);
  return `${doc.slice(0, start)}${section}${rest === '' ? '' : `\n${rest}`}`;
}
