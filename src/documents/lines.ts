/**
 * A document's text as lines, and the blocks (runs of lines that read as one
 * unit) that both the plain-text and the Markdown block scans produce and the
 * splitter turns into passages.
 *
 * @example
 * const lines = lineIndex('a\nbc');
 * const block: Block = { kind: 'prose', first: 0, last: 1, headings: [] };
 */

/** A run of lines that reads as one unit; `first`/`last` are 0-based line indexes. */
export interface Block {
  kind: 'prose' | 'heading' | 'meta';
  first: number;
  last: number;
  /** Heading path above the block (Markdown and HTML headings). */
  headings: string[];
  /** Heading text without its markup, for heading blocks. */
  heading?: string;
  /** The link fragment of the nearest heading above (or of this heading), when known. */
  anchor?: string;
  /** Contains a fenced code block: never split per line. */
  hasFence?: boolean;
}

/** Line access by index without copying the text into an array of strings. */
export interface Lines {
  readonly count: number;
  /** 0-based line → its text, without the newline. */
  text(index: number): string;
  start(index: number): number;
  end(index: number): number;
  /** 0-based index of the line holding character `offset`. */
  lineOf(offset: number): number;
}

/**
 * Indexes the lines of a text (split at `\n` only: the loader has already
 * turned CRLF and CR into LF).
 *
 * @example
 * const lines = lineIndex('a\nbc');
 * lines.count;     // 2
 * lines.text(1);   // 'bc'
 * lines.lineOf(3); // 1
 */
export function lineIndex(text: string): Lines {
  const starts = [0];
  for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) starts.push(k + 1);
  const end = (i: number): number => (i + 1 < starts.length ? starts[i + 1]! - 1 : text.length);
  return {
    count: starts.length,
    start: (i) => starts[i]!,
    end,
    text: (i) => text.slice(starts[i]!, end(i)),
    lineOf: (offset) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
  };
}
