/**
 * A fresh temporary folder for each test (or for the whole file), removed
 * afterwards: the one place tests make scratch folders.
 *
 * @example
 * const tmp = tempFolder('citebot-store-');
 * it('writes', async () => { await fsp.writeFile(path.join(tmp(), 'x'), '1'); });
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/** Registers the hooks; the returned function gives the current folder's path. */
export function tempFolder(prefix: string, scope: 'each' | 'all' = 'each'): () => string {
  let dir: string | null = null;
  const [before, after] = scope === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  });
  after(async () => {
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
    dir = null;
  });
  return () => {
    if (dir === null) throw new Error(`tempFolder('${prefix}') is only there inside a test`);
    return dir;
  };
}
