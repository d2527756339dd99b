/** `citebot ingest`: build or refresh the index from the docs folder. */
import { ingest } from '../library/ingest.js';
import { configFor, summaryLine, withSession } from './context.js';
import { locationOptions, stringFlag, type CliCommand } from './command.js';
import { progressBar } from './progress.js';

export const ingestCommand = {
  summary: 'Index the docs folder (only new and changed passages are embedded).',
  usage: 'citebot ingest [--docs DIR] [--index DIR]',
  options: { ...locationOptions },
  positionals: false,
  async run(flags, _positionals, io) {
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') });
    return withSession(config, io, {}, async (session) => {
      const bar = io.interactive ? progressBar(io) : null;
      try {
        const summary = await ingest({
          docsDir: config.docsDir,
          indexDir: config.indexDir,
          embedder: session.embedder,
          batchSize: config.embedBatchSize,
          warn: session.warn,
          ...(bar ? { onProgress: bar.update } : {}),
        });
        bar?.done();
        io.out(`${summaryLine(summary)}\n`);
        return 0;
      } finally {
        bar?.done();
      }
    });
  },
} satisfies CliCommand;
