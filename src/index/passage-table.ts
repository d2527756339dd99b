/**
 * A stored index's passages as search holds them: passages.bin's columns as
 * they were read (`passages-file.ts`), and texts.bin kept open. A `Passage` is
 * made only for a row that is asked for, with its text read from texts.bin
 * then (one pread); what a load needs of every row (file, paragraph,
 * headings, searchable) is read from the columns (`columnsOf`). At a million passages an object and
 * two strings per passage made at load cost seconds and over a gigabyte; the
 * columns are a few bytes a row, and a question reads a few hundred texts.
 *
 * Each text read is checked against the passage's hash (the first half of
 * its sha256, in passages.bin, which is checksummed at load), so a text
 * changed on disk after ingest is refused with the rebuild command rather
 * than quoted as verbatim.
 *
 * @example
 * const passages = openPassageTable(readPassagesLayout(bytes, manifest.passages), 'embeddings/gen-…/texts.bin');
 * passages.at(3)?.text; // read from texts.bin when at(3) made the passage
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import path from 'node:path';
import { CitebotError } from '../errors.js';
import { openForOwner } from './damaged-generation.js';
import { COLUMN, TEXTS, type PassagesLayout } from './passages-file.js';
import type { Passage, PassageColumns, PassageList } from '../types.js';
import { rebuildCommand } from './write-error.js';

/** Passages kept made (most recently made last): a question asks for the same few hundred rows again and again. */
const CACHED_PASSAGES = 1024;
const HASH_BYTES = 8;
/** Texts read in one pread when every passage is visited (ingest compares and reuses them all). */
const BLOCK_BYTES = 1 << 20;

/**
 * The passages of `layout`, with their texts in `textsFile` (checked for its
 * size here: a missing or shorter file is a `DamagedGeneration`).
 *
 * @example
 * const passages = openPassageTable(layout, path.join(genDir, TEXTS));
 */
export function openPassageTable(layout: PassagesLayout, textsFile: string): PassageTable {
  return openForOwner(textsFile, TEXTS, layout.textOffsets[layout.n]!, '', (fd) => new PassageTable(layout, fd, textsFile));
}

/**
 * Fields of a row of any passage list: from its columns when it has them (a
 * stored index's table: no passage made, no text read), else from the passage.
 *
 * @example
 * const { file, searchable } = columnsOf(index.passages);
 * file(3); // 'guide.md'
 */
export function columnsOf(passages: PassageList): PassageColumns {
  if (passages.columns) return passages.columns;
  const at = (row: number): Passage => {
    const passage = passages.at(row);
    if (passage === undefined) throw new RangeError(`No passage at row ${row}.`);
    return passage;
  };
  return {
    file: (row) => at(row).file,
    paragraph: (row) => at(row).paragraph,
    headings: (row) => at(row).headings,
    searchable: (row) => at(row).searchable,
    hash: (row) => at(row).hash,
  };
}

/** A stored index's passages: see the module comment. */
export class PassageTable implements PassageList {
  readonly length: number;
  readonly columns: PassageColumns;
  private readonly made = new Map<number, Passage>();

  constructor(
    private readonly layout: PassagesLayout,
    private readonly fd: number,
    private readonly textsFile: string,
  ) {
    this.length = layout.n;
    const { strings, headings, hashes } = layout;
    this.columns = {
      file: (row) => strings[this.column(COLUMN.file, row)]!,
      paragraph: (row) => this.column(COLUMN.paragraph, row),
      headings: (row) => headings[this.column(COLUMN.headings, row)]!,
      searchable: (row) => this.column(COLUMN.flags, row) === 1,
      hash: (row) => hashes.toString('hex', row * HASH_BYTES, (row + 1) * HASH_BYTES),
    };
  }

  /** The passage at `row` (the same object while it stays among the recently made), or undefined. */
  at(row: number): Passage | undefined {
    if (!Number.isInteger(row) || row < 0 || row >= this.length) return undefined;
    let passage = this.made.get(row);
    if (passage === undefined) {
      passage = this.make(row, this.texts(row, row + 1)[0]!);
      if (this.made.size >= CACHED_PASSAGES) this.made.delete(this.made.keys().next().value!);
      this.made.set(row, passage);
    }
    return passage;
  }

  forEach(visit: (passage: Passage, row: number) => void): void {
    for (const [row, passage] of this.entries()) visit(passage, row);
  }

  every(test: (passage: Passage, row: number) => boolean): boolean {
    for (const [row, passage] of this.entries()) if (!test(passage, row)) return false;
    return true;
  }

  some(test: (passage: Passage, row: number) => boolean): boolean {
    return !this.every((passage, row) => !test(passage, row));
  }

  map<T>(make: (passage: Passage, row: number) => T): T[] {
    const out = new Array<T>(this.length);
    this.forEach((passage, row) => (out[row] = make(passage, row)));
    return out;
  }

  filter(test: (passage: Passage, row: number) => boolean): Passage[] {
    const out: Passage[] = [];
    this.forEach((passage, row) => test(passage, row) && out.push(passage));
    return out;
  }

  *[Symbol.iterator](): IterableIterator<Passage> {
    for (const [, passage] of this.entries()) yield passage;
  }

  /** Every row and a fresh passage for it, the texts read a block of rows at a time (one pread per block, not per passage). */
  private *entries(): Generator<[number, Passage]> {
    const { textOffsets } = this.layout;
    for (let start = 0; start < this.length; ) {
      let end = start + 1;
      while (end < this.length && textOffsets[end + 1]! - textOffsets[start]! <= BLOCK_BYTES) end++;
      const texts = this.texts(start, end);
      for (let row = start; row < end; row++) yield [row, this.make(row, texts[row - start]!)];
      start = end;
    }
  }

  /** A fresh passage for `row`, with its text. */
  private make(row: number, text: string): Passage {
    const { strings, headings, idOffsets, idSlab } = this.layout;
    const passage: Passage = {
      id: idSlab.toString('utf8', idOffsets[row]!, idOffsets[row + 1]!),
      file: strings[this.column(COLUMN.file, row)]!,
      paragraph: this.column(COLUMN.paragraph, row),
      part: this.column(COLUMN.part, row),
      lines: [this.column(COLUMN.lineStart, row), this.column(COLUMN.lineEnd, row)],
      title: strings[this.column(COLUMN.title, row)]!,
      // A fresh list per passage: callers may hold on to (or change) one passage's list.
      headings: [...headings[this.column(COLUMN.headings, row)]!],
      text,
      hash: this.columns.hash(row),
      searchable: this.column(COLUMN.flags, row) === 1,
    };
    // Pages are 1-based: 0 means the passage is not from a PDF.
    const page = this.column(COLUMN.page, row);
    if (page > 0) passage.page = page;
    const anchor = strings[this.column(COLUMN.anchor, row)]!;
    if (anchor !== '') passage.anchor = anchor;
    return passage;
  }

  private column(column: number, row: number): number {
    return this.layout.columns[column * this.layout.n + row]!;
  }

  /** The texts of rows [start, end) from texts.bin in one read, each checked against its hash. */
  private texts(start: number, end: number): string[] {
    const { textOffsets, hashes } = this.layout;
    const base = textOffsets[start]!;
    const bytes = Buffer.allocUnsafe(textOffsets[end]! - base);
    for (let offset = 0; offset < bytes.length; ) {
      const read = readSync(this.fd, bytes, offset, bytes.length - offset, base + offset);
      if (read === 0) throw this.damage(`${TEXTS} ended early`);
      offset += read;
    }
    const out: string[] = [];
    for (let row = start; row < end; row++) {
      const text = bytes.subarray(textOffsets[row]! - base, textOffsets[row + 1]! - base);
      const sum = createHash('sha256').update(text).digest();
      if (!sum.subarray(0, HASH_BYTES).equals(hashes.subarray(row * HASH_BYTES, (row + 1) * HASH_BYTES))) {
        throw this.damage(`passage ${row}'s text in ${TEXTS} does not match its hash (changed after it was written)`);
      }
      out.push(text.toString('utf8'));
    }
    return out;
  }

  /** Found while answering, not while loading: the user gets the rebuild command. */
  private damage(reason: string): CitebotError {
    const dir = path.dirname(path.dirname(this.textsFile));
    return new CitebotError(`The index in ${dir} is damaged: ${reason}.`, { hint: `Rebuild it: ${rebuildCommand(dir)}` });
  }
}
