/**
 * A LibraryApi that delegates to the real library but can be told to fail,
 * so tests can watch the bot's catch-all turn a broken handler into an error reply.
 */
import type { LibraryApi } from '../../src/library/library.js';

export interface Faults {
  ask: boolean;
  stats: boolean;
}

export function faulty(library: LibraryApi, faults: Faults): LibraryApi {
  return {
    ask: (question, options) => (faults.ask ? Promise.reject(new Error('index exploded')) : library.ask(question, options)),
    topK: library.topK,
    files: () => library.files(),
    paragraph: (file, n) => library.paragraph(file, n),
    paragraphCount: (file) => library.paragraphCount(file),
    stats: () => {
      if (faults.stats) throw new TypeError('stats exploded');
      return library.stats();
    },
    reindex: () => library.reindex(),
  };
}
