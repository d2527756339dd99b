/**
 * A child process for test/search-worker.test.ts: writes a stored index of
 * `count` passages into DIR, loads it in a library that searches it in
 * worker threads, asks nothing, and ends its program. The process must then
 * exit by itself, as a CLI does (idle search workers must not keep it alive).
 *
 *   node --import tsx test/helpers/idle-library.ts DIR
 */
import { Library } from '../../src/library/library.js';
import { openIndex, writeIndex } from '../../src/index/store.js';
import { allocateQuantized } from '../../src/search/dot-kernel.js';
import { syntheticContent } from './synthetic-index.js';

const dir = process.argv[2]!;
await writeIndex(dir, syntheticContent({ tag: 1, count: 200, dim: 16 }));
const index = await openIndex(dir, () => undefined, { quantized: allocateQuantized });
const embedder = { model: 'test/synthetic', dim: 16, embed: async () => new Float32Array(16) };
const library = new Library({ docsDir: '/synthetic/1', indexDir: dir, embedder, answerThreshold: 0.4, topK: 3, warn: () => undefined, offThreadFrom: 1 });
library.load(index);
if (!library.searchesOffThread) throw new Error('the library does not search in workers');
process.stdout.write('loaded\n');
