/**
 * Reading the docs folder: which files are documents, and their decoded text.
 * Anything that isn't a readable document (binary, empty, hidden, a symlink
 * loop or a link out of the folder, another extension) is skipped with one
 * warning line, and one bad file never stops the walk. Nothing outside the
 * docs folder is ever read, so `/source` can't be pointed at `/etc/passwd`.
 */
import { createHash } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CitebotError, isCitebotError } from '../errors.js';
import { htmlToText } from './html.js';
import { pdfToText } from './pdf.js';
import type { LoadedDocument, WarningSink } from '../types.js';

/** File extensions citebot reads, and what they are; each may also come gzip-compressed (`.txt.gz`). */
export const DOCUMENT_KINDS: Readonly<Record<string, LoadedDocument['kind']>> = {
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
/** Share of control bytes in the sniffed head above which a file counts as binary. */
const MAX_CONTROL_SHARE = 0.1;
/**
 * Largest file read. Decoded text must fit one V8 string (~512 M UTF-16 units),
 * and a file this size is a data dump rather than a document anyway.
 */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

interface Root {
  /** The docs folder as given (absolute): `absPath` and `file` are relative to it. */
  dir: string;
  /** Its real path: every file read must resolve inside it. */
  real: string;
}

/**
 * Reads every document under `docsDir`, sorted by relative path.
 *
 * @example
 * const docs = await loadDocuments('seeds', (line) => console.warn(line));
 * docs[0]; // { file: '000_23d5e4e5b37788fb.txt', kind: 'text', text: 'Trump administration, …', … }
 */
export async function loadDocuments(docsDir: string, warn: WarningSink): Promise<LoadedDocument[]> {
  const root = await openRoot(docsDir);
  const files = await listFiles(root, warn);
  const docs: LoadedDocument[] = [];
  for (const file of files) {
    const doc = await readDocument(root, file, warn);
    if (doc) docs.push(doc);
  }
  return docs;
}

/**
 * Reads one document (for re-indexing a changed file). Returns null, after one
 * warning line, when the file isn't a readable document inside `docsDir`.
 *
 * @example
 * const doc = await loadDocument('/srv/docs/guide.md', '/srv/docs', warn);
 * if (doc) console.log(doc.file); // 'guide.md'
 */
export async function loadDocument(absPath: string, docsDir: string, warn: WarningSink): Promise<LoadedDocument | null> {
  const root = await openRoot(docsDir);
  const file = path.relative(root.dir, path.resolve(absPath)).split(path.sep).join('/');
  if (file === '' || file === '..' || file.startsWith('../') || path.isAbsolute(file)) {
    warn(`Skipped ${absPath}: it is outside the docs folder ${root.dir}.`);
    return null;
  }
  const hidden = file.split('/').some((part) => part.startsWith('.'));
  if (hidden) return skip(warn, file, 'hidden file or folder');
  return readDocument(root, file, warn);
}

/**
 * Throws the same CitebotError `loadDocuments` would when the docs folder is
 * missing or not a folder, so a shell can fail before slower set-up work.
 *
 * @example
 * await checkDocsDir('seeds'); // throws "Docs folder not found: …" when absent
 */
export async function checkDocsDir(docsDir: string): Promise<void> {
  await openRoot(docsDir);
}

async function openRoot(docsDir: string): Promise<Root> {
  const dir = path.resolve(docsDir);
  let info: Stats;
  try {
    info = await stat(dir);
  } catch (err) {
    const missing = errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR';
    throw new CitebotError(missing ? `Docs folder not found: ${dir}` : `Docs folder can't be read: ${dir} (${errorCode(err)})`, {
      hint: 'Set DOCS_DIR (or pass --docs DIR) to the folder holding your documents.',
      cause: err,
    });
  }
  if (!info.isDirectory()) {
    throw new CitebotError(`Docs folder is a file, not a folder: ${dir}`, {
      hint: 'Set DOCS_DIR (or pass --docs DIR) to the folder holding your documents.',
    });
  }
  return { dir, real: await realpath(dir) };
}

/**
 * Relative paths (with `/`) of the regular files to read, sorted. Symlinks are
 * never followed: one pointing out of the folder would leak files, one pointing
 * up loops, and one pointing inside would quote the same text twice.
 */
async function listFiles(root: Root, warn: WarningSink): Promise<string[]> {
  const files: string[] = [];
  const visit = async (dirRel: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(root.dir, dirRel), { withFileTypes: true });
    } catch (err) {
      skip(warn, dirRel, `folder can't be read (${errorCode(err)})`);
      return;
    }
    for (const entry of entries) {
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      if (entry.name.startsWith('.')) skip(warn, rel, `hidden ${entry.isDirectory() ? 'folder' : 'file'}`);
      else if (entry.isSymbolicLink()) skip(warn, rel, await linkReason(root, rel));
      else if (entry.isDirectory()) await visit(rel);
      else if (entry.isFile()) files.push(rel);
      else skip(warn, rel, 'not a regular file');
    }
  };
  await visit('');
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Why a path that goes through a symlink is not read. */
async function linkReason(root: Root, rel: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path.join(root.dir, rel));
  } catch (err) {
    const code = errorCode(err);
    return code === 'ELOOP' ? 'symlink loop' : code === 'ENOENT' ? 'broken symlink' : `symlink can't be followed (${code})`;
  }
  if (!isInside(root.real, real)) return 'symlink points outside the docs folder';
  const target = path.relative(root.real, real).split(path.sep).join('/');
  if (target === '' || rel.startsWith(`${target}/`)) return 'symlink loop';
  return `symlink to ${target} (files are read once, under their real name)`;
}

/** Reads and decodes one file the walk (or a caller) picked; null after a warning when it isn't a document. */
async function readDocument(root: Root, file: string, warn: WarningSink): Promise<LoadedDocument | null> {
  const type = documentKind(file);
  if (!type) {
    const ext = path.extname(file) || 'no extension';
    return skip(warn, file, `unsupported file type (${ext}); citebot reads ${READABLE}`);
  }
  const absPath = path.join(root.dir, ...file.split('/'));
  try {
    const real = await realpath(absPath);
    if (real !== path.join(root.real, ...file.split('/'))) return skip(warn, file, await linkReason(root, file));
    // Compressed and PDF bytes are binary by nature: they are judged after decoding.
    const raw = await readBytes(real, file, warn, { sniff: !type.gzip && type.kind !== 'pdf' });
    if (!raw) return null;
    const bytes = type.gzip ? await gunzipped(raw.bytes) : raw.bytes;
    const content = await documentText(type.kind, bytes, file, warn);
    if (content.text.trim() === '') return skip(warn, file, emptyReason(type.kind));
    const doc: LoadedDocument = { file, absPath, kind: type.kind, text: content.text, sha256: raw.sha256, size: raw.size, mtimeMs: raw.mtimeMs };
    if (content.sourceLine) doc.sourceLine = content.sourceLine;
    if (content.sourceEndLine) doc.sourceEndLine = content.sourceEndLine;
    if (content.page) doc.page = content.page;
    return doc;
  } catch (err) {
    if (err instanceof UnreadableContent) return skip(warn, file, err.message);
    const code = errorCode(err);
    if (code === 'ELOOP') return skip(warn, file, 'symlink loop');
    if (code === 'EACCES' || code === 'EPERM') return skip(warn, file, 'permission denied');
    if (code === 'ENOENT') return skip(warn, file, 'file no longer exists');
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
  if (looksBinary(bytes.subarray(0, SNIFF_BYTES))) throw new UnreadableContent('binary file');
  const decoded = decode(bytes, file, warn);
  return kind === 'html' ? htmlToText(decoded) : { text: decoded };
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
  // Checked before opening: opening a FIFO named `x.txt` would wait forever for a writer.
  if (!(await stat(absPath)).isFile()) return skip(warn, file, 'not a regular file');
  const handle = await open(absPath, 'r');
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
      if (looksBinary(head.subarray(0, bytesRead))) return skip(warn, file, 'binary file');
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

/** NUL bytes, or many control bytes, in the head mean binary (git's rule, plus a ratio). UTF-16 has NULs. */
function looksBinary(head: Uint8Array): boolean {
  if (utf16Encoding(head)) return false;
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return true;
    const isText = byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d || byte === 0x1b;
    if (!isText || byte === 0x7f) control++;
  }
  return head.length > 0 && control / head.length > MAX_CONTROL_SHARE;
}

/**
 * Bytes → text: UTF-16 when a BOM says so, else UTF-8 (BOM dropped). Invalid
 * bytes become U+FFFD with a warning; CRLF and lone CR become LF.
 *
 * @example
 * decode(Buffer.from('\uFEFFa\r\nb\rc'), 'x.txt', warn); // 'a\nb\nc'
 */
function decode(bytes: Uint8Array, file: string, warn: WarningSink): string {
  const encoding = utf16Encoding(bytes) ?? 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    warn(`Warning: ${file} is not valid ${encoding.toUpperCase()}; unreadable bytes were replaced with U+FFFD.`);
    text = new TextDecoder(encoding).decode(bytes);
  }
  return text.replace(/\r\n?/g, '\n');
}

function utf16Encoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

function isInside(rootReal: string, real: string): boolean {
  const rel = path.relative(rootReal, real);
  return rel === '' || (rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel));
}

/** Warns with the one line every skipped file gets; returns null so callers can `return skip(…)`. */
function skip(warn: WarningSink, file: string, reason: string): null {
  warn(`Skipped ${file}: ${reason}.`);
  return null;
}

const gunzipAsync = promisify(gunzip);

function errorCode(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}
