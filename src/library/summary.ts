/**
 * The sentences an ingest ends with, shared by the command line and the bot so
 * both say the same thing in the same words: what was indexed, and the files
 * skipped, grouped by why, in one line however many there are.
 */
import type { SkippedPath } from '../documents/walk.js';
import type { IngestSummary } from './ingest.js';

/**
 * `2 files` / `1 file`: a count with its noun, pluralised.
 *
 * @example
 * counted(1, 'file'); // '1 file'
 * counted(3, 'passage'); // '3 passages'
 */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * The one sentence an ingest ends with. The new/changed/removed counts are files.
 *
 * @example
 * ingestSentence(summary); // 'Indexed 2 files, 40 passages (2 new, 0 changed, 0 removed) in keyword mode in 1.2 s.'
 */
export function ingestSentence(s: IngestSummary): string {
  const changes = `${s.added} new, ${s.changed} changed, ${s.removed} removed`;
  return `Indexed ${counted(s.files, 'file')}, ${counted(s.passages, 'passage')} (${changes}) in ${s.mode} mode in ${s.seconds.toFixed(1)} s.`;
}

/**
 * Skipped files grouped by reason, largest group first, or null when none were.
 * Unsupported types list their extensions; `more` says how to see every file.
 *
 * @example
 * skippedSentence(skipped, '--verbose lists them');
 * // '38 skipped: 30 unsupported type (.js, .png), 8 empty; --verbose lists them.'
 */
export function skippedSentence(skipped: SkippedPath[], more: string | null): string | null {
  if (skipped.length === 0) return null;
  const groups = new Map<string, { count: number; details: Set<string> }>();
  for (const { reason } of skipped) {
    const { group, detail } = reasonGroup(reason);
    const entry = groups.get(group) ?? { count: 0, details: new Set<string>() };
    entry.count++;
    if (detail) entry.details.add(detail);
    groups.set(group, entry);
  }
  const parts = [...groups]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
    .map(([group, { count, details }]) => `${count} ${group}${details.size > 0 ? ` (${listed([...details].sort())})` : ''}`);
  return `${skipped.length} skipped: ${parts.join(', ')}${more ? `; ${more}` : ''}.`;
}

/** At most four items, then "…": a folder of a hundred extensions stays one line. */
function listed(items: string[]): string {
  return items.length <= 4 ? items.join(', ') : `${items.slice(0, 4).join(', ')}, …`;
}

/** The short group a loader reason falls in, and the detail worth listing for it. */
function reasonGroup(reason: string): { group: string; detail: string | null } {
  const unsupported = /^unsupported file type \(([^)]*)\)/.exec(reason);
  if (unsupported) return { group: 'unsupported type', detail: unsupported[1]! };
  if (reason.startsWith('hidden')) return { group: 'hidden', detail: null };
  if (reason.startsWith('symlink') || reason.startsWith('broken symlink')) return { group: 'symlink', detail: null };
  if (reason.startsWith('no text layer')) return { group: 'without a text layer', detail: null };
  if (reason === 'empty file' || reason.startsWith('no text')) return { group: 'empty', detail: null };
  if (reason.startsWith('too large')) return { group: 'too large', detail: null };
  // Other reasons are already short; their details (error codes) would only split the group.
  return { group: reason.replace(/\s*\(.*$/, ''), detail: null };
}
