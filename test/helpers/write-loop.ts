/**
 * Crash-test child: takes the index lock, then writes synthetic generations
 * tagged `firstTag`, `firstTag + 1`, … until killed. Prints `ready` once the
 * lock is held, `start <tag>` as each write begins and `wrote <tag>` after
 * each commit, so the parent knows the newest write that must survive a kill.
 *
 * Usage: node --import tsx test/helpers/write-loop.ts <indexDir> <firstTag> <count> <dim>
 */
import { acquireLock } from '../../src/index/lock.js';
import { writeIndex } from '../../src/index/store.js';
import { syntheticContent } from './synthetic-index.js';

const [dir, firstTag, count, dim] = process.argv.slice(2);
if (dir === undefined || dim === undefined) throw new Error('usage: write-loop.ts <indexDir> <firstTag> <count> <dim>');

await acquireLock(dir, { waitMs: 10_000 });
process.stdout.write('ready\n');
for (let tag = Number(firstTag); ; tag++) {
  // Keyword index built in here, before "start", so the kills land in the file writes, which are what the test is about.
  const content = syntheticContent({ tag, count: Number(count), dim: Number(dim) });
  process.stdout.write(`start ${tag}\n`);
  await writeIndex(dir, content);
  process.stdout.write(`wrote ${tag}\n`);
}
