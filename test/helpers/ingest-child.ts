/**
 * Runs one ingest in its own process, as `citebot ingest` would: prints
 * `phase <name>` as each phase starts, then its summary as JSON. Crash and
 * concurrency tests start (and kill) it.
 *
 * Usage: node --import tsx test/helpers/ingest-child.ts <docsDir> <indexDir> [dim]
 * (no dim, or 0: keyword mode; otherwise the fake embedder with that many dims)
 */
import { ingest } from '../../src/library/ingest.js';
import { fakeEmbedder } from './fake-embedder.js';

const [docsDir, indexDir, dim = '0'] = process.argv.slice(2);
if (docsDir === undefined || indexDir === undefined) throw new Error('usage: ingest-child.ts <docsDir> <indexDir> [dim]');

const embedder = Number(dim) > 0 ? fakeEmbedder(Number(dim)) : null;
const phases = new Set<string>();
const summary = await ingest({
  docsDir,
  indexDir,
  embedder,
  warn: (line) => process.stderr.write(`${line}\n`),
  onProgress: (_done, _total, phase) => {
    if (!phases.has(phase)) process.stdout.write(`phase ${phase}\n`);
    phases.add(phase);
  },
});
process.stdout.write(`${JSON.stringify(summary)}\n`);
