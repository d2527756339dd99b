/**
 * Running a child as an unprivileged user, for the chmod-000 cases: root
 * ignores file permissions, so EACCES can't happen as root.
 */
import { execFileSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import path from 'node:path';

/** uid/gid of `nobody` on Debian. */
const NOBODY = 65534;

/**
 * The command prefix that runs a child without root's privileges: `[]` when
 * the tests already run as a normal user, `setpriv …` as root, or a reason
 * to skip when neither works.
 *
 * @example
 * const drop = unprivileged();
 * it.skipIf(typeof drop === 'string')('…', …);
 */
export function unprivileged(): string[] | string {
  if (process.getuid?.() !== 0) return [];
  try {
    execFileSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'true'], { stdio: 'ignore' });
  } catch {
    return 'running as root and setpriv cannot drop to uid 65534 here';
  }
  return ['setpriv', '--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups'];
}

/** Makes `dir` and every folder above it up to `/tmp`-style roots usable by the unprivileged child. */
export async function shareWithNobody(dir: string, stopAt: string): Promise<void> {
  for (let d = dir; d.startsWith(stopAt) && d !== path.dirname(d); d = path.dirname(d)) await chmod(d, 0o777);
}
