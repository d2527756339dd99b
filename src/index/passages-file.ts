/**
 * A generation's passages (format 6), in two files. `passages.bin` holds every
 * passage's metadata in columns and the ids as one UTF-8 slab: it is read
 * whole at load and kept as it is (`passage-table.ts` makes a `Passage` of a
 * row only when asked). `texts.bin` is the texts, one UTF-8 slab, never read
 * at load: a passage's text is read from it when shown. Little-endian:
 *
 *   passages.bin:
 *   magic "CBPASS06" | u32 count N | u32 head bytes H | head (UTF-8 JSON {"strings":[…]}) | pad to 4
 *   N × u32 each: file, title, headings (indexes into strings; headings as a JSON list),
 *                 paragraph, part, lineStart, lineEnd, flags (bit 0 = searchable), page (0 = none),
 *                 anchor (index into strings; the empty string = none)
 *   (N + 1) × u32 id offsets (into the id slab) | (N + 1) × u32 text offsets (into texts.bin)
 *   N × 8 bytes   hash (16 hex digits as 8 bytes: the first half of the text's sha256)
 *   id slab
 *
 *   texts.bin: the texts, in row order, back to back
 *
 * A file that doesn't fit this layout, or its manifest, is a `DamagedGeneration`.
 *
 * @example
 * await writeFileAtomic(path.join(genDir, PASSAGES), encodePassages(passages), fs);
 * await writeFileAtomic(path.join(genDir, TEXTS), encodeTexts(passages), fs);
 * const layout = readPassagesLayout(await fsp.readFile(path.join(genDir, PASSAGES)), manifest.passages);
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { grownTo } from './grow.js';
import { DamagedGeneration } from './damaged-generation.js';
import { detached } from '../text/detach.js';
import type { Passage } from '../types.js';

export const PASSAGES = 'passages.bin';
export const TEXTS = 'texts.bin';

const MAGIC = Buffer.from('CBPASS06', 'latin1');
/** u32 columns per passage, in this order. */
const COLUMNS = ['file', 'title', 'headings', 'paragraph', 'part', 'lineStart', 'lineEnd', 'flags', 'page', 'anchor'] as const;
const HASH_BYTES = 8;
/** Longest stretch of work between two yields to the event loop while passages are added. */
const SLICE_MS = 5;
const HEX16 = /^[0-9a-f]{16}$/;

/**
 * passages.bin's bytes, as chunks (no single buffer of the whole file is built).
 * The texts go to texts.bin (`encodeTexts`).
 * Throws a plain Error for a passage the format can't hold (a programming error).
 *
 * @example
 * const chunks = encodePassages(passages); // write them in order
 */
export function encodePassages(passages: readonly Passage[]): Uint8Array[] {
  const strings = new StringTable();
  const n = passages.length;
  const columns = new Uint32Array(COLUMNS.length * n);
  const hashes = Buffer.alloc(HASH_BYTES * n);
  const ids = passages.map((p) => Buffer.from(p.id, 'utf8'));
  const textOffsets = offsetsOf(passages.map((p) => Buffer.byteLength(p.text, 'utf8')));
  passages.forEach((p, row) => {
    columnValues(p, row, strings).forEach((value, c) => (columns[c * n + row] = value));
    hashes.write(checkedHash(p, row), row * HASH_BYTES, 'hex');
  });
  return [prefix(n, strings), littleEndian(columns), littleEndian(offsetsOf(ids.map((id) => id.length))), littleEndian(textOffsets), hashes, ...ids];
}

/** A passage's u32 columns, in `COLUMNS` order (its strings entered into `strings` in that order too). */
function columnValues(p: Passage, row: number, strings: StringTable): number[] {
  const values = [strings.id(p.file), strings.id(p.title), strings.id(JSON.stringify(p.headings)), p.paragraph, p.part, p.lines[0], p.lines[1], p.searchable ? 1 : 0, p.page ?? 0, strings.id(p.anchor ?? '')];
  values.forEach((value, c) => {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`encodePassages: passage ${row} has ${COLUMNS[c]} ${value}`);
  });
  return values;
}

function checkedHash(p: Passage, row: number): string {
  if (!HEX16.test(p.hash)) throw new Error(`encodePassages: passage ${row} has hash "${p.hash}", not 16 hex digits`);
  return p.hash;
}

/** Magic, count, and the string table (the head), padded to 4 bytes. */
function prefix(n: number, strings: StringTable): Buffer {
  const head = Buffer.from(JSON.stringify({ strings: strings.values }), 'utf8');
  const bytes = Buffer.alloc(MAGIC.length + 8 + pad4(head.length));
  MAGIC.copy(bytes, 0);
  bytes.writeUInt32LE(n, MAGIC.length);
  bytes.writeUInt32LE(head.length, MAGIC.length + 4);
  head.copy(bytes, MAGIC.length + 8);
  return bytes;
}

/** Where `PassagesWriter` sends the texts: texts.bin being written. */
export interface TextSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Texts are written in pieces of this size (and ids kept in memory in pieces of it). */
const PIECE_BYTES = 4 * 2 ** 20;

/**
 * passages.bin and texts.bin written as the passages arrive, a document at
 * a time: the texts go to `texts` as they come (`encodeTexts`' bytes and
 * checks), while the columns, ids and hashes (a few dozen bytes a passage)
 * stay in memory until `chunks()` gives passages.bin's bytes, exactly those
 * of `encodePassages` for the same passages. A folder's text is never held.
 *
 * @example
 * const writer = new PassagesWriter(textsFile);
 * for (const file of files) await writer.add(passagesOf(file));
 * await writer.flushTexts(); // then commit texts.bin
 * await writeFileAtomic(path.join(genDir, PASSAGES), writer.chunks());
 */
export class PassagesWriter {
  private readonly strings = new StringTable();
  private readonly columns = COLUMNS.map(() => new U32List());
  private readonly hashes = new U32List();
  private readonly idOffsets = new U32List();
  private readonly textOffsets = new U32List();
  private readonly ids = new Utf8Pieces();
  private readonly texts = new Utf8Pieces();
  private idBytes = 0;
  private textBytes = 0;

  constructor(private readonly sink: TextSink) {
    this.idOffsets.push(0);
    this.textOffsets.push(0);
  }

  /** Passages written so far. */
  get count(): number {
    return this.idOffsets.length - 1;
  }

  /** Appends passages (in row order). Throws a plain Error for one the format can't hold, as the encoders do. */
  async add(passages: readonly Passage[]): Promise<void> {
    const hash = Buffer.alloc(HASH_BYTES);
    let sliceStart = performance.now();
    for (const p of passages) {
      // A document of thousands of passages is thousands of sha256s: the event loop gets its turns between.
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      const row = this.count;
      const values = columnValues(p, row, this.strings);
      hash.write(checkedHash(p, row), 0, 'hex');
      const text = this.texts.append(p.text);
      if (!createHash('sha256').update(text).digest().subarray(0, HASH_BYTES).equals(hash)) throw new Error(`encodeTexts: passage ${row}'s hash is not its text's`);
      values.forEach((value, c) => this.columns[c]!.push(value));
      this.hashes.push(hash.readUInt32LE(0));
      this.hashes.push(hash.readUInt32LE(4));
      this.idBytes = addOffset(this.idOffsets, this.idBytes, this.ids.append(p.id).length);
      this.textBytes = addOffset(this.textOffsets, this.textBytes, text.length);
      for (const piece of this.texts.full()) await this.sink.write(piece);
    }
  }

  /** Sends the last texts; call once, after the last `add`, before texts.bin is committed. */
  async flushTexts(): Promise<void> {
    for (const piece of this.texts.rest()) await this.sink.write(piece);
  }

  /** passages.bin's bytes, in order. */
  *chunks(): Generator<Uint8Array> {
    yield prefix(this.count, this.strings);
    for (const column of this.columns) yield littleEndian(column.view());
    yield littleEndian(this.idOffsets.view());
    yield littleEndian(this.textOffsets.view());
    // Two u32 a hash, read from its 8 bytes: written little-endian they give the bytes back in order.
    yield littleEndian(this.hashes.view());
    yield* this.ids.rest();
  }
}

function addOffset(offsets: U32List, total: number, bytes: number): number {
  const next = total + bytes;
  if (next > 0xffffffff) throw new Error('encodePassages: more than 4 GB of text');
  offsets.push(next);
  return next;
}

/** A growable u32 column (doubling: a million passages' columns are a few MB each). */
class U32List {
  private words = new Uint32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.words.length) this.words = grownTo(this.words, this.length + 1);
    this.words[this.length++] = value;
  }

  view(): Uint32Array {
    return this.words.subarray(0, this.length);
  }
}

/**
 * Strings appended as UTF-8 into fixed-size pieces: no Buffer object per
 * passage. Each string is encoded on its own, as `Buffer.from` would (a lone
 * surrogate at the end of one text must not pair with the start of the next).
 */
class Utf8Pieces {
  private readonly done: Buffer[] = [];
  private piece = Buffer.allocUnsafe(PIECE_BYTES);
  private used = 0;

  /** Appends `text`; returns its bytes (a view, valid until the piece is handed over). */
  append(text: string): Buffer {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.used + bytes > this.piece.length) {
      this.seal();
      if (bytes > this.piece.length) this.piece = Buffer.allocUnsafe(bytes);
    }
    const start = this.used;
    this.used += this.piece.write(text, start, bytes, 'utf8');
    return this.piece.subarray(start, this.used);
  }

  /** The pieces filled since the last call (handed over: no longer kept). */
  full(): Buffer[] {
    return this.done.splice(0);
  }

  /** Every piece not handed over yet, the last one partly filled. */
  rest(): Buffer[] {
    this.seal();
    return this.full();
  }

  private seal(): void {
    if (this.used > 0) this.done.push(this.piece.subarray(0, this.used));
    this.piece = Buffer.allocUnsafe(PIECE_BYTES);
    this.used = 0;
  }
}

/**
 * texts.bin's bytes, as chunks: each passage's text in UTF-8, in row order.
 * Throws a plain Error for a passage whose hash is not its text's (a
 * programming error): reading that text back would be refused as damage.
 *
 * @example
 * const chunks = encodeTexts(passages); // write them in order
 */
export function* encodeTexts(passages: readonly Passage[]): Generator<Uint8Array> {
  for (const [row, p] of passages.entries()) {
    const bytes = Buffer.from(p.text, 'utf8');
    if (createHash('sha256').update(bytes).digest('hex').slice(0, 16) !== p.hash) throw new Error(`encodeTexts: passage ${row}'s hash is not its text's`);
    yield bytes;
  }
}

/** Where each column starts in `PassagesLayout.columns` (column c of row r is at `c · n + r`). */
export const COLUMN = Object.fromEntries(COLUMNS.map((name, c) => [name, c])) as { readonly [K in (typeof COLUMNS)[number]]: number };

/** passages.bin located and checked, as views of its bytes (nothing decoded per passage). */
export interface PassagesLayout {
  n: number;
  strings: string[];
  /** Each string parsed as a heading path, or undefined when it is not one (no row uses it as headings). */
  headings: Array<string[] | undefined>;
  columns: Uint32Array;
  hashes: Buffer;
  idOffsets: Uint32Array;
  /** Byte offsets into texts.bin; the last one is its size. */
  textOffsets: Uint32Array;
  idSlab: Buffer;
}

/**
 * passages.bin's sections, checked against the file's size and every row's
 * columns checked against the string table, so that reading a row later can't
 * meet a malformed one. Throws a `DamagedGeneration` otherwise.
 *
 * @example
 * const layout = readPassagesLayout(bytes, manifest.passages);
 * layout.textOffsets[layout.n]; // texts.bin's size
 */
export function readPassagesLayout(bytes: Buffer, expected: number): PassagesLayout {
  const truncated = (): DamagedGeneration => new DamagedGeneration(`${PASSAGES} is truncated`);
  if (bytes.length < MAGIC.length + 8) throw truncated();
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new DamagedGeneration(`${PASSAGES} is not a citebot passages file`);
  const n = bytes.readUInt32LE(MAGIC.length);
  const headBytes = bytes.readUInt32LE(MAGIC.length + 4);
  if (n !== expected) throw new DamagedGeneration(`${PASSAGES} holds ${n} passages, manifest.json says ${expected}`);
  let at = MAGIC.length + 8;
  if (at + headBytes > bytes.length) throw truncated();
  const strings = parseStrings(bytes.toString('utf8', at, at + headBytes));
  at += pad4(headBytes);
  const words = 4 * (COLUMNS.length * n + 2 * (n + 1));
  if (at + words + HASH_BYTES * n > bytes.length) throw truncated();
  const u32 = aligned(bytes.subarray(at, at + words));
  const columns = new Uint32Array(u32.buffer, u32.byteOffset, COLUMNS.length * n);
  const idOffsets = new Uint32Array(u32.buffer, u32.byteOffset + 4 * COLUMNS.length * n, n + 1);
  const textOffsets = new Uint32Array(u32.buffer, idOffsets.byteOffset + 4 * (n + 1), n + 1);
  const hashes = bytes.subarray(at + words, at + words + HASH_BYTES * n);
  at += words + HASH_BYTES * n;
  const idBytes = checkOffsets(idOffsets, 'id');
  checkOffsets(textOffsets, 'text');
  if (at + idBytes !== bytes.length) throw new DamagedGeneration(`${PASSAGES} has ${bytes.length} bytes, expected ${at + idBytes}`);
  const headings = strings.map((s) => parseHeadings(s));
  checkRows(n, columns, strings, headings);
  return { n, strings, headings, columns, hashes, idOffsets, textOffsets, idSlab: bytes.subarray(at) };
}

/** Every row's string indexes in range, its headings a heading path and its flags known. */
function checkRows(n: number, columns: Uint32Array, strings: readonly string[], headings: ReadonlyArray<string[] | undefined>): void {
  const count = strings.length;
  for (let row = 0; row < n; row++) {
    const heading = columns[COLUMN.headings * n + row]!;
    const ok =
      columns[COLUMN.file * n + row]! < count &&
      columns[COLUMN.title * n + row]! < count &&
      columns[COLUMN.anchor * n + row]! < count &&
      heading < count &&
      headings[heading] !== undefined &&
      columns[COLUMN.flags * n + row]! <= 1;
    if (!ok) throw new DamagedGeneration(`${PASSAGES} passage ${row} is malformed`);
  }
}

/** Offsets start at 0 and never descend; returns the slab's length. */
function checkOffsets(offsets: Uint32Array, what: string): number {
  if (offsets[0] !== 0) throw new DamagedGeneration(`${PASSAGES} ${what} offsets do not start at 0`);
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]! < offsets[i - 1]!) throw new DamagedGeneration(`${PASSAGES} ${what} offsets descend at passage ${i - 1}`);
  }
  return offsets[offsets.length - 1]!;
}

function parseStrings(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DamagedGeneration(`${PASSAGES} is truncated or its head is not JSON`);
  }
  const strings = (value as { strings?: unknown } | null)?.strings;
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string')) {
    throw new DamagedGeneration(`${PASSAGES} has no string table`);
  }
  return strings as string[];
}

/** A heading path as stored (a JSON list of strings); null when the string is not one (then no passage may use it as headings). */
function parseHeadings(value: string): string[] | undefined {
  if (!value.startsWith('[')) return undefined;
  try {
    const list: unknown = JSON.parse(value);
    return Array.isArray(list) && list.every((h) => typeof h === 'string') ? (list as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** One copy of each distinct string (every passage of a file repeats its name, title and often its heading path). */
class StringTable {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      // Kept until the file is written: a title sliced from a document's text would keep all of it.
      const own = detached(value);
      id = this.values.push(own) - 1;
      this.ids.set(own, id);
    }
    return id;
  }
}

function offsetsOf(lengths: readonly number[]): Uint32Array {
  const offsets = new Uint32Array(lengths.length + 1);
  let total = 0;
  lengths.forEach((length, i) => {
    total += length;
    if (total > 0xffffffff) throw new Error('encodePassages: more than 4 GB of text');
    offsets[i + 1] = total;
  });
  return offsets;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Typed-array views need 4-byte alignment and little-endian data; copy only when the bytes lack either. */
function aligned(bytes: Buffer): Buffer {
  if (bytes.byteOffset % 4 === 0 && os.endianness() === 'LE') return bytes;
  const copy = Buffer.from(bytes);
  if (os.endianness() === 'BE') copy.swap32();
  return copy;
}

function littleEndian(words: Uint32Array): Uint8Array {
  const bytes = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
  return os.endianness() === 'LE' ? bytes : Buffer.from(bytes).swap32();
}
