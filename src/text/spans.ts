/** Span marking: wraps highlighted ranges of a text, for the terminal (ANSI bold) and Discord (`**`). */
import type { Span } from '../types.js';

/**
 * Wraps each highlighted span of `text` with `mark`, e.g. ANSI bold or `**`;
 * the text between spans goes through `plain` (Discord escapes it).
 *
 * @example
 * markSpans('One. Two.', [{ start: 5, end: 9 }], (s) => `**${s}**`); // 'One. **Two.**'
 */
export function markSpans(
  text: string,
  spans: readonly Span[],
  mark: (s: string) => string,
  plain: (s: string) => string = (s) => s,
): string {
  const sorted = [...spans].sort((x, y) => x.start - y.start);
  let out = '';
  let at = 0;
  for (const { start, end } of sorted) {
    if (start < at || end <= start) continue; // overlapping or empty spans: keep the text verbatim
    out += plain(text.slice(at, start)) + mark(text.slice(start, end));
    at = end;
  }
  return out + plain(text.slice(at));
}
