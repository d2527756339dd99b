/**
 * keyword.bin for a folder whose postings don't fit in memory at once (600 MB
 * of text makes 140M postings, 1.1 GB as final arrays and more while built).
 * The builder (`KeywordBuilder` in search/keyword.ts) hands over *runs*: the
 * postings of a block of consecutive rows, sorted by term. They are appended
 * to a spill file and merged at the end, term by term, into exactly the bytes
 * `encodeKeywordParts` writes for the same postings (keyword-file.ts):
 * rows of a term ascend because the runs are in row order and each run's
 * rows ascend within a term.
 *
 * A posting's final weight needs the average passage length, known only when
 * every run is in, so runs carry the body and metadata weights apart and
 * `bin` combines them with the builder's formula.
 *
 * @example
 * const spill = await KeywordRunFile.create(path.join(genDir, 'keyword.runs.tmp'));
 * await spill.add(run); // … one per block of rows
 * await writeFileAtomic(path.join(genDir, KEYWORD_BIN), spill.bin(terms.length, (body, meta, row) => body / norms[row]! + meta));
 * await spill.dispose();
 */
import os from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { grownTo } from './grow.js';
import { realFileSystem, type FileSystem } from './atomic.js';

/** The postings of consecutive rows, sorted by term (then row). */
export interface PostingRun {
  /** Term ids present in the run, ascending. */
  terms: Uint32Array;
  /** Postings of each of those terms, in the same order. */
  counts: Uint32Array;
  /** Each posting's row (ascending within a term), body weight (before length normalisation) and metadata weight. */
  rows: Uint32Array;
  body: Float32Array;
  meta: Float32Array;
}

/** A posting's stored weight from its body weight, metadata weight and row. */
export type PostingWeight = (body: number, meta: number, row: number) => number;

type FileHandle = Awaited<ReturnType<FileSystem['open']>>;

/** Where each section of a run starts in the spill file, and how many 4-byte values it has. */
interface SpilledRun {
  at: number;
  terms: number;
  postings: number;
}

/** Bytes read from the spill file at a time, per section being merged. */
const READ_BYTES = 256 * 1024;
/** Values per chunk of keyword.bin handed to the writer. */
const OUT_WORDS = 256 * 1024;
/** Longest stretch of merging between two yields to the event loop. */
const SLICE_MS = 5;
/** The clock is read once per this many terms + 1 (a power of two, less one). */
const TIME_CHECK_TERMS = 255;

/**
 * The spill file of one keyword build. Not crash-sensitive: it lives inside
 * the unpublished generation folder, which a killed ingest leaves for the next
 * one to delete.
 */
export class KeywordRunFile {
  private readonly runs: SpilledRun[] = [];
  private df = new Uint32Array(1024);
  private size = 0;

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    private readonly fs: FileSystem,
  ) {}

  /**
   * A new, empty spill file at `file`.
   *
   * @example
   * const spill = await KeywordRunFile.create('/idx/gen-…/keyword.runs.tmp');
   */
  static async create(file: string, fs: FileSystem = realFileSystem): Promise<KeywordRunFile> {
    return new KeywordRunFile(file, await fs.open(file, 'wx+'), fs);
  }

  /** Appends a run (after the runs of earlier rows). */
  async add(run: PostingRun): Promise<void> {
    const { terms, counts, rows, body, meta } = run;
    this.runs.push({ at: this.size, terms: terms.length, postings: rows.length });
    for (const section of [terms, counts, rows, body, meta]) {
      const bytes = new Uint8Array(section.buffer, section.byteOffset, section.byteLength);
      await this.handle.writeFile(bytes);
      this.size += bytes.byteLength;
    }
    for (let k = 0; k < terms.length; k++) this.countPostings(terms[k]!, counts[k]!);
  }

  /**
   * keyword.bin's bytes for `termCount` terms: offsets, then every posting's
   * row, then every posting's weight (`weight(body, meta, row)`, stored as float32),
   * little-endian. Reads the spill twice (rows, then weights), never whole.
   */
  async *bin(termCount: number, weight: PostingWeight): AsyncGenerator<Uint8Array> {
    if (this.df.length < termCount) this.df = grownTo(this.df, termCount);
    const offsets = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) offsets[t + 1] = offsets[t]! + this.df[t]!;
    yield littleEndian(offsets);
    yield* this.merge(termCount, ['rows'], (out, cursor, count) => out.set(cursor.rows.u32(count)));
    yield* this.merge(termCount, ['rows', 'body', 'meta'], (out, cursor, count) => {
      const rows = cursor.rows.u32(count);
      const body = cursor.body.f32(count);
      const meta = cursor.meta.f32(count);
      const target = new Float32Array(out.buffer, out.byteOffset, count);
      for (let i = 0; i < count; i++) target[i] = weight(body[i]!, meta[i]!, rows[i]!);
    });
  }

  /** Closes and deletes the spill file. Never throws. */
  async dispose(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await this.fs.rm(this.file, { force: true }).catch(() => undefined);
  }

  /**
   * Every term's postings, term by term, run by run: `emit` fills `out` (room
   * for `count` 4-byte values) from the `sections` it reads. Awaits to
   * refill a buffer, and every few ms to let the event loop in: a (term, run)
   * pair is a few comparisons, but a large build has millions.
   */
  private async *merge(termCount: number, sections: readonly Section[], emit: (out: Uint32Array, cursor: RunCursor, count: number) => void): AsyncGenerator<Uint8Array> {
    const cursors = this.runs.map((run) => new RunCursor(this.handle, run));
    for (const cursor of cursors) await cursor.advance();
    let out = new Uint32Array(OUT_WORDS);
    let used = 0;
    let sliceStart = performance.now();
    for (let t = 0; t < termCount; t++) {
      // Hundreds of thousands of terms go by between two full chunks: the event loop gets its turns between.
      if ((t & TIME_CHECK_TERMS) === 0 && performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      for (const cursor of cursors) {
        if (cursor.term !== t) continue;
        const count = cursor.count;
        if (used + count > out.length) {
          if (used > 0) yield littleEndian(out.subarray(0, used));
          out = new Uint32Array(Math.max(OUT_WORDS, count));
          used = 0;
        }
        for (const name of sections) if (!cursor[name].has(count)) await cursor[name].fill(count);
        emit(out.subarray(used, used + count), cursor, count);
        used += count;
        if (!cursor.advanceBuffered()) await cursor.advance();
      }
    }
    if (used > 0) yield littleEndian(out.subarray(0, used));
  }

  private countPostings(term: number, count: number): void {
    if (term >= this.df.length) this.df = grownTo(this.df, term + 1);
    this.df[term]! += count;
  }
}

type Section = 'rows' | 'body' | 'meta';

/** One run being merged: its current term and that term's count, and readers over its posting sections. */
class RunCursor {
  readonly rows: SectionReader;
  readonly body: SectionReader;
  readonly meta: SectionReader;
  private readonly terms: SectionReader;
  private readonly counts: SectionReader;
  private left: number;
  /** The current term; -1 once the run is used up. */
  term = -1;
  count = 0;

  constructor(handle: FileHandle, run: SpilledRun) {
    // Sections in file order: terms, counts (run.terms values each), rows, body, meta (run.postings each).
    const section = (index: number): SectionReader => {
      const before = index <= 2 ? index * run.terms : 2 * run.terms + (index - 2) * run.postings;
      return new SectionReader(handle, run.at + 4 * before, index < 2 ? run.terms : run.postings);
    };
    [this.terms, this.counts, this.rows, this.body, this.meta] = [0, 1, 2, 3, 4].map(section) as [SectionReader, SectionReader, SectionReader, SectionReader, SectionReader];
    this.left = run.terms;
  }

  /** Moves to the next term if it is buffered; false when a read is needed first (then call `advance`). */
  advanceBuffered(): boolean {
    if (this.left === 0) {
      this.term = -1;
      return true;
    }
    if (!this.terms.has(1) || !this.counts.has(1)) return false;
    this.term = this.terms.u32(1)[0]!;
    this.count = this.counts.u32(1)[0]!;
    this.left--;
    return true;
  }

  /** Moves to the next term, reading ahead as needed. */
  async advance(): Promise<void> {
    if (this.left > 0) {
      if (!this.terms.has(1)) await this.terms.fill(1);
      if (!this.counts.has(1)) await this.counts.fill(1);
    }
    this.advanceBuffered();
  }
}

/** Sequential reads of 4-byte values from one section of the spill file, through a buffer. */
class SectionReader {
  private buffer = new Uint8Array(READ_BYTES);
  private start = 0;
  private end = 0;
  private position: number;
  private readonly limit: number;

  constructor(
    private readonly handle: FileHandle,
    at: number,
    words: number,
  ) {
    this.position = at;
    this.limit = at + 4 * words;
  }

  /** True when `words` values are buffered. */
  has(words: number): boolean {
    return this.end - this.start >= 4 * words;
  }

  /** Reads until `words` values are buffered (the caller knows the section holds them). */
  async fill(words: number): Promise<void> {
    const need = 4 * words;
    const kept = this.buffer.subarray(this.start, this.end);
    const target = this.buffer.length >= need ? this.buffer : new Uint8Array(need);
    target.set(kept, 0);
    this.buffer = target;
    this.start = 0;
    this.end = kept.length;
    while (this.end < need) {
      const length = Math.min(this.buffer.length - this.end, this.limit - this.position);
      if (length <= 0) throw new Error(`keyword spill: a section ends after ${this.end} of ${need} bytes`);
      const { bytesRead } = await this.handle.read(this.buffer, this.end, length, this.position);
      if (bytesRead === 0) throw new Error('keyword spill: the file ended early');
      this.end += bytesRead;
      this.position += bytesRead;
    }
  }

  /** The next `words` values as u32 (buffered: see `has`/`fill`), consumed. */
  u32(words: number): Uint32Array {
    const view = new Uint32Array(this.buffer.buffer, this.buffer.byteOffset + this.start, words);
    this.start += 4 * words;
    return view;
  }

  f32(words: number): Float32Array {
    const view = new Float32Array(this.buffer.buffer, this.buffer.byteOffset + this.start, words);
    this.start += 4 * words;
    return view;
  }
}

/** keyword.bin is little-endian; the spill file, written and read by one process, is in the machine's order. */
function littleEndian(words: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  if (os.endianness() === 'LE') return bytes;
  const copy = bytes.slice();
  for (let i = 0; i + 3 < copy.length; i += 4) copy.subarray(i, i + 4).reverse();
  return copy;
}
