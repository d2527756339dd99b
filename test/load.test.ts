import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CitebotError } from '../src/errors.js';
import { tempFolder } from './helpers/temp-folder.js';
import { loadDocuments } from '../src/documents/load.js';

let tmp: string;
let docs: string;

const folder = tempFolder('citebot-load-');
beforeEach(async () => {
  tmp = folder();
  docs = path.join(tmp, 'docs');
  await mkdir(docs);
});

/** Writes files under the docs folder; strings as UTF-8, buffers as given. */
async function put(files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(docs, rel)), { recursive: true });
    await writeFile(path.join(docs, rel), content);
  }
}

async function load(): Promise<{ texts: Record<string, string>; warnings: string[] }> {
  const warnings: string[] = [];
  const loaded = await loadDocuments(docs, (line) => warnings.push(line));
  return { texts: Object.fromEntries(loaded.map((d) => [d.file, d.text])), warnings };
}

const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
/** UTF-32 bytes of the code points of `parts`, joined. */
function utf32(parts: string[], order: 'le' | 'be'): Buffer {
  const points = [...parts.join('')].map((c) => c.codePointAt(0)!);
  const bytes = Buffer.alloc(points.length * 4);
  points.forEach((p, i) => (order === 'le' ? bytes.writeUInt32LE(p, i * 4) : bytes.writeUInt32BE(p, i * 4)));
  return bytes;
}

describe('decoding', () => {
  it.each([
    ['a UTF-8 BOM is dropped', Buffer.from('\uFEFFTide tables\nfor May'), 'Tide tables\nfor May'],
    ['CRLF and lone CR become LF', Buffer.from('one\r\ntwo\rthree\r\n'), 'one\ntwo\nthree\n'],
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße\r\nzwei', 'utf16le')]), 'Grüße\nzwei'],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be('Ωmega\ndone')]), 'Ωmega\ndone'],
    ['non-ASCII UTF-8 kept as is', Buffer.from('Zelensky’s “talks” — 対話'), 'Zelensky’s “talks” — 対話'],
    // Were called "binary" (their NULs) or decoded as UTF-16 with no warning.
    ['UTF-16 LE without BOM', Buffer.from('Tide tables for Grüße\r\nzwei', 'utf16le'), 'Tide tables for Grüße\nzwei'],
    ['UTF-16 BE without BOM', utf16be('Tide tables for Ωmega\ndone'), 'Tide tables for Ωmega\ndone'],
    ['UTF-32 LE with BOM', utf32(['\uFEFF', 'Grüße 😀\r\nzwei'], 'le'), 'Grüße 😀\nzwei'],
    ['UTF-32 BE with BOM', utf32(['\uFEFF', 'Ωmega 𝕏\ndone'], 'be'), 'Ωmega 𝕏\ndone'],
    ['a stray NUL in the first 8 KB (the file was dropped)', Buffer.from(`Tide tables\0 for May${' and June, printed weekly.'.repeat(20)}`), `Tide tables\0 for May${' and June, printed weekly.'.repeat(20)}`],
  ])('%s', async (_name, bytes, text) => {
    await put({ 'doc.txt': bytes });
    expect(await load()).toEqual({ texts: { 'doc.txt': text }, warnings: [] });
  });

  it('decodes invalid UTF-8 with U+FFFD and warns once', async () => {
    await put({ 'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]) });
    const { texts, warnings } = await load();
    expect(texts).toEqual({ 'latin1.txt': 'caf\uFFFD ok' });
    expect(warnings).toEqual([expect.stringMatching(/latin1\.txt is not valid UTF-8.*U\+FFFD/)]);
  });

  it('records the sha256, size and mtime of the raw bytes', async () => {
    const bytes = Buffer.from('\uFEFFa\r\nb');
    await put({ 'x.md': bytes });
    const mtime = new Date('2024-05-06T07:08:09.000Z');
    await utimes(path.join(docs, 'x.md'), mtime, mtime);
    const [doc] = await loadDocuments(docs, () => {});
    expect(doc).toMatchObject({
      file: 'x.md',
      absPath: path.join(docs, 'x.md'),
      kind: 'markdown',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      mtimeMs: mtime.getTime(),
    });
  });
});

describe('skipping what is not a document, one warning line each', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
  const controls = Buffer.from(Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41)));
  it.each([
    ['a binary file (NUL bytes)', { 'image.txt': png }, /^Skipped image\.txt: binary file\.$/],
    ['a binary file (control bytes)', { 'dump.md': controls }, /^Skipped dump\.md: binary file\.$/],
    ['an empty file', { 'empty.txt': '' }, /^Skipped empty\.txt: empty file\.$/],
    ['a whitespace-only file', { 'blank.md': ' \n\t\r\n  ' }, /^Skipped blank\.md: empty file\.$/],
    ['a BOM-only file', { 'bom.txt': Buffer.from([0xef, 0xbb, 0xbf]) }, /^Skipped bom\.txt: empty file\.$/],
    ['HTML with no text outside chrome', { 'nav.html': '<nav><a href="/">Home</a></nav><script>x()</script>' }, /^Skipped nav\.html: no text/],
    ['a hidden file', { '.notes.txt': 'secret plans' }, /^Skipped \.notes\.txt: hidden file\.$/],
    ['a hidden folder (once, not per file)', { '.git/a.txt': 'x', '.git/b.txt': 'y' }, /^Skipped \.git: hidden folder\.$/],
    ['an unsupported extension', { 'photo.jpg': 'not really a jpeg' }, /^Skipped photo\.jpg: unsupported file type \(\.jpg\)/],
    ['a file with no extension', { 'README': 'hello there' }, /^Skipped README: unsupported file type \(no extension\)/],
  ])('%s', async (_name, files, warning) => {
    await put({ ...files, 'keep.txt': 'The one good file.' });
    const { texts, warnings } = await load();
    expect(texts).toEqual({ 'keep.txt': 'The one good file.' });
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });
});

describe('symlinks', () => {
  it.each([
    ['a link to its own folder (loop)', async () => symlink('.', path.join(docs, 'again')), /^Skipped again: symlink loop\.$/],
    ['a link up to a parent folder (loop)', async () => {
      await mkdir(path.join(docs, 'sub'));
      await symlink('..', path.join(docs, 'sub', 'up'));
    }, /^Skipped sub\/up: symlink loop\.$/],
    ['two links pointing at each other', async () => {
      await symlink('b.txt', path.join(docs, 'a.txt'));
      await symlink('a.txt', path.join(docs, 'b.txt'));
    }, /^Skipped a\.txt: symlink loop\.$/],
    ['a link to a file outside the folder', async () => {
      await writeFile(path.join(tmp, 'secret.txt'), 'TOP SECRET outside text');
      await symlink(path.join(tmp, 'secret.txt'), path.join(docs, 'escape.txt'));
    }, /^Skipped escape\.txt: symlink points outside the docs folder\.$/],
    ['a link to a folder outside', async () => {
      await mkdir(path.join(tmp, 'elsewhere'));
      await writeFile(path.join(tmp, 'elsewhere', 'x.txt'), 'TOP SECRET folder');
      await symlink(path.join(tmp, 'elsewhere'), path.join(docs, 'out'));
    }, /^Skipped out: symlink points outside the docs folder\.$/],
    ['a dangling link', async () => symlink('missing.txt', path.join(docs, 'gone.txt')), /^Skipped gone\.txt: broken symlink\.$/],
    ['a link to a file inside (read once, under its real name)', async () => {
      await symlink('keep.txt', path.join(docs, 'alias.txt'));
    }, /^Skipped alias\.txt: symlink to keep\.txt/],
  ])('%s is skipped with a warning', async (_name, setup, warning) => {
    await put({ 'keep.txt': 'The one good file.' });
    await setup();
    const { texts, warnings } = await load();
    expect(texts).toEqual({ 'keep.txt': 'The one good file.' });
    expect(warnings.filter((w) => warning.test(w))).toHaveLength(1);
    expect(warnings.join('\n')).not.toMatch(/SECRET/);
  });
});

describe('folders', () => {
  it('walks subfolders recursively, sorted by path', async () => {
    await put({ 'b.txt': 'bee', 'a/z.md': 'zed', 'a.txt': 'ay', 'a/b/c.html': '<p>see</p>', 'B.txt': 'big bee' });
    const loaded = await loadDocuments(docs, () => {});
    expect(loaded.map((d) => [d.file, d.kind])).toEqual([
      ['B.txt', 'text'],
      ['a.txt', 'text'],
      ['a/b/c.html', 'html'],
      ['a/z.md', 'markdown'],
      ['b.txt', 'text'],
    ]);
  });

  it.each([
    ['missing', () => path.join(tmp, 'nope'), /^Docs folder not found: .*nope$/],
    ['a file', () => path.join(docs, 'file.txt'), /^Docs folder is a file, not a folder: .*file\.txt$/],
  ])('a docs folder that is %s is a CitebotError with one clear line', async (_name, dir, message) => {
    await put({ 'file.txt': 'x' });
    const error = await loadDocuments(dir(), () => {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CitebotError);
    expect((error as CitebotError).message).toMatch(message);
    expect((error as CitebotError).userMessage).not.toContain('\n');
  });

  // Root ignores file permissions, so chmod 000 can't make EACCES happen there.
  it.skipIf(process.getuid?.() === 0)('an unreadable file is skipped and the rest still load', async () => {
    await put({ 'locked.txt': 'private', 'keep.txt': 'The one good file.' });
    await chmod(path.join(docs, 'locked.txt'), 0o000);
    const { texts, warnings } = await load();
    expect(texts).toEqual({ 'keep.txt': 'The one good file.' });
    expect(warnings).toEqual(['Skipped locked.txt: permission denied.']);
  });

  // Opening a FIFO blocks until someone writes to it: the walk must not hang on one.
  it('a FIFO named like a document is skipped, never opened', async () => {
    execFileSync('mkfifo', [path.join(docs, 'pipe.txt')]);
    expect((await load()).warnings).toEqual(['Skipped pipe.txt: not a regular file.']);
  });

  it('a 5 MB file loads whole', async () => {
    const line = 'The harbour board met on Tuesday to discuss the breakwater repairs.\n';
    await put({ 'big.txt': line.repeat(Math.ceil((5 * 2 ** 20) / line.length)) });
    const { texts, warnings } = await load();
    expect(warnings).toEqual([]);
    expect(texts['big.txt']!.length).toBe(line.length * Math.ceil((5 * 2 ** 20) / line.length));
  });
});
