/** `citebot ingest`: build or refresh the index from the docs folder. */
import { ingest } from '../library/ingest.js';
import { configFor, ingestReport, withSession } from './context.js';
import { locationOptions, stringFlag, type CliCommand } from './command.js';
import { progressBar } from './progress.js';

export const ingestCommand = {
  summary: 'Index the docs folder (only new and changed passages are embedded).',
  usage: 'citebot ingest [--docs DIR] [--index DIR] [--verbose]',
  options: { ...locationOptions, verbose: { type: 'boolean' } },
  positionals: false,
  async run(flags, _positionals, io) {
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') }, io.env);
    return withSession(config, io, { verbose: flags.verbose === true }, async (session) => {
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
        const [sentence, ...skipped] = ingestReport(summary, session.verbose);
        io.out(`${sentence}\n`);
        for (const line of skipped) io.err(`${line}\n`);
        return 0;
      } finally {
        bar?.done();
      }
    });
  },
} satisfies CliCommand;
