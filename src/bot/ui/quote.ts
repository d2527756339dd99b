/**
 * One passage as a Discord block quote that fits a character budget: trimmed
 * at sentence boundaries around the highlighted sentence, `…` where text was
 * left out, highlights in bold, everything else escaped (or, for Markdown
 * documents, kept as Markdown with links, headings and mentions neutralised).
 */
import type { Span } from '../../types.js';
import { sentenceSpans } from '../../text/sentences.js';
import { markSpans } from '../../text/spans.js';
import { safeText } from './escape.js';
import { cutPoint, cutPointAfter } from '../../text/cut.js';

const ELLIPSIS = '…';

/** Makes document text safe to show: `safeText` (everything literal) or `markdownText` (Markdown kept). */
export type Escape = (text: string) => string;

/**
 * Renders `text` as `> ` lines of at most `budget` characters in total.
 * Sentences are kept whole when they fit; a single sentence longer than the
 * budget is cut at a word boundary.
 *
 * @example
 * formatQuote('One. Two is key. Three.', [{ start: 5, end: 16 }], 40);
 * // '> One. **Two is key.** Three.'
 */
export function formatQuote(text: string, highlights: readonly Span[], budget: number, escape: Escape = safeText): string {
  const trimmed = contentRange(text);
  const whole = renderWindow(text, highlights, trimmed, trimmed, escape);
  if (whole.length <= budget) return whole;
  const chunks = sentenceChunks(text, trimmed);
  const first = anchorIndex(chunks, highlights);
  let lo = first;
  let hi = first;
  const render = (a: number, b: number) => renderWindow(text, highlights, { start: chunks[a]!.start, end: chunks[b]!.end }, trimmed, escape);
  let best = render(lo, hi);
  if (best.length > budget) return cutInside(text, highlights, chunks[first]!, trimmed, budget, escape);
  // Grow after the highlight first (the reader reads on), then before it.
  for (let grew = true; grew; ) {
    grew = false;
    for (const step of ['after', 'before'] as const) {
      const [a, b] = step === 'after' ? [lo, hi + 1] : [lo - 1, hi];
      if (a < 0 || b >= chunks.length) continue;
      const candidate = render(a, b);
      if (candidate.length > budget) continue;
      [lo, hi, best, grew] = [a, b, candidate, true];
    }
  }
  return best;
}

/** The passage without leading and trailing whitespace. */
function contentRange(text: string): Span {
  const start = text.search(/\S/);
  if (start < 0) return { start: 0, end: 0 };
  return { start, end: text.trimEnd().length };
}

/** Consecutive sentence ranges that together cover `range` (the passage minus outer whitespace). */
function sentenceChunks(text: string, range: Span): Span[] {
  const starts = sentenceSpans(text)
    .map((s) => s.start)
    .filter((at) => at > range.start && at < range.end);
  const bounds = [range.start, ...starts, range.end];
  return bounds.slice(0, -1).map((start, i) => ({ start, end: bounds[i + 1]! }));
}

function anchorIndex(chunks: readonly Span[], highlights: readonly Span[]): number {
  const target = highlights.length > 0 ? Math.min(...highlights.map((h) => h.start)) : -1;
  const index = chunks.findIndex((c) => target >= c.start && target < c.end);
  return Math.max(0, index);
}

/** The start of one over-long sentence, cut at the last word that fits. */
function cutInside(text: string, highlights: readonly Span[], chunk: Span, whole: Span, budget: number, escape: Escape): string {
  let lo = chunk.start;
  let hi = chunk.end;
  const render = (end: number) => renderWindow(text, highlights, { start: chunk.start, end }, whole, escape);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (render(mid).length <= budget) lo = mid;
    else hi = mid - 1;
  }
  const space = text.lastIndexOf(' ', lo);
  // Never inside a surrogate pair or a grapheme: Discord refuses a lone half (50035).
  const end = space > chunk.start + (lo - chunk.start) / 2 ? space : Math.max(chunk.start, cutPoint(text, lo));
  const out = render(end);
  return out.length <= budget ? out : `> ${ELLIPSIS}`.slice(0, Math.max(0, budget));
}

/** `window` of `text` as quote lines, with `…` where it stops short of `whole`. */
function renderWindow(text: string, highlights: readonly Span[], window: Span, whole: Span, escape: Escape): string {
  const start = window.start + (text.slice(window.start, window.end).length - text.slice(window.start, window.end).trimStart().length);
  const end = start + text.slice(start, window.end).trimEnd().length;
  let body = markAndEscape(text, highlights, start, end, escape);
  if (start > whole.start) body = `${ELLIPSIS} ${body}`;
  if (end < whole.end) body = `${body} ${ELLIPSIS}`;
  return body
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** Escapes `text[start, end)`, wrapping the parts inside highlight spans in `**`. */
function markAndEscape(text: string, highlights: readonly Span[], start: number, end: number, escape: Escape): string {
  // Bold markers inside a grapheme would split it (and a surrogate pair, which Discord refuses): snap outwards.
  const spans = highlights.map((h) => ({
    start: Math.max(cutPoint(text, h.start), start) - start,
    end: Math.min(cutPointAfter(text, h.end), end) - start,
  }));
  return markSpans(text.slice(start, end), spans, (s) => bold(s, escape), escape);
}

/** Bold per line, with surrounding whitespace kept outside the markers so Discord renders it. */
function bold(text: string, escape: Escape): string {
  return text
    .split('\n')
    .map((line) => {
      const core = line.trim();
      if (core === '') return line;
      const lead = line.slice(0, line.indexOf(core));
      // The document's own bold markers would close ours early (only Markdown documents keep any).
      return `${lead}**${escape(core).replace(/(?<!\\)(\*\*|__)/g, '')}**${line.slice(lead.length + core.length)}`;
    })
    .join('\n');
}
