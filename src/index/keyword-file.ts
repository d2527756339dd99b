/**
 * A built keyword index as two files of an index generation, so loading an
 * index restores it instead of re-tokenising every passage (seconds at 50k):
 *
 *   keyword.json  {"options":{…},"documents":N,"rows":R,"terms":["…",…]}
 *   keyword.bin   offsets (terms + 1 × uint32) | posting rows (P × uint32) | weights (P × float32),
 *                 little-endian, P = the last offset
 *
 * The binary half is used in place: the typed arrays are views of the bytes read.
 *
 * @example
 * const { json, bin } = encodeKeywordParts(index.toParts());
 * const parts = decodeKeywordParts(jsonText, binBytes, passages.length);
 */
import os from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { oneShotWorker } from './one-shot-worker.js';

export const KEYWORD_JSON = 'keyword.json';
export const KEYWORD_BIN = 'keyword.bin';

/**
 * The keyword engine's tuning knobs, stored with the index they built
 * (search/keyword.ts has the measured-best defaults and uses them).
 */
export interface KeywordOptions {
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation of the body text (0 = none, 1 = full). */
  b: number;
  /** Weight of a phrase (adjacent word pair) match, relative to a body word. */
  phrase: number;
  /** Weight of the rest of the paragraph, for a piece of a long paragraph (see search/keyword.ts). */
  paragraph: number;
  /** Weights of metadata fields, relative to a body word. */
  title: number;
  headings: number;
  file: number;
  /** Extra weight of the innermost heading (the section's own title), on top of `headings`. */
  section: number;
}

/** A built keyword index as plain arrays: what a generation stores and gives back; search/keyword.ts builds and searches them. */
export interface KeywordParts {
  options: KeywordOptions;
  /** Number of searchable passages (the N of IDF). */
  documents: number;
  /** Passages (rows) the index was built over, searchable or not. */
  rows: number;
  /** Term by id. */
  terms: string[];
  /** Postings of term t: `postingRows` and `weights` from offsets[t] to offsets[t + 1]. */
  offsets: Uint32Array;
  postingRows: Uint32Array;
  /** Field-weighted, length-normalised term frequency per posting. */
  weights: Float32Array;
}


/** The two files' contents. */
export function encodeKeywordParts(parts: KeywordParts): { json: string; bin: Uint8Array[] } {
  const { offsets, postingRows, weights } = parts;
  return { json: keywordJson(parts), bin: [offsets, postingRows, weights].map(littleEndianBytes) };
}

/** What keyword.json holds: everything but the postings. */
export type KeywordHead = Pick<KeywordParts, 'options' | 'documents' | 'rows' | 'terms'>;

/**
 * keyword.json's text (the postings go to keyword.bin, for a large folder merged from runs: keyword-runs.ts).
 *
 * @example
 * await writeFileAtomic(path.join(genDir, KEYWORD_JSON), [keywordJson({ options, documents, rows, terms })]);
 */
export function keywordJson(head: KeywordHead): string {
  return [...keywordJsonChunks(head)].join('');
}

/** Terms per piece of `keywordJsonChunks`: a few ms of JSON. */
const TERMS_PER_CHUNK = 16_384;

/**
 * keyword.json's text in pieces (the terms a slice at a time), exactly as
 * `keywordJson` gives it whole: a writer awaiting each piece lets the event
 * loop in between, where one JSON.stringify of 700k terms held it for a
 * tenth of a second.
 *
 * @example
 * await writeFileAtomic(path.join(genDir, KEYWORD_JSON), keywordJsonChunks(head));
 */
export function* keywordJsonChunks({ options, documents, rows, terms }: KeywordHead): Generator<string> {
  // JSON.stringify of the whole object writes the array as its items' JSON joined by commas: the same bytes.
  yield `${JSON.stringify({ options, documents, rows }).slice(0, -1)},"terms":[`;
  for (let at = 0; at < terms.length; at += TERMS_PER_CHUNK) {
    const piece = terms.slice(at, at + TERMS_PER_CHUNK).map((term) => JSON.stringify(term)).join(',');
    yield at === 0 ? piece : `,${piece}`;
  }
  yield ']}\n';
}

/**
 * Parts from the two files' contents; throws an Error naming what is wrong
 * when they don't fit together or don't fit an index of `rows` passages.
 * Their postings are checked apart (`checkKeywordPostings`): at a million
 * passages that is 130M of them, half a second.
 *
 * @example
 * const parts = decodeKeywordParts(await fsp.readFile('keyword.json', 'utf8'), await fsp.readFile('keyword.bin'), 120);
 * await checkKeywordPostings(parts);
 */
export function decodeKeywordParts(json: string, bin: Buffer, rows: number): KeywordParts {
  const head = parseHead(json);
  if (head.rows !== rows) throw new Error(`${KEYWORD_JSON} is for ${head.rows} passages, not ${rows}`);
  const termCount = head.terms.length;
  const bytes = aligned(bin);
  if (bytes.byteLength < 4 * (termCount + 1)) throw new Error(`${KEYWORD_BIN} is truncated`);
  const offsets = new Uint32Array(bytes.buffer, bytes.byteOffset, termCount + 1);
  const postings = offsets[termCount]!;
  if (bytes.byteLength !== 4 * (termCount + 1) + 8 * postings) {
    throw new Error(`${KEYWORD_BIN} has ${bytes.byteLength} bytes, expected ${4 * (termCount + 1) + 8 * postings}`);
  }
  const rowsAt = bytes.byteOffset + 4 * (termCount + 1);
  const postingRows = new Uint32Array(bytes.buffer, rowsAt, postings);
  const weights = new Float32Array(bytes.buffer, rowsAt + 4 * postings, postings);
  return { options: head.options, documents: head.documents, rows: head.rows, terms: head.terms, offsets, postingRows, weights };
}

/** Postings checked between two yields to the event loop when `checkKeywordPostings` checks them here (a few ms of work). */
const CHECK_SLICE = 1 << 20;

/**
 * Postings in shared memory from which `checkKeywordPostings` checks them in
 * a worker thread, on another core, rather than here between event-loop
 * turns (at a million passages, 130M postings: a second of this thread
 * while it answers). Below it, starting a worker costs more than it saves.
 */
const WORKER_POSTINGS = 1 << 22;

/**
 * Throws an Error for postings that would make every search come back empty
 * or wrong, which a size check can't see: offsets that go backwards, rows
 * past the last passage, weights that are not numbers. A large index's
 * postings in shared memory are checked in a worker thread; others here, a
 * slice at a time with the event loop let in between, so a large index can
 * be checked while it serves.
 *
 * @example
 * await checkKeywordPostings(decodeKeywordParts(json, bin, 120)); // throws 'keyword.bin posting 0 names row 130, …'
 */
export async function checkKeywordPostings({ offsets, postingRows, weights, rows }: KeywordParts): Promise<void> {
  const shared = [offsets, postingRows, weights].every((array) => array.buffer instanceof SharedArrayBuffer);
  const problem = shared && postingRows.length >= WORKER_POSTINGS ? await problemInWorker(offsets, postingRows, weights, rows) : await problemHere(offsets, postingRows, weights, rows);
  if (problem !== null) throw new Error(problem);
}

async function problemHere(offsets: Uint32Array, postingRows: Uint32Array, weights: Float32Array, rows: number): Promise<string | null> {
  for (let start = 0; start < Math.max(offsets.length, postingRows.length); start += CHECK_SLICE) {
    const problem = postingProblem(offsets, postingRows, weights, rows, start, start + CHECK_SLICE);
    if (problem !== null) return problem;
    await yieldToEventLoop();
  }
  return null;
}

/** The same check in a worker started for it, which reads the arrays in place (`postingProblem`'s own source is its program). */
function problemInWorker(offsets: Uint32Array, postingRows: Uint32Array, weights: Float32Array, rows: number): Promise<string | null> {
  const program = `
const { parentPort, workerData: w } = require('node:worker_threads');
const postingProblem = ${postingProblem.toString()};
parentPort.postMessage(postingProblem(w.offsets, w.postingRows, w.weights, w.rows, 0, Infinity));
`;
  return oneShotWorker<string | null>(program, { offsets, postingRows, weights, rows }, 'posting check');
}

/**
 * What is wrong with terms [start, end) and postings [start, end) of
 * keyword.bin, or null. Self-contained (it names nothing from outside
 * itself): a worker thread runs its source text.
 */
function postingProblem(offsets: Uint32Array, postingRows: Uint32Array, weights: Float32Array, rows: number, start: number, end: number): string | null {
  if (start === 0 && offsets[0] !== 0) return 'keyword.bin offsets do not start at 0';
  for (let t = Math.max(1, start); t < Math.min(end, offsets.length); t++) {
    if (offsets[t]! < offsets[t - 1]!) return `keyword.bin offsets descend at term ${t - 1}`;
  }
  for (let p = start; p < Math.min(end, postingRows.length); p++) {
    if (postingRows[p]! >= rows) return `keyword.bin posting ${p} names row ${postingRows[p]}, past the last passage (${rows - 1})`;
    if (!Number.isFinite(weights[p]!)) return `keyword.bin posting ${p} has weight ${weights[p]}, not a number`;
  }
  return null;
}

/** Every knob of `KeywordOptions`; the record type makes the compiler insist the list is complete. */
const OPTION_NAMES = Object.keys({ k1: 0, b: 0, phrase: 0, paragraph: 0, title: 0, headings: 0, file: 0, section: 0 } satisfies Record<keyof KeywordOptions, 0>);

function parseHead(json: string): Pick<KeywordParts, 'options' | 'documents' | 'rows' | 'terms'> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${KEYWORD_JSON} is truncated or not JSON`);
  }
  const head = value as Partial<Pick<KeywordParts, 'options' | 'documents' | 'rows' | 'terms'>> | null;
  const count = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0;
  const options = head?.options;
  const optionsOk = typeof options === 'object' && options !== null && OPTION_NAMES.every((key) => typeof (options as unknown as Record<string, unknown>)[key] === 'number');
  if (!head || !optionsOk || !count(head.documents) || !count(head.rows) || !Array.isArray(head.terms)) {
    throw new Error(`${KEYWORD_JSON} has missing or inconsistent fields`);
  }
  return head as Pick<KeywordParts, 'options' | 'documents' | 'rows' | 'terms'>;
}

/** Typed-array views need 4-byte alignment and little-endian data; copy only when the bytes don't have both. */
function aligned(bin: Buffer): Uint8Array {
  if (bin.byteOffset % 4 === 0 && os.endianness() === 'LE') return bin;
  const copy = new Uint8Array(bin.byteLength);
  copy.set(bin);
  if (os.endianness() === 'BE') swapWords(copy);
  return copy;
}

function littleEndianBytes(array: Uint32Array | Float32Array): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (os.endianness() === 'LE') return bytes;
  const copy = bytes.slice();
  swapWords(copy);
  return copy;
}

function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const [a, b, c, d] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!];
    bytes[i] = d;
    bytes[i + 1] = c;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
