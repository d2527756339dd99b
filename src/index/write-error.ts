/**
 * The command that rebuilds an index, and the one-line error a user sees when
 * the index folder can't be written (used by the store and the lock alike).
 *
 * @example
 * try { await fsp.mkdir(dir); } catch (err) { throw indexWriteError(dir, err); }
 */
import path from 'node:path';
import { PROJECT_DIR } from '../config.js';
import { CitebotError } from '../errors.js';

/**
 * The command that rebuilds the index in `dir`, as the user should type it.
 *
 * @example
 * rebuildCommand('/tmp/idx'); // 'npx citebot ingest --index /tmp/idx'
 */
export function rebuildCommand(dir: string): string {
  const isDefault = path.resolve(dir) === path.join(PROJECT_DIR, 'embeddings');
  return isDefault ? 'npx citebot ingest' : `npx citebot ingest --index ${dir}`;
}

/**
 * Turns an OS failure to write in the index folder into one line the user can
 * act on; anything without an error code is returned as it is (a bug).
 *
 * @example
 * try { await fsp.mkdir(dir); } catch (err) { throw indexWriteError(dir, err); }
 */
export function indexWriteError(dir: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return err;
  const rerun = `run: ${rebuildCommand(dir)}`;
  const unchanged = 'The previous index is unchanged';
  const known: Record<string, [reason: string, hint: string]> = {
    ENOSPC: ['the disk is full', `${unchanged}; free some space and ${rerun}`],
    EDQUOT: ['the disk quota is used up', `${unchanged}; free some space and ${rerun}`],
    EROFS: ['the file system is read-only', `${unchanged}; choose a writable folder with --index DIR.`],
    EACCES: ['permission denied', `${unchanged}; check the folder's permissions and ${rerun}`],
    EPERM: ['permission denied', `${unchanged}; check the folder's permissions and ${rerun}`],
    EEXIST: ['it is a file, not a folder', 'Choose a folder with --index DIR.'],
    ENOTDIR: ['part of that path is a file, not a folder', 'Choose a folder with --index DIR.'],
  };
  const [reason, hint] = known[code] ?? [(err as Error).message, `${unchanged}.`];
  return new CitebotError(`Could not write the index in ${dir}: ${reason} (${code}).`, { hint, cause: err });
}
