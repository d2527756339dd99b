/**
 * The one builder of an in-memory index for tests: passages (and optionally
 * vectors) with a manifest that says what they are, as `openIndex` would.
 *
 * @example
 * new Retriever(memoryIndex([passage('Rubio met Lavrov.')]), null, { answerThreshold: 0.5 });
 */
import type { LoadedIndex, Passage } from '../../src/types.js';

export function memoryIndex(passages: Passage[], vectors: Float32Array | null = null, dim = 0, model: string | null = null): LoadedIndex {
  return {
    dir: '(memory)',
    generation: 'test',
    passages,
    vectors,
    manifest: { format: 1, createdAt: '', mode: vectors ? 'semantic+keyword' : 'keyword', model, dim, docsDir: '', files: {}, passages: passages.length },
  };
}
