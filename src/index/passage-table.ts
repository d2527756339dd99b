/**
 * A stored index's passages as search holds them: passages.bin's columns as
 * they were read (`passages-file.ts`), and texts.bin kept open. A `Passage` is
 * made only for a row that is asked for, and its text is read from texts.bin
 * (one pread) the first time it is used. At a million passages an object and
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
 * passages.at(3)?.text; // read from texts.bin now
 */
import { createHash } from 'node:crypto';
import { close, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { CitebotError } from '../errors.js';
import { DamagedGeneration, missingAsDamage } from './damaged-generation.js';
import { COLUMN, TEXTS, type PassagesLayout } from './passages-file.js';
import type { Passage, PassageList } from '../types.js';
import { rebuildCommand } from './write-error.js';

/** Passages kept made (most recently made last): a question asks for the same few hundred rows again and again. */
const CACHED_PASSAGES = 1024;
const HASH_BYTES = 8;

/** Closes a table's texts.bin once nothing can read from it any more (a question in flight keeps it alive). */
const openFiles = new FinalizationRegistry<number>((fd) => close(fd, () => undefined));

/**
 * The passages of `layout`, with their texts in `textsFile` (checked for its
 * size here: a missing or shorter file is a `DamagedGeneration`).
 *
 * @example
 * const passages = openPassageTable(layout, path.join(genDir, TEXTS));
 */
export function openPassageTable(layout: PassagesLayout, textsFile: string): PassageTable {
  let fd: number;
  try {
    fd = openSync(textsFile, 'r');
  } catch (err) {
    throw missingAsDamage(err, TEXTS);
  }
  try {
    const { size } = fstatSync(fd);
    const expected = layout.textOffsets[layout.n]!;
    if (size !== expected) throw new DamagedGeneration(`${TEXTS} has ${size} bytes, expected ${expected}`);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const table = new PassageTable(layout, fd, textsFile);
  openFiles.register(table, fd);
  return table;
}

/** A stored index's passages: see the module comment. */
export class PassageTable implements PassageList {
  readonly length: number;
  private readonly made = new Map<number, Passage>();

  constructor(
    private readonly layout: PassagesLayout,
    private readonly fd: number,
    private readonly textsFile: string,
  ) {
    this.length = layout.n;
  }

  /** The passage at `row` (the same object while it stays among the recently made), or undefined. */
  at(row: number): Passage | undefined {
    if (!Number.isInteger(row) || row < 0 || row >= this.length) return undefined;
    let passage = this.made.get(row);
    if (passage === undefined) {
      passage = this.make(row);
      if (this.made.size >= CACHED_PASSAGES) this.made.delete(this.made.keys().next().value!);
      this.made.set(row, passage);
    }
    return passage;
  }

  /** True for a row that can be an answer, read from its column (no passage made). */
  searchable(row: number): boolean {
    return this.column(COLUMN.flags, row) === 1;
  }

  forEach(visit: (passage: Passage, row: number) => void): void {
    for (let row = 0; row < this.length; row++) visit(this.make(row), row);
  }

  every(test: (passage: Passage, row: number) => boolean): boolean {
    for (let row = 0; row < this.length; row++) if (!test(this.make(row), row)) return false;
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
    for (let row = 0; row < this.length; row++) yield this.make(row);
  }

  /** A fresh passage for `row`; its text is read on first use, then kept. */
  private make(row: number): Passage {
    const { strings, headings, hashes, idOffsets, idSlab } = this.layout;
    let text: string | undefined;
    const read = (): string => (text ??= this.text(row));
    const passage: Passage = {
      id: idSlab.toString('utf8', idOffsets[row]!, idOffsets[row + 1]!),
      file: strings[this.column(COLUMN.file, row)]!,
      paragraph: this.column(COLUMN.paragraph, row),
      part: this.column(COLUMN.part, row),
      lines: [this.column(COLUMN.lineStart, row), this.column(COLUMN.lineEnd, row)],
      title: strings[this.column(COLUMN.title, row)]!,
      // A fresh list per passage: callers may hold on to (or change) one passage's list.
      headings: [...headings[this.column(COLUMN.headings, row)]!],
      get text(): string {
        return read();
      },
      set text(value: string) {
        text = value;
      },
      hash: hashes.toString('hex', row * HASH_BYTES, (row + 1) * HASH_BYTES),
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

  /** Row `row`'s text from texts.bin, checked against its hash. */
  private text(row: number): string {
    const { textOffsets, hashes } = this.layout;
    const start = textOffsets[row]!;
    const bytes = Buffer.allocUnsafe(textOffsets[row + 1]! - start);
    for (let offset = 0; offset < bytes.length; ) {
      const read = readSync(this.fd, bytes, offset, bytes.length - offset, start + offset);
      if (read === 0) throw this.damage(`${TEXTS} ended early`);
      offset += read;
    }
    const sum = createHash('sha256').update(bytes).digest();
    if (!sum.subarray(0, HASH_BYTES).equals(hashes.subarray(row * HASH_BYTES, (row + 1) * HASH_BYTES))) {
      throw this.damage(`passage ${row}'s text in ${TEXTS} does not match its hash (changed after it was written)`);
    }
    return bytes.toString('utf8');
  }

  /** Found while answering, not while loading: the user gets the rebuild command. */
  private damage(reason: string): CitebotError {
    const dir = path.dirname(path.dirname(this.textsFile));
    return new CitebotError(`The index in ${dir} is damaged: ${reason}.`, { hint: `Rebuild it: ${rebuildCommand(dir)}` });
  }
}
