/**
 * A generation's `passages.bin` (format 4): every passage's metadata in
 * columns, and the ids and texts each as one UTF-8 slab, so loading is a few
 * typed-array views and one string decode per field instead of a JSON parse
 * of every item. Little-endian:
 *
 *   magic "CBPASS04" | u32 count N | u32 head bytes H | head (UTF-8 JSON {"strings":[…]}) | pad to 4
 *   N × u32 each: file, title, headings (indexes into strings; headings as a JSON list),
 *                 paragraph, part, lineStart, lineEnd, flags (bit 0 = searchable), page (0 = none),
 *                 anchor (index into strings; the empty string = none)
 *   (N + 1) × u32 id offsets | (N + 1) × u32 text offsets (byte offsets into each slab)
 *   N × 8 bytes   hash (16 hex digits as 8 bytes)
 *   id slab | text slab
 *
 * A file that doesn't fit this layout, or its manifest, is a `DamagedGeneration`.
 *
 * @example
 * await writeFileAtomic(path.join(genDir, PASSAGES), encodePassages(passages), fs);
 * const again = await decodePassages(await fsp.readFile(path.join(genDir, PASSAGES)), manifest.passages);
 */
import os from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DamagedGeneration } from './damaged-generation.js';
import type { Passage } from '../types.js';

export const PASSAGES = 'passages.bin';

const MAGIC = Buffer.from('CBPASS04', 'latin1');
/** u32 columns per passage, in this order. */
const COLUMNS = ['file', 'title', 'headings', 'paragraph', 'part', 'lineStart', 'lineEnd', 'flags', 'page', 'anchor'] as const;
const HASH_BYTES = 8;
const HEX16 = /^[0-9a-f]{16}$/;
/** Passages decoded between two yields to the event loop (a reindex while serving must not stall heartbeats). */
const DECODE_SLICE = 8192;

/**
 * passages.bin's bytes, as chunks (no single buffer of the whole file is built).
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
  const texts = passages.map((p) => Buffer.from(p.text, 'utf8'));
  passages.forEach((p, row) => {
    const values = [strings.id(p.file), strings.id(p.title), strings.id(JSON.stringify(p.headings)), p.paragraph, p.part, p.lines[0], p.lines[1], p.searchable ? 1 : 0, p.page ?? 0, strings.id(p.anchor ?? '')];
    values.forEach((value, c) => {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`encodePassages: passage ${row} has ${COLUMNS[c]} ${value}`);
      columns[c * n + row] = value;
    });
    if (!HEX16.test(p.hash)) throw new Error(`encodePassages: passage ${row} has hash "${p.hash}", not 16 hex digits`);
    hashes.write(p.hash, row * HASH_BYTES, 'hex');
  });
  const head = Buffer.from(JSON.stringify({ strings: strings.values }), 'utf8');
  const prefix = Buffer.alloc(MAGIC.length + 8 + pad4(head.length));
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(n, MAGIC.length);
  prefix.writeUInt32LE(head.length, MAGIC.length + 4);
  head.copy(prefix, MAGIC.length + 8);
  return [prefix, littleEndian(columns), littleEndian(offsetsOf(ids)), littleEndian(offsetsOf(texts)), hashes, ...ids, ...texts];
}

/**
 * The passages of a passages.bin, which must hold `expected` of them.
 * Yields to the event loop every few thousand passages.
 *
 * @example
 * const passages = await decodePassages(bytes, manifest.passages);
 */
export async function decodePassages(bytes: Buffer, expected: number): Promise<Passage[]> {
  const layout = readLayout(bytes, expected);
  const { n, strings, columns, hashes, idOffsets, textOffsets, idSlab, textSlab } = layout;
  const headings = strings.map((s) => parseHeadings(s));
  const column = (c: number, row: number): number => columns[c * n + row]!;
  // One decode for all hashes: a call per passage costs more than the decoding.
  const hexHashes = hashes.toString('hex');
  const passages: Passage[] = new Array<Passage>(n);
  for (let row = 0; row < n; row++) {
    const [file, title, heading] = [strings[column(0, row)], strings[column(1, row)], headings[column(2, row)]];
    if (file === undefined || title === undefined || heading === undefined || column(7, row) > 1) {
      throw new DamagedGeneration(`${PASSAGES} passage ${row} is malformed`);
    }
    passages[row] = {
      id: idSlab.toString('utf8', idOffsets[row]!, idOffsets[row + 1]!),
      file,
      paragraph: column(3, row),
      part: column(4, row),
      lines: [column(5, row), column(6, row)],
      title,
      // A fresh list per passage: callers may hold on to (or change) one passage's list.
      headings: [...heading],
      text: textSlab.toString('utf8', textOffsets[row]!, textOffsets[row + 1]!),
      hash: hexHashes.slice(2 * row * HASH_BYTES, 2 * (row + 1) * HASH_BYTES),
      searchable: column(7, row) === 1,
    };
    // Pages are 1-based: 0 means the passage is not from a PDF.
    if (column(8, row) > 0) passages[row]!.page = column(8, row);
    const anchor = strings[column(9, row)];
    if (anchor === undefined) throw new DamagedGeneration(`${PASSAGES} passage ${row} is malformed`);
    if (anchor !== '') passages[row]!.anchor = anchor;
    if ((row + 1) % DECODE_SLICE === 0) await yieldToEventLoop();
  }
  return passages;
}

interface Layout {
  n: number;
  strings: string[];
  columns: Uint32Array;
  hashes: Buffer;
  idOffsets: Uint32Array;
  textOffsets: Uint32Array;
  idSlab: Buffer;
  textSlab: Buffer;
}

/** Every section located and checked against the file's size; offsets checked to ascend within their slab. */
function readLayout(bytes: Buffer, expected: number): Layout {
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
  const fixed = words + HASH_BYTES * n;
  at += fixed;
  const idBytes = checkOffsets(idOffsets, 'id');
  const textBytes = checkOffsets(textOffsets, 'text');
  if (at + idBytes + textBytes !== bytes.length) {
    throw new DamagedGeneration(`${PASSAGES} has ${bytes.length} bytes, expected ${at + idBytes + textBytes}`);
  }
  const idSlab = bytes.subarray(at, at + idBytes);
  const textSlab = bytes.subarray(at + idBytes, at + idBytes + textBytes);
  return { n, strings, columns, hashes, idOffsets, textOffsets, idSlab, textSlab };
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
      id = this.values.push(value) - 1;
      this.ids.set(value, id);
    }
    return id;
  }
}

function offsetsOf(parts: readonly Buffer[]): Uint32Array {
  const offsets = new Uint32Array(parts.length + 1);
  let total = 0;
  parts.forEach((part, i) => {
    total += part.length;
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
