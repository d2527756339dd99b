/**
 * The one walk of the docs folder. The loader, the staleness check and the
 * watcher all see the same files, skip the same things for the same reasons,
 * and never look outside the folder:
 *
 * - symlinks are never followed (one pointing out would leak files, or with
 *   `docs/root -> /` walk the whole disk; one pointing up loops; one pointing
 *   inside would quote the same text twice);
 * - hidden files and folders, unreadable folders and anything that is not a
 *   regular file are skipped, each with one reason;
 * - no `realpath` per file: a 1,800-deep tree costs one `readdir` per folder
 *   and one `lstat` per file, nothing that grows with the depth squared.
 */
import type { Dirent, Stats } from 'node:fs';
import { access, lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CitebotError } from '../errors.js';

/** The docs folder, resolved once per walk. */
export interface DocsRoot {
  /** The folder as given, made absolute: every `absPath` starts with it. */
  dir: string;
  /** Its real path: links are judged against it. */
  real: string;
}

/** A regular file found by the walk, with the stamp the staleness check compares. */
export interface WalkedFile {
  /** Relative to the docs folder, with `/`. */
  file: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

/** A path the walk did not descend into or list, and why (one line for the user). */
export interface SkippedPath {
  file: string;
  reason: string;
}

export interface FolderWalk {
  root: DocsRoot;
  /** Regular files, sorted by `file` (code-unit order, as `ls` with LC_ALL=C). */
  files: WalkedFile[];
  /** In the order met. */
  skipped: SkippedPath[];
  /** Relative folders walked ('' = the docs folder itself), for the watcher. */
  folders: string[];
}

export interface WalkOptions {
  /** Absolute folders not to walk (the index folder, when it lives inside the docs folder). */
  exclude?: string[];
}

/**
 * Walks `docsDir` without following links. A missing or non-folder `docsDir`
 * is a CitebotError; anything wrong below it is a `skipped` entry.
 *
 * @example
 * const walk = await walkFolder('seeds');
 * walk.files[0]; // { file: '000_23d5e4e5b37788fb.txt', absPath: '/…/seeds/000_…', size: 5121, mtimeMs: … }
 * walk.skipped;  // [{ file: '.git', reason: 'hidden folder' }]
 */
export async function walkFolder(docsDir: string, options: WalkOptions = {}): Promise<FolderWalk> {
  const root = await openDocsRoot(docsDir);
  const exclude = new Set((options.exclude ?? []).map((dir) => path.resolve(dir)));
  const walk: FolderWalk = { root, files: [], skipped: [], folders: [] };
  // An explicit stack, not recursion: depth costs heap, never the call stack.
  const pending = [''];
  while (pending.length > 0) {
    const dirRel = pending.pop()!;
    const entries = await listFolder(root, dirRel, walk);
    if (!entries) continue;
    walk.folders.push(dirRel);
    const subfolders: string[] = [];
    for (const entry of entries) {
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      const absPath = path.join(root.dir, dirRel, entry.name);
      if (entry.name.startsWith('.')) walk.skipped.push({ file: rel, reason: `hidden ${entry.isDirectory() ? 'folder' : 'file'}` });
      else if (entry.isSymbolicLink()) walk.skipped.push({ file: rel, reason: await linkReason(root, rel) });
      else if (entry.isDirectory()) {
        if (!exclude.has(absPath)) subfolders.push(rel);
      } else if (entry.isFile()) await addFile(walk, rel, absPath);
      else walk.skipped.push({ file: rel, reason: 'not a regular file' });
    }
    // Reversed onto the stack so folders are walked in name order (only the warnings' order depends on it).
    for (let i = subfolders.length - 1; i >= 0; i--) pending.push(subfolders[i]!);
  }
  walk.files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return walk;
}

/**
 * Resolves the docs folder, or throws the CitebotError a user sees when it is
 * missing or a file.
 *
 * @example
 * const root = await openDocsRoot('seeds'); // { dir: '/…/seeds', real: '/…/seeds' }
 */
export async function openDocsRoot(docsDir: string): Promise<DocsRoot> {
  const dir = path.resolve(docsDir);
  let info: Stats;
  try {
    info = await stat(dir);
  } catch (err) {
    throw docsFolderError(dir, err);
  }
  if (!info.isDirectory()) {
    throw new CitebotError(`Docs folder is a file, not a folder: ${dir}`, {
      hint: 'Set DOCS_DIR or pass --docs DIR.',
    });
  }
  return { dir, real: await realpath(dir).catch((err: unknown) => Promise.reject(docsFolderError(dir, err))) };
}

/** The one line for a docs folder that is gone or can't be read (also when it vanishes mid-walk). */
export function docsFolderError(dir: string, err: unknown): CitebotError {
  const code = errorCode(err);
  const missing = code === 'ENOENT' || code === 'ENOTDIR';
  return new CitebotError(missing ? `Docs folder not found: ${dir}` : `Docs folder can't be read: ${dir} (${code})`, {
    hint: 'Set DOCS_DIR or pass --docs DIR.',
    cause: err,
  });
}

/**
 * True when `real` (a real path) is `rootReal` or below it.
 *
 * @example
 * isInside('/srv/docs', '/srv/docs/a.txt'); // true
 * isInside('/srv/docs', '/etc/passwd');     // false
 */
export function isInside(rootReal: string, real: string): boolean {
  const rel = path.relative(rootReal, real);
  return rel === '' || (rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel));
}

/**
 * Why a path that goes through a symlink is not read. One `realpath` of the
 * link itself: its target is named, never walked.
 *
 * @example
 * await linkReason(root, 'root'); // 'symlink points outside the docs folder'
 */
export async function linkReason(root: DocsRoot, rel: string): Promise<string> {
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

/** A folder's entries in name order, or null (recorded as skipped) when it can't be read. */
async function listFolder(root: DocsRoot, dirRel: string, walk: FolderWalk): Promise<Dirent[] | null> {
  try {
    const entries = await readdir(path.join(root.dir, dirRel), { withFileTypes: true });
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    // The docs folder itself vanishing mid-walk is one clear error, not a skipped '' folder.
    const code = errorCode(err);
    if (dirRel === '' || (code === 'ENOENT' && !(await exists(root.dir)))) throw docsFolderError(root.dir, err);
    walk.skipped.push({ file: dirRel, reason: code === 'ENOENT' ? 'folder no longer exists' : `folder can't be read (${code})` });
    return null;
  }
}

async function addFile(walk: FolderWalk, file: string, absPath: string): Promise<void> {
  try {
    // lstat: if the file was swapped for a link since readdir, it is not followed.
    const info = await lstat(absPath);
    if (info.isFile()) walk.files.push({ file, absPath, size: info.size, mtimeMs: info.mtimeMs });
    else walk.skipped.push({ file, reason: info.isSymbolicLink() ? await linkReason(walk.root, file) : 'not a regular file' });
  } catch (err) {
    const code = errorCode(err);
    walk.skipped.push({ file, reason: code === 'ENOENT' ? 'file no longer exists' : `can't be read (${code})` });
  }
}

async function exists(dir: string): Promise<boolean> {
  return access(dir).then(
    () => true,
    () => false,
  );
}

function errorCode(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}
