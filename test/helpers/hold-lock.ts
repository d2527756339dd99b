/**
 * Takes an index folder's write lock and keeps it until killed, printing
 * `locked` once it holds it: a stand-in for a long ingest in another process.
 *
 * Usage: node --import tsx test/helpers/hold-lock.ts <indexDir>
 */
import { acquireLock } from '../../src/index/lock.js';

const [indexDir] = process.argv.slice(2);
if (indexDir === undefined) throw new Error('usage: hold-lock.ts <indexDir>');

await acquireLock(indexDir, { waitMs: 0 });
process.stdout.write('locked\n');
setInterval(() => undefined, 60_000);
