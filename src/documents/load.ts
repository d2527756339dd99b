/**
 * Reading the docs folder: which files are documents, and their decoded text.
 * Anything that isn't a readable document (binary, empty, hidden, a symlink
 * loop or a link out of the folder, another extension) is skipped with one
 * warning line, and one bad file never stops the walk. Nothing outside the
 * docs folder is ever read, so `/source` can't be pointed at `/etc/passwd`.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { isCitebotError } from '../errors.js';
import { htmlToText } from './html.js';
import { pdfToText } from './pdf.js';
import { decodeText, sniffEncoding } from './text-encoding.js';
import { docsFolderError, linkReason, openDocsRoot, walkFolder, type DocsRoot, type FolderWalk, type SkippedPath, type WalkedFile } from './walk.js';
import type { DocumentOutline, LoadedDocument, WarningSink } from '../types.js';

/** File extensions citebot reads, and what they are; each may also come gzip-compressed (`.txt.gz`). */
const DOCUMENT_KINDS: Readonly<Record<string, LoadedDocument['kind']>> = {
  '.txt': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
};

/** What the unsupported-type warning says citebot reads. */
const READABLE = '.txt, .md, .markdown, .html, .htm and .pdf, each also as .gz';

/**
 * The kind of document a file name says it is, looking through a `.gz`
 * suffix; null for anything citebot doesn't read.
 *
 * @example
 * documentKind('policy.txt.gz'); // { kind: 'text', gzip: true }
 * documentKind('logo.png');      // null
 */
export function documentKind(file: string): { kind: LoadedDocument['kind']; gzip: boolean } | null {
  const name = file.toLowerCase();
  const gzip = name.endsWith('.gz');
  const kind = DOCUMENT_KINDS[path.extname(gzip ? name.slice(0, -3) : name)];
  return kind ? { kind, gzip } : null;
}

/** Bytes looked at to decide whether a file is binary: a giant binary is never read whole. */
const SNIFF_BYTES = 8192;
/**
 * Largest file read. Decoded text must fit one V8 string (~512 M UTF-16 units),
 * and a file this size is a data dump rather than a document anyway.
 */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * Reads every document under `docsDir`, sorted by relative path.
 *
 * @example
 * const docs = await loadDocuments('seeds', (line) => console.warn(line));
 * docs[0]; // { file: '000_23d5e4e5b37788fb.txt', kind: 'text', text: 'Trump administration, …', … }
 */
export async function loadDocuments(docsDir: string, warn: WarningSink): Promise<LoadedDocument[]> {
  const docs: LoadedDocument[] = [];
  for await (const doc of readDocuments(await walkFolder(docsDir), warn)) docs.push(doc);
  return docs;
}

/**
 * The documents of a walk, read one at a time (sorted by path), after one
 * warning line per path the walk skipped. A caller that drops each document
 * once it is split holds one file's bytes at a time, not the folder's.
 *
 * @example
 * for await (const doc of readDocuments(await walkFolder('seeds'), warn)) passages.push(...splitDocument(doc));
 * readDocuments(walk, warn, { onSkip: (s) => skipped.push(s), onProgress: (done, total) => bar.update(done, total, 'read') });
 */
export async function* readDocuments(walk: FolderWalk, warn: WarningSink, options: ReadOptions = {}): AsyncGenerator<LoadedDocument> {
  const sink: LoadSink = Object.assign((line: string) => warn(line), { onSkip: options.onSkip });
  for (const { file, reason } of walk.skipped) skip(sink, file, reason);
  for (const [i, found] of walk.files.entries()) {
    const doc = await readDocument(walk.root, found, sink);
    options.onProgress?.(i + 1, walk.files.length);
    if (doc) yield doc;
  }
}

export interface ReadOptions {
  /** Receives each skipped path instead of a warning line, so a shell can summarise them. */
  onSkip?: (skipped: SkippedPath) => void;
  /** Called after each file of the walk is looked at: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * A warning sink that may carry a skip collector. Riding on the sink keeps
 * every internal reader's signature as it is; only `skip` looks for it.
 */
type LoadSink = WarningSink & { onSkip?: ((skipped: SkippedPath) => void) | undefined };

/**
 * Throws the same CitebotError `loadDocuments` would when the docs folder is
 * missing or not a folder, so a shell can fail before slower set-up work.
 *
 * @example
 * await checkDocsDir('seeds'); // throws "Docs folder not found: …" when absent
 */
export async function checkDocsDir(docsDir: string): Promise<void> {
  await openDocsRoot(docsDir);
}

/** Reads and decodes one file the walk (or a caller) picked; null after a warning when it isn't a document. */
async function readDocument(root: DocsRoot, found: WalkedFile, warn: WarningSink): Promise<LoadedDocument | null> {
  const { file, absPath } = found;
  const type = documentKind(file);
  if (!type) {
    const ext = path.extname(file) || 'no extension';
    return skip(warn, file, `unsupported file type (${ext}); citebot reads ${READABLE}`);
  }
  try {
    // Compressed and PDF bytes are binary by nature: they are judged after decoding.
    const raw = await readBytes(absPath, file, warn, { sniff: !type.gzip && type.kind !== 'pdf' });
    if (!raw) return null;
    const bytes = type.gzip ? await gunzipped(raw.bytes) : raw.bytes;
    const content = await documentText(type.kind, bytes, file, warn);
    if (content.text.trim() === '') return skip(warn, file, emptyReason(type.kind));
    const doc: LoadedDocument = { file, absPath, kind: type.kind, text: content.text, sha256: raw.sha256, size: raw.size, mtimeMs: raw.mtimeMs };
    if (content.sourceLine) doc.sourceLine = content.sourceLine;
    if (content.sourceEndLine) doc.sourceEndLine = content.sourceEndLine;
    if (content.page) doc.page = content.page;
    if (content.outline) doc.outline = content.outline;
    return doc;
  } catch (err) {
    if (err instanceof UnreadableContent) return skip(warn, file, err.message);
    const code = errorCode(err);
    // O_NOFOLLOW: a file swapped for a link since the walk fails to open instead of being followed.
    if (code === 'ELOOP') return skip(warn, file, await linkReason(root, file));
    if (code === 'EACCES' || code === 'EPERM') return skip(warn, file, 'permission denied');
    if (code === 'ENOENT') {
      // The whole docs folder deleted mid-ingest is one clear error, not one warning per file.
      if (!(await exists(root.dir))) throw docsFolderError(root.dir, err);
      return skip(warn, file, 'file no longer exists');
    }
    return skip(warn, file, `can't be read (${code})`);
  }
}

/** A file whose bytes were read but are not what its name says; the message is the skip reason. */
class UnreadableContent extends Error {}

interface DocumentText {
  text: string;
  sourceLine?: number[] | undefined;
  sourceEndLine?: number[] | undefined;
  page?: number[];
  outline?: DocumentOutline;
}

/** Decoded bytes → the text passages are cut from, by kind. */
async function documentText(kind: LoadedDocument['kind'], bytes: Buffer, file: string, warn: WarningSink): Promise<DocumentText> {
  if (kind === 'pdf') {
    try {
      return await pdfToText(bytes);
    } catch (err) {
      throw new UnreadableContent(isCitebotError(err) ? err.message : `not a readable PDF (${errorCode(err)})`);
    }
  }
  // A decompressed file gets the binary check its compressed bytes could not.
  const encoding = sniffEncoding(bytes.subarray(0, SNIFF_BYTES));
  if (encoding === 'binary') throw new UnreadableContent('binary file');
  const decoded = decodeText(bytes, encoding, file, warn);
  if (kind !== 'html') return { text: decoded };
  const { text, sourceLine, sourceEndLine, title, headings, linkShare } = htmlToText(decoded);
  return { text, sourceLine, sourceEndLine, outline: { title, headings, linkShare } };
}

function emptyReason(kind: LoadedDocument['kind']): string {
  if (kind === 'html') return 'no text outside markup and page chrome';
  if (kind === 'pdf') return 'no text layer (a scanned PDF needs OCR first)';
  return 'empty file';
}

/** gunzip without blocking the event loop, capped like a plain file so a zip bomb can't fill memory. */
async function gunzipped(bytes: Buffer): Promise<Buffer> {
  try {
    return await gunzipAsync(bytes, { maxOutputLength: MAX_DOCUMENT_BYTES });
  } catch (err) {
    if (errorCode(err) === 'ERR_BUFFER_TOO_LARGE') {
      throw new UnreadableContent(`too large once decompressed (over ${MAX_DOCUMENT_BYTES / 2 ** 20} MB)`);
    }
    throw new UnreadableContent(`not valid gzip (${errorCode(err)})`);
  }
}

interface RawFile {
  bytes: Buffer;
  sha256: string;
  size: number;
  mtimeMs: number;
}

/** Reads a file's bytes after sniffing its head, so a giant binary costs 8 KB. */
async function readBytes(absPath: string, file: string, warn: WarningSink, options: { sniff: boolean }): Promise<RawFile | null> {
  // O_NONBLOCK: opening a FIFO named `x.txt` would otherwise wait forever for a writer.
  const handle = await open(absPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return skip(warn, file, 'not a regular file');
    if (info.size === 0) return skip(warn, file, 'empty file');
    if (info.size > MAX_DOCUMENT_BYTES) {
      return skip(warn, file, `too large (${Math.round(info.size / 2 ** 20)} MB; the limit is ${MAX_DOCUMENT_BYTES / 2 ** 20} MB)`);
    }
    if (options.sniff) {
      const head = Buffer.alloc(Math.min(SNIFF_BYTES, info.size));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      if (sniffEncoding(head.subarray(0, bytesRead)) === 'binary') return skip(warn, file, 'binary file');
    }
    const bytes = await readAll(handle, info.size);
    return {
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      mtimeMs: info.mtimeMs,
    };
  } finally {
    await handle.close();
  }
}

/** Reads from offset 0 until end of file (the file may have changed size since it was stat'ed). */
async function readAll(handle: Awaited<ReturnType<typeof open>>, expected: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let position = 0;
  let chunkSize = Math.max(expected, 1);
  for (;;) {
    const chunk = Buffer.alloc(chunkSize);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    position += bytesRead;
    if (position > MAX_DOCUMENT_BYTES) break;
    chunkSize = 64 * 1024;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

async function exists(dir: string): Promise<boolean> {
  return access(dir).then(
    () => true,
    () => false,
  );
}

/** Warns with the one line every skipped file gets (or hands it to the collector); returns null so callers can `return skip(…)`. */
function skip(warn: LoadSink, file: string, reason: string): null {
  if (warn.onSkip) warn.onSkip({ file, reason });
  else warn(`Skipped ${file}: ${reason}.`);
  return null;
}

const gunzipAsync = promisify(gunzip);

function errorCode(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}
