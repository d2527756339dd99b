/**
 * Which text encoding a file's bytes are in, and the bytes decoded. A BOM
 * decides when there is one (UTF-32 checked before UTF-16, whose BOM is its
 * prefix); without one, the pattern of zero bytes tells UTF-16 from UTF-8;
 * a file counts as binary only when a good share of its head is control
 * bytes, so one stray NUL no longer drops a whole document.
 */
import type { WarningSink } from '../types.js';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be';

/** Share of control bytes (NUL included) in the sniffed head above which a file counts as binary. */
const MAX_CONTROL_SHARE = 0.1;
/** Share of NUL bytes above which a head that isn't UTF-16/32 counts as binary (text has next to none). */
const MAX_NUL_SHARE = 0.01;
/** Share of 2-byte units whose high byte is 0 for BOM-less UTF-16 (Latin-script text is mostly such units). */
const MIN_UTF16_ZERO_SHARE = 0.4;
/** …and next to none on the other side (a few U+0100-style units may have a zero low byte). */
const MAX_OTHER_SIDE_ZERO_SHARE = 0.02;

/**
 * The encoding of a file from its first bytes (8 KB is plenty), or 'binary'.
 *
 * @example
 * sniffEncoding(Buffer.from('caf\u00e9'));                      // 'utf-8'
 * sniffEncoding(Buffer.from('Tide tables', 'utf16le'));        // 'utf-16le' (no BOM)
 * sniffEncoding(Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0])); // 'utf-32le'
 * sniffEncoding(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));  // 'binary'
 */
export function sniffEncoding(head: Uint8Array): TextEncodingName | 'binary' {
  const bom = bomEncoding(head);
  if (bom) return bom;
  const utf16 = bomlessUtf16(head);
  if (utf16) return utf16;
  let control = 0;
  let nul = 0;
  for (const byte of head) {
    if (byte === 0) nul++;
    const isText = byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d || byte === 0x1b;
    if (!isText || byte === 0x7f) control++;
  }
  if (head.length === 0) return 'utf-8';
  return control / head.length > MAX_CONTROL_SHARE || nul / head.length > MAX_NUL_SHARE ? 'binary' : 'utf-8';
}

/**
 * Bytes → text in `encoding` (BOM dropped). Invalid bytes become U+FFFD with
 * one warning; CRLF and lone CR become LF.
 *
 * @example
 * decodeText(Buffer.from('\uFEFFa\r\nb\rc'), 'utf-8', 'x.txt', warn); // 'a\nb\nc'
 */
export function decodeText(bytes: Uint8Array, encoding: TextEncodingName, file: string, warn: WarningSink): string {
  let text: string;
  if (encoding === 'utf-32le' || encoding === 'utf-32be') {
    const decoded = decodeUtf32(bytes, encoding === 'utf-32le');
    if (decoded.replaced) warnReplaced(warn, file, encoding);
    text = decoded.text;
  } else {
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
    } catch {
      warnReplaced(warn, file, encoding);
      text = new TextDecoder(encoding).decode(bytes);
    }
  }
  return text.replace(/\r\n?/g, '\n');
}

function warnReplaced(warn: WarningSink, file: string, encoding: TextEncodingName): void {
  warn(`Warning: ${file} is not valid ${encoding.toUpperCase()}; unreadable bytes were replaced with U+FFFD.`);
}

function bomEncoding(bytes: Uint8Array): TextEncodingName | null {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return 'utf-32le';
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return 'utf-32be';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8';
  return null;
}

/**
 * UTF-16 without a BOM: Latin-script text has a zero high byte in most
 * units, on one side only (both sides zero would be UTF-32 or binary).
 */
function bomlessUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const units = Math.floor(head.length / 2);
  if (units < 2) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenZero++;
    if (head[i + 1] === 0) oddZero++;
  }
  if (oddZero / units >= MIN_UTF16_ZERO_SHARE && evenZero / units < MAX_OTHER_SIDE_ZERO_SHARE) return 'utf-16le';
  if (evenZero / units >= MIN_UTF16_ZERO_SHARE && oddZero / units < MAX_OTHER_SIDE_ZERO_SHARE) return 'utf-16be';
  return null;
}

/** TextDecoder has no UTF-32: code points are read 4 bytes at a time, in chunks (no giant spread). */
function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): { text: string; replaced: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = bomEncoding(bytes) ? 4 : 0;
  const parts: string[] = [];
  let chunk: number[] = [];
  let replaced = bytes.length % 4 !== 0;
  for (let i = start; i + 4 <= bytes.length; i += 4) {
    let point = view.getUint32(i, littleEndian);
    if (point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) {
      point = 0xfffd;
      replaced = true;
    }
    chunk.push(point);
    if (chunk.length === 8192) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCodePoint(...chunk));
  if (bytes.length % 4 !== 0) parts.push('\uFFFD');
  return { text: parts.join(''), replaced };
}
